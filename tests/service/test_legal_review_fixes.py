"""What the legal review of the guide and the risk rules found (issue 13, item 6), each checked against the official
text. Expectations are written by hand from the articles named in each test, and the tests read what a person sees:
the rendered entry, the risk report's words, the fee figure."""

from datetime import date

import pytest

from knowledge_base.guide import UNCONFIRMED as ANNOUNCEMENT
from knowledge_base.guide import entries_by_id, load_court_profile, load_guide, render_entry
from knowledge_base.legal_texts import article_text
from service_center.fees.engine import FeeInputError, estimate
from service_center.risk.engine import assess

TODAY = date(2026, 12, 5)
NO_CEILING = {"small_claims_ceiling": {"value": None, "confirmed": False}}


@pytest.fixture(scope="module")
def shown():
    """entry id -> the entry as rendered for a person (court facts filled in)."""
    profile = load_court_profile()
    return {i: render_entry(e, profile) for i, e in entries_by_id(load_guide()).items()}


def text(entry: dict) -> str:
    return entry["short_answer"] + "\n" + entry["details"]


def cited(entry: dict) -> set[tuple[str, str]]:
    return {(b["law"], b["article"]) for b in entry["basis"]}


# ---------- the guide ----------

@pytest.mark.parametrize("entry_id", ["administrative-suit", "administrative-suit-period"])
def test_compulsory_reconsideration_is_stated(shown, entry_id):
    """行政复议法 (2023) 第二十三条: 当场处罚, 自然资源权属, 未履行法定职责, 政府信息不予公开 → 复议 first."""
    entry = shown[entry_id]
    assert ("行政复议法", "第二十三条") in cited(entry)
    assert "应当先向行政复议机关申请行政复议" in article_text("行政复议法", "第二十三条")
    assert "复议" in entry["short_answer"] and "履行法定职责" in entry["short_answer"]
    for case in ("当场", "自然资源", "未履行法定职责" if entry_id == "administrative-suit" else "履行法定职责",
                 "政府信息"):
        assert case in text(entry), (entry_id, case)
    assert "一般可以先复议也可以直接起诉" not in text(entry)
    assert "2个月内不履行的可以起诉" not in text(entry)


@pytest.mark.parametrize(("entry_id", "year"), [("execution-dishonest-list", "2013"),
                                                ("execution-high-consumption", "2010")])
def test_revised_enforcement_lists_are_not_presented_as_complete(shown, entry_id, year):
    entry = shown[entry_id]
    assert "已修订" in entry["short_answer"]          # the phone hears it too
    assert year in entry["details"] and "修订" in entry["details"]
    assert "不是" in entry["details"] and ("完整" in entry["details"])


def test_self_service_filing_is_not_stated_as_fact(shown):
    entry = shown["filing-self-service"]
    assert "设有自助立案设备" not in entry["short_answer"]
    assert ANNOUNCEMENT in entry["short_answer"] or "以法院公告为准" in entry["short_answer"]
    assert f"自助立案设备（{ANNOUNCEMENT}）" in entry["details"]   # from court_profile.yml, unconfirmed


@pytest.mark.parametrize("entry_id", ["filing-cross-region", "mobile-micro-court", "hotline-12368"])
def test_unconfirmed_court_services_say_announcement(shown, entry_id):
    assert "以法院公告为准" in shown[entry_id]["short_answer"]


def test_appeal_court_comes_from_the_profile(shown):
    profile = load_court_profile()
    assert "松原市中级人民法院" not in "".join(e.details for e in load_guide())  # not written into any entry
    assert f"上一级法院是{profile['court']['appellate_court']}" in shown["appeal-how"]["details"]


def test_interruption_restarts_when_the_proceedings_end(shown):
    """民法典 第一百九十五条: 从中断、有关程序终结时起，诉讼时效期间重新计算."""
    assert "从中断、有关程序终结时起" in article_text("民法典", "第一百九十五条")
    assert "从中断、有关程序终结时起重新计算" in shown["limitation-interruption"]["short_answer"]
    assert "三年" not in shown["limitation-interruption"]["short_answer"]
    assert "重新计算3年" not in shown["limitation-suspension"]["details"]


def test_refusal_to_enforce_names_the_private_prosecution(shown):
    entry = shown["execution-refuse-crime"]
    law = "最高人民法院、最高人民检察院关于办理拒不执行判决、裁定刑事案件适用法律若干问题的解释"
    assert (law, "第十四条") in cited(entry)
    assert "自诉" in entry["short_answer"] and "控告" in entry["details"]


def test_arbitral_awards_go_to_the_intermediate_court(shown):
    entry = shown["execution-application"]
    assert "仲裁裁决向中级法院申请" in entry["short_answer"]
    assert "仲裁裁决、仲裁调解书：被执行人住所地或者被执行财产所在地的**中级人民法院**" in entry["details"]
    assert ("最高人民法院关于人民法院办理仲裁裁决执行案件若干问题的规定", "第二条") in cited(entry)


