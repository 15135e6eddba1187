"""Booking actions over tracker JSON, with the service center replaced by a recording fake."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import booking, service_api
from court_common.trust import sign_identity

SECRET = "test-internal-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def internal_secret(monkeypatch):
    monkeypatch.setenv("INTERNAL_SECRET", SECRET)

OFFERS = [{"start": "2026-12-02T08:30:00+08:00", "label": "12月2日（周三）08:30", "free": 2, "exact": True},
          {"start": "2026-12-02T09:30:00+08:00", "label": "12月2日（周三）09:30", "free": 1, "exact": True}]
APPOINTMENT = {"reference": "384712", "service": "mediation", "service_name": "诉前调解",
               "start": OFFERS[0]["start"], "label": OFFERS[0]["label"], "status": "booked",
               "place": "前郭县人民法院诉讼服务中心诉前调解室（请以法院公告为准）", "bring": ["本人身份证件原件"],
               "phone": "138****5678", "times_notice": "预约时间安排请以法院公告为准"}


class FakeService:
    def __init__(self, answers: dict):
        self.answers, self.calls = answers, []

    async def __call__(self, path, *args, **kwargs):
        body = args[0] if args else kwargs
        self.calls.append((path, body))
        answer = self.answers[path]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def fake(monkeypatch):
    def install(answers: dict) -> FakeService:
        service = FakeService(answers)
        monkeypatch.setattr(service_api, "get", service)
        monkeypatch.setattr(service_api, "post", service)
        return service
    return install


def tracker(slots: dict | None = None, text: str = "", intent: str = "inform", channel: str = "rest",
            metadata: dict | None = None, active_loop: str | None = "booking_form") -> Tracker:
    message = {"text": text, "intent": {"name": intent}, "metadata": metadata or {}}
    return Tracker(sender_id="conv-1", slots=slots or {}, latest_message=message,
                   events=[{"event": "user", "text": text, "input_channel": channel, "metadata": metadata or {},
                            "parse_data": message}],
                   paused=False, followup_action=None, active_loop={"name": active_loop} if active_loop else {},
                   latest_action_name="action_listen")


def run(coroutine_or_value):
    return asyncio.run(coroutine_or_value) if asyncio.iscoroutine(coroutine_or_value) else coroutine_or_value


@pytest.mark.parametrize(("text", "expected"), [
    ("我想预约调解", "mediation"), ("下周能去立案吗", "filing"), ("帮我约个司法确认", "judicial_confirmation"),
    ("想办个跨域立案", "cross_region_filing"), ("你好", None)])
def test_service_from_words(text, expected):
    assert booking.service_of(text) == expected


@pytest.mark.parametrize(("text", "number"), [
    ("1", 1), ("第二个", 2), ("三", 3), ("选第2个", 2), ("就第三个吧", 3), ("2号", 2),
    ("明天下午", None), ("张三", None), ("李四", None)])
def test_choice_numbers(text, number):
    assert booking.choice_of(text) == number


def test_spoken_mobile_numbers():
    assert booking.mobile_of("幺三八 一二三四 五六七八") == "13812345678"
    assert booking.mobile_of("+86 138-1234-5678") == "13812345678"
    assert booking.mobile_of("12345") is None


def test_the_service_said_with_the_request_is_taken():
    form = booking.ValidateBookingForm()
    extracted = run(form.extract_booking_service(CollectingDispatcher(), tracker(text="我想预约调解"), {}))
    assert extracted == {"booking_service": "mediation"}


def test_a_day_becomes_offers(fake):
    service = fake({"/api/booking/parse-day": {"date": "2026-12-02", "part": "morning"},
                    "/api/booking/slots": {"slots": OFFERS, "notice": None}})
    dispatcher = CollectingDispatcher()
    result = run(booking.ValidateBookingForm().validate_booking_day(
        "明天上午", dispatcher, tracker({"booking_service": "mediation"}), {}))
    assert result["booking_day"] == "2026-12-02" and result["booking_offers"] == OFFERS
    assert service.calls[1] == ("/api/booking/slots", {"service": "mediation", "date": "2026-12-02",
                                                       "part": "morning"})


def test_a_bad_day_is_explained_and_asked_again(fake):
    fake({"/api/booking/parse-day": service_api.ServiceError(422, "11月30日（周一）已经过去了，请选择今天以后的日期")})
    dispatcher = CollectingDispatcher()
    result = run(booking.ValidateBookingForm().validate_booking_day("昨天", dispatcher,
                                                                    tracker({"booking_service": "filing"}), {}))
    assert result == {"booking_day": None}
    assert "已经过去" in dispatcher.messages[0]["text"]


def test_offers_are_numbered_with_buttons():
    dispatcher = CollectingDispatcher()
    run(booking.ActionAskBookingSlot().run(dispatcher, tracker({"booking_offers": OFFERS}), {}))
    message = dispatcher.messages[0]
    assert "1、12月2日（周三）08:30" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["1", "2", "换一天"]


PROVISIONAL = "2027年的节假日安排尚未公布，这个时间是按法定节假日推算的，节假日安排以国务院公告和法院通知为准"


def test_provisional_offers_and_confirmations_say_the_holiday_note_once(fake):
    offers = [{**o, "start": "2027-01-05" + o["start"][10:], "provisional": True, "calendar_note": PROVISIONAL}
              for o in OFFERS]
    dispatcher = CollectingDispatcher()
    run(booking.ActionAskBookingSlot().run(dispatcher, tracker({"booking_offers": offers}), {}))
    assert dispatcher.messages[0]["text"].count("以国务院公告和法院通知为准") == 1
    plain = CollectingDispatcher()
    run(booking.ActionAskBookingSlot().run(plain, tracker({"booking_offers": OFFERS}), {}))
    assert "国务院" not in plain.messages[0]["text"]

    fake({"/api/booking/appointments": {**APPOINTMENT, "provisional": True, "calendar_note": PROVISIONAL}})
    slots = {"booking_service": "mediation", "booking_slot": offers[0]["start"], "booking_name": "王芳",
             "booking_phone": "13812345678", "booking_description": "无", "booking_confirm": True}
    done = CollectingDispatcher()
    run(booking.ActionSubmitBooking().run(done, tracker(slots, active_loop=None), {}))
    assert "预约成功" in done.messages[0]["text"] and PROVISIONAL in done.messages[0]["text"]
    # on the 12368 hotline a long answer is cut to its first sentences: the note rides with the time, never cut
    from connectors.voice_text import compose

    spoken = compose(done.messages).text
    assert "以国务院公告和法院通知为准" in spoken and "上午八点半" in spoken


def test_choosing_by_number_keypad_or_another_day():
    form = booking.ValidateBookingForm()
    slots = {"booking_offers": OFFERS}
    assert run(form.validate_booking_slot("2", CollectingDispatcher(), tracker(slots), {})) == {
        "booking_slot": OFFERS[1]["start"]}
    assert run(form.validate_booking_slot("换一天", CollectingDispatcher(), tracker(slots), {}))["booking_day"] is None
    dispatcher = CollectingDispatcher()
    assert run(form.validate_booking_slot("7", dispatcher, tracker(slots), {})) == {"booking_slot": None}
    assert "1到2" in dispatcher.messages[0]["text"]


VERIFIED_CALLER = {"verification_id": "v-caller", "phone": "138****5678", "verified": True}
CODE_SENT = {"verification_id": "v-sms", "phone": "139****0000", "verified": False}


def test_on_the_phone_the_caller_number_is_offered_and_confirmed_without_a_code(fake):
    service = fake({"/api/verification/phone": VERIFIED_CALLER})
    metadata = sign_identity({"channel": "hotline_12368", "caller_phone": "+8613812345678", "user_key": "tel-1"})
    dispatcher = CollectingDispatcher()
    run(booking.ActionAskBookingPhone().run(dispatcher, tracker(metadata=metadata, channel="hotline_12368"), {}))
    assert "尾号5 6 7 8" in dispatcher.messages[0]["text"]  # digit by digit on the phone
    result = run(booking.ValidateBookingForm().validate_booking_phone(
        "是的", CollectingDispatcher(), tracker(text="是的", intent="affirm", metadata=metadata), {}))
    # the slots keep the masked number and the verification id; the caller id needs no SMS code
    assert result == {"booking_phone": "138****5678", "booking_phone_verification": "v-caller",
                      "booking_phone_code": "verified"}
    assert service.calls[0] == ("/api/verification/phone", {"phone": "13812345678", "method": "caller_id"})
    keypad = run(booking.ValidateBookingForm().validate_booking_phone(
        "1", CollectingDispatcher(), tracker(text="1", metadata=metadata), {}))
    assert keypad["booking_phone_code"] == "verified"


def test_a_forged_caller_phone_is_not_trusted(fake):
    """issue 12, row 1: unsigned metadata (a REST client's) is nobody's identity."""
    service = fake({"/api/verification/phone": CODE_SENT})
    forged = {"channel": "hotline_12368", "caller_phone": "+8613812345678", "user_key": "tel-1"}
    dispatcher = CollectingDispatcher()
    run(booking.ActionAskBookingPhone().run(dispatcher, tracker(metadata=forged), {}))
    assert "尾号" not in dispatcher.messages[0]["text"]
    assert booking.user_key(tracker(metadata=forged)).startswith("conv-")
    result = run(booking.ValidateBookingForm().validate_booking_phone(
        "1", CollectingDispatcher(), tracker(text="1", metadata=forged), {}))
    assert result == {"booking_phone": None} and service.calls == []
    badly_signed = {**sign_identity(forged), "caller_phone": "+8613900000000"}
    assert booking.caller_phone(tracker(metadata=badly_signed)) is None


def test_a_typed_number_gets_a_code_first(fake):
    service = fake({"/api/verification/phone": CODE_SENT,
                    "/api/verification/phone/v-sms/check": {**CODE_SENT, "verified": True},
                    "/api/verification/phone/v-sms/resend": CODE_SENT})
    form = booking.ValidateBookingForm()
    result = run(form.validate_booking_phone("13900000000", CollectingDispatcher(), tracker(), {}))
    assert result == {"booking_phone": "139****0000", "booking_phone_verification": "v-sms",
                      "booking_phone_code": None}
    assert service.calls[-1] == ("/api/verification/phone", {"phone": "13900000000", "method": "sms_code"})
    slots = {"booking_phone": "139****0000", "booking_phone_verification": "v-sms"}
    asked = CollectingDispatcher()
    run(booking.ActionAskBookingPhoneCode().run(asked, tracker(slots), {}))
    assert "尾号0000" in asked.messages[0]["text"] and "重新发送" in asked.messages[0]["text"]
    again = CollectingDispatcher()
    assert run(form.validate_booking_phone_code("没收到 重新发送", again, tracker(slots), {})) == {
        "booking_phone_code": None}
    assert "新的验证码" in again.messages[0]["text"]
    assert run(form.validate_booking_phone_code("12345", CollectingDispatcher(), tracker(slots), {})) == {
        "booking_phone_code": None}
    assert run(form.validate_booking_phone_code("一二三四五六", CollectingDispatcher(), tracker(slots), {})) == {
        "booking_phone_code": "verified"}
    assert service.calls[-1] == ("/api/verification/phone/v-sms/check", {"code": "123456"})
    assert run(form.validate_booking_phone_code("换个号码", CollectingDispatcher(), tracker(slots), {})) == {
        "booking_phone": None, "booking_phone_verification": None, "booking_phone_code": None}


def test_a_wrong_code_is_explained(fake):
    wrong = service_api.ServiceError(422, "验证码不对，请核对短信后再说一遍（还可以试4次）")
    fake({"/api/verification/phone/v-sms/check": wrong})
    dispatcher = CollectingDispatcher()
    slots = {"booking_phone": "139****0000", "booking_phone_verification": "v-sms"}
    result = run(booking.ValidateBookingForm().validate_booking_phone_code("000000", dispatcher, tracker(slots), {}))
    assert result == {"booking_phone_code": None} and "还可以试4次" in dispatcher.messages[0]["text"]


def test_in_the_mini_program_the_wechat_verified_phone_is_offered_or_requested(fake):
    service = fake({"/api/verification/phone": {"verification_id": "v-wx", "phone": "139****5678", "verified": True}})
    verified = sign_identity({"channel": "wechat", "user_key": "wx_1", "verified_phone": "13912345678"})
    dispatcher = CollectingDispatcher()
    run(booking.ActionAskBookingPhone().run(dispatcher, tracker(metadata=verified, channel="wechat"), {}))
    assert "尾号5678" in dispatcher.messages[0]["text"]
    result = run(booking.ValidateBookingForm().validate_booking_phone(
        "/affirm", CollectingDispatcher(), tracker(text="/affirm", intent="affirm", metadata=verified,
                                                   channel="wechat"), {}))
    assert result == {"booking_phone": "139****5678", "booking_phone_verification": "v-wx",
                      "booking_phone_code": "verified"}
    assert service.calls[-1] == ("/api/verification/phone", {"phone": "13912345678", "method": "wechat"})

    # not verified yet: the question and the mini-program's getPhoneNumber button
    dispatcher = CollectingDispatcher()
    plain = sign_identity({"channel": "wechat", "user_key": "wx_1"})
    run(booking.ActionAskBookingPhone().run(dispatcher, tracker(metadata=plain, channel="wechat"), {}))
    assert "使用微信手机号" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[1]["custom"] == {"type": "phone_request"}
    # an unsigned verified_phone (a REST or socket.io client's claim) is not trusted
    calls = len(service.calls)
    for channel, claimed in (("rest", "rest"), ("rest", "wechat"), ("socketio", "wechat")):
        forged = {"channel": claimed, "verified_phone": "13912345678"}
        result = run(booking.ValidateBookingForm().validate_booking_phone(
            "/affirm", CollectingDispatcher(), tracker(text="/affirm", intent="affirm", metadata=forged,
                                                       channel=channel), {}))
        assert result == {"booking_phone": None}
    assert len(service.calls) == calls


def test_bad_phone_and_name_are_asked_again(fake):
    service = fake({"/api/verification/phone/v-1/name": VERIFIED_CALLER})
    form = booking.ValidateBookingForm()
    dispatcher = CollectingDispatcher()
    assert run(form.validate_booking_phone("12345", dispatcher, tracker(), {})) == {"booking_phone": None}
    assert "11位" in dispatcher.messages[0]["text"]
    # the name goes to the service center with the verified number; the conversation keeps only 王*
    named = run(form.validate_booking_name("我叫王芳", CollectingDispatcher(),
                                           tracker({"booking_phone_verification": "v-1"}), {}))
    assert named == {"booking_name": "王*"}
    assert service.calls == [("/api/verification/phone/v-1/name", {"name": "王芳"})]
    unclear = CollectingDispatcher()
    assert run(form.validate_booking_name("123", unclear, tracker(), {})) == {"booking_name": None}
    assert run(form.validate_booking_description("跳过", CollectingDispatcher(), tracker(), {})) == {
        "booking_description": "无"}
    # issue 17: "不知道" skips a question that allows it, as "跳过" does
    assert run(form.validate_booking_description("不知道啊", CollectingDispatcher(), tracker(), {})) == {
        "booking_description": "无"}


def test_read_back_masks_the_phone():
    slots = {"booking_service": "mediation", "booking_slot": OFFERS[0]["start"], "booking_offers": OFFERS,
             "booking_name": "王*", "booking_phone": "138****5678", "booking_description": "邻里纠纷"}
    dispatcher = CollectingDispatcher()
    run(booking.ActionAskBookingConfirm().run(dispatcher, tracker(slots), {}))
    text = dispatcher.messages[0]["text"]
    assert "诉前调解" in text and "尾号5678" in text and "预约人姓王" in text and "邻里纠纷" in text


def test_submit_books_with_an_idempotency_key_and_sends_a_card(fake):
    service = fake({"/api/booking/appointments": APPOINTMENT})
    slots = {"booking_service": "mediation", "booking_slot": OFFERS[0]["start"], "booking_name": "王芳",
             "booking_phone": "138****5678", "booking_phone_verification": "v-1", "booking_description": "无",
             "booking_confirm": True, "booking_idempotency_key": "key-1", "risk_report_id": "r-1"}
    dispatcher = CollectingDispatcher()
    events = run(booking.ActionSubmitBooking().run(dispatcher, tracker(slots, active_loop=None), {}))
    body = service.calls[0][1]
    assert body["idempotency_key"] == "key-1" and body["description"] is None
    assert body["risk_report_id"] == "r-1"  # the self-test before it, for the dashboard's conversion figure
    assert body["phone_verification"] == "v-1" and "phone" not in body  # the service center holds the number
    assert body["user_key"].startswith("conv-")
    assert "3 8 4 7 1 2" in dispatcher.messages[0]["text"] and "请以法院公告为准" in dispatcher.messages[0]["text"]
    card = dispatcher.messages[1]["custom"]
    assert card["type"] == "booking_confirmation" and card["reference"] == "384712" and card["bring"]
    assert all(e["value"] is None for e in events)


def test_a_full_slot_offers_the_alternatives_again(fake):
    fake({"/api/booking/appointments": service_api.ServiceError(409, "这个时段已约满，可以改约：…",
                                                               {"alternatives": OFFERS[1:]})})
    slots = {"booking_service": "mediation", "booking_slot": OFFERS[0]["start"], "booking_confirm": True,
             "booking_phone": "13812345678", "booking_name": "王芳"}
    dispatcher = CollectingDispatcher()
    events = run(booking.ActionSubmitBooking().run(dispatcher, tracker(slots, active_loop=None), {}))
    assert "已约满" in dispatcher.messages[0]["text"]
    assert {"event": "followup", "name": "booking_form"} in [{k: e.get(k) for k in ("event", "name")}
                                                             for e in events]


def test_service_down_is_an_apology_with_handoff(fake):
    fake({"/api/booking/appointments": service_api.ServiceUnavailable("down")})
    dispatcher = CollectingDispatcher()
    run(booking.ActionSubmitBooking().run(dispatcher, tracker({"booking_confirm": True}, active_loop=None), {}))
    assert "转人工" in dispatcher.messages[0]["text"]


def test_manage_start_finds_the_same_users_booking_and_offers_the_new_day(fake):
    service = fake({"/api/booking/lookup": {"appointments": [APPOINTMENT]},
                    "/api/booking/parse-day": {"date": "2026-12-03", "part": None},
                    "/api/booking/slots": {"slots": OFFERS, "notice": None}})
    events = run(booking.ActionBookingManageStart().run(
        CollectingDispatcher(), tracker(text="改到后天", intent="change_booking", active_loop=None), {}))
    slots = {}
    for event in events:
        slots[event["name"]] = event["value"]
    assert slots["booking_manage"] == "change" and slots["booking_offers"] == OFFERS
    assert slots["booking_found"] == APPOINTMENT and slots["booking_reference"] == "384712"
    assert service.calls[0] == ("/api/booking/lookup", {"user_key": booking.user_key(tracker())})


def test_manage_form_asks_reference_then_the_rest():
    form = booking.ValidateBookingManageForm()
    assert run(form.required_slots([], CollectingDispatcher(), tracker(active_loop="booking_manage_form"), {})) == [
        "booking_reference", "booking_phone_last4"]
    found = tracker({"booking_found": APPOINTMENT, "booking_manage": "cancel"}, active_loop="booking_manage_form")
    assert run(form.required_slots([], CollectingDispatcher(), found, {})) == ["booking_confirm"]


def test_wrong_last_four_is_explained(fake):
    fake({"/api/booking/lookup": service_api.ServiceError(404, "没有找到这个预约，请核对预约号和手机号后四位")})
    dispatcher = CollectingDispatcher()
    result = run(booking.ValidateBookingManageForm().validate_booking_phone_last4(
        "1234", dispatcher, tracker({"booking_reference": "384712"}, active_loop="booking_manage_form"), {}))
    assert result == {"booking_phone_last4": None, "booking_reference": None}
    assert "核对" in dispatcher.messages[0]["text"]


def test_cancel_after_confirmation(fake):
    service = fake({"/api/booking/appointments/384712/cancel": {**APPOINTMENT, "status": "cancelled"}})
    slots = {"booking_found": APPOINTMENT, "booking_manage": "cancel", "booking_confirm": True,
             "booking_proof": {"phone_last4": "5678"}}
    dispatcher = CollectingDispatcher()
    run(booking.ActionBookingManage().run(dispatcher, tracker(slots, active_loop=None), {}))
    assert service.calls == [("/api/booking/appointments/384712/cancel", {"phone_last4": "5678"})]
    assert "已取消" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(("text", "value"), [("1", True), ("确认", True), ("2", False), ("不用了", False),
                                             ("明天下午", None)])
def test_keypad_and_bare_words_confirm(text, value):
    found = run(booking.ValidateBookingForm().extract_booking_confirm(
        CollectingDispatcher(), tracker({"requested_slot": "booking_confirm"}, text=text), {}))
    assert found == ({} if value is None else {"booking_confirm": value})


def test_nearest_asks_for_the_earliest_free_slots(fake):
    service = fake({"/api/booking/slots": {"slots": OFFERS, "notice": "12月1日（周日）是周末，法院不办公"}})
    result = run(booking.ValidateBookingForm().validate_booking_day(
        "最近", CollectingDispatcher(), tracker({"booking_service": "filing"}), {}))
    assert service.calls == [("/api/booking/slots", {"service": "filing"})]
    assert result["booking_day"] == "2026-12-02" and result["booking_offers"] == OFFERS
    assert result["booking_notice"] is None


def test_change_by_reference_offers_the_day_said_at_the_start(fake):
    fake({"/api/booking/lookup": {"appointments": [APPOINTMENT]},
          "/api/booking/parse-day": {"date": "2026-12-03", "part": None},
          "/api/booking/slots": {"slots": OFFERS, "notice": None}})
    slots = {"booking_reference": "384712", "booking_manage": "change", "booking_day_text": "改到后天"}
    result = run(booking.ValidateBookingManageForm().validate_booking_phone_last4(
        "5678", CollectingDispatcher(), tracker(slots, active_loop="booking_manage_form"), {}))
    assert result["booking_found"] == APPOINTMENT and result["booking_proof"] == {"phone_last4": "5678"}
    assert result["booking_offers"] == OFFERS and result["booking_day"] == "2026-12-03"


def test_lookup_by_user_key_lists_every_booking(fake):
    second = {**APPOINTMENT, "reference": "500600", "service_name": "立案", "label": "12月3日（周四）14:00"}
    fake({"/api/booking/lookup": {"appointments": [APPOINTMENT, second]}})
    slots = {"booking_found": APPOINTMENT, "booking_manage": "lookup", "booking_proof": {"user_key": "u1"}}
    dispatcher = CollectingDispatcher()
    run(booking.ActionBookingManage().run(dispatcher, tracker(slots, active_loop=None), {}))
    text = dispatcher.messages[0]["text"]
    assert text.startswith("您有2个预约") and "3 8 4 7 1 2" in text and "5 0 0 6 0 0" in text


def test_a_reference_said_with_the_request_is_used(fake):
    service = fake({"/api/booking/lookup": service_api.ServiceError(404, "没有找到这个预约")})
    events = run(booking.ActionBookingManageStart().run(
        CollectingDispatcher(), tracker(text="取消预约384712", intent="cancel_booking", active_loop=None), {}))
    slots = {e["name"]: e["value"] for e in events}
    assert slots["booking_reference"] == "384712" and slots["booking_found"] is None
    assert service.calls[0][1]["reference"] == "384712"


def test_a_booking_put_on_a_holiday_says_so_on_look_up(fake):
    conflict = "1月4日（周一）是法定节假日（元旦），法院不办公"
    found = {**APPOINTMENT, "holiday_conflict": conflict}
    fake({"/api/booking/lookup": {"appointments": [found]}})
    slots = {"booking_found": found, "booking_manage": "lookup", "booking_proof": {"phone_last4": "5678"}}
    dispatcher = CollectingDispatcher()
    run(booking.ActionBookingManage().run(dispatcher, tracker(slots, active_loop=None), {}))
    assert conflict in dispatcher.messages[0]["text"] and "改约" in dispatcher.messages[0]["text"]

    second = {**APPOINTMENT, "reference": "500600"}
    fake({"/api/booking/lookup": {"appointments": [found, second]}})
    listed = CollectingDispatcher()
    slots = {**slots, "booking_proof": {"user_key": "u1"}}
    run(booking.ActionBookingManage().run(listed, tracker(slots, active_loop=None), {}))
    assert listed.messages[0]["text"].count("当天不办公，请改约") == 1


def test_re_entering_the_form_keeps_the_registered_number_and_name(fake):
    """After 已约满 the form starts again and re-validates its slots: masked values stay, nothing is re-sent."""
    service = fake({})
    slots = {"booking_phone": "137****2222", "booking_phone_verification": "v-1", "booking_name": "赵*"}
    form = booking.ValidateBookingForm()
    assert run(form.validate_booking_phone("137****2222", CollectingDispatcher(), tracker(slots), {})) == {
        "booking_phone": "137****2222"}
    assert run(form.validate_booking_name("赵*", CollectingDispatcher(), tracker(slots), {})) == {
        "booking_name": "赵*"}
    assert service.calls == []
