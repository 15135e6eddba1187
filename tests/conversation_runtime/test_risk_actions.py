"""Risk and fee actions over tracker JSON, with the service center replaced by recorded answers."""

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import risk, service_api

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain" / "risk.yml").read_text(encoding="utf-8"))

REPORT = {
    "id": "482913", "level": "高", "url": "http://svc/risk/482913",
    "findings": [{"id": "limitation_expired", "severity": "high", "title": "诉讼时效可能已经届满",
                  "finding": "已超过三年，诉讼时效可能已经届满。", "recommendation": "找一找三年内催要过的证据。",
                  "basis": [{"law": "民法典", "article": "第一百八十八条"}]}],
    "fees": {"summary": "案件受理费约2300元，简易程序或调解结案减半约1150元。"},
    "recommendation": {"path": "mediation", "text": "建议诉前调解", "offer_mediation_booking": True},
    "disclaimer": "仅供参考，不构成法律意见。",
    "card": {"type": "risk_report", "id": "482913", "level": "高", "url": "http://svc/risk/482913"},
}


def tracker(text="", intent="inform", slots=None, requested=None, active_loop="risk_form", channel="rest"):
    all_slots = dict.fromkeys(DOMAIN["slots"])
    all_slots.update(slots or {})
    all_slots["requested_slot"] = requested
    return Tracker(sender_id="t", slots=all_slots,
                   latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []},
                   events=[{"event": "user", "text": text, "input_channel": channel}], paused=False,
                   followup_action=None, active_loop={"name": active_loop} if active_loop else {},
                   latest_action_name="action_listen")


def run(action, trk):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, DOMAIN))
    return dispatcher.messages, events


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot" and e["name"] != "requested_slot"}


@pytest.fixture
def service(monkeypatch):
    calls = []
    answers = {}

    async def post(path, json=None):
        calls.append(("POST", path, json))
        if path == "/api/risk/parse":
            return answers.get((json["field"], json["text"]), {"ok": False, "message": "没听明白。请再说一遍。"})
        return REPORT

    async def get(path, **params):
        calls.append(("GET", path, params))
        halved = params.get("procedure") == "simple"
        return {"case_type_name": "财产案件", "payable": {"text": "1150元" if halved else "2300元",
                                                       "article": "第十六条" if halved else "第十三条第（一）项"}}

    monkeypatch.setattr(service_api, "post", post)
    monkeypatch.setattr(service_api, "get", get)
    return answers, calls


def test_questions_branch_on_the_kind_of_dispute():
    loan = risk.questions_for("loan")
    assert "risk_prior_labour" not in loan and "risk_domestic_violence" not in loan
    labour = risk.questions_for("labour")
    assert "risk_prior_labour" in labour and "risk_prior" not in labour
    divorce = risk.questions_for("divorce")
    assert {"risk_divorce_refused_recently", "risk_domestic_violence"} <= set(divorce)
    assert "risk_arose" not in divorce and "risk_divorce_refused_recently" not in loan


def test_an_understood_answer_fills_the_slot_and_is_echoed(service):
    answers, _ = service
    answers[("amount", "十万块")] = {"ok": True, "value": 100000, "display": "10万元"}
    messages, events = run(risk.ValidateRiskForm(), tracker("十万块", slots={"risk_dispute_type": "loan"},
                                                            requested="risk_amount"))
    assert slot_events(events)["risk_amount"] == 100000
    assert slot_events(events)["risk_failures"] == 0
    assert "10万元" in messages[0]["text"]


def test_a_wrong_answer_is_explained_and_after_two_the_skip_is_offered(service):
    messages, events = run(risk.ValidateRiskForm(), tracker("啥", slots={"risk_dispute_type": "loan"},
                                                            requested="risk_amount"))
    assert slot_events(events) == {"risk_failures": 1}
    assert "没听明白" in messages[0]["text"] and "跳过" not in messages[0]["text"]
    messages, events = run(risk.ValidateRiskForm(), tracker("啥", slots={"risk_dispute_type": "loan",
                                                                         "risk_failures": 1},
                                                            requested="risk_amount"))
    assert slot_events(events) == {"risk_failures": 2}
    assert "跳过" in messages[0]["text"] and "不测了" in messages[0]["text"]


