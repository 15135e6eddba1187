"""Search the procedure guide: dense (FAISS) and lexical (character TF-IDF) scores fused, then a decision.

fused = alpha * dense + (1 - alpha) * lexical, per entry: dense is the mean of the two best unit cosines of the
entry, lexical the best unit's mean of character-bigram and pinyin-bigram TF-IDF cosines (see index.py). The query
is embedded without spoken fillers (喂, 嗯, 那个 ...).

Decision on the fused scores s1 >= s2 >= ... (and o, the best fused score of an out-of-scope topic, scored the
same way over that topic's anchor questions):
- ``reject`` when s1 < reject_below: out of scope, or too unlike anything in the guide to answer;
- ``reject`` naming the topic (its redirect says who handles it) when o - s1 > out_of_scope_margin: the question
  is nearer to something the court does not handle than to any entry;
- ``clarify`` when s1 - s2 < clarify_margin: the entries within the margin of the top (up to three) are offered;
- ``answer`` otherwise.

alpha, reject_below, out_of_scope_margin and clarify_margin are calibrated per embedder on the dev split of the
held-out set by ``python -m knowledge_base.calibrate``, which writes them with the figures they came from to
knowledge_base/thresholds.yml. Without a calibration for the configured embedder, UNCALIBRATED applies and the
response says so.

Follow-ups: with ``context`` (the entry under discussion) a short question such as "那要交多少钱" is also scored
as "<context title> <question>"; the two fused scores are averaged (CONTEXT_WEIGHT) and the context entry's
related entries get a small bonus (RELATED_BONUS). Long questions stand on their own and ignore the context.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from knowledge_base.embedding import Embedder
from knowledge_base.index import GuideIndex, clean_query, lexical_text
from knowledge_base.schema import OutOfScopeTopic

THRESHOLDS_PATH = Path(__file__).resolve().parent / "thresholds.yml"
# A follow-up is short: after removing fillers and punctuation at most this many characters.
FOLLOW_UP_MAX_CHARS = 14
CONTEXT_WEIGHT = 0.5
RELATED_BONUS = 0.02
MAX_CLARIFY = 3

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Thresholds:
    alpha: float
    reject_below: float
    clarify_margin: float
    calibrated: bool
    source: str
    figures: dict = field(default_factory=dict)
    out_of_scope_margin: float = math.inf  # inf: out-of-scope topics never decide (uncalibrated)

    def public(self) -> dict:
        data = asdict(self)
        data.pop("figures")
        data["out_of_scope_margin"] = None if math.isinf(self.out_of_scope_margin) else self.out_of_scope_margin
        return data


# Used only when thresholds.yml has no entry for the embedder (e.g. a court's own model before calibration):
# the brief's 0.7/0.3 fusion, a low rejection bar and a small margin. The response marks them uncalibrated.
UNCALIBRATED = Thresholds(alpha=0.7, reject_below=0.0, clarify_margin=0.01, calibrated=False,
                          source="uncalibrated defaults")


def load_thresholds(embedder_name: str, path: Path | str = THRESHOLDS_PATH) -> Thresholds:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except OSError:
        data = {}
    calibration = (data.get("embedders") or {}).get(embedder_name)
    if not calibration:
        log.warning("no calibrated thresholds for %s in %s: using uncalibrated defaults", embedder_name, path)
        return UNCALIBRATED
    return Thresholds(alpha=float(calibration["alpha"]), reject_below=float(calibration["reject_below"]),
                      clarify_margin=float(calibration["clarify_margin"]), calibrated=True,
                      source=f"{Path(path).name} ({calibration.get('calibrated_at', 'undated')})",
                      figures=calibration.get("figures", {}),
                      out_of_scope_margin=float(calibration.get("out_of_scope_margin", math.inf)))


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    category: str
    score: float
    short_answer: str
    dense: float
    lexical: float

    def public(self) -> dict:
        return {"id": self.id, "title": self.title, "category": self.category, "score": round(self.score, 4),
                "short_answer": self.short_answer}


@dataclass(frozen=True)
class Outcome:
    decision: str  # answer | clarify | reject
    results: list[Hit]
    thresholds: Thresholds
    used_context: bool = False
    out_of_scope: OutOfScopeTopic | None = None  # set when a known out-of-scope topic decided the rejection

    @property
    def top(self) -> Hit | None:
        return self.results[0] if self.results else None


@dataclass
class Scores:
    fused: np.ndarray
    dense: np.ndarray
    lexical: np.ndarray
    used_context: bool
    anchors: np.ndarray | None = None  # fused score per out-of-scope topic
    own_top: float | None = None  # a follow-up's best fused score without its context (what topics compete with)


class Searcher:
    def __init__(self, index: GuideIndex, embedder: Embedder, thresholds: Thresholds | None = None):
        if index.embedder_name != embedder.name:
            raise ValueError(f"index built with {index.embedder_name}, searcher given {embedder.name}")
        self.index, self.embedder = index, embedder
        self.thresholds = thresholds or load_thresholds(embedder.name)
        # the same questions come back (reprompts, common questions, follow-ups): embed each text once
        self._query_vector = lru_cache(maxsize=4096)(self._embed_query)

    def forget_queries(self) -> None:
        """Empties the query-embedding cache (benchmarks measure the full cost of each search)."""
        self._query_vector.cache_clear()

    def _embed_query(self, text: str) -> np.ndarray:
        vector = self.embedder.embed_queries([text])[0]
        vector.setflags(write=False)
        return vector

    def raw_scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """Dense and lexical per-entry scores of one query."""
        vector = self._query_vector(clean_query(query))
        return self.index.dense_scores(vector), self.index.lexical_scores(query)

    def anchor_scores(self, query: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Dense and lexical scores per out-of-scope topic (None without topics); the query vector is cached."""
        anchors = self.index.out_of_scope
        if anchors is None:
            return None
        return anchors.dense_scores(self._query_vector(clean_query(query))), anchors.lexical_scores(query)

    def fuse(self, dense: np.ndarray, lexical: np.ndarray, alpha: float | None = None) -> np.ndarray:
        alpha = self.thresholds.alpha if alpha is None else alpha
        return alpha * dense + (1.0 - alpha) * lexical

    def scores(self, query: str, context: str | None = None) -> Scores:
        dense, lexical = self.raw_scores(query)
        fused = self.fuse(dense, lexical)
        raw_anchors = self.anchor_scores(query)
        anchors = None if raw_anchors is None else self.fuse(*raw_anchors)
        topic = self.index.by_id.get(context) if context else None
        words = lexical_text(query)
        # a follow-up is short and says something: "？？？" or "嗯" after a topic is not a question about it
        if topic is None or not words or len(words) > FOLLOW_UP_MAX_CHARS:
            return Scores(fused, dense, lexical, False, anchors)
        own_top = float(fused.max()) if len(fused) else None
        dense_c, lexical_c = self.raw_scores(f"{topic.title} {query}")
        fused = (1 - CONTEXT_WEIGHT) * fused + CONTEXT_WEIGHT * self.fuse(dense_c, lexical_c)
        for related in topic.related:
            if related in self.index.entry_pos:
                fused[self.index.entry_pos[related]] += RELATED_BONUS
        # out-of-scope topics compete with the question as asked, not with the context's boost: "领结婚证要带啥"
        # after a guide topic is still about 民政, while "那要带什么" stays a follow-up
        return Scores(fused, np.maximum(dense, dense_c), np.maximum(lexical, lexical_c), True, anchors,
                      own_top)

    def decide(self, scores: Scores, k: int = 3) -> Outcome:
        t = self.thresholds
        order = np.argsort(-scores.fused, kind="stable")
        entries = self.index.entries

        def hit(i: int) -> Hit:
            e = entries[i]
            return Hit(e.id, e.title, e.category, float(scores.fused[i]), e.short_answer,
                       float(scores.dense[i]), float(scores.lexical[i]))

        if not len(order):
            return Outcome("reject", [], t, scores.used_context)
        top = float(scores.fused[order[0]])
        if top < t.reject_below:
            return Outcome("reject", [hit(i) for i in order[:k]], t, scores.used_context,
                           self._nearest_topic(scores, max(top, t.reject_below)))
        own_top = top if scores.own_top is None else scores.own_top
        topic = self._nearest_topic(scores, own_top + t.out_of_scope_margin)
        if topic is not None:
            return Outcome("reject", [hit(i) for i in order[:k]], t, scores.used_context, topic)
        close = [i for i in order[: max(k, MAX_CLARIFY)] if top - float(scores.fused[i]) < t.clarify_margin]
        if len(close) > 1:
            return Outcome("clarify", [hit(i) for i in close[:MAX_CLARIFY]], t, scores.used_context)
        return Outcome("answer", [hit(i) for i in order[:k]], t, scores.used_context)

    def _nearest_topic(self, scores: Scores, above: float) -> OutOfScopeTopic | None:
        """The best out-of-scope topic if its fused score is above ``above``. After a low-score rejection the topic
        must clear the guide's own bar and beat every entry, so that noise never gets a redirect."""
        if scores.anchors is None or not len(scores.anchors) or math.isinf(above):
            return None
        best = int(np.argmax(scores.anchors))
        return self.index.out_of_scope.entries[best] if float(scores.anchors[best]) > above else None

    def search(self, query: str, k: int = 3, context: str | None = None) -> Outcome:
        return self.decide(self.scores(query, context), k)
