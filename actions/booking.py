"""Booking in the conversation: the booking form (service, day, slot, mobile, SMS code, name, description,
confirm) and look-up / change / cancel. Thin: dates, slots, rules and bookings all come from the service center
(/api/booking/..., /api/verification/...). What stays here is reading spoken answers: numbers said as words, "是"
for the caller's number.

A phone number is verified before it receives anything: the hotline's caller id (signed by Twilio) and a number
WeChat verified count as verified; any other number gets a one-time SMS code first. The slots then hold only the
masked number and the verification's id, and the name (asked after the number) goes to the service center at once:
the conversation keeps only its family name (张*), and the tracker store masks the rest (tracker_store/masking.py).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import service_api
from actions.identity import caller_phone, user_key, verified_phone
from court_common.booking_services import BOOKING_SERVICES

SERVICES = BOOKING_SERVICES
SERVICE_ORDER = list(SERVICES)
# Most specific first: "跨域立案" before "立案", "司法确认" before "调解".
SERVICE_WORDS = [
    ("cross_region_filing", r"跨域|异地立案|外地立案|跨地区"),
    ("judicial_confirmation", r"司法确认|确认调解协议|确认协议"),
    ("mediation", r"调解"),
    ("filing", r"立案|起诉|立个案|打官司|告他"),
]
SPOKEN_DIGITS = str.maketrans("零〇洞幺一二两三四五六七八九", "00011223456789")
ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
SKIP = re.compile(r"^(跳过|没有|不用|不说|算了吧?|没啥|无|不需要|不想说|下一步|不知道|不清楚|说不好)[了吧啊。.！!]*$")
NEAREST = re.compile(r"最近|最早|尽快|越快越好|越早越好|哪天都行|都可以|随便哪天")
OTHER_DAY = re.compile(r"换一?天|换个时间|换时间|都不行|都不合适|别的时间|其他时间|其它时间|别的日子")
MANAGE_MODES = {"check_booking": "lookup", "change_booking": "change", "cancel_booking": "cancel"}
BOOKING_SLOTS = ["booking_service", "booking_day", "booking_slot", "booking_name", "booking_phone",
                 "booking_phone_verification", "booking_phone_code", "booking_description", "booking_confirm",
                 "booking_part", "booking_offers", "booking_notice",
                 "booking_idempotency_key", "booking_reference", "booking_phone_last4", "booking_manage",
                 "booking_found", "booking_proof", "booking_day_text"]
UNAVAILABLE = "抱歉，预约系统暂时连不上。您可以稍后再试，或者说“转人工”。"
UNAVAILABLE_BUTTONS = [service_api.HANDOFF_BUTTON]
HOTLINE = "hotline_12368"
VERIFIED = "verified"  # booking_phone_code once the number is confirmed
RESEND = re.compile(r"重新发|再发|重发|没收到|没有收到|收不到")
OTHER_NUMBER = re.compile(r"换个?号|换一个号|号码不对|号码错|换手机|别的号|其他号码|其它号码")


def client_headers(tracker: Tracker) -> dict:
    """Per-user limits at the service center count this user (a hash key), not the action server."""
    return {"X-Client-Key": user_key(tracker)}
WECHAT = "wechat"


# ---------- reading spoken answers ----------
def digits_of(text: str) -> str:
    """All digits in an answer, spoken ones included: "幺三八 一二三四" -> "1381234"."""
    return re.sub(r"\D", "", (text or "").translate(SPOKEN_DIGITS))


def mobile_of(text: str) -> str | None:
    digits = digits_of(text)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None


def service_of(text: str) -> str | None:
    for code, pattern in SERVICE_WORDS:
        if re.search(pattern, text or ""):
            return code
    return None


def choice_of(text: str) -> int | None:
    """'2', '第二个', '二', '选第2个' -> 2."""
    text = (text or "").strip()
    match = re.search(r"第?\s*([1-4一二两三四])\s*(个|项|号|种)?", text)
    # nothing but the number and words around a choice: a name such as 张三 is not choice 3
    if match and len(re.sub(r"[第个项号种选择我要吧的就那用好\s。.]", "", text)) <= 1:
        return ORDINALS[match.group(1)]
    return None


def digits_for(tracker: Tracker, digits: str) -> str:
    """On the phone, digits read one by one ('5 6 7 8', not 五千六百七十八); unchanged on screens."""
    return " ".join(digits) if tracker.get_latest_input_channel() == HOTLINE else digits


def spoken_reference(reference: str) -> str:
    """'384712' -> '3 8 4 7 1 2', so that voices read it digit by digit."""
    return " ".join(reference)


def name_of(text: str) -> str | None:
    """'我叫王芳。' -> '王芳'; None when it does not sound like a name."""
    name = re.sub(r"^(嗯|那个|我叫|我是|叫|名字是|名字叫|姓名是?|我的名字是)+", "", text.strip())
    name = re.sub(r"[\s，。,.!！?？]", "", name)
    return name if 1 <= len(name) <= 20 and not re.search(r"\d", name) else None


def masked_name(name: str) -> str:
    """王芳 -> 王*: all the conversation needs to say 预约人姓王."""
    return name[0] + "*" * (len(name) - 1)


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


async def offers_for(dispatcher: CollectingDispatcher, service: str, text: str) -> dict[str, Any]:
    """Parse the day, then fetch the nearest free slots; on a problem say it and ask for the day again.
    "最近" (or key 1 on the phone) asks for the earliest free slots from today."""
    try:
        if NEAREST.search(text):
            day = {"date": None, "part": None}
            answer = {**await service_api.get("/api/booking/slots", service=service), "notice": None}
        else:
            day = await service_api.post("/api/booking/parse-day", {"text": text})
            answer = await service_api.get("/api/booking/slots", service=service, date=day["date"],
                                           part=day["part"])
    except service_api.ServiceError as exc:
        dispatcher.utter_message(text=exc.message)
        return {"booking_day": None}
    except service_api.ServiceUnavailable:
        dispatcher.utter_message(text=UNAVAILABLE, buttons=UNAVAILABLE_BUTTONS)
        return {"booking_day": None}
    if not answer["slots"]:
        dispatcher.utter_message(text=answer["notice"])
        return {"booking_day": None}
    return {"booking_day": day["date"] or answer["slots"][0]["start"][:10], "booking_part": day["part"],
            "booking_offers": answer["slots"],
            "booking_notice": answer["notice"], "booking_day_text": None}


def validate_slot_choice(dispatcher: CollectingDispatcher, tracker: Tracker, value: Any) -> dict[str, Any]:
    offers = tracker.get_slot("booking_offers") or []
    text = str(value or "")
    if OTHER_DAY.search(text):
        return {"booking_slot": None, "booking_day": None, "booking_offers": None, "booking_notice": None}
    number = choice_of(text)
    if number and 1 <= number <= len(offers):
        return {"booking_slot": offers[number - 1]["start"]}
    for offer in offers:  # "八点半那个", "14:30"
        hour_minute = offer["start"][11:16]
        if hour_minute in text or hour_minute.lstrip("0") in text:
            return {"booking_slot": offer["start"]}
    dispatcher.utter_message(text=f"请说1到{len(offers)}之间的序号，都不合适可以说“换一天”。")
    return {"booking_slot": None}


# ---------- the booking form ----------
def confirm_from_words(tracker: Tracker) -> dict[str, Any]:
    """Keypad and bare words at the confirmation question: 1 / 是 / 确认 -> yes, 2 / 不 -> no."""
    if tracker.get_slot("requested_slot") != "booking_confirm" or tracker.get_slot("booking_confirm") is not None:
        return {}
    text = re.sub(r"[\s。.!！，,]", "", (tracker.latest_message or {}).get("text") or "")
    if re.fullmatch(r"1|是|是的|对|对的|确认|确定|好|好的|可以|没问题|行", text):
        return {"booking_confirm": True}
    if re.fullmatch(r"2|不|不是|不对|不用|不用了|不要|不行|否", text):
        return {"booking_confirm": False}
    return {}


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def extract_booking_confirm(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: dict) -> dict[str, Any]:
        return confirm_from_words(tracker)

    async def extract_booking_service(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: dict) -> dict[str, Any]:
        """"我想预约调解" names the service before the form asks; a number answers the question."""
        if tracker.get_slot("booking_service") or tracker.get_slot("requested_slot") not in (None, "booking_service"):
            return {}
        text = (tracker.latest_message or {}).get("text") or ""
        code = service_of(text)
        if code is None and tracker.get_slot("requested_slot") == "booking_service":
            number = choice_of(text)
            code = SERVICE_ORDER[number - 1] if number else None
        return {"booking_service": code} if code else {}

    def validate_booking_service(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: dict) -> dict[str, Any]:
        if value in SERVICES:
            return {"booking_service": value}
        dispatcher.utter_message(text="可以预约：诉前调解、立案、跨域立案、司法确认，请说其中一项。")
        return {"booking_service": None}

    async def validate_booking_day(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict) -> dict[str, Any]:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)) and tracker.get_slot("booking_offers"):
            return {"booking_day": value}
        return await offers_for(dispatcher, tracker.get_slot("booking_service"), str(value))

    def validate_booking_slot(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: dict) -> dict[str, Any]:
        return validate_slot_choice(dispatcher, tracker, value)

    async def validate_booking_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict) -> dict[str, Any]:
        if "*" in str(value) and value == tracker.get_slot("booking_name"):
            return {"booking_name": value}  # already sent (the form re-validates its slots on re-entry)
        name = name_of(str(value or ""))
        if name is None:
            dispatcher.utter_message(text="没听清姓名，请只说预约人的名字，比如“王芳”。")
            return {"booking_name": None}
        verification = tracker.get_slot("booking_phone_verification")
        try:  # the service center keeps the name with the verified number; the conversation only 王*
            await service_api.post(f"/api/verification/phone/{verification}/name", {"name": name},
                                   headers=client_headers(tracker))
        except service_api.ServiceError as exc:
            dispatcher.utter_message(text=exc.message)
            return {"booking_name": None, **(forget_phone() if exc.status == 404 else {})}
        except service_api.ServiceUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE, buttons=UNAVAILABLE_BUTTONS)
            return {"booking_name": None}
        return {"booking_name": masked_name(name)}

    async def validate_booking_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: dict) -> dict[str, Any]:
        if "*" in str(value) and tracker.get_slot("booking_phone_verification"):
            return {"booking_phone": value}  # already registered (the form re-validates its slots on re-entry)
        known = verified_phone(tracker)
        if known and (latest_intent(tracker) == "affirm" or str(value).strip() in ("1", "1#")):
            method = "caller_id" if known == caller_phone(tracker) else "wechat"
            return await start_verification(dispatcher, tracker, known, method)
        phone = mobile_of(str(value))
        if phone:
            return await start_verification(dispatcher, tracker, phone, "sms_code")
        dispatcher.utter_message(text="这个手机号好像不对，请说11位的手机号码。")
        return {"booking_phone": None}

    async def validate_booking_phone_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: dict) -> dict[str, Any]:
        return await check_code(dispatcher, tracker, str(value or ""))

    def validate_booking_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: dict) -> dict[str, Any]:
        text = str(value or "").strip()
        if not text or SKIP.match(text) or latest_intent(tracker) == "deny":
            return {"booking_description": "无"}
        return {"booking_description": text[:100]}

    def validate_booking_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: dict) -> dict[str, Any]:
        if value is True or value == "true":
            return {"booking_confirm": True,
                    "booking_idempotency_key": tracker.get_slot("booking_idempotency_key") or uuid.uuid4().hex}
        return {"booking_confirm": value}


# ---------- phone verification ----------
async def start_verification(dispatcher: CollectingDispatcher, tracker: Tracker, phone: str,
                             method: str) -> dict[str, Any]:
    """Register the number at the service center: verified at once (caller id, WeChat), or an SMS code sent.
    From here on the slots hold the masked number and the verification's id, never the number."""
    try:
        answer = await service_api.post("/api/verification/phone", {"phone": phone, "method": method},
                                        headers=client_headers(tracker))
    except service_api.ServiceError as exc:
        dispatcher.utter_message(text=exc.message)
        return {"booking_phone": None}
    except service_api.ServiceUnavailable:
        dispatcher.utter_message(text=UNAVAILABLE, buttons=UNAVAILABLE_BUTTONS)
        return {"booking_phone": None}
    return {"booking_phone": answer["phone"], "booking_phone_verification": answer["verification_id"],
            "booking_phone_code": VERIFIED if answer["verified"] else None}