def test_stop_and_side_questions_are_not_taken_as_answers(service):
    _, events = run(risk.ValidateRiskForm(), tracker("不测了", intent="stop", requested="risk_amount",
                                                     slots={"risk_dispute_type": "loan"}))
    assert "risk_amount" not in slot_events(events) and "risk_failures" not in slot_events(events)
    _, events = run(risk.ValidateRiskForm(), tracker("立案要带什么", intent="ask_procedure",
                                                     requested="risk_amount", slots={"risk_dispute_type": "loan"}))
    assert slot_events(events) == {}


def test_a_handoff_request_is_not_an_answer(service):
    _, events = run(risk.ValidateRiskForm(), tracker("帮我转人工", intent="human_handoff", requested="risk_amount",
                                                     slots={"risk_dispute_type": "loan"}))
    assert slot_events(events) == {}


def test_an_answer_wins_over_a_misread_intent(service):
    answers, _ = service
    answers[("dispute_type", "公司拖欠工资")] = {"ok": True, "value": "labour", "display": "劳动争议"}
    _, events = run(risk.ValidateRiskForm(), tracker("公司拖欠工资", intent="human_handoff",
                                                     requested="risk_dispute_type"))
    assert slot_events(events)["risk_dispute_type"] == "labour"

    answers, _ = service
    answers[("dispute_type", "离婚")] = {"ok": True, "value": "divorce", "display": "离婚及婚姻家庭"}
    _, events = run(risk.ValidateRiskForm(), tracker("离婚", intent="ask_procedure", requested="risk_dispute_type"))
    assert slot_events(events)["risk_dispute_type"] == "divorce"


def test_questions_have_buttons_in_keypad_order():
    messages, _ = run(risk.ActionAsk_risk_defendant(), tracker())
    assert messages[0]["buttons"][0]["payload"] == "姓名、身份证号和住址都知道"
    messages, _ = run(risk.AskQuestion(), tracker())
    assert len(messages[0]["buttons"]) == 9
    messages, _ = run(risk.ActionAsk_risk_amount(), tracker(slots={"risk_dispute_type": "divorce"}))
    assert "夫妻共同财产" in messages[0]["text"]


def test_submit_sends_report_card_and_booking_offer(service):
    _, calls = service
    slots = {"risk_dispute_type": "loan", "risk_amount": 100000, "risk_arose": {"earliest": "2022-01-01",
             "latest": "2022-12-31"}, "risk_last_demand": "never", "risk_evidence": ["contract"],
             "risk_defendant": "full", "risk_enforceable_property": "yes", "risk_prior": "none",
             "risk_prior_labour": "arbitrated"}
    messages, events = run(risk.ActionRiskSubmit(), tracker("", slots=slots, active_loop=None))
    body = calls[-1][2]
    assert body["dispute_type"] == "loan" and body["prior"] == "none"    # the labour answer does not leak
    assert body["channel"] == "rest"
    text = messages[0]["text"]
    for part in ("风险等级高", "第一百八十八条", "2300元", "建议诉前调解", "仅供参考，不构成法律意见",
                 "http://svc/risk/482913"):
        assert part in text
    assert messages[0]["buttons"][0]["payload"] == '/book_appointment{"booking_service":"mediation"}'
    assert messages[1]["custom"]["type"] == "risk_report"
    assert slot_events(events)["risk_report_id"] == "482913" and slot_events(events)["risk_amount"] is None


def test_on_the_phone_the_report_is_short_and_has_no_link(service):
    messages, _ = run(risk.ActionRiskSubmit(), tracker("", slots={"risk_dispute_type": "loan"}, active_loop=None,
                                                       channel="hotline_12368"))
    assert "http" not in messages[0]["text"]
    assert len(messages[0]["text"]) < 150
    assert "诉讼时效可能已经届满" in messages[0]["text"] and "第一百八十八条" in messages[0]["text"]


