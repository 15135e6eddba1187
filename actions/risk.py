"""Risk self-assessment and fee answers: thin actions over the service center.

The service center understands each answer (POST /api/risk/parse: Chinese amounts, relative dates, option
digits) and writes the report (POST /api/risk/assessments). Here we only decide which question comes next,
keep count of failed answers, and shape the replies for chat and phone.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import service_api
from actions.repair import REPAIR_INTENTS

log = logging.getLogger(__name__)

QUESTIONS = [
    "risk_dispute_type", "risk_amount", "risk_arose", "risk_last_demand", "risk_evidence", "risk_defendant",
    "risk_enforceable_property", "risk_prior", "risk_prior_labour", "risk_divorce_refused_recently",
    "risk_domestic_violence",
]
RISK_SLOTS = [*QUESTIONS, "risk_failures"]
# Stop and restart interrupt a question when their words are there ("算了", "重新开始"); otherwise the message
# is tried as an answer first (the NLU may read "公司拖欠工资" as anything), and only when it is not an answer
# do these intents go to their rules (stop, restart, handoff, guide answer) and the form resumes.
INTERRUPTION_WORDS = {
    "stop": ("算了", "不测", "不想测", "停止", "退出", "不弄了", "别问了", "不办了", "取消", "不用继续", "不想回答",
             "到此为止"),
    "restart_flow": ("重新", "从头", "重来", "重置", "再来一遍", "回到开头"),
    "human_handoff": ("人工", "真人", "客服", "工作人员"),
}
SIDE_QUESTIONS = {"ask_procedure", "ask_fee_estimate", "stop", "restart_flow", "human_handoff"}
MAX_FAILURES_BEFORE_OFFER = 2
SKIP_HINT = "不好回答的话，可以说“跳过”；不想测了就说“不测了”。"
MEDIATION_BOOKING = '/book_appointment{"booking_service":"mediation"}'
SORRY = "抱歉，系统暂时出了点问题，请稍后再试，或者说“转人工”。"
QUESTION_TEXTS: dict[str, dict[str, Any]] = yaml.safe_load(
    Path(__file__).with_name("risk_questions.yml").read_text(encoding="utf-8"))
ECHO_FIELDS = {"risk_amount", "risk_arose", "risk_last_demand", "fee_amount"}


def questions_for(dispute_type: str | None) -> list[str]:
    """Only the questions that matter for this kind of dispute."""
    if dispute_type == "divorce":
        return ["risk_dispute_type", "risk_amount", "risk_defendant", "risk_divorce_refused_recently",
                "risk_domestic_violence"]
    if dispute_type == "labour":
        return ["risk_dispute_type", "risk_amount", "risk_arose", "risk_last_demand", "risk_evidence",
                "risk_defendant", "risk_enforceable_property", "risk_prior_labour"]
    return ["risk_dispute_type", "risk_amount", "risk_arose", "risk_last_demand", "risk_evidence",
            "risk_defendant", "risk_enforceable_property", "risk_prior"]


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


async def parse_answer(field: str, text: str) -> dict[str, Any]:
    return await service_api.post("/api/risk/parse", {"field": field, "text": text})


async def understand(slot: str, field: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                     failures_slot: str = "risk_failures") -> dict[str, Any]:
    """Parse the latest message as the answer to `slot`. Returns the slot events as a dict ({} = not an answer)."""
    intent = _intent(tracker)
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/") or intent in REPAIR_INTENTS \
            or any(word in text for word in INTERRUPTION_WORDS.get(intent or "", ())):
        return {}
    try:
        result = await parse_answer(field, text)
    except service_api.ServiceUnavailable:
        dispatcher.utter_message(text=SORRY)
        return {failures_slot: (tracker.get_slot(failures_slot) or 0) + 1}
    except service_api.ServiceError as exc:
        dispatcher.utter_message(text=exc.message)
        return {failures_slot: (tracker.get_slot(failures_slot) or 0) + 1}
    if result.get("ok"):
        if slot in ECHO_FIELDS and result.get("value") not in ("skip", "never", "unknown"):
            dispatcher.utter_message(text=f"好的，记下了：{result['display']}。")
        return {slot: result["value"], failures_slot: 0}
    if intent in SIDE_QUESTIONS:
        return {}  # not an answer: let the rules answer the side question, then the form resumes
    failures = int(tracker.get_slot(failures_slot) or 0) + 1
    message = result.get("message") or "没听明白，请再说一遍。"
    if failures >= MAX_FAILURES_BEFORE_OFFER:
        message += SKIP_HINT
    dispatcher.utter_message(text=message)
    return {failures_slot: failures}


BOOKKEEPING = {"risk_failures", "fee_case_type", "fee_kind"}


class KeepsCount:  # a mixin, not an Action: rasa-sdk registers every Action subclass by its name
    """rasa-sdk drops extracted slots that are not form questions; keep the failure count and the fee case type,
    which also tells Rasa that the message was handled (so the form is not rejected) and asks again."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        extraction_events = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction_events)
        validation_events = await self._extract_validation_events(dispatcher, tracker, domain)
        validated = {event["name"] for event in validation_events if event.get("event") == "slot"}
        extra = [event for event in extraction_events
                 if event["name"] in BOOKKEEPING and event["name"] not in validated]
        return validation_events + extra


