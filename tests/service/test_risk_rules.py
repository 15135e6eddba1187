"""The risk rules (service_center/risk/rules.yml) through the pure engine, and the answer parser."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from knowledge_base.legal_texts import sources_dir
from service_center.risk.engine import (
    RuleError,
    assess,
    evaluate,
    limitation_status,
    load_rules,
    parse_rules,
)
from service_center.risk.parse import options, parse_answer

TODAY = date(2026, 11, 27)
ROOT = Path(__file__).resolve().parents[2]
UNCONFIRMED = {"small_claims_ceiling": {"value": None, "confirmed": False}}


def ids(report):
    return [f["id"] for f in report["findings"]]


def test_rules_file_is_valid_and_every_rule_has_basis():
    rules = load_rules()
    assert len(rules.rules) >= 12
    for rule in rules.rules:
        assert rule["basis"] and all(b["law"] and b["article"].startswith("第") for b in rule["basis"])


def test_articles_exist_in_the_official_texts():
    """Every cited article is present in the official texts (skipped where they are absent)."""
    sources = sources_dir()
    if not sources.exists():
        pytest.skip("official texts not on this machine")
    files = {path.name.split("(")[0]: path for path in sources.rglob("*.md")}
    civil_code = "\n".join(p.read_text(encoding="utf-8") for p in (sources / "民法典").glob("*.md"))
    for rule in load_rules().rules:
        for basis in rule["basis"]:
            text = civil_code if basis["law"] == "民法典" else files[basis["law"]].read_text(encoding="utf-8")
            assert f"\n{basis['article']} " in text, (rule["id"], basis)


def test_four_year_old_unpaid_loan():
    report = assess({"dispute_type": "loan", "amount": 100000, "arose": "2022", "last_demand": "never",
                     "evidence": ["contract"], "defendant": "full", "enforceable_property": "yes", "prior": "none"},
                    TODAY, UNCONFIRMED)
    assert report["level"] == "高"
    assert ids(report)[0] == "limitation_expired"
    assert report["findings"][0]["basis"][0] == {"law": "民法典", "article": "第一百八十八条"}
    assert report["recommendation"]["path"] == "mediation"
    assert report["recommendation"]["offer_mediation_booking"] is True
    assert "payment_order" not in ids(report)        # an expired claim is no candidate for 支付令
    assert report["fees"]["items"][0]["amount"] == 2300
    assert report["disclaimer"] == "仅供参考，不构成法律意见。"


def test_demand_interrupts_limitation():
    report = assess({"dispute_type": "loan", "amount": 100000, "arose": "2022", "last_demand": "2025-03",
                     "evidence": ["contract", "transfer"], "defendant": "full"}, TODAY, UNCONFIRMED)
    assert "limitation_expired" not in ids(report)


def test_labour_without_arbitration():
    report = assess({"dispute_type": "labour", "amount": 20000, "arose": "2026-09", "last_demand": "never",
                     "evidence": ["contract", "transfer"], "defendant": "full", "enforceable_property": "yes",
                     "prior": "none"}, TODAY, UNCONFIRMED)
    assert ids(report)[0] == "labour_arbitration_first"
    assert report["level"] == "高"
    assert report["recommendation"]["path"] == "arbitration_first"
    assert report["recommendation"]["offer_mediation_booking"] is False
    assert {"law": "劳动争议调解仲裁法", "article": "第五条"} in report["findings"][0]["basis"]
    assert "10元" in report["fees"]["summary"]


def test_labour_arbitration_one_year_limit():
    report = assess({"dispute_type": "labour", "arose": "2025-01", "last_demand": "never", "prior": "none"},
                    TODAY, UNCONFIRMED)
    assert "labour_arbitration_limitation" in ids(report)
    done = assess({"dispute_type": "labour", "arose": "2025-01", "prior": "arbitrated"}, TODAY, UNCONFIRMED)
    assert "labour_arbitration_first" not in ids(done)
    assert ids(done)[0] == "labour_after_award"


def test_well_evidenced_small_debt():
    report = assess({"dispute_type": "loan", "amount": 8000, "arose": "2026-05", "last_demand": "2026-10",
                     "evidence": ["contract", "transfer"], "defendant": "full", "enforceable_property": "yes",
                     "prior": "negotiated"}, TODAY, UNCONFIRMED)
    assert report["level"] == "低"
    assert ids(report) == ["small_claims", "payment_order", "mediation_suitable"]
    assert report["recommendation"]["path"] == "small_claims"
    assert report["recommendation"]["offer_mediation_booking"] is True
    assert "以法院公告为准" in report["findings"][0]["finding"]     # ceiling unconfirmed
    fees = {item["name"]: item["amount"] for item in report["fees"]["items"]}
    assert fees["案件受理费（普通程序）"] == 50
    assert fees["申请支付令"] == 16.67                                  # 50 / 3


def test_confirmed_small_claims_ceiling_decides():
    ceiling = {"small_claims_ceiling": {"value": 45000, "year": 2025, "confirmed": True, "source": "x"}}
    base = {"dispute_type": "loan", "arose": "2026-05", "evidence": ["contract", "transfer"], "defendant": "full"}
    assert "small_claims" in ids(assess({**base, "amount": 40000}, TODAY, ceiling))
    assert "small_claims" not in ids(assess({**base, "amount": 50000}, TODAY, ceiling))
    # without a confirmed ceiling only amounts under the screening figure are flagged
    assert "small_claims" not in ids(assess({**base, "amount": 40000}, TODAY, UNCONFIRMED))


@pytest.mark.parametrize(("answers", "expected", "severity"), [
    ({"evidence": ["none"]}, "no_evidence", "high"),
    ({"evidence": ["chat", "witness"]}, "weak_evidence", "medium"),
    ({"defendant": "unknown"}, "unknown_defendant", "high"),
    ({"defendant": "name_only"}, "unknown_defendant", "high"),
    ({"defendant": "no_address"}, "unknown_address", "medium"),
    ({"enforceable_property": "no"}, "no_enforceable_property", "medium"),
    ({"enforceable_property": "unknown"}, "property_unknown", "low"),
    ({"arose": "2023"}, "limitation_uncertain", "medium"),
    ({"prior": "sued"}, "already_sued", "medium"),
])
def test_single_findings(answers, expected, severity):
    report = assess({"dispute_type": "sale", "amount": 50000, **answers}, TODAY, UNCONFIRMED)
    finding = next(f for f in report["findings"] if f["id"] == expected)
    assert finding["severity"] == severity


def test_divorce_branch():
    report = assess({"dispute_type": "divorce", "amount": 0, "divorce_refused_recently": True,
                     "domestic_violence": True}, TODAY, UNCONFIRMED)
    assert set(ids(report)[:2]) == {"divorce_within_six_months", "domestic_violence"}
    assert report["recommendation"]["path"] == "protection_order"
    assert report["recommendation"]["offer_mediation_booking"] is False
    assert "limitation_expired" not in ids(report)
    assert report["fees"]["items"][0]["low"] == 50 and report["fees"]["items"][0]["high"] == 300


def test_findings_are_ordered_by_severity():
    report = assess({"dispute_type": "loan", "amount": 8000, "arose": "2022", "evidence": ["chat"],
                     "defendant": "no_address", "enforceable_property": "unknown"}, TODAY, UNCONFIRMED)
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    ranks = [order[f["severity"]] for f in report["findings"]]
    assert ranks == sorted(ranks)


def test_limitation_status():
    assert limitation_status("2023-11-28", None, TODAY, 3) == "near"
    assert limitation_status("2023-11-26", None, TODAY, 3) == "expired"
    assert limitation_status({"earliest": None, "latest": "2024-05-31"}, None, TODAY, 3) == "uncertain"
    assert limitation_status(None, None, TODAY, 3) == "unknown"
    assert limitation_status("2026-01", "never", TODAY, 3) == "ok"


def test_condition_language():
    facts = {"a": 5, "b": "x"}
    assert evaluate({"all": [{"fact": "a", "gt": 3}, {"fact": "b", "in": ["x", "y"]}]}, facts)
    assert evaluate({"not": {"fact": "a", "lt": 3}}, facts)
    assert not evaluate({"fact": "missing", "gt": 1}, facts)
    assert evaluate({"fact": "missing", "is_null": True}, facts)


@pytest.mark.parametrize("bad", [
    {"rules": [{"id": "x"}]},
    {"rules": [{"id": "x", "title": "t", "finding": "f", "recommendation": "r", "severity": "extreme",
                "basis": [{"law": "l", "article": "a"}], "when": {"fact": "a", "eq": 1}}]},
    {"rules": [{"id": "x", "title": "t", "finding": "f", "recommendation": "r", "severity": "high",
                "basis": [{"law": "l", "article": "a"}], "when": {"fact": "a", "like": 1}}]},
])
def test_malformed_rules_are_rejected(bad):
    with pytest.raises(RuleError):
        parse_rules(bad)


@pytest.mark.parametrize(("field", "text", "value"), [
    ("amount", "十万块", 100000), ("amount", "五千多", 5000), ("amount", "一百二十万", 1200000),
    ("amount", "3.5万", 35000), ("amount", "大概八千块钱吧", 8000), ("amount", "两万五", 25000),
    ("arose", "前年", {"earliest": "2024-01-01", "latest": "2024-12-31"}),
    ("arose", "去年六月", {"earliest": "2025-06-01", "latest": "2025-06-30"}),
    ("arose", "三年前", {"earliest": "2023-01-01", "latest": "2023-12-31"}),
    ("arose", "2022年3月", {"earliest": "2022-03-01", "latest": "2022-03-31"}),
    ("last_demand", "一直没要过", "never"),
    ("last_demand", "上个月", {"earliest": "2026-10-01", "latest": "2026-10-31"}),   # not in JioNLP: our fallback
    ("last_demand", "上上个月", {"earliest": "2026-09-01", "latest": "2026-09-30"}),
    ("last_demand", "这个月", {"earliest": "2026-11-01", "latest": "2026-11-27"}),
    ("last_demand", "前几天", {"earliest": "2026-11-17", "latest": "2026-11-27"}),
    ("dispute_type", "他借我钱不还", "loan"), ("dispute_type", "公司拖欠工资", "labour"),
    ("dispute_type", "3", "labour"), ("dispute_type", "选四", "divorce"),
    ("evidence", "有借条也有转账记录", ["contract", "transfer"]), ("evidence", "没有借条，有微信聊天记录", ["chat"]),
    ("evidence", "1和2", ["contract", "transfer"]), ("evidence", "没有", ["none"]),
    ("defendant", "都知道", "full"), ("defendant", "只知道电话", "name_only"),
    ("defendant", "不知道他住哪", "no_address"), ("defendant", "4", "unknown"),
    ("enforceable_property", "有房子", "yes"), ("enforceable_property", "不清楚", "unknown"),
    ("prior_labour", "没有", "none"), ("prior", "找他要过", "negotiated"),
    ("domestic_violence", "他打过我", True), ("divorce_refused_recently", "没有", False),
    ("evidence", "跳过", "skip"),
])
def test_parse_answers(field, text, value):
    result = parse_answer(field, text, TODAY)
    assert result["ok"], result
    assert result["value"] == value


def test_dates_are_shown_in_words_that_can_be_spoken():
    assert parse_answer("arose", "前年", TODAY)["display"] == "2024年"
    assert parse_answer("arose", "去年六月", TODAY)["display"] == "2025年6月"
    assert parse_answer("arose", "昨天", TODAY)["display"] == "2026年11月26日"
    assert parse_answer("last_demand", "上个月", date(2026, 1, 15))["display"] == "2025年12月"


@pytest.mark.parametrize(("field", "text"), [("amount", "不知道"), ("arose", "明年"), ("arose", "乱说一气"),
                                             ("dispute_type", "随便说"), ("dispute_type", "12")])
def test_parse_failures_explain_in_chinese(field, text):
    result = parse_answer(field, text, TODAY)
    assert not result["ok"]
    assert "请" in result["message"]


def test_question_buttons_follow_the_parser_options():
    """Keypad digit n means the n-th button: actions/risk_questions.yml must list the options in parser order."""
    questions = yaml.safe_load((ROOT / "actions" / "risk_questions.yml").read_text(encoding="utf-8"))
    for field in ("dispute_type", "evidence", "defendant", "enforceable_property", "prior", "prior_labour",
                  "divorce_refused_recently", "domestic_violence"):
        assert questions["risk_" + field]["buttons"] == [o["title"] for o in options(field)], field
        for index, title in enumerate(questions["risk_" + field]["buttons"]):
            expected = options(field)[index]["value"]
            value = parse_answer(field, title, TODAY)["value"]
            assert value == ([expected] if field == "evidence" else expected), (field, title)
            digit = parse_answer(field, str(index + 1), TODAY)["value"]
            assert digit == value, (field, index + 1)
    domain = yaml.safe_load((ROOT / "domain" / "risk.yml").read_text(encoding="utf-8"))
    for slot in questions:
        assert f"action_ask_{slot}" in domain["actions"]
