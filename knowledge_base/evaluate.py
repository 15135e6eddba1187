"""`make eval`: retrieval quality of the procedure guide, measured on questions the guide was not written from.

1. knowledge_base/eval/heldout.jsonl (splits ``test`` and ``fresh`` by default; ``dev`` was used for calibration):
   Recall@1, Recall@3, MRR over in-scope questions, the share of out-of-scope questions rejected, the share of
   in-scope questions wrongly rejected, and how the decisions fell (answered right / wrong, clarified).
2. The real litigant questions (../shared/eval/real_litigant_questions.jsonl): how many were answered, clarified
   or deflected; a fixed sample of 30 with the top entry and its short answer goes to var/eval/real_sample.md
   for a person to read and judge.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base.index import load_or_build
from knowledge_base.search import Outcome, Scores, Searcher

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HELDOUT = Path(__file__).resolve().parent / "eval" / "heldout.jsonl"
SAMPLE_OUT = PROJECT_ROOT / "var" / "eval" / "real_sample.md"


def real_questions_path() -> Path:
    for base in (PROJECT_ROOT.parent, PROJECT_ROOT.parent.parent):
        candidate = base / "shared" / "eval" / "real_litigant_questions.jsonl"
        if candidate.is_file():
            return candidate
    return PROJECT_ROOT.parent / "shared" / "eval" / "real_litigant_questions.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@dataclass
class Scored:
    q: str
    expected: str | None
    dense: np.ndarray
    lexical: np.ndarray
    anchor_dense: np.ndarray | None = None
    anchor_lexical: np.ndarray | None = None

    def scores(self, searcher: Searcher, alpha: float | None = None) -> Scores:
        anchors = (None if self.anchor_dense is None
                   else searcher.fuse(self.anchor_dense, self.anchor_lexical, alpha))
        return Scores(searcher.fuse(self.dense, self.lexical, alpha), self.dense, self.lexical, False, anchors)


def score_all(searcher: Searcher, rows: list[dict]) -> list[Scored]:
    """Embeds every question once; fusion and thresholds can then be varied without the model."""
    scored = []
    for row in rows:
        dense, lexical = searcher.raw_scores(row["q"])
        anchor_dense, anchor_lexical = searcher.anchor_scores(row["q"]) or (None, None)
        scored.append(Scored(row["q"], row.get("expected"), dense, lexical, anchor_dense, anchor_lexical))
    return scored


def rank_of(searcher: Searcher, fused: np.ndarray, expected: str) -> int | None:
    """1-based rank of the expected entry, None if it is not in the guide."""
    pos = searcher.index.entry_pos.get(expected)
    if pos is None:
        return None
    return int(np.sum(fused > fused[pos])) + 1


def metrics(searcher: Searcher, scored: list[Scored]) -> dict:
    """All figures for one set of scored questions with the searcher's current thresholds."""
    inscope = [s for s in scored if s.expected]
    oos = [s for s in scored if not s.expected]
    ranks, outcomes = [], Counter()
    missing = sorted({s.expected for s in inscope if s.expected not in searcher.index.entry_pos})
    for s in scored:
        outcome = searcher.decide(s.scores(searcher))
        ids = [h.id for h in outcome.results]
        if s.expected:
            fused = searcher.fuse(s.dense, s.lexical)
            rank = rank_of(searcher, fused, s.expected)
            ranks.append(rank if rank is not None else 10**6)
            if outcome.decision == "reject":
                outcomes["in-scope rejected"] += 1
            elif outcome.decision == "clarify":
                outcomes["clarified, right one offered" if s.expected in ids else "clarified, right one missing"] += 1
            else:
                outcomes["answered right" if ids[0] == s.expected else "answered wrong"] += 1
        else:
            outcomes[{"reject": "out-of-scope rejected", "clarify": "out-of-scope clarified"}.get(
                outcome.decision, "out-of-scope answered")] += 1
            if outcome.out_of_scope is not None:
                outcomes["out-of-scope rejected, redirect given"] += 1
    ranks_a = np.array(ranks, dtype=float)
    n_in = max(len(inscope), 1)
    return {
        "in_scope": len(inscope),
        "out_of_scope": len(oos),
        "recall_at_1": float(np.mean(ranks_a <= 1)) if ranks else 0.0,
        "recall_at_3": float(np.mean(ranks_a <= 3)) if ranks else 0.0,
        "mrr": float(np.mean(1.0 / ranks_a)) if ranks else 0.0,
        "oos_rejected": outcomes["out-of-scope rejected"] / max(len(oos), 1),
        "in_scope_rejected": outcomes["in-scope rejected"] / n_in,
        "outcomes": dict(outcomes),
        "expected_ids_missing_from_guide": missing,
    }


