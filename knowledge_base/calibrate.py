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

4. The long-question bar (``long_question``: answer_above, answer_margin for questions longer than LONG_CHARS
   characters) on the DEV split of the real-demand labels (knowledge_base/eval/real_demand.jsonl): each labelled
   question is searched as the conversation would (main ask, merits, the entries' declared asks) and judged as
   knowledge_base/real_demand.py judges a conversation; the pair with the most good outcomes whose confident wrong
   answers stay within WRONG_BUDGET wins (ties: more questions answered, then the lower bar).

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

from knowledge_base.asks import main_ask
from knowledge_base.evaluate import HELDOUT, Scored, metrics, rank_of, read_jsonl, real_questions_path, score_all
from knowledge_base.index import load_or_build
from knowledge_base.real_demand import LABELS, judge, seen_from_outcome
from knowledge_base.search import THRESHOLDS_PATH, Searcher, Thresholds

FALSE_REJECT_BUDGET = 0.03
CLARIFY_COST = 0.3
ALPHAS = [round(float(a), 2) for a in np.arange(0.0, 1.0001, 0.05)]
MARGINS = [round(float(m), 4) for m in np.arange(0.0, 0.0601, 0.0025)]
OUT_OF_SCOPE_MARGINS = [round(float(m), 4) for m in np.arange(-0.05, 0.0501, 0.0025)] + [math.inf]
# Questions longer than long_chars (after fillers and punctuation) must clear the answer bar; chosen with it.
LONG_CHARS = [0, 10, 20]
WRONG_BUDGET = 0.03  # confident wrong answers allowed on the real-demand dev split (the bar is 5%)
GOOD_SLACK = 2  # configurations within this many good outcomes of the best are equals: most held-out answers wins
ANSWER_ABOVE_STEPS = [round(float(a), 4) for a in np.arange(0.0, 0.0601, 0.005)]  # above reject_below
ANSWER_MARGINS = [round(float(m), 4) for m in np.arange(0.0, 0.0501, 0.0025)]
RELATED_BELOW_STEPS = [round(float(m), 4) for m in np.arange(0.0, 0.0301, 0.0025)]  # below reject_below
OOS_REJECTED_FLOOR = 0.90  # held-out dev out-of-scope questions still rejected (the bar on test)


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


def choose_long_question(searcher: Searcher, heldout_dev: list[Scored],
                         labels_path: Path = LABELS) -> dict | None:
    """long_chars, answer_above and answer_margin on the real-demand dev split (None without the texts): the most
    good outcomes with confident wrong answers within WRONG_BUDGET; among those within GOOD_SLACK of the best, the
    one answering the most held-out dev questions right (a clear question should get its answer, not a list)."""
    questions = real_questions_path()
    if not questions.is_file() or not labels_path.is_file():
        return None
    text = {r["id"]: r["q"] for r in read_jsonl(questions)}
    dev = [(label, text[label["id"]][:200]) for label in read_jsonl(labels_path) if label["split"] == "dev"]
    scored = [(label, searcher.scores(q), main_ask(q)) for label, q in dev]
    t = searcher.thresholds
    table, trials = {}, []
    for chars in LONG_CHARS:
        for step in ANSWER_ABOVE_STEPS:
            for margin in ANSWER_MARGINS:
                trial = Searcher(searcher.index, searcher.embedder, Thresholds(
                    t.alpha, t.reject_below, t.clarify_margin, True, "calibration",
                    out_of_scope_margin=t.out_of_scope_margin, long_chars=chars,
                    answer_above=round(t.reject_below + step, 6), answer_margin=margin))
                verdicts, answered = [], 0
                for label, scores, ask in scored:
                    outcome = trial.decide(scores, 3, ask)
                    answered += outcome.decision == "answer"
                    verdicts.append(judge(label, seen_from_outcome(outcome)))
                good, wrong = verdicts.count("good"), verdicts.count("wrong")
                trials.append((chars, step, margin, good, wrong, answered, trial))
                table[f"{chars}/{step}/{margin}"] = {"good": good, "wrong": wrong, "answered": answered}
    within = [x for x in trials if x[4] <= WRONG_BUDGET * len(dev)] or trials
    best_good = max(x[3] for x in within)
    near = [x for x in within if x[3] >= best_good - GOOD_SLACK]

    def heldout_right(trial: Searcher) -> int:
        return metrics(trial, heldout_dev)["outcomes"].get("answered right", 0)

    rights = {id(x): heldout_right(x[6]) for x in near}
    chars, step, margin, good, wrong, answered, chosen = max(
        near, key=lambda x: (rights[id(x)], x[3], -x[4], -x[1], -x[2]))
    # then: how far below reject_below a rejection still shows related content
    related_table, related_best = {}, (math.inf, good, wrong)
    for below in RELATED_BELOW_STEPS:
        c = chosen.thresholds
        trial = Searcher(searcher.index, searcher.embedder, Thresholds(
            c.alpha, c.reject_below, c.clarify_margin, True, "calibration", out_of_scope_margin=c.out_of_scope_margin,
            long_chars=c.long_chars, answer_above=c.answer_above, answer_margin=c.answer_margin,
            related_above=round(c.reject_below - below, 6)))
        verdicts = [judge(label, seen_from_outcome(trial.decide(scores, 3, ask))) for label, scores, ask in scored]
        oos = metrics(trial, heldout_dev)["oos_rejected"]
        related_table[str(below)] = {"good": verdicts.count("good"), "wrong": verdicts.count("wrong"),
                                     "heldout_dev_oos_rejected": round(oos, 3)}
        if oos >= OOS_REJECTED_FLOOR and verdicts.count("wrong") <= WRONG_BUDGET * len(dev) \
                and verdicts.count("good") > related_best[1]:
            related_best = (round(c.reject_below - below, 6), verdicts.count("good"), verdicts.count("wrong"))
    related_above, good, wrong = related_best
    return {"long_chars": chars, "answer_above": round(t.reject_below + step, 6), "answer_margin": margin,
            **({} if math.isinf(related_above) else {"related_above": related_above}),
            "figures": {"labels": labels_path.name, "split_used": "dev", "dev_questions": len(dev),
                        "wrong_budget": WRONG_BUDGET, "good_slack": GOOD_SLACK, "good_on_dev": good,
                        "wrong_on_dev": wrong, "answered_on_dev": answered,
                        "heldout_dev_answered_right": heldout_right(chosen),
                        "rule": "most good outcomes with confident wrong within the budget; within the slack, "
                                "most held-out dev questions answered right",
                        "related_rule": f"a rejection by top score shows related content above related_above: most "
                                        f"good outcomes with held-out dev out-of-scope rejected >= "
                                        f"{OOS_REJECTED_FLOOR}",
                        "related_grid (below reject_below)": related_table,
                        "grid (long_chars / above reject_below / margin)": table}}


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
    long_question = choose_long_question(final, dev)

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
        **({"long_question": long_question} if long_question else {}),
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
    if long_question:
        f = long_question["figures"]
        print(f"questions longer than {long_question['long_chars']} characters: "
              f"answer above {long_question['answer_above']}, "
              f"margin {long_question['answer_margin']}; real-demand dev: good {f['good_on_dev']}, "
              f"wrong {f['wrong_on_dev']}, answered {f['answered_on_dev']} of {f['dev_questions']}")
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
