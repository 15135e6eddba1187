"""The procedure-guide index: dense vectors in FAISS plus a character n-gram TF-IDF, persisted with a manifest.

Every entry becomes several *units*: its title, each sample question, and one passage (title, short answer and
details). Questions and titles are embedded as queries (they are questions, and e5 compares query to query
best), the passage as a passage. An entry's dense score is the best cosine over its units; its lexical score the
best TF-IDF cosine over the same units.

On disk (knowledge_base/index/ by default): ``manifest.json`` (format, embedder, model, dim, guide content hash,
counts, build time and duration), ``dense.faiss`` (IndexFlatIP over the normalised unit vectors) and
``units.json`` (entry id, kind and text of each unit, in the order of the vectors). The TF-IDF is refitted at
load (milliseconds), so only the embeddings are persisted. ``load_or_build`` rebuilds only when the guide files,
the embedder or the format changed.

Out-of-scope topics (out_of_scope.yml: other authorities' services, daily life, chit-chat) are indexed the same
way, as a second small index (``anchors.faiss``, ``anchors.json``; their content hash is in the manifest), so
the search can tell "nearer to something the court does not handle than to any guide entry".

``python -m knowledge_base.index`` (``make kb``) builds or refreshes the index; ``--force`` always rebuilds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import faiss
import numpy as np
import yaml
from pypinyin import lazy_pinyin
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge_base.embedding import Embedder, make_embedder
from knowledge_base.schema import PLACEHOLDER, GuideEntry, OutOfScopeTopic

FORMAT_VERSION = 3
# The passage is embedded from its first characters only (title, short answer, start of the details): on the dev
# split the full passage and its first 250 characters give the same Recall@1/@3 (question units carry the dense
# score), and long passages were 80% of the build time (0.57 s of CPU each). The lexical side reads all of it.
PASSAGE_EMBED_CHARS = 250
INDEX_DIR = Path(__file__).resolve().parent / "index"
GUIDE_DIR = Path(__file__).resolve().parent / "guide"
OUT_OF_SCOPE_PATH = Path(__file__).resolve().parent / "out_of_scope.yml"

log = logging.getLogger(__name__)
# One search at a time is a few milliseconds of work: OpenMP threads only spin against each other on a shared
# 2-core machine (measured: 6 ms of CPU per 80,000-unit search with one thread, 36 ms with two). KB_THREADS raises it.
faiss.omp_set_num_threads(int(os.environ.get("KB_THREADS", "1")))
# Exact search (every unit) up to this many units; beyond it, the nearest DEPTH units decide the dense scores.
EXACT_UNITS = 4096
DEPTH = 256

_MARKDOWN = re.compile(r"[*#>`|_]+")
_SPACES = re.compile(r"\s+")
# Punctuation, spaces and spoken fillers carry no topic: the lexical side ignores them.
_NOISE = re.compile(r"[\s\u3000，。、？！：；,.?!:;\"'“”‘’（）()\[\]【】《》<>/\\~～…—\-]+")
_FILLERS = re.compile(r"请问一下|请问|你好|您好|喂|嗯+|啊|呃|哎|唉|那个|这个|就是说|一下|呢|吧|呀|哈|麻烦问下|麻烦")


def lexical_text(text: str) -> str:
    """What the TF-IDF sees: no punctuation, no fillers, lower case."""
    return _NOISE.sub("", _FILLERS.sub("", text.lower()))


@lru_cache(maxsize=4096)  # a question is scored against the entries and the out-of-scope topics: convert it once
def pinyin_text(text: str) -> str:
    """Toneless pinyin syllables of the lexical text, space separated: 上诉 and 上述 both give 'shang su'."""
    return " ".join(lazy_pinyin(lexical_text(text), errors="default"))


class QueryTfidf:
    """One question as the fitted TfidfVectorizer would transform it (its own analyzer, 1 + log tf, idf, L2 norm),
    without sklearn's per-call input validation, which was half of the lexical side's time (~2 of 4 ms a search).
    A test checks it against ``vectorizer.transform``."""

    def __init__(self, vectorizer: TfidfVectorizer):
        self.analyze = vectorizer.build_analyzer()
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.idf = vectorizer.idf_.astype(np.float32)

    def __call__(self, text: str) -> csr_matrix:
        counts = Counter(term for term in self.analyze(text) if term in self.vocabulary)
        size = len(self.idf)
        if not counts:
            return csr_matrix((1, size), dtype=np.float32)
        pairs = np.array(sorted((self.vocabulary[term], count) for term, count in counts.items()), dtype=np.int64)
        columns = pairs[:, 0].astype(np.int32)
        weights = (1 + np.log(pairs[:, 1].astype(np.float32))) * self.idf[columns]
        weights /= np.linalg.norm(weights)
        return csr_matrix((weights, columns, np.array([0, len(columns)])), shape=(1, size))


def clean_query(text: str) -> str:
    """A question without spoken fillers (喂, 嗯, 那个, 请问一下 ...), as it is embedded."""
    return _SPACES.sub(" ", _FILLERS.sub("", text)).strip() or text.strip()


def passage_text(entry: GuideEntry) -> str:
    """Title, short answer and details as plain text, court placeholders dropped (they are the same everywhere)."""
    details = PLACEHOLDER.sub("", entry.details)
    details = _SPACES.sub(" ", _MARKDOWN.sub("", details)).strip()
    return f"{entry.title}。{entry.short_answer} {details}"


@dataclass(frozen=True)
class Unit:
    entry_id: str
    kind: str  # title | question | passage
    text: str


def entry_units(entry: GuideEntry) -> list[Unit]:
    units = [Unit(entry.id, "title", entry.title)]
    units += [Unit(entry.id, "question", q) for q in entry.questions]
    units.append(Unit(entry.id, "passage", passage_text(entry)))
    return units


def units_hash(units: Sequence[Unit]) -> str:
    digest = hashlib.sha256(f"format {FORMAT_VERSION}\n".encode())
    for unit in units:
        digest.update(f"{unit.entry_id}\t{unit.kind}\t{unit.text}\n".encode())
    return digest.hexdigest()


def guide_hash(entries: Sequence[GuideEntry]) -> str:
    """Content hash of everything the index is built from (not of file layout or comments)."""
    return units_hash([u for e in entries for u in entry_units(e)])


def load_out_of_scope(path: Path | str = OUT_OF_SCOPE_PATH) -> list[OutOfScopeTopic]:
    """The out-of-scope topics (search anchors); none when the file is absent."""
    path = Path(path)
    if not path.is_file():
        return []
    return [OutOfScopeTopic.model_validate(item) for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []]


def anchor_units(topics: Sequence[OutOfScopeTopic]) -> list[Unit]:
    return [Unit(t.id, "anchor", q) for t in topics for q in t.questions]


def load_entries(guide_dir: Path | str | None = None) -> list[GuideEntry]:
    from knowledge_base.guide import load_guide

    return load_guide(guide_dir if guide_dir is not None else GUIDE_DIR)


@dataclass
class GuideIndex:
    """Entries, their units, the FAISS index over unit vectors and the lexical model."""

    entries: list[GuideEntry]  # or OutOfScopeTopic, for the anchors' own index (only .id is used here)
    units: list[Unit]
    dense: faiss.Index
    manifest: dict
    out_of_scope: GuideIndex | None = None  # the anchors, scored like entries
    by_id: dict[str, GuideEntry] = field(init=False)
    entry_pos: dict[str, int] = field(init=False)
    unit_entry: np.ndarray = field(init=False)  # entry position of each unit
    unit_start: np.ndarray = field(init=False)  # first unit of each entry (units are grouped by entry)

    def __post_init__(self) -> None:
        self.by_id = {e.id: e for e in self.entries}
        self.entry_pos = {e.id: i for i, e in enumerate(self.entries)}
        self.unit_entry = np.array([self.entry_pos[u.entry_id] for u in self.units], dtype=np.int64)
        if len(self.unit_entry) and np.any(np.diff(self.unit_entry) < 0):
            raise ValueError("units must be grouped by entry, in entry order")
        self.unit_start = np.searchsorted(self.unit_entry, np.arange(len(self.entries)))
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                                          dtype=np.float32)
        self.lexical = self.vectorizer.fit_transform([lexical_text(u.text) for u in self.units]).tocsr()
        self.lexical_t = self.lexical.T.tocsr()
        self.pinyin_vectorizer = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2),  # noqa: S106
                                                 sublinear_tf=True, dtype=np.float32)
        self.pinyin_t = self.pinyin_vectorizer.fit_transform([pinyin_text(u.text) for u in self.units]).T.tocsr()
        self.query_chars, self.query_sounds = QueryTfidf(self.vectorizer), QueryTfidf(self.pinyin_vectorizer)

    @property
    def embedder_name(self) -> str:
        return self.manifest["embedder"]

    def per_entry_max(self, unit_scores: np.ndarray) -> np.ndarray:
        """Best unit score of each entry (units are contiguous per entry)."""
        if not len(unit_scores):
            return np.zeros(len(self.entries), dtype=np.float32)
        return np.maximum.reduceat(unit_scores, self.unit_start)

    def dense_scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Per entry, the mean of the query's two best cosines over the entry's units, from a FAISS search.

        Two agreeing units are stronger evidence than one lucky match (dev Recall@1 .84 -> .88 against the best
        unit alone). The search returns every unit for a guide of normal size (<= EXACT_UNITS), else the DEPTH
        nearest; an entry with fewer than two units among them gets the lowest score returned for the missing ones.
        """
        total = self.dense.ntotal
        if not total:
            return np.zeros(len(self.entries), dtype=np.float32)
        depth = total if total <= EXACT_UNITS else DEPTH
        scores, ids = self.dense.search(query_vector.reshape(1, -1).astype(np.float32), depth)
        found = ids[0] >= 0
        scores, ids = scores[0][found], ids[0][found]
        floor = scores[-1] if len(scores) else 0.0
        best = np.full((2, len(self.entries)), floor, dtype=np.float32)
        entry = self.unit_entry[ids]
        order = np.lexsort((-scores, entry))  # by entry, best unit first
        entry, scores = entry[order], scores[order]
        first = np.r_[True, entry[1:] != entry[:-1]]
        second = np.r_[False, ~first[1:] & first[:-1]]
        best[0, entry[first]] = scores[first]
        best[1, entry[second]] = scores[second]
        return best.mean(axis=0)

    def lexical_scores(self, query: str) -> np.ndarray:
        """Half character n-grams, half pinyin syllables (homophone typos and speech errors: 上述/上诉, 建定/鉴定)."""
        chars = self.query_chars(lexical_text(query)) @ self.lexical_t
        sounds = self.query_sounds(pinyin_text(query)) @ self.pinyin_t
        unit_scores = 0.5 * chars.toarray().ravel() + 0.5 * sounds.toarray().ravel()
        return self.per_entry_max(unit_scores.astype(np.float32))