def forget_phone() -> dict[str, Any]:
    return {"booking_phone": None, "booking_phone_verification": None, "booking_phone_code": None}


async def check_code(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> dict[str, Any]:
    verification = tracker.get_slot("booking_phone_verification")
    if text == VERIFIED and verification:
        return {"booking_phone_code": VERIFIED}
    if not verification:
        return forget_phone()
    if OTHER_NUMBER.search(text):
        return forget_phone()
    try:
        if RESEND.search(text):
            answer = await service_api.post(f"/api/verification/phone/{verification}/resend", {},
                                            headers=client_headers(tracker))
            last4 = digits_for(tracker, answer["phone"][-4:])
            dispatcher.utter_message(text=f"好的，新的验证码已发到尾号{last4}的手机。")
            return {"booking_phone_code": None}
        code = digits_of(text)
        if len(code) != 6:
            dispatcher.utter_message(text="请说短信里的6位数字验证码；没收到可以说“重新发送”。")
            return {"booking_phone_code": None}
        await service_api.post(f"/api/verification/phone/{verification}/check", {"code": code},
                               headers=client_headers(tracker))
    except service_api.ServiceError as exc:
        dispatcher.utter_message(text=exc.message)
        return forget_phone() if exc.status == 404 else {"booking_phone_code": None}
    except service_api.ServiceUnavailable:
        dispatcher.utter_message(text=UNAVAILABLE, buttons=UNAVAILABLE_BUTTONS)
        return {"booking_phone_code": None}
    dispatcher.utter_message(text="手机号验证好了。")
    return {"booking_phone_code": VERIFIED}


class SimpleAsk(Action):
    """A form question with fixed words (kept here, not in the domain, so that every question of the form is
    in one file next to the code that reads the answer)."""

    slot = ""
    text = ""
    buttons: tuple = ()

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        dispatcher.utter_message(text=self.text, buttons=list(self.buttons))
        return []


class ActionAskBookingService(SimpleAsk):
    slot = "booking_service"
    text = "您想预约哪一项？" + "；".join(f"{number}、{name}" for number, name in zip(
        "一二三四五六七八九", SERVICES.values(), strict=False)) + "。"
    buttons = tuple({"title": name, "payload": f'/book_appointment{{"booking_service":"{code}"}}'}
                    for code, name in SERVICES.items())


class ActionAskBookingDay(SimpleAsk):
    slot = "booking_day"
    text = "您想哪天来？可以说“明天上午”“下周三下午”或者“12月3号”；想约最近能约的时间，请说“最近”。"
    buttons = ({"title": "最近能约的时间", "payload": "最近"},)


class ActionAskBookingName(SimpleAsk):
    slot = "booking_name"
    text = "请问预约人怎么称呼？请说姓名。"


class ActionAskBookingDescription(SimpleAsk):
    slot = "booking_description"
    text = "请用一句话简单说说是什么事，比如“邻里纠纷”。不想说可以说“跳过”。"


class ActionAskBookingReference(SimpleAsk):
    slot = "booking_reference"
    text = "请说一下您的预约号，就是预约成功时告诉您的6位数字。"


class ActionAskBookingPhoneLast4(SimpleAsk):
    slot = "booking_phone_last4"
    text = "请说一下预约时留的手机号的后四位。"


class ActionAskBookingSlot(Action):
    def name(self) -> str:
        return "action_ask_booking_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        offers = tracker.get_slot("booking_offers") or []
        notice = tracker.get_slot("booking_notice")
        choices = "；".join(f"{i}、{offer['label']}" for i, offer in enumerate(offers, 1))
        # a year whose official holiday arrangement is not in yet: the service center says what to tell
        notes = "".join(f"{n}。" for n in dict.fromkeys(o.get("calendar_note") for o in offers) if n)
        text = (f"{notice}。" if notice else "") + f"可以约的时间有：{choices}。{notes}请说序号；都不合适请说“换一天”。"
        buttons = [{"title": offer["label"], "payload": str(i)} for i, offer in enumerate(offers, 1)]
        buttons.append({"title": "换一天", "payload": "换一天"})
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionAskBookingPhone(Action):
    def name(self) -> str:
        return "action_ask_booking_phone"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        caller = caller_phone(tracker)
        known = verified_phone(tracker)
        if caller:
            dispatcher.utter_message(
                text=f"您是用尾号{digits_for(tracker, caller[-4:])}的手机打来的，预约短信发到这个号码吗？"
                "是的话请说“是”或按1，不是的话请说出或按出别的手机号。",
                buttons=[{"title": "是，用这个号码", "payload": "/affirm"}])
        elif known:  # a number WeChat verified for this session
            dispatcher.utter_message(
                text=f"预约短信发到您微信绑定的尾号{known[-4:]}的手机吗？不是的话请输入别的手机号。",
                buttons=[{"title": "是，用这个号码", "payload": "/affirm"}])
        elif tracker.get_latest_input_channel() == WECHAT:
            dispatcher.utter_message(text="请输入您的手机号码，用来接收预约短信；也可以点“使用微信手机号”，不用输入。")
            dispatcher.utter_message(json_message={"type": "phone_request"})  # the mini-program's getPhoneNumber
        else:
            dispatcher.utter_message(text="请说一下您的手机号码，用来接收预约短信。我们会先发一条验证码核实号码。")
        return []


class ActionAskBookingPhoneCode(Action):
    def name(self) -> str:
        return "action_ask_booking_phone_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        last4 = (tracker.get_slot("booking_phone") or "")[-4:]
        dispatcher.utter_message(
            text=f"验证码已发到尾号{digits_for(tracker, last4)}的手机，请说出或输入短信里的6位验证码。"
            "没收到可以说“重新发送”，号码不对可以说“换个号码”。",
            buttons=[{"title": "重新发送", "payload": "重新发送"}, {"title": "换个号码", "payload": "换个号码"}])
        return []


class ActionAskBookingConfirm(Action):
    def name(self) -> str:
        return "action_ask_booking_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        buttons = [{"title": "确认", "payload": "/affirm"}, {"title": "不用了", "payload": "/deny"}]
        if tracker.active_loop_name == "booking_manage_form":
            found = tracker.get_slot("booking_found") or {}
            dispatcher.utter_message(
                text=f"确定要取消{found.get('label', '')}的{found.get('service_name', '')}预约吗？", buttons=buttons)
            return []
        offers = {o["start"]: o["label"] for o in tracker.get_slot("booking_offers") or []}
        start = tracker.get_slot("booking_slot")
        description = tracker.get_slot("booking_description")
        text = (f"请核对：{SERVICES.get(tracker.get_slot('booking_service'), '')}，"
                f"{offers.get(start, start)}，预约人姓{(tracker.get_slot('booking_name') or ' ')[0]}，"
                f"联系方式尾号{digits_for(tracker, (tracker.get_slot('booking_phone') or '')[-4:])}")
        if description and description != "无":
            text += f"，事由：{description}"
        dispatcher.utter_message(text=text + "。确认预约吗？", buttons=buttons)
        return []


def confirmation_message(dispatcher: CollectingDispatcher, tracker: Tracker, appointment: dict,
                         verb: str = "预约成功") -> None:
    """The essentials first (the phone may cut a long answer): reference, time, place, SMS, then what to bring."""
    reference = appointment["reference"]
    # a provisional day's note goes with the time, which the phone never cuts
    provisional = f"（{appointment['calendar_note']}）" if appointment.get("calendar_note") else ""
    text = (f"{verb}！预约号：{spoken_reference(reference)}。时间：{appointment['label']}{provisional}。"
            f"地点：{appointment['place']}。确认短信会发到尾号{digits_for(tracker, appointment['phone'][-4:])}的手机。"
            f"请带：{'、'.join(appointment['bring'])}。")
    if appointment.get("times_notice"):
        text += f"{appointment['times_notice']}。"
    dispatcher.utter_message(text=text)
    dispatcher.utter_message(json_message={
        "type": "booking_confirmation", "reference": reference, "service": appointment["service"],
        "start": appointment["start"], "place": appointment["place"], "bring": appointment["bring"]})


def reset_events(keep: dict[str, Any] | None = None) -> list[EventType]:
    keep = keep or {}
    return [SlotSet(slot, keep.get(slot)) for slot in BOOKING_SLOTS]


class ActionSubmitBooking(Action):
    def name(self) -> str:
        return "action_submit_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        if not tracker.get_slot("booking_confirm"):
            dispatcher.utter_message(text="好的，这次先不预约。需要时可以随时再约。")
            return reset_events()
        body = {
            "service": tracker.get_slot("booking_service"), "start": tracker.get_slot("booking_slot"),
            "phone_verification": tracker.get_slot("booking_phone_verification"),  # with the number and name
            "description": None if tracker.get_slot("booking_description") == "无"
            else tracker.get_slot("booking_description"),
            "user_key": user_key(tracker), "channel": tracker.get_latest_input_channel() or "rest",
            "idempotency_key": tracker.get_slot("booking_idempotency_key"),
            # a self-test earlier in this conversation: counted as "led to a booking" on the staff dashboard
            "risk_report_id": tracker.get_slot("risk_report_id"),
        }
        try:
            appointment = await service_api.post("/api/booking/appointments", body, headers=client_headers(tracker))
        except service_api.ServiceUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE, buttons=UNAVAILABLE_BUTTONS)
            return reset_events()
        except service_api.ServiceError as exc:
            alternatives = (exc.details or {}).get("alternatives") if isinstance(exc.details, dict) else None
            dispatcher.utter_message(text=exc.message)
            if exc.status == 409 and alternatives:
                # Someone took the last place meanwhile: offer the alternatives and ask again.
                return [SlotSet("booking_offers", alternatives), SlotSet("booking_notice", "刚才那个时段已约满"),
                        SlotSet("booking_slot", None), SlotSet("booking_confirm", None),
                        SlotSet("booking_idempotency_key", None), FollowupAction("booking_form")]
            return reset_events()
        confirmation_message(dispatcher, tracker, appointment)
        return reset_events()