def test_stop_and_restart_clear_the_answers():
    _, events = run(risk.ActionRiskStop(), tracker(slots={"risk_amount": 5}))
    assert events[0]["event"] == "active_loop" and events[0]["name"] is None
    assert slot_events(events)["risk_amount"] is None
    messages, events = run(risk.ActionRiskRestart(), tracker(slots={"risk_amount": 5}))
    assert "从头开始" in messages[0]["text"] and slot_events(events)["risk_amount"] is None
    assert not any(e["event"] == "active_loop" for e in events)


def test_fee_question_with_amount_fills_on_activation(service):
    answers, _ = service
    text = "借了十万起诉要交多少钱"
    answers[("amount", text)] = {"ok": True, "value": 100000, "display": "10万元"}
    answers[("dispute_type", text)] = {"ok": True, "value": "loan", "display": "民间借贷"}
    _, events = run(risk.ValidateFeeForm(), tracker(text, intent="ask_fee_estimate", active_loop="fee_form"))
    assert slot_events(events)["fee_amount"] == 100000


def test_fee_answer_cites_the_articles(service):
    _, calls = service
    messages, events = run(risk.ActionFeeEstimate(), tracker(slots={"fee_amount": 100000}, active_loop=None))
    text = messages[0]["text"]
    assert "2300元" in text and "第十三条" in text and "1150元" in text and "以法院核定为准" in text
    assert calls[0][2]["case_type"] == "property" and calls[0][2]["amount"] == 100000
    assert slot_events(events)["fee_amount"] is None


def test_service_down_apologises(monkeypatch):
    async def down(*_args, **_kwargs):
        raise service_api.ServiceUnavailable("x")

    monkeypatch.setattr(service_api, "post", down)
    messages, _ = run(risk.ActionRiskSubmit(), tracker(slots={"risk_dispute_type": "loan"}, active_loop=None))
    assert "转人工" in messages[0]["text"]


def test_the_action_server_registers_every_risk_action():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    for name in DOMAIN["actions"]:
        assert name in executor.actions, name


def test_the_opening_sentence_can_name_the_dispute(service):
    answers, _ = service
    text = "借给别人的钱不还想测测风险"
    answers[("dispute_type", text)] = {"ok": True, "value": "loan", "display": "民间借贷"}
    # at activation the tracker may already show the loop; nothing has been asked yet
    messages, events = run(risk.ValidateRiskForm(), tracker(text, intent="start_risk_assessment"))
    assert slot_events(events)["risk_dispute_type"] == "loan"
    assert "民间借贷" in messages[0]["text"]
    _, events = run(risk.ValidateRiskForm(), tracker("风险自测", intent="start_risk_assessment", active_loop=None))
    assert "risk_dispute_type" not in slot_events(events)


@pytest.mark.parametrize(("text", "kind"), [("申请支付令要交多少钱", "payment_order"), ("保全要多少钱", "preservation"),
                                            ("申请执行费用", "enforcement"), ("上诉费多少", "appeal"),
                                            ("借了十万起诉要交多少钱", "acceptance")])
def test_the_kind_of_fee_comes_from_the_question(text, kind):
    assert risk.fee_kind(text) == kind


def test_application_fee_answer(service, monkeypatch):
    async def get(path, **params):
        assert params["kind"] == "payment_order" and "procedure" not in params
        return {"payable": {"label": "支付令申请费", "text": "766.67元", "article": "第十四条第（三）项"},
                "notes": ["债务人未提出异议的，申请费由债务人负担。"]}

    monkeypatch.setattr(service_api, "get", get)
    messages, _ = run(risk.ActionFeeEstimate(), tracker(slots={"fee_amount": 100000, "fee_kind": "payment_order"},
                                                        active_loop=None))
    assert "支付令申请费约766.67元" in messages[0]["text"] and "第十四条" in messages[0]["text"]
