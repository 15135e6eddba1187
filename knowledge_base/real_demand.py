"""`make eval`, part 2: the 315 real litigant questions through the whole conversation, judged against hand labels.

Labels: knowledge_base/eval/real_demand.jsonl (how they were made: knowledge_base/eval/README.md). The question
text is not copied into the repository (the sources' licences differ); it is read by id from
../shared/eval/real_litigant_questions.jsonl. Each question is one fresh conversation on Rasa's REST channel of the
real stack (tests/support/stack.py: NLU, policies, actions, service center), exactly what a litigant gets.

What a turn showed (``seen``):
- ``answer``: a guide_answer card (the entry given as the answer);
- ``clarify``: "您想问的是哪一个？" with the entries offered;
- ``deflect``: no answer and no choice: an honest "cannot judge a case" (merits), an honest "no reliable answer",
  an out-of-scope redirect, or related entries shown only as 相关内容.

Judgement per label:
- ``answer`` (entries that answer the main ask): good = one of them answered, or offered among the choices;
  confident wrong = another entry answered;
- ``merits`` / ``not_covered`` / ``out_of_scope``: good = a deflection (nothing shown as the answer, no choice
  pretending to be one); confident wrong = any entry answered.
An attractor is an entry that answers wrongly at least ATTRACTOR times.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from knowledge_base.evaluate import read_jsonl, real_questions_path

LABELS = Path(__file__).resolve().parent / "eval" / "real_demand.jsonl"
ATTRACTOR = 3
CLARIFY_TEXT = "您想问的是哪一个？"


@dataclass
class Seen:
    kind: str  # answer | clarify | deflect
    ids: list[str] = field(default_factory=list)  # the answer, the choices, or the related entries shown
    reason: str = ""  # for a deflection: merits | related | reject
    merits: bool = False  # "cannot judge a case" was said (possibly before answering a procedural part)


def seen_in(messages: list[dict]) -> Seen:
    """What the person was shown in one turn of the REST channel."""
    cards = [m.get("custom") or {} for m in messages]
    merits = any(c.get("type") == "guide_deflection" and c.get("reason") == "merits" for c in cards)
    for custom in cards:
        if custom.get("type") == "guide_answer":
            return Seen("answer", [custom["entry_id"]], merits=merits)
    for m in messages:
        if m.get("text") == CLARIFY_TEXT:
            return Seen("clarify", [json.loads(b["payload"].removeprefix("/choose_entry"))["entry_id"]
                                    for b in m.get("buttons", []) if b["payload"].startswith("/choose_entry")],
                        merits=merits)
    for custom in cards:
        if custom.get("type") == "guide_deflection" and custom.get("reason") == "related":
            return Seen("deflect", [r["id"] for r in custom.get("related", [])], "related", merits)
    return Seen("deflect", [], "merits" if merits else "reject", merits)


def judge(label: dict, seen: Seen) -> str:
    """good | wrong (a confident wrong answer) | weak (choices without the right entry, or a needless deflection).

    Related entries shown as 相关内容 (never as the answer) count as a choice offered when one of them answers, and
    as an honest deflection where no entry answers."""
    kind = label["label"]
    if kind == "answer":
        wanted = set(label["entries"])
        if seen.kind == "answer":
            return "good" if seen.ids[0] in wanted else "wrong"
        return "good" if wanted & set(seen.ids) else "weak"
    if kind == "merits" and seen.merits:
        return "good"  # said it cannot judge the case; a procedural part may have been answered as well
    if seen.kind == "answer":
        return "wrong"
    return "good" if seen.kind == "deflect" else "weak"


def seen_from_outcome(outcome) -> Seen:
    """The same judgement for a search Outcome (the calibration simulates the conversation with it)."""
    ids = [h.id for h in outcome.results]
    merits = bool(outcome.ask and outcome.ask.merits)
    if outcome.decision == "answer":
        return Seen("answer", ids[:1], merits=merits)
    if outcome.decision == "clarify":
        return Seen("clarify", ids, merits=merits)
    if outcome.decision == "related":
        return Seen("deflect", ids, "related", merits)
    return Seen("deflect", [], "merits" if merits else "reject", merits)


@dataclass
class Report:
    split: str
    rows: list[tuple[dict, str, Seen, str]]  # (label, question, seen, verdict)
    latencies_ms: list[float]

    def counts(self) -> Counter:
        return Counter(verdict for *_, verdict in self.rows)

    def attractors(self) -> list[tuple[str, int]]:
        wrong = Counter(seen.ids[0] for _, _, seen, verdict in self.rows if verdict == "wrong")
        return [(entry, n) for entry, n in wrong.most_common() if n >= ATTRACTOR]

    def print(self, show: int = 40) -> None:
        n = len(self.rows)
        counts = self.counts()
        print(f"\nreal-demand {self.split} split through the REST channel: {n} questions")
        print(f"  good outcomes          {counts['good'] / n:.3f} ({counts['good']}/{n})   bar >= .80")
        print(f"  confident wrong        {counts['wrong'] / n:.3f} ({counts['wrong']}/{n})   bar <= .05")
        print(f"  weak (wrong choices or needless deflection) {counts['weak'] / n:.3f} ({counts['weak']}/{n})")
        by_label = Counter((label["label"], verdict) for label, _, _, verdict in self.rows)
        for kind in ("answer", "merits", "not_covered", "out_of_scope"):
            total = sum(v for (k, _), v in by_label.items() if k == kind)
            if total:
                print(f"  {kind:13s} {total:3d}: good {by_label[(kind, 'good')]}, wrong {by_label[(kind, 'wrong')]}, "
                      f"weak {by_label[(kind, 'weak')]}")
        seen_kinds = Counter(seen.kind + (f":{seen.reason}" if seen.reason else "") for _, _, seen, _ in self.rows)
        print("  shown: " + ", ".join(f"{k} {v}" for k, v in sorted(seen_kinds.items())))
        attractors = self.attractors()
        named = ", ".join(f"{e} {n}" for e, n in attractors) if attractors else "none"
        print(f"  attractors (>= {ATTRACTOR} wrong answers): {named}")
        if self.latencies_ms:
            ordered = sorted(self.latencies_ms)
            print(f"  turn latency p50 {ordered[len(ordered) // 2]:.0f} ms, "
                  f"p95 {ordered[int(len(ordered) * 0.95) - 1]:.0f} ms")
        misses = [r for r in self.rows if r[3] != "good"]
        for label, question, seen, verdict in misses[:show]:
            want = ",".join(label["entries"]) or label["label"]
            print(f"  {verdict:5s} {label['id']} {question[:50]} -> {seen.kind} {','.join(seen.ids[:3])} "
                  f"(want {want})")


def load(split: str, labels_path: Path = LABELS, questions_path: Path | None = None) -> list[tuple[dict, str]]:
    text = {r["id"]: r["q"] for r in read_jsonl(questions_path or real_questions_path())}
    labels = [r for r in read_jsonl(labels_path) if split == "all" or r["split"] == split]
    return [(label, text[label["id"]]) for label in labels]


def run(stack, split: str) -> Report:
    rows, latencies = [], []
    for label, question in load(split):
        started = time.perf_counter()
        seen = seen_in(stack.say(f"real-{uuid.uuid4().hex[:10]}", question))
        latencies.append((time.perf_counter() - started) * 1000)
        rows.append((label, question, seen, judge(label, seen)))
    return Report(split, rows, latencies)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["test", "dev", "all"],
                        help="test (report) or dev (the only split to tune on)")
    parser.add_argument("--show", type=int, default=40, help="how many misses to list")
    args = parser.parse_args(argv)
    if not real_questions_path().is_file():
        print(f"real litigant questions not found at {real_questions_path()}: skipped")
        return 0
    from tests.support.stack import Stack, started  # the evaluation runs the real stack, like the e2e tests

    stack = started(Stack(Path(tempfile.mkdtemp(prefix="real-demand-"))))
    try:
        run(stack, args.split).print(args.show)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