class ActionBookingReset(Action):
    """Stop or restart inside a booking form: leave it and forget what was collected."""

    def name(self) -> str:
        return "action_booking_reset"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        if latest_intent(tracker) == "restart_flow":
            dispatcher.utter_message(response="utter_menu")
        else:
            dispatcher.utter_message(text="好的，预约先不办了。还有别的需要吗？")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_events()]


# ---------- look up, change, cancel ----------
class ActionBookingManageStart(Action):
    """Before the manage form: which operation, and is the booking already known (same user_key, or a
    reference said in the same sentence)?"""

    def name(self) -> str:
        return "action_booking_manage_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        mode = MANAGE_MODES.get(latest_intent(tracker), "lookup")
        text = (tracker.latest_message or {}).get("text") or ""
        events = [*reset_events(), SlotSet("booking_manage", mode)]
        if mode == "change" and re.search(r"[今明后天周星期礼拜号日月]", text):
            events.append(SlotSet("booking_day_text", text))
        reference = re.search(r"(?<!\d)\d{6}(?!\d)", digits_of(text) if len(digits_of(text)) == 6 else text)
        query = {"user_key": user_key(tracker)}
        if reference:  # "取消预约 384712": theirs if the same user booked it, else the form asks the last four digits
            events.append(SlotSet("booking_reference", reference.group(0)))
            query["reference"] = reference.group(0)
        try:
            mine = (await service_api.post("/api/booking/lookup", query, headers=client_headers(tracker)))[
                "appointments"]
        except (service_api.ServiceError, service_api.ServiceUnavailable):
            mine = []
        if mine:
            found = mine[0]
            events += [SlotSet("booking_reference", found["reference"]),
                       SlotSet("booking_proof", {"user_key": user_key(tracker)}), SlotSet("booking_found", found)]
            if mode == "change" and any(e["name"] == "booking_day_text" for e in events if "name" in e):
                offers = await offers_for(dispatcher, found["service"], text)
                events += [SlotSet(name, value) for name, value in offers.items()]
        return events


class ValidateBookingManageForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_manage_form"

    async def extract_booking_confirm(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: dict) -> dict[str, Any]:
        return confirm_from_words(tracker)

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: dict) -> list[str]:
        found = tracker.get_slot("booking_found")
        if not found:
            return ["booking_reference", "booking_phone_last4"]
        mode = tracker.get_slot("booking_manage")
        if found.get("status") != "booked" or mode == "lookup":
            return []
        if mode == "change":
            return ["booking_day", "booking_slot"]
        return ["booking_confirm"]

    def validate_booking_reference(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict) -> dict[str, Any]:
        digits = digits_of(str(value))
        if len(digits) == 6:
            return {"booking_reference": digits}
        dispatcher.utter_message(text="预约号是6位数字，请再说一遍。")
        return {"booking_reference": None}

    async def validate_booking_phone_last4(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                           domain: dict) -> dict[str, Any]:
        digits = digits_of(str(value))
        if len(digits) != 4:
            dispatcher.utter_message(text="请说手机号的最后四位数字。")
            return {"booking_phone_last4": None}
        proof = {"phone_last4": digits}
        try:
            found = await service_api.post("/api/booking/lookup",
                                           {"reference": tracker.get_slot("booking_reference"), **proof},
                                           headers=client_headers(tracker))
        except service_api.ServiceError as exc:
            dispatcher.utter_message(text=exc.message)
            return {"booking_phone_last4": None, "booking_reference": None}
        except service_api.ServiceUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE, buttons=UNAVAILABLE_BUTTONS)
            return {"booking_phone_last4": None}
        appointment = found["appointments"][0]
        result = {"booking_phone_last4": digits, "booking_proof": proof, "booking_found": appointment}
        if tracker.get_slot("booking_manage") == "change" and tracker.get_slot("booking_day_text") \
                and appointment["status"] == "booked":
            result.update(await offers_for(dispatcher, appointment["service"], tracker.get_slot("booking_day_text")))
        return result

    async def validate_booking_day(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict) -> dict[str, Any]:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)) and tracker.get_slot("booking_offers"):
            return {"booking_day": value}
        found = tracker.get_slot("booking_found") or {}
        return await offers_for(dispatcher, found.get("service", "mediation"), str(value))

    def validate_booking_slot(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: dict) -> dict[str, Any]:
        return validate_slot_choice(dispatcher, tracker, value)


