"""The calibration rules on made-up scores: the rejection threshold keeps within its false-rejection budget."""

import math

import numpy as np

from knowledge_base.calibrate import FALSE_REJECT_BUDGET, choose_alpha, choose_margin, choose_reject
from knowledge_base.evaluate import Scored
from knowledge_base.index import load_entries, load_or_build
from knowledge_base.search import Searcher, Thresholds
from tests.service.kb_support import FIXTURE_GUIDE, HashEmbedder


def _searcher(tmp_path) -> Searcher:
    embedder = HashEmbedder()
    index, _ = load_or_build(embedder, load_entries(FIXTURE_GUIDE), tmp_path / "index")
    return Searcher(index, embedder, Thresholds(0.5, 0.0, 0.0, False, "test"))


def _scored(expected, top: float, winner: int = 0, anchor: float | None = None) -> Scored:
    dense = np.full(3, top - 0.2, dtype=np.float32)
    dense[winner] = top
    anchors = None if anchor is None else np.array([anchor, anchor - 0.3], dtype=np.float32)
    return Scored("q", expected, dense, dense.copy(), anchors, None if anchors is None else anchors.copy())


def test_reject_threshold_respects_the_budget_and_reports_its_figures(tmp_path):
    searcher = _searcher(tmp_path)
    rng = np.random.default_rng(0)
    inscope = [_scored("sample-fee", float(s)) for s in rng.uniform(0.6, 1.0, 100)]
    outside = [_scored(None, float(s)) for s in rng.uniform(0.3, 0.7, 40)]
    threshold, margin, figures = choose_reject(searcher, inscope + outside, alpha=0.5)
    assert math.isinf(margin)  # without out-of-scope topics the margin never decides
    tops = np.array([s.dense.max() for s in inscope])
    assert np.mean(tops < threshold) <= FALSE_REJECT_BUDGET
    assert figures["in_scope_rejected_on_dev"] <= FALSE_REJECT_BUDGET
    assert 0.0 < figures["out_of_scope_rejected_on_dev"] <= 1.0 and 0.5 < figures["oos_auc"] <= 1.0


def test_alpha_and_margin_grids_pick_a_value_with_its_table(tmp_path):
    searcher = _searcher(tmp_path)
    dev = [_scored("sample-fee", 0.9), _scored("sample-appeal", 0.8, winner=1), _scored(None, 0.2)]
    alpha, table = choose_alpha(searcher, dev)
    assert 0.0 <= alpha <= 1.0 and table[str(alpha)]["recall_at_1"] == 1.0
    margin, costs = choose_margin(searcher, dev, alpha, reject_below=0.5, oos_margin=math.inf)
    assert costs[str(margin)]["cost"] == min(c["cost"] for c in costs.values())


def test_out_of_scope_topics_reject_what_the_threshold_cannot_within_the_same_budget(tmp_path):
    searcher = _searcher(tmp_path)
    rng = np.random.default_rng(1)
    # in-scope: the right entry well above any out-of-scope topic
    inscope = [_scored("sample-fee", float(s), anchor=float(s) - 0.1) for s in rng.uniform(0.6, 1.0, 100)]
    # out of scope but as high as in-scope questions: only the topic, clearly nearer, can tell them apart
    outside = [_scored(None, float(s), anchor=float(s) + 0.05) for s in rng.uniform(0.6, 1.0, 40)]
    _threshold, margin, figures = choose_reject(searcher, inscope + outside, alpha=0.5)
    assert -0.1 <= margin < 0.05
    assert figures["out_of_scope_rejected_on_dev"] == 1.0
    assert figures["out_of_scope_rejected_by_top_score_alone"] < 0.2
    assert figures["in_scope_rejected_on_dev"] <= FALSE_REJECT_BUDGET