class ValidateRiskForm(KeepsCount, FormValidationAction):
    def name(self) -> str:
        return "validate_risk_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: dict[str, Any]) -> list[str]:
        return questions_for(tracker.get_slot("risk_dispute_type"))

    async def _extract(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        # activation: nothing asked yet (the tracker may already show the loop as active)
        if slot == "risk_dispute_type" and tracker.get_slot("requested_slot") is None:
            return await self._dispute_from_opening(dispatcher, tracker)
        if tracker.get_slot("requested_slot") != slot:
            return {}
        return await understand(slot, slot.removeprefix("risk_"), dispatcher, tracker)


async def _dispute_from_opening(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """"借给别人的钱不还，想测测风险" already says what kind of dispute it is: do not ask again."""
    if _intent(tracker) != "start_risk_assessment":
        return {}
    try:
        result = await parse_answer("dispute_type", tracker.latest_message.get("text") or "")
    except (service_api.ServiceUnavailable, service_api.ServiceError):
        return {}
    if not result.get("ok") or result.get("value") in ("other", "skip"):
        return {}
    dispatcher.utter_message(text=f"好的，按{result['display']}纠纷来测。")
    return {"risk_dispute_type": result["value"]}


ValidateRiskForm._dispute_from_opening = _dispute_from_opening


def _make_extractor(slot: str):
    async def extract(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        return await self._extract(slot, dispatcher, tracker)
    extract.__name__ = f"extract_{slot}"
    return extract


for _slot in QUESTIONS:
    setattr(ValidateRiskForm, f"extract_{_slot}", _make_extractor(_slot))


class AskQuestion(Action):
    """action_ask_<slot>: the question text (by kind of dispute where it differs) and its buttons, from
    actions/risk_questions.yml. Each button's payload is its title; digits 1..n on the phone pick it too."""

    slot = "risk_dispute_type"

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        question = QUESTION_TEXTS[self.slot]
        text = (question.get("by_dispute") or {}).get(tracker.get_slot("risk_dispute_type"), question["text"])
        buttons = [{"title": title, "payload": title} for title in question.get("buttons", [])]
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


for _slot in QUESTION_TEXTS:
    if _slot != AskQuestion.slot:
        globals()[f"ActionAsk_{_slot}"] = type(f"ActionAsk_{_slot}", (AskQuestion,), {"slot": _slot})


def _answers(tracker: Tracker) -> dict[str, Any]:
    dispute = tracker.get_slot("risk_dispute_type")
    answers: dict[str, Any] = {"dispute_type": dispute if dispute not in (None, "skip") else "other"}
    for slot in questions_for(answers["dispute_type"])[1:]:
        value = tracker.get_slot(slot)
        if value is None:
            continue
        field = slot.removeprefix("risk_")
        if field == "prior_labour":
            field = "prior"
        answers[field] = value
    answers["channel"] = (tracker.get_latest_input_channel() or "")[:32] or None
    return answers


def report_text(report: dict[str, Any], spoken: bool = False) -> str:
    """Level, top finding with its basis, fee, recommendation, id, disclaimer. Spoken (phone): the finding's
    short title and no further advice, so that it takes well under a minute to say."""
    findings = report.get("findings") or []
    top = next((f for f in findings if f["severity"] in ("high", "medium")), None)
    parts = [f"自测结果：风险等级{report['level']}。"]
    if top:
        basis = top["basis"][0]
        described = top["title"] if spoken else top["finding"].rstrip("。")
        parts.append(f"主要问题：{described}（依据《{basis['law']}》{basis['article']}）。")
    else:
        parts.append("没有发现明显风险。")
    parts.append(report["fees"]["summary"])
    recommendation = report["recommendation"]
    parts.append(recommendation["text"] + "。")
    if top and top.get("recommendation") and not spoken:
        parts.append(top["recommendation"])
    # No report id in the text: it is a long unguessable key, which the printable link carries on screens.
    parts.append(report.get("disclaimer", "仅供参考，不构成法律意见。"))
    return "".join(parts)


class ActionRiskSubmit(Action):
    def name(self) -> str:
        return "action_risk_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        reset = [SlotSet(slot, None) for slot in RISK_SLOTS]
        try:
            report = await service_api.post("/api/risk/assessments", _answers(tracker))
        except (service_api.ServiceUnavailable, service_api.ServiceError):
            dispatcher.utter_message(text=SORRY)
            return reset
        buttons = []
        if report["recommendation"].get("offer_mediation_booking"):
            buttons = [{"title": "预约诉前调解", "payload": MEDIATION_BOOKING},
                       {"title": "不用了", "payload": "/deny"}]
        on_phone = tracker.get_latest_input_channel() == "hotline_12368"
        text = report_text(report, spoken=on_phone)
        if not on_phone:
            text += f"完整报告可以打印：{report['url']}"
        if buttons:
            text += "需要帮您预约诉前调解吗？"
        dispatcher.utter_message(text=text, buttons=buttons)
        dispatcher.utter_message(json_message=report.get("card") or {
            "type": "risk_report", "id": report["id"], "level": report["level"], "url": report["url"]})
        return [*reset, SlotSet("risk_report_id", report["id"])]


class ActionRiskStop(Action):
    def name(self) -> str:
        return "action_risk_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        dispatcher.utter_message(text="好的，自测已经停止。还有别的需要吗？")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *[SlotSet(s, None) for s in RISK_SLOTS]]


class ActionRiskRestart(Action):
    """Clear the answers; the form then asks its first question again."""

    def name(self) -> str:
        return "action_risk_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        dispatcher.utter_message(text="好的，我们从头开始。")
        return [SlotSet("requested_slot", None), *[SlotSet(s, None) for s in RISK_SLOTS]]


# ---------- fees ----------

# Which fee the question is about; the words are from the question itself ("申请支付令要交多少钱").
FEE_KINDS = (("支付令", "payment_order"), ("保全", "preservation"), ("申请执行", "enforcement"),
             ("强制执行", "enforcement"), ("执行费", "enforcement"), ("上诉", "appeal"), ("二审", "appeal"))
LAW = "《诉讼费用交纳办法》"


def fee_kind(text: str) -> str:
    return next((kind for word, kind in FEE_KINDS if word in text), "acceptance")


class ValidateFeeForm(KeepsCount, FormValidationAction):
    def name(self) -> str:
        return "validate_fee_form"

    async def extract_fee_amount(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: dict) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") is None:
            # activation: the question itself may carry the amount, the kind of case and the kind of fee
            if _intent(tracker) != "ask_fee_estimate":
                return {}
            text = tracker.latest_message.get("text") or ""
            events: dict[str, Any] = {"fee_kind": fee_kind(text)}
            try:
                case = await parse_answer("dispute_type", text)
                amount = await parse_answer("amount", text)
            except (service_api.ServiceUnavailable, service_api.ServiceError):
                return events
            case_type = case.get("value") if case.get("ok") else None
            if case_type in ("divorce", "labour") and events["fee_kind"] == "acceptance":
                events["fee_case_type"] = case_type
                events["fee_amount"] = amount["value"] if amount.get("ok") else 0
            elif amount.get("ok") and amount.get("value") not in (0, "skip"):
                events["fee_amount"] = amount["value"]
            return events
        if tracker.get_slot("requested_slot") != "fee_amount":
            return {}
        return await understand("fee_amount", "amount", dispatcher, tracker)


class ActionFeeEstimate(Action):
    def name(self) -> str:
        return "action_fee_estimate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        amount = tracker.get_slot("fee_amount")
        case_type = tracker.get_slot("fee_case_type") or "property"
        kind = tracker.get_slot("fee_kind") or "acceptance"
        reset = [SlotSet(slot, None) for slot in ("fee_amount", "fee_case_type", "fee_kind", "risk_failures")]
        if amount in (None, "skip"):
            if case_type == "property" and kind in ("acceptance", "appeal", "payment_order"):
                dispatcher.utter_message(text=f"没有金额就算不出来。财产案件按请求金额分段累计计算，1万元以内每件50元"
                                              f"（{LAW}第十三条）。")
                return reset
            amount = 0
        params = {"case_type": case_type, "amount": amount or None, "kind": kind}
        try:
            full = await service_api.get("/api/fees/estimate", **params)
            half = (await service_api.get("/api/fees/estimate", procedure="simple", **params)
                    if kind == "acceptance" else None)
        except (service_api.ServiceUnavailable, service_api.ServiceError):
            dispatcher.utter_message(text=SORRY)
            return reset
        dispatcher.utter_message(text=fee_text(full, half, amount))
        return reset


def fee_text(full: dict[str, Any], half: dict[str, Any] | None, amount: float) -> str:
    payable = full["payable"]
    basis = f"按{_amount_words(amount)}计算，" if amount else ""
    if half is None:  # an application fee or the appeal fee
        label = payable["label"].split("（")[0]
        text = f"{basis}{label}约{payable['text']}（{LAW}{payable['article']}）。"
        notes = full.get("notes") or []
        return text + (notes[0] if notes else "") + "实际以法院核定为准。"
    halved = half["payable"]
    return (f"{full['case_type_name']}{basis}案件受理费约{payable['text']}（{LAW}{payable['article']}）；"
            f"适用简易程序或调解结案、撤诉的减半，约{halved['text']}（第十六条、第十五条）。"
            "实际以法院核定为准。想知道打官司的风险，可以说“风险自测”。")


def _amount_words(amount: float) -> str:
    return f"{amount / 10000:g}万元" if amount >= 10000 else f"{amount:g}元"
