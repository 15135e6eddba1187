"""Calibrate the search decision on the DEV split of the held-out set; write knowledge_base/thresholds.yml.

For the configured embedder, every dev question is embedded once, then:

1. alpha (weight of the dense score in the fusion) is the grid value (0, 0.05, ... 1) with the best dev Recall@1,
   ties broken by MRR, then by the larger alpha (the dense side generalises better to unseen wording).
2. reject_below and out_of_scope_margin are chosen together: for each margin on a grid (and "never"), a question
   whose best out-of-scope topic beats its best entry by more than the margin is rejected, and reject_below is the
   highest fused top score that keeps all wrongly rejected in-scope dev questions within FALSE_REJECT_BUDGET
   (below the issue's 5% bar, to leave room for the test split); the pair that rejects the most out-of-scope dev
   questions wins (ties: fewer in-scope rejected, then the more cautious margin). What each pair buys on dev is
   recorded next to it.
3. clarify_margin is the grid value (0 ... 0.06) with the lowest dev cost over non-rejected in-scope questions:
   a confident wrong answer costs 1, asking which of several entries costs CLARIFY_COST when the right entry is
   among the choices and 1 when it is not.

The figures each value came from (counts, rates, the dev/test split) are written beside it. The test split is
never read here; `make eval` reports on it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path

import numpy as np
import yaml

from knowledge_base.evaluate import HELDOUT, Scored, metrics, rank_of, read_jsonl, score_all
from knowledge_base.index import load_or_build
from knowledge_base.search import THRESHOLDS_PATH, Searcher, Thresholds

FALSE_REJECT_BUDGET = 0.03
CLARIFY_COST = 0.3
ALPHAS = [round(float(a), 2) for a in np.arange(0.0, 1.0001, 0.05)]
MARGINS = [round(float(m), 4) for m in np.arange(0.0, 0.0601, 0.0025)]
OUT_OF_SCOPE_MARGINS = [round(float(m), 4) for m in np.arange(-0.05, 0.0501, 0.0025)] + [math.inf]


def choose_alpha(searcher: Searcher, dev: list[Scored]) -> tuple[float, dict]:
    inscope = [s for s in dev if s.expected in searcher.index.entry_pos]
    table = {}
    for alpha in ALPHAS:
        ranks = np.array([rank_of(searcher, searcher.fuse(s.dense, s.lexical, alpha), s.expected) for s in inscope])
        table[alpha] = (float(np.mean(ranks <= 1)), float(np.mean(1.0 / ranks)))
    best = max(ALPHAS, key=lambda a: (table[a][0], table[a][1], a))
    return best, {str(a): {"recall_at_1": round(r1, 3), "mrr": round(mrr, 3)} for a, (r1, mrr) in table.items()}


def _tops(searcher: Searcher, scored: list[Scored], alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Per question: the best entry's fused score, and how far the best out-of-scope topic is above it."""
    tops, leads = [], []
    for s in scored:
        scores = s.scores(searcher, alpha)
        top = float(scores.fused.max())
        tops.append(top)
        has_anchors = scores.anchors is not None and len(scores.anchors)
        leads.append(float(scores.anchors.max()) - top if has_anchors else -math.inf)
    return np.array(tops), np.array(leads)


def choose_reject(searcher: Searcher, dev: list[Scored], alpha: float) -> tuple[float, float, dict]:
    known = searcher.index.entry_pos
    top_in, lead_in = _tops(searcher, [s for s in dev if s.expected in known], alpha)
    top_out, lead_out = _tops(searcher, [s for s in dev if not s.expected], alpha)
    allowed = int(np.floor(FALSE_REJECT_BUDGET * len(top_in)))  # in-scope questions we may reject
    table, best = {}, None
    for margin in OUT_OF_SCOPE_MARGINS:
        by_topic_in = lead_in > margin
        spare = allowed - int(by_topic_in.sum())
        if spare < 0:
            continue
        rest = np.sort(top_in[~by_topic_in])
        # everything strictly below the threshold is rejected: just above the `spare` lowest remaining tops
        threshold = float(rest[spare]) - 1e-6 if spare < len(rest) else float(rest.max()) if len(rest) else 0.0
        in_rejected = int(by_topic_in.sum() + np.sum(rest < threshold))
        out_rejected = int(np.sum((lead_out > margin) | (top_out < threshold)))
        table[str(margin)] = {"reject_below": round(threshold, 6), "in_scope_rejected": in_rejected,
                              "out_of_scope_rejected": out_rejected}
        key = (out_rejected, -in_rejected, margin)
        if best is None or key > best[0]:
            best = (key, round(threshold, 6), margin)
    _, threshold, margin = best
    rejected_in = (lead_in > margin) | (top_in < threshold)
    rejected_out = (lead_out > margin) | (top_out < threshold)
    return threshold, margin, {
        "in_scope_dev_questions": len(top_in),
        "out_of_scope_dev_questions": len(top_out),
        "false_reject_budget": FALSE_REJECT_BUDGET,
        "in_scope_rejected_on_dev": round(float(np.mean(rejected_in)), 3) if len(top_in) else None,
        "out_of_scope_rejected_on_dev": round(float(np.mean(rejected_out)), 3) if len(top_out) else None,
        "out_of_scope_rejected_by_top_score_alone": round(float(np.mean(top_out < threshold)), 3)
        if len(top_out) else None,
        "in_scope_top_score_p5": round(float(np.percentile(top_in, 5)), 4) if len(top_in) else None,
        "out_of_scope_top_score_max": round(float(top_out.max()), 4) if len(top_out) else None,
        "oos_auc": _auc(top_in, top_out),
        "margin_grid": table,
    }