def print_metrics(title: str, m: dict) -> None:
    print(f"\n{title}: {m['in_scope']} in-scope, {m['out_of_scope']} out-of-scope questions")
    print(f"  Recall@1 {m['recall_at_1']:.3f}   Recall@3 {m['recall_at_3']:.3f}   MRR {m['mrr']:.3f}")
    print(f"  out-of-scope rejected {m['oos_rejected']:.3f}   in-scope wrongly rejected {m['in_scope_rejected']:.3f}")
    print("  decisions: " + ", ".join(f"{k} {v}" for k, v in sorted(m["outcomes"].items())))
    if m["expected_ids_missing_from_guide"]:
        missing = m["expected_ids_missing_from_guide"]
        print(f"  ! {len(missing)} expected ids are not in the guide yet: {', '.join(missing[:12])}"
              f"{' ...' if len(missing) > 12 else ''}")


def real_questions(searcher: Searcher, path: Path, sample_out: Path, sample_size: int = 30) -> Counter:
    rows = read_jsonl(path)
    decisions: Counter = Counter()
    outcomes: list[tuple[dict, Outcome]] = []
    for row in rows:
        outcome = searcher.search(row["q"], k=3)
        decisions[outcome.decision] += 1
        outcomes.append((row, outcome))
    sample = random.Random(20261127).sample(outcomes, min(sample_size, len(outcomes)))  # noqa: S311 (a fixed reading sample)
    sample_out.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# {len(sample)} real litigant questions and what the guide answered",
             "", f"Source: {path.name}; embedder {searcher.embedder.name}; thresholds {searcher.thresholds.source}.",
             "Judge each: relevant (right topic, useful), partly, or not relevant.", ""]
    for number, (row, outcome) in enumerate(sample, 1):
        lines.append(f"## {number}. {row.get('id', '')} ({', '.join(row.get('topics', []))})")
        lines.append(f"Q: {row['q']}")
        lines.append(f"- decision: **{outcome.decision}**")
        for hit in outcome.results[:3 if outcome.decision == "clarify" else 1]:
            lines.append(f"- {hit.id} 《{hit.title}》 score {hit.score:.3f}: {hit.short_answer}")
        lines.append("")
    sample_out.write_text("\n".join(lines), encoding="utf-8")
    return decisions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test+fresh", choices=["test+fresh", "test", "fresh", "dev", "all"])
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--real", type=Path, default=None)
    parser.add_argument("--sample-out", type=Path, default=SAMPLE_OUT)
    args = parser.parse_args(argv)

    from knowledge_base.embedding import make_embedder

    embedder = make_embedder()
    index, _ = load_or_build(embedder)
    searcher = Searcher(index, embedder)
    t = searcher.thresholds
    print(f"guide: {index.manifest['entries']} entries, {index.manifest['out_of_scope_topics']} out-of-scope topics; "
          f"embedder {embedder.name}; thresholds: {t.source} (alpha {t.alpha}, reject below {t.reject_below}, "
          f"out-of-scope margin {t.public()['out_of_scope_margin']}, clarify margin {t.clarify_margin})")
    rows = read_jsonl(args.heldout)
    splits = {"all": ["dev", "test", "fresh"], "test+fresh": ["test", "fresh"]}.get(args.split, [args.split])
    notes = {"dev": " (calibration split: optimistic)",
             "fresh": " (written 2026-11-27 by someone who saw only the guide's titles, used for nothing else)"}
    for split in splits:
        chosen = [r for r in rows if r.get("split", "test") == split]
        note = notes.get(split, "")
        print_metrics(f"held-out {split}{note}", metrics(searcher, score_all(searcher, chosen)))
    real = args.real or real_questions_path()
    if real.is_file():
        decisions = real_questions(searcher, real, args.sample_out)
        total = sum(decisions.values())
        print(f"\nreal litigant questions: {total}: answered {decisions['answer']}, clarified {decisions['clarify']}, "
              f"deflected {decisions['reject']}; sample of 30 -> {args.sample_out}")
    else:
        print(f"\nreal litigant questions not found at {real}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