def _manifest(embedder: Embedder, entries: Sequence[GuideEntry], units: Sequence[Unit], took: float,
              topics: Sequence[OutOfScopeTopic]) -> dict:
    return {
        "format": FORMAT_VERSION,
        "embedder": embedder.name,
        "backend": embedder.backend,
        "model": embedder.model,
        "dim": embedder.dim,
        "guide_hash": guide_hash(entries),
        "entries": len(entries),
        "units": len(units),
        "out_of_scope_hash": units_hash(anchor_units(topics)),
        "out_of_scope_topics": len(topics),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "build_seconds": round(took, 2),
    }


def _flat(vectors: np.ndarray, dim: int) -> faiss.Index:
    dense = faiss.IndexFlatIP(dim)
    dense.add(vectors)
    return dense


def build(entries: Sequence[GuideEntry], embedder: Embedder, topics: Sequence[OutOfScopeTopic] = ()) -> GuideIndex:
    started = time.perf_counter()
    entries = list(entries)
    units = [u for e in entries for u in entry_units(e)]
    vectors = np.zeros((len(units), embedder.dim), dtype=np.float32)
    as_query = [i for i, u in enumerate(units) if u.kind != "passage"]
    as_passage = [i for i, u in enumerate(units) if u.kind == "passage"]
    if as_query:
        vectors[as_query] = embedder.embed_queries([units[i].text for i in as_query])
    if as_passage:
        vectors[as_passage] = embedder.embed_passages([units[i].text[:PASSAGE_EMBED_CHARS] for i in as_passage])
    anchors = anchor_units(topics)
    out_of_scope = None
    if anchors:
        anchor_vectors = embedder.embed_queries([u.text for u in anchors])
        out_of_scope = GuideIndex(list(topics), anchors, _flat(anchor_vectors, embedder.dim), {})
    manifest = _manifest(embedder, entries, units, time.perf_counter() - started, topics)
    return GuideIndex(entries, units, _flat(vectors, embedder.dim), manifest, out_of_scope)


