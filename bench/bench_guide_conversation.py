"""The guide through the whole conversation (REST channel: NLU, policies, action, service center), on the test split
of the held-out set: how often a colloquial question gets a card for the right entry (or a "which one?" offering it),
how often an out-of-scope question gets no confident answer, and the turn latency."""

import json
import time
import uuid
from pathlib import Path

from bench.common import format_latency, shared_stack

HELDOUT = Path(__file__).resolve().parents[1] / "knowledge_base" / "eval" / "heldout.jsonl"


def classify(messages: list[dict]) -> tuple[str, list[str]]:
    """("answer", [entry]) | ("clarify", [choices]) | ("other", [])."""
    for m in messages:
        custom = m.get("custom") or {}
        if custom.get("type") == "guide_answer":
            return "answer", [custom["entry_id"]]
    for m in messages:
        if m.get("text") == "您想问的是哪一个？":
            return "clarify", [json.loads(b["payload"].removeprefix("/choose_entry"))["entry_id"]
                               for b in m.get("buttons", [])]
    return "other", []


def main(split: str = "test") -> None:
    stack = shared_stack()  # ready only once /health reports the guide index loaded
    rows = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("split") == split]
    latencies: list[float] = []
    right = offered = wrong = not_answered = 0
    oos_refused = oos_total = 0
    misses: list[str] = []
    for row in rows:
        started = time.perf_counter()
        kind, ids = classify(stack.say(f"bench-guide-{uuid.uuid4().hex[:10]}", row["q"]))
        latencies.append((time.perf_counter() - started) * 1000)
        if row["expected"] is None:
            oos_total += 1
            oos_refused += kind != "answer"
            if kind == "answer":
                misses.append(f"out of scope answered: {row['q']} -> {ids[0]}")
        elif kind == "answer":
            right += ids[0] == row["expected"]
            wrong += ids[0] != row["expected"]
            if ids[0] != row["expected"]:
                misses.append(f"wrong: {row['q']} -> {ids[0]} (expected {row['expected']})")
        elif kind == "clarify":
            offered += row["expected"] in ids
            wrong += row["expected"] not in ids
        else:
            not_answered += 1
    in_scope = len(rows) - oos_total
    print(f"held-out {split} split through the REST channel: {in_scope} in-scope, {oos_total} out-of-scope")
    print(f"  right entry answered     {right / in_scope:.3f}")
    print(f"  right entry among choices {offered / in_scope:.3f}")
    print(f"  wrong answer or choices  {wrong / in_scope:.3f}")
    print(f"  not answered (honest)    {not_answered / in_scope:.3f}")
    print(f"  out-of-scope without a confident answer {oos_refused / max(oos_total, 1):.3f}")
    print(f"  turn latency {format_latency(latencies)}")
    for miss in misses[:15]:
        print(f"  {miss}")


if __name__ == "__main__":
    main()
