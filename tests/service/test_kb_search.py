"""Search on the real guide: right entries for real-sounding questions, rejection of clear out-of-scope ones,
follow-ups in context. The index is loaded (or built) once per test process, as the service center does."""

import pytest

from service_center.config import Settings
from service_center.kb.service import holder_for


@pytest.fixture(scope="module")
def searcher():
    return holder_for(Settings()).get().searcher


@pytest.mark.parametrize(("question", "expected"), [
    ("上诉期限是多少天", "appeal-period"),
    ("诉讼费怎么算", "fee-how-computed"),
    ("喂 我跟公司的劳动纠纷能直接去法院告吗", "labour-arbitration-first"),
    ("离婚了孩子归谁", "divorce-custody"),
    ("判决生效了对方就是不给钱 我咋申请强制执行", "execution-application"),
    ("法院的诉讼服务中心在哪 几点上班", "court-hours-location"),
])
def test_real_questions_find_their_entry(searcher, question, expected):
    outcome = searcher.search(question, k=3)
    assert outcome.decision != "reject"
    assert outcome.results[0].id == expected


@pytest.mark.parametrize("question", ["今天天气怎么样", "帮我订一张去长春的火车票", "红烧肉怎么做"])
def test_clear_out_of_scope_is_rejected(searcher, question):
    assert searcher.search(question).decision == "reject"


@pytest.mark.parametrize(("context", "question", "expected"), [
    ("divorce-suit", "那要交多少钱", "fee-non-property"),
    ("preservation-before-suit", "要交多少钱", "preservation-fee"),
    ("execution-application", "需要什么材料", "execution-materials"),
])
def test_follow_up_uses_the_topic_under_discussion(searcher, context, question, expected):
    outcome = searcher.search(question, context=context)
    assert outcome.used_context
    assert outcome.results[0].id == expected


def test_thresholds_are_calibrated_for_the_default_embedder(searcher):
    t = searcher.thresholds
    assert t.calibrated and t.figures["split_used"] == "dev"
    assert 0.0 < t.alpha <= 1.0 and t.reject_below > 0


def test_clarify_offers_at_most_three(searcher):
    outcomes = [searcher.search(q, k=5) for q in ("那个钱的事", "我想问问费用", "对方不来怎么办", "调解", "怎么办")]
    clarified = [o for o in outcomes if o.decision == "clarify"]
    assert clarified, "none of the vague questions was clarified"
    for outcome in clarified:
        assert 2 <= len(outcome.results) <= 3