# ---------- the risk rules ----------

def report(**answers):
    return assess(answers, TODAY, NO_CEILING)


def finding(rep, rule_id):
    return next(f for f in rep["findings"] if f["id"] == rule_id)


def ids(rep):
    return [f["id"] for f in rep["findings"]]


def test_divorce_is_never_offered_judicial_confirmation():
    """民诉法解释 第三百五十五条(三): 申请确认解除婚姻关系的 → 不予受理."""
    rep = report(dispute_type="divorce", divorce_refused_recently=False, domestic_violence=False, prior="none")
    assert "mediation_suitable" not in ids(rep)
    words = " ".join(f["finding"] + f["recommendation"] for f in rep["findings"])
    assert "不能通过司法确认" in words and "可以申请司法确认" not in words
    assert rep["recommendation"]["offer_mediation_booking"] is True
    # other disputes keep the offer
    loan = report(dispute_type="loan", amount=300000, prior="none", evidence=["contract"], defendant="full")
    assert "可以申请司法确认" in finding(loan, "mediation_suitable")["finding"]


def test_six_month_bar_is_the_plaintiffs():
    """民诉法 第一百二十七条(七) bars the 原告 only; 民诉法解释 第二百一十四条 adds withdrawn cases."""
    rep = report(dispute_type="divorce", divorce_refused_recently=True, domestic_violence=False)
    words = finding(rep, "divorce_within_six_months")["finding"]
    assert "原告" in words and "对方起诉的，您起诉不受这六个月的限制" in words


def test_withdrawn_case_may_be_filed_again():
    rep = report(dispute_type="loan", amount=50000, prior="sued")
    words = finding(rep, "already_sued")["finding"]
    assert "准许撤诉或者按撤诉处理的，可以用同一诉讼请求再次起诉" in words


def test_labour_payment_order_and_pending_arbitration():
    base = {"dispute_type": "labour", "amount": 20000, "arose": "2026-09", "last_demand": "never",
            "evidence": ["contract"], "defendant": "full"}
    first = report(**base, prior="none")
    assert "支付令" in finding(first, "labour_arbitration_first")["finding"]     # 劳动合同法 第三十条
    pending = report(**base, prior="arbitration_pending")
    assert "labour_arbitration_first" not in ids(pending)
    assert "四十五日" in finding(pending, "labour_arbitration_pending")["finding"]  # 调解仲裁法 第四十三条


def test_wage_arrears_during_employment_are_not_time_barred():
    rep = report(dispute_type="labour", amount=20000, arose="2024-01", last_demand="never", prior="none")
    words = finding(rep, "labour_arbitration_limitation")["finding"]
    assert "在职期间被拖欠工资的，申请仲裁不受这一年的限制" in words
    assert "终止之日起一年内" in words


def test_small_claims_is_not_a_choice_and_has_no_appeal():
    rep = report(dispute_type="loan", amount=8000, arose="2026-06", last_demand="never",
                 evidence=["contract", "transfer"], defendant="full", prior="none")
    found = finding(rep, "small_claims")
    assert found["severity"] == "low"
    assert "不由当事人选择" in found["finding"] and "二倍以下" in found["finding"]
    assert "一审终审" in found["title"] + found["finding"] and "不能上诉" in found["finding"]
    assert "可以选择小额诉讼" not in found["recommendation"]


def test_unknown_address_and_property_are_precise():
    rep = report(dispute_type="loan", amount=50000, defendant="no_address", enforceable_property="unknown")
    address = finding(rep, "unknown_address")["finding"]
    assert "仍然可以起诉" in address and "公告" in address and "三十日" in address
    prop = finding(rep, "property_unknown")["recommendation"]
    assert "诉前保全必须提供担保" in prop                      # 民诉法 第一百零四条


def test_limitation_uncertain_names_the_start_and_the_restart():
    rep = report(dispute_type="loan", amount=50000, arose="2024-03", last_demand="never")  # 3 years end 2027-03
    words = finding(rep, "limitation_uncertain")["finding"]
    assert "知道或者应当知道" in words and "重新计算" in words


# ---------- fees ----------

def test_mediated_appeal_is_halved():
    """诉讼费用交纳办法 第十五条: 以调解方式结案或者当事人申请撤诉的 → 减半, on appeal too.
    100,000 元 in dispute: 50 + 90,000 × 2.5% = 2,300; half = 1,150."""
    payable = estimate(kind="appeal", amount=100000, settled=True).as_dict()["payable"]
    assert payable["amount"] == 1150 and payable["article"] == "第十五条"
    assert estimate(kind="appeal", amount=100000).as_dict()["payable"]["amount"] == 2300


def test_other_disputes_are_not_priced_as_property_cases():
    rep = report(dispute_type="other", amount=100000)
    assert rep["fees"]["available"] is False and "财产案件" in rep["fees"]["summary"]
    with pytest.raises(FeeInputError):
        estimate(case_type="other", amount=100000)