def _auc(positive: np.ndarray, negative: np.ndarray) -> float | None:
    if not len(positive) or not len(negative):
        return None
    wins = sum(float(np.sum(p > negative) + 0.5 * np.sum(p == negative)) for p in positive)
    return round(wins / (len(positive) * len(negative)), 4)


def choose_margin(searcher: Searcher, dev: list[Scored], alpha: float, reject_below: float,
                  oos_margin: float) -> tuple[float, dict]:
    table = {}
    for margin in MARGINS:
        trial = Searcher(searcher.index, searcher.embedder,
                         Thresholds(alpha, reject_below, margin, True, "calibration",
                                    out_of_scope_margin=oos_margin))
        m = metrics(trial, [s for s in dev if s.expected in searcher.index.entry_pos])
        o = m["outcomes"]
        cost = (o.get("answered wrong", 0) + o.get("clarified, right one missing", 0)
                + CLARIFY_COST * o.get("clarified, right one offered", 0))
        table[margin] = (round(cost, 2), o)
    best = min(MARGINS, key=lambda g: (table[g][0], g))
    return best, {str(g): {"cost": c, **o} for g, (c, o) in table.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--out", type=Path, default=THRESHOLDS_PATH)
    args = parser.parse_args(argv)

    from knowledge_base.embedding import make_embedder

    embedder = make_embedder()
    index, _ = load_or_build(embedder)
    searcher = Searcher(index, embedder, Thresholds(0.7, 0.0, 0.0, False, "calibration"))
    rows = read_jsonl(args.heldout)
    dev_rows = [r for r in rows if r.get("split") == "dev"]
    dev = score_all(searcher, dev_rows)
    alpha, alpha_table = choose_alpha(searcher, dev)
    reject_below, oos_margin, reject_figures = choose_reject(searcher, dev, alpha)
    margin, margin_table = choose_margin(searcher, dev, alpha, reject_below, oos_margin)
    final = Searcher(index, embedder, Thresholds(alpha, reject_below, margin, True, "calibration",
                                                 out_of_scope_margin=oos_margin))
    dev_metrics = metrics(final, dev)

    try:
        existing = yaml.safe_load(args.out.read_text(encoding="utf-8")) or {}
    except OSError:
        existing = {}
    embedders = existing.get("embedders") or {}
    embedders[embedder.name] = {
        "alpha": alpha,
        "reject_below": reject_below,
        "out_of_scope_margin": oos_margin,
        "clarify_margin": margin,
        "calibrated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "figures": {
            "heldout": args.heldout.name,
            "split_used": "dev",
            "dev_questions": len(dev_rows),
            "test_questions_not_used": len(rows) - len(dev_rows),
            "guide_entries": index.manifest["entries"],
            "guide_hash": index.manifest["guide_hash"],
            "alpha_rule": "best dev Recall@1, then MRR, then larger alpha",
            "reject_rule": (f"with the out-of-scope margin, the highest fused top score rejecting at most "
                            f"{FALSE_REJECT_BUDGET:.0%} of in-scope dev; the pair rejecting most out-of-scope dev"),
            "out_of_scope_topics": index.manifest.get("out_of_scope_topics", 0),
            "clarify_rule": f"lowest cost: wrong answer 1, clarify with right entry {CLARIFY_COST}, without 1",
            "reject": reject_figures,
            "dev_result": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in dev_metrics.items()},
            "alpha_grid": alpha_table,
            "margin_grid": margin_table,
        },
    }
    header = ("# Search decision thresholds per embedder, written by `python -m knowledge_base.calibrate`\n"
              "# (calibrated on the dev split of knowledge_base/eval/heldout.jsonl; see that module for the rules).\n"
              "# Do not edit by hand: re-run the calibration after the guide or the embedder changes.\n")
    args.out.write_text(header + yaml.safe_dump({"embedders": embedders}, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    print(f"{embedder.name}: alpha {alpha}, reject below {reject_below}, out-of-scope margin {oos_margin}, "
          f"clarify margin {margin}")
    print(f"dev: R@1 {dev_metrics['recall_at_1']:.3f} R@3 {dev_metrics['recall_at_3']:.3f} "
          f"MRR {dev_metrics['mrr']:.3f} OOS rejected {dev_metrics['oos_rejected']:.3f} "
          f"in-scope rejected {dev_metrics['in_scope_rejected']:.3f}; oos AUC {reject_figures['oos_auc']}")
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