STATUS_TEXT = {"booked": "已预约", "cancelled": "已取消", "checked_in": "已签到", "no_show": "未到场"}


class ActionBookingManage(Action):
    """After the manage form: say the booking, move it, or cancel it."""

    def name(self) -> str:
        return "action_booking_manage"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        found = tracker.get_slot("booking_found")
        mode = tracker.get_slot("booking_manage")
        proof = tracker.get_slot("booking_proof") or {}
        if not found:
            return reset_events()
        reference = found["reference"]
        status = STATUS_TEXT.get(found["status"], found["status"])
        try:
            if mode == "lookup" and proof.get("user_key"):
                mine = (await service_api.post("/api/booking/lookup", {"user_key": proof["user_key"]},
                                               headers=client_headers(tracker)))
                mine = mine["appointments"] or [found]
                if len(mine) > 1:
                    listed = "；".join(
                        f"{i}、{a['service_name']}，{a['label']}，预约号{spoken_reference(a['reference'])}"
                        + ("（当天不办公，请改约）" if a.get("holiday_conflict") else "")
                        for i, a in enumerate(mine, 1))
                    dispatcher.utter_message(text=f"您有{len(mine)}个预约：{listed}。")
                    return reset_events()
            if mode == "lookup" or found["status"] != "booked":
                text = (f"预约号{spoken_reference(reference)}：{found['service_name']}，{found['label']}，"
                        f"状态：{status}。")
                if found["status"] == "booked":
                    text += f"地点：{found['place']}。"
                    if found.get("holiday_conflict"):  # an arrangement entered later closed that day
                        text += f"请注意：{found['holiday_conflict']}，请改约其他时间，可以说“改约”。"
                elif mode != "lookup":
                    text += "这个预约不能再改期或取消了。"
                dispatcher.utter_message(text=text)
            elif mode == "change":
                moved = await service_api.post(f"/api/booking/appointments/{reference}/change",
                                               {**proof, "start": tracker.get_slot("booking_slot")},
                                               headers=client_headers(tracker))
                confirmation_message(dispatcher, tracker, moved, verb="改约成功")
            elif tracker.get_slot("booking_confirm"):
                await service_api.post(f"/api/booking/appointments/{reference}/cancel", proof,
                                       headers=client_headers(tracker))
                dispatcher.utter_message(text=f"已取消{found['label']}的{found['service_name']}预约。需要时可以重新预约。")
            else:
                dispatcher.utter_message(text="好的，预约保留不变。")
        except service_api.ServiceError as exc:
            dispatcher.utter_message(text=exc.message)
        except service_api.ServiceUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE, buttons=UNAVAILABLE_BUTTONS)
        return reset_events()