def save(index: GuideIndex, directory: Path | str = INDEX_DIR) -> None:
    """Writes into a fresh sibling directory, then renames it into place (readers never see half an index)."""
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    faiss.write_index(index.dense, str(staging / "dense.faiss"))
    (staging / "units.json").write_text(
        json.dumps([[u.entry_id, u.kind, u.text] for u in index.units], ensure_ascii=False), encoding="utf-8")
    if index.out_of_scope is not None:
        faiss.write_index(index.out_of_scope.dense, str(staging / "anchors.faiss"))
        (staging / "anchors.json").write_text(json.dumps(
            [t.model_dump() for t in index.out_of_scope.entries], ensure_ascii=False), encoding="utf-8")
    (staging / "manifest.json").write_text(json.dumps(index.manifest, ensure_ascii=False, indent=2),
                                           encoding="utf-8")
    old = target.with_name(f".{target.name}-old-{os.getpid()}-{time.monotonic_ns()}")
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        for child in old.iterdir():
            child.unlink()
        old.rmdir()


def read_manifest(directory: Path | str = INDEX_DIR) -> dict | None:
    try:
        return json.loads((Path(directory) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def stale_reason(manifest: dict | None, entries: Sequence[GuideEntry], embedder: Embedder,
                 topics: Sequence[OutOfScopeTopic] = ()) -> str | None:
    """Why a stored index cannot serve this guide with this embedder, or None when it can."""
    if manifest is None:
        return "no index"
    if manifest.get("format") != FORMAT_VERSION:
        return "index format changed"
    if manifest.get("embedder") != embedder.name or manifest.get("dim") != embedder.dim:
        return f"embedder changed ({manifest.get('embedder')} -> {embedder.name})"
    if manifest.get("guide_hash") != guide_hash(entries):
        return "guide changed"
    if manifest.get("out_of_scope_hash") != units_hash(anchor_units(topics)):
        return "out-of-scope topics changed"
    return None


def load(entries: Sequence[GuideEntry], directory: Path | str = INDEX_DIR) -> GuideIndex:
    directory = Path(directory)
    manifest = read_manifest(directory)
    dense = faiss.read_index(str(directory / "dense.faiss"))
    units = [Unit(*row) for row in json.loads((directory / "units.json").read_text(encoding="utf-8"))]
    out_of_scope = None
    if (directory / "anchors.json").is_file():
        topics = [OutOfScopeTopic.model_validate(t)
                  for t in json.loads((directory / "anchors.json").read_text(encoding="utf-8"))]
        out_of_scope = GuideIndex(topics, anchor_units(topics), faiss.read_index(str(directory / "anchors.faiss")), {})
    return GuideIndex(list(entries), units, dense, manifest, out_of_scope)


def load_or_build(embedder: Embedder, entries: Sequence[GuideEntry] | None = None,
                  directory: Path | str = INDEX_DIR, force: bool = False,
                  topics: Sequence[OutOfScopeTopic] | None = None) -> tuple[GuideIndex, bool]:
    """The index for the current guide and embedder: loaded if fresh, else built and saved. (index, rebuilt)

    Without ``entries`` the project's guide and out-of-scope topics are used; with ``entries`` only the
    ``topics`` given (none by default: a test guide gets no anchors unless it asks for them).
    """
    if entries is None:
        entries, topics = load_entries(), load_out_of_scope() if topics is None else topics
    entries, topics = list(entries), list(topics or ())
    reason = "forced" if force else stale_reason(read_manifest(directory), entries, embedder, topics)
    if reason is None:
        try:
            return load(entries, directory), False
        except Exception as exc:  # a damaged index is rebuilt, never fatal
            reason = f"unreadable index ({type(exc).__name__})"
    log.info("building the guide index: %s", reason)
    index = build(entries, embedder, topics)
    try:
        save(index, directory)
    except OSError as exc:  # read-only checkout: serve from memory
        log.warning("could not save the guide index to %s: %s", directory, exc)
    return index, True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the procedure-guide index if the guide or model changed.")
    parser.add_argument("--force", action="store_true", help="rebuild even if the stored index is fresh")
    parser.add_argument("--dir", type=Path, default=INDEX_DIR)
    parser.add_argument("--guide", type=Path, default=None, help="guide folder (default knowledge_base/guide)")
    parser.add_argument("--out-of-scope", type=Path, default=OUT_OF_SCOPE_PATH, help="out-of-scope topics file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    embedder = make_embedder()
    index, rebuilt = load_or_build(embedder, load_entries(args.guide), args.dir, force=args.force,
                                   topics=load_out_of_scope(args.out_of_scope))
    m = index.manifest
    state = "built" if rebuilt else "up to date"
    print(f"guide index {state}: {m['entries']} entries, {m['units']} units, {m['embedder']} (dim {m['dim']}), "
          f"{m['out_of_scope_topics']} out-of-scope topics, "
          f"guide {m['guide_hash'][:12]}, built {m['built_at']} in {m['build_seconds']} s -> {args.dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
