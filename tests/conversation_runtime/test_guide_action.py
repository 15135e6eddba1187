"""The guide actions against a real local HTTP server that speaks the [kb] contract (no mocks of the client)."""

import asyncio
import json
import socket

import pytest
from aiohttp import web
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import guide, service_api
from actions.guide import (
    ActionAnswerFromGuide,
    ActionGuideFeedback,
    ActionOutOfScope,
    ActionSendGuideSms,
    chinese_number,
    format_basis,
    is_generic_request,
)
from court_common.trust import sign_identity

ENTRIES = {
    "fee-how-computed": {
        "id": "fee-how-computed", "title": "诉讼费怎么算", "category": "fee",
        "short_answer": "财产案件按请求金额分段累计计算，不超过1万元的每件交50元。",
        "details": "计算方法：分段累计。\n交费：接到交费通知次日起7日内预交。" + "细节。" * 200,
        "basis": [{"law": "诉讼费用交纳办法", "article": "第十三条"}],
        "url": "http://court.example/guide/fee-how-computed",
    },
    "filing-materials": {
        "id": "filing-materials", "title": "立案要带哪些材料", "category": "filing",
        "short_answer": "带起诉状、身份证明和证据材料。",
        "details": ["起诉状正本一份，按被告人数提交副本", "身份证明"],
        "basis": [{"law": "民事诉讼法", "article": 122}, {"law": "民事诉讼法", "article": 124}],
        "url": "http://court.example/guide/filing-materials",
    },
    "preservation-before-suit": {
        "id": "preservation-before-suit", "title": "诉前财产保全", "short_answer": "情况紧急可在起诉前申请保全。",
        "details": "", "basis": [], "url": "http://court.example/guide/preservation-before-suit",
    },
}
ARTICLES = {("民事诉讼法", "122"): "起诉必须符合下列条件：（一）原告是与本案有直接利害关系的公民、法人和其他组织；"}


class FakeKb:
    """A small aiohttp server on a free port; it records what the actions sent."""

    def __init__(self, sms_status: int = 200):
        self.searches: list[dict] = []
        self.posts: dict[str, list] = {"feedback": [], "unanswered": [], "sms": []}
        self.sms_status = sms_status
        self.runner: web.AppRunner | None = None

    def result(self, entry_id: str, score: float) -> dict:
        e = ENTRIES[entry_id]
        return {"id": entry_id, "title": e["title"], "category": e.get("category", ""), "score": score,
                "short_answer": e["short_answer"]}

    async def search(self, request: web.Request) -> web.Response:
        q, context = request.query["q"], request.query.get("context")
        self.searches.append({"q": q, "context": context, "k": request.query.get("k")})
        if "保全" in q and "诉前" not in q:
            body = {"decision": "clarify", "results": [self.result("preservation-before-suit", .8),
                                                       self.result("fee-how-computed", .79),
                                                       self.result("filing-materials", .78)]}
        elif "诉讼费" in q or ("多少钱" in q and context == "fee-how-computed"):
            body = {"decision": "answer", "results": [self.result("fee-how-computed", .93)]}
        elif "材料" in q:
            body = {"decision": "answer", "results": [self.result("filing-materials", .91)]}
        elif "结婚登记" in q:
            body = {"decision": "reject", "results": [self.result("filing-materials", .86)],
                    "out_of_scope": {"id": "oos-marriage-registration", "title": "结婚、协议离婚登记（民政部门）",
                                     "redirect": "结婚登记由民政部门的婚姻登记机关办理，请咨询当地民政局。"}}
        else:
            body = {"decision": "reject", "results": [self.result("filing-materials", .2)]}
        return web.json_response({**body, "threshold": {"answer": .88}})

    async def entry(self, request: web.Request) -> web.Response:
        entry = ENTRIES.get(request.match_info["entry_id"])
        if not entry:
            return web.json_response({"error": {"code": "not_found", "message": "没有这个条目"}}, status=404)
        return web.json_response(entry)

    async def basis(self, request: web.Request) -> web.Response:
        text = ARTICLES.get((request.query["law"], request.query["article"]))
        if not text:
            return web.json_response({"error": {"code": "not_found", "message": "没有这一条"}}, status=404)
        return web.json_response({"law": request.query["law"], "article": request.query["article"], "text": text})

    def recorder(self, name: str, status: int | None = None):
        async def handler(request: web.Request) -> web.Response:
            self.posts[name].append(await request.json())
            code = status if status is not None else (self.sms_status if name == "sms" else 201)
            if code >= 400:
                return web.json_response({"error": {"code": "x", "message": "发送太频繁"}}, status=code)
            return web.json_response({"ok": True}, status=code)
        return handler

    async def __aenter__(self) -> "FakeKb":
        app = web.Application()
        app.router.add_get("/api/kb/search", self.search)
        app.router.add_get("/api/kb/entries/{entry_id}", self.entry)
        app.router.add_get("/api/kb/basis", self.basis)
        app.router.add_post("/api/kb/feedback", self.recorder("feedback"))
        app.router.add_post("/api/kb/unanswered", self.recorder("unanswered"))
        app.router.add_post("/api/notifications/sms", self.recorder("sms"))
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        service_api.SERVICE_URL = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc) -> None:
        await self.runner.cleanup()


def make_tracker(text: str, intent: str = "ask_procedure", channel: str = "rest", slots: dict | None = None,
                 entities: list | None = None, metadata: dict | None = None, form: str | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": .9}, "entities": entities or [],
              "metadata": metadata or {}}
    return Tracker(
        sender_id="t1", slots=slots or {}, latest_message=latest,
        events=[{"event": "user", "text": text, "input_channel": channel, "parse_data": latest}], paused=False,
        followup_action=None, active_loop={"name": form} if form else {}, latest_action_name="action_listen",
    )


def run_action(action, tracker: Tracker, kb: FakeKb | None = None):
    async def go():
        dispatcher = CollectingDispatcher()
        if kb is None:
            events = await action.run(dispatcher, tracker, {})
        else:
            async with kb:
                events = await action.run(dispatcher, tracker, {})
        return dispatcher.messages, events
    return asyncio.run(go())


def slots_of(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(messages: list) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


# The hotline connector signs the caller id it vouches for (court_common/trust.py); the secret is the test's.
SECRET = "test-internal-secret-0123456789abcdef"
CALLER = sign_identity({"channel": "hotline_12368", "caller_phone": "+8613800000000"}, SECRET)


@pytest.fixture(autouse=True)
def internal_secret(monkeypatch):
    monkeypatch.setenv("INTERNAL_SECRET", SECRET)


@pytest.fixture(autouse=True)
def keep_service_url():
    saved = service_api.SERVICE_URL
    yield
    service_api.SERVICE_URL = saved


def test_a_confident_answer_on_screen_has_details_basis_link_card_and_feedback():
    kb = FakeKb()
    messages, events = run_action(ActionAnswerFromGuide(), make_tracker("告人要交多少诉讼费啊"), kb)
    text = texts(messages)
    assert messages[0]["text"].startswith("财产案件按请求金额分段累计")
    assert "依据：《诉讼费用交纳办法》第十三条" in text
    assert "http://court.example/guide/fee-how-computed" in text
    assert len(messages[1]["text"]) < 600, "details are trimmed"
    card = next(m["custom"] for m in messages if m.get("custom"))
    assert card == {"type": "guide_answer", "entry_id": "fee-how-computed", "title": "诉讼费怎么算",
                    "url": "http://court.example/guide/fee-how-computed",
                    "basis": [{"law": "诉讼费用交纳办法", "article": "第十三条"}]}
    assert messages[-1]["text"] == "这个回答对您有帮助吗？"
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/feedback_helpful", "/feedback_unhelpful"]
    slots = slots_of(events)
    assert slots["guide_context"] == "fee-how-computed" and slots["guide_feedback_entry"] == "fee-how-computed"
    assert slots["guide_outcome"] == "answer"
    assert kb.searches == [{"q": "告人要交多少诉讼费啊", "context": None, "k": "3"}]


@pytest.mark.parametrize("question", ["告人要交多少诉讼费啊", "保全怎么弄", "今天天气怎么样"])
def test_inside_a_form_the_answer_has_no_buttons_and_the_form_resumes(question):
    """Buttons would be taken as the form's answer: answer, clarify and reject all hand back to the form."""
    kb = FakeKb()
    messages, events = run_action(ActionAnswerFromGuide(), make_tracker(question, form="risk_form"), kb)
    assert not any(m.get("buttons") for m in messages)
    assert messages[-1]["text"] == "我们接着刚才的问题。"
    slots = slots_of(events)
    assert slots["guide_outcome"] == "in_form" and slots.get("guide_feedback_entry") is None


def test_numeric_articles_are_cited_in_chinese_and_grouped_by_law():
    kb = FakeKb()
    messages, _ = run_action(ActionAnswerFromGuide(), make_tracker("立案带啥材料"), kb)
    assert "依据：《民事诉讼法》第一百二十二条、第一百二十四条" in texts(messages)
    assert "起诉状正本一份" in texts(messages)


def test_on_the_phone_short_answer_basis_and_sms_offer_only():
    kb = FakeKb()
    tracker = make_tracker("诉讼费咋算", channel="hotline_12368", metadata=CALLER)
    messages, _ = run_action(ActionAnswerFromGuide(), tracker, kb)
    assert len(messages) == 2 and not any(m.get("custom") for m in messages)
    assert "依据是《诉讼费用交纳办法》第十三条。" in messages[0]["text"]
    assert "http" not in texts(messages) and "计算方法" not in texts(messages)
    # no feedback question after each answer on the phone (issue 17): it comes once, before goodbye
    assert "短信" in messages[1]["text"] and "有帮助" not in texts(messages)
    assert [b["payload"] for b in messages[1]["buttons"]] == ["/request_guide_sms"]
    slots = slots_of(_)
    assert slots["guide_feedback_entry"] is None and slots["guide_feedback_due"] == "fee-how-computed"


def test_on_the_phone_helpful_without_a_pending_question_is_not_feedback():
    kb = FakeKb()
    tracker = make_tracker("有帮助", intent="feedback_helpful", channel="hotline_12368", metadata=CALLER,
                           slots={"guide_feedback_due": "fee-how-computed", "guide_context": "fee-how-computed"})
    run_action(ActionGuideFeedback(), tracker, kb)
    assert kb.posts["feedback"] == []


def test_on_the_phone_feedback_asked_at_goodbye_is_stored_once_and_ends_the_call():
    from actions.repair import ActionGoodbye

    tracker = make_tracker("再见", intent="goodbye", channel="hotline_12368", metadata=CALLER,
                           slots={"guide_feedback_due": "fee-how-computed"})
    messages, events = run_action(ActionGoodbye(), tracker)
    assert "有帮助吗" in messages[0]["text"] and len(messages[0]["buttons"]) == 2
    slots = slots_of(events)
    assert slots == {"feedback_asked": True, "guide_feedback_entry": "fee-how-computed", "guide_feedback_due": None}
    kb = FakeKb()
    answer = make_tracker("/feedback_helpful", intent="feedback_helpful", channel="hotline_12368", metadata=CALLER,
                          slots={**slots, "guide_last_question": "诉讼费咋算"})
    messages, events = run_action(ActionGuideFeedback(), answer, kb)
    assert [p["helpful"] for p in kb.posts["feedback"]] == [True]
    assert messages[-1]["text"].endswith("再见。") and not messages[-1].get("buttons")
    # asked once per call: a second goodbye is a plain goodbye
    again = make_tracker("再见", intent="goodbye", channel="hotline_12368", metadata=CALLER,
                         slots={"feedback_asked": True, "guide_feedback_due": "filing-materials"})
    messages, events = run_action(ActionGoodbye(), again)
    assert len(messages) == 1 and messages[0].get("response") == "utter_goodbye"


def test_on_the_phone_without_a_number_no_sms_is_offered():
    messages, _ = run_action(ActionAnswerFromGuide(), make_tracker("诉讼费咋算", channel="hotline_12368"), FakeKb())
    assert "短信" not in texts(messages)


def test_a_follow_up_is_searched_with_the_topic_under_discussion():
    kb = FakeKb()
    tracker = make_tracker("那要交多少钱", slots={"guide_context": "fee-how-computed"})
    _messages, events = run_action(ActionAnswerFromGuide(), tracker, kb)
    assert kb.searches[0]["context"] == "fee-how-computed"
    assert slots_of(events)["guide_context"] == "fee-how-computed"


def test_a_close_call_asks_which_one_with_three_buttons_then_a_choice_answers():
    kb = FakeKb()
    messages, events = run_action(ActionAnswerFromGuide(), make_tracker("我想申请保全"), kb)
    assert messages[0]["text"] == "您想问的是哪一个？"
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads[0] == '/choose_entry{"entry_id": "preservation-before-suit"}' and len(payloads) == 3
    slots = slots_of(events)
    assert slots["guide_outcome"] == "clarify" and slots["guide_last_question"] == "我想申请保全"

    chosen = make_tracker(payloads[0], intent="choose_entry", slots=slots,
                          entities=[{"entity": "entry_id", "value": "preservation-before-suit"}])
    messages, events = run_action(ActionAnswerFromGuide(), chosen, FakeKb())
    assert messages[0]["text"] == "情况紧急可在起诉前申请保全。"
    assert slots_of(events)["guide_last_question"] == "我想申请保全"


def test_a_spoken_ordinal_picks_from_the_offered_choices():
    slots = {"guide_choices": ["preservation-before-suit", "fee-how-computed", "filing-materials"]}
    _messages, events = run_action(ActionAnswerFromGuide(), make_tracker("第二个", intent="choose_entry", slots=slots),
                                  FakeKb())
    assert slots_of(events)["guide_context"] == "fee-how-computed"


def test_not_answerable_is_honest_shows_the_menu_and_is_stored():
    kb = FakeKb()
    messages, events = run_action(ActionAnswerFromGuide(), make_tracker("明天天气好不好", intent="nlu_fallback"), kb)
    assert "没能在诉讼服务指南里找到" in messages[0]["text"] and "转人工" in messages[0]["text"]
    assert messages[1] == {**messages[1], "response": "utter_menu"}
    assert kb.posts["unanswered"] == [{"question": "明天天气好不好", "channel": "rest", "reason": "rejected",
                                        "top_entry_id": "filing-materials"}]
    assert slots_of(events)["guide_outcome"] == "reject"


def test_a_follow_up_instead_of_a_choice_is_asked_about_the_leading_choice():
    kb = FakeKb()
    slots = {"guide_outcome": "clarify", "guide_choices": ["fee-how-computed", "filing-materials"]}
    _messages, events = run_action(ActionAnswerFromGuide(), make_tracker("那要交多少钱", slots=slots), kb)
    assert kb.searches[-1]["context"] == "fee-how-computed"
    assert slots_of(events)["guide_outcome"] == "answer" and slots_of(events)["guide_context"] == "fee-how-computed"
    stale = {"guide_outcome": "answer", "guide_choices": ["fee-how-computed", "filing-materials"]}
    run_action(ActionAnswerFromGuide(), make_tracker("那要交多少钱", slots=stale), kb)
    assert kb.searches[-1]["context"] is None  # old choices from an earlier turn are not a context


def test_a_known_out_of_scope_topic_says_who_handles_it_instead():
    kb = FakeKb()
    messages, events = run_action(ActionAnswerFromGuide(), make_tracker("结婚登记要带啥", intent="nlu_fallback"), kb)
    assert "不归法院诉讼服务管" in messages[0]["text"] and "民政局" in messages[0]["text"]
    assert "转人工" in messages[0]["text"] and messages[1] == {**messages[1], "response": "utter_menu"}
    assert kb.posts["unanswered"] == [{"question": "结婚登记要带啥", "channel": "rest", "reason": "out_of_scope",
                                        "top_entry_id": "filing-materials"}]
    assert slots_of(events)["guide_outcome"] == "reject"


def test_nlu_out_of_scope_names_who_handles_a_known_topic():
    kb = FakeKb()
    messages, events = run_action(ActionOutOfScope(), make_tracker("结婚登记要带啥", intent="out_of_scope"), kb)
    assert "不归法院诉讼服务管" in messages[0]["text"] and "民政局" in messages[0]["text"]
    assert messages[1] == {**messages[1], "response": "utter_menu"}
    assert kb.posts["unanswered"] == [{"question": "结婚登记要带啥", "channel": "rest", "reason": "out_of_scope"}]
    assert events == []


def test_nlu_out_of_scope_never_becomes_a_guide_answer():
    """Even where the search would answer, the NLU's out-of-scope verdict stands: no card, the plain reply."""
    kb = FakeKb()
    messages, _ = run_action(ActionOutOfScope(), make_tracker("诉讼费能拿彩票抵吗", intent="out_of_scope"), kb)
    assert [m.get("response") for m in messages] == ["utter_out_of_scope", "utter_menu"]
    assert not any(m.get("custom") for m in messages)
    assert kb.posts["unanswered"][0]["reason"] == "nlu_out_of_scope"


def test_nlu_out_of_scope_with_the_service_down_still_replies():
    with socket.socket() as probe:  # a port nobody listens on: the service center is down
        probe.bind(("127.0.0.1", 0))
        service_api.SERVICE_URL = f"http://127.0.0.1:{probe.getsockname()[1]}"
    messages, _ = run_action(ActionOutOfScope(), make_tracker("今天天气咋样", intent="out_of_scope"))
    assert [m.get("response") for m in messages] == ["utter_out_of_scope", "utter_menu"]


def test_a_generic_request_is_left_to_the_rules_to_invite_a_question():
    kb = FakeKb()
    messages, events = run_action(ActionAnswerFromGuide(), make_tracker("嗯 我想咨询个问题"), kb)
    assert messages == [] and slots_of(events) == {"guide_outcome": "prompt"}
    assert kb.searches == []


def test_the_legal_basis_is_quoted_verbatim():
    kb = FakeKb()
    tracker = make_tracker("依据是什么", intent="ask_basis", slots={"guide_context": "filing-materials"})
    messages, _ = run_action(ActionAnswerFromGuide(), tracker, kb)
    text = texts(messages)
    assert "《民事诉讼法》第一百二十二条规定：起诉必须符合下列条件：（一）原告是与本案有直接利害关系的" in text
    assert "依据是《民事诉讼法》第一百二十四条。" in text  # no stored text: named, not invented


def test_basis_without_a_topic_asks_for_the_question():
    messages, _ = run_action(ActionAnswerFromGuide(), make_tracker("依据是什么", intent="ask_basis"), FakeKb())
    assert "请先告诉我" in messages[0]["text"]


def test_service_down_apologises_and_offers_a_human():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    service_api.SERVICE_URL = f"http://127.0.0.1:{port}"  # nothing listens there
    messages, events = run_action(ActionAnswerFromGuide(), make_tracker("诉讼费怎么交"))
    assert "抱歉" in messages[0]["text"] and messages[0]["buttons"] == [guide.HANDOFF_BUTTON]
    assert slots_of(events)["guide_outcome"] == "unavailable"


def test_very_long_input_is_cut_before_searching():
    kb = FakeKb()
    run_action(ActionAnswerFromGuide(), make_tracker("啊" * 10_000, intent="nlu_fallback"), kb)
    assert len(kb.searches[0]["q"]) == guide.MAX_QUERY_CHARS
    assert len(kb.posts["unanswered"][0]["question"]) <= 500


@pytest.mark.parametrize(("intent", "helpful"), [("feedback_helpful", True), ("feedback_unhelpful", False),
                                                 ("affirm", True), ("deny", False)])
def test_feedback_is_stored(intent, helpful):
    kb = FakeKb()
    slots = {"guide_feedback_entry": "fee-how-computed", "guide_last_question": "诉讼费咋算"}
    messages, events = run_action(ActionGuideFeedback(), make_tracker("x", intent=intent, slots=slots), kb)
    assert kb.posts["feedback"] == [{"entry_id": "fee-how-computed", "question": "诉讼费咋算", "helpful": helpful,
                                     "channel": "rest"}]
    assert slots_of(events) == {"guide_feedback_entry": None}
    if not helpful:
        assert "抱歉" in messages[0]["text"]
        assert [b["payload"] for b in messages[0]["buttons"]] == ["/ask_procedure", "/human_handoff"]


def test_feedback_without_an_answer_stores_nothing():
    kb = FakeKb()
    messages, _ = run_action(ActionGuideFeedback(), make_tracker("没用", intent="feedback_unhelpful"), kb)
    assert kb.posts["feedback"] == [] and "换个说法" in messages[0]["text"]


def test_sms_sends_the_entry_reference_to_the_caller():
    kb = FakeKb()
    tracker = make_tracker("/request_guide_sms", intent="request_guide_sms", channel="hotline_12368",
                           slots={"guide_context": "fee-how-computed"}, metadata=CALLER)
    messages, _ = run_action(ActionSendGuideSms(), tracker, kb)
    assert kb.posts["sms"] == [{"to": "13800000000", "kind": "guide_details", "ref": "fee-how-computed"}]
    assert "已经用短信发到" in messages[0]["text"]


@pytest.mark.parametrize("status", [404, 429, 500])
def test_sms_errors_are_handled_politely(status):
    tracker = make_tracker("发短信", intent="request_guide_sms", channel="hotline_12368",
                           slots={"guide_context": "fee-how-computed"}, metadata=CALLER)
    messages, _ = run_action(ActionSendGuideSms(), tracker, FakeKb(sms_status=status))
    assert messages[0]["text"].startswith("抱歉")


def test_sms_without_a_number_says_so():
    tracker = make_tracker("发短信", intent="request_guide_sms", slots={"guide_context": "fee-how-computed"})
    messages, _ = run_action(ActionSendGuideSms(), tracker, FakeKb())
    assert "手机号" in messages[0]["text"]


@pytest.mark.parametrize(("n", "words"), [(1, "一"), (10, "十"), (15, "十五"), (102, "一百零二"), (122, "一百二十二"),
                                          (250, "二百五十"), (1079, "一千零七十九"), (1260, "一千二百六十")])
def test_chinese_numbers(n, words):
    assert chinese_number(n) == words


def test_basis_formatting():
    assert format_basis([{"law": "民法典", "article": "188"}, {"law": "《民法典》", "article": "第一百九十五条"}]) == \
        "《民法典》第一百八十八条、第一百九十五条"


@pytest.mark.parametrize(("text", "generic"), [
    ("/ask_procedure", True), ("我想咨询问题", True), ("请问一下", True), ("我想问怎么打官司", True),
    ("要钱吗", False), ("诉讼费怎么交", False), ("请问离婚去哪起诉", False), ("要多久", False),
])
def test_generic_requests(text, generic):
    assert is_generic_request(text) is generic


def test_payload_is_json():
    kb = FakeKb()
    messages, _ = run_action(ActionAnswerFromGuide(), make_tracker("保全咋办"), kb)
    payload = messages[0]["buttons"][1]["payload"]
    assert json.loads(payload.removeprefix("/choose_entry")) == {"entry_id": "fee-how-computed"}


def test_sms_before_any_answer_is_treated_as_a_question():
    kb = FakeKb()
    tracker = make_tracker("立案材料能发到我手机上吗", intent="request_guide_sms")
    _, events = run_action(ActionSendGuideSms(), tracker, kb)
    assert kb.searches[0]["q"] == "立案材料能发到我手机上吗" and kb.posts["sms"] == []
    assert slots_of(events)["guide_context"] == "filing-materials"


def test_a_title_quoting_a_law_is_nested_the_official_way():
    law = "最高人民法院关于适用《中华人民共和国民事诉讼法》的解释"
    assert format_basis([{"law": law, "article": "第二百零一条"}]) == \
        "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第二百零一条"


def test_verbatim_text_carried_by_the_entry_is_used_as_is():
    article = {"law": "民法典", "article": "第一百八十八条", "text": "向人民法院请求保护民事权利的诉讼时效期间为三年。"}
    ENTRIES["with-text"] = {"id": "with-text", "title": "t", "short_answer": "s", "details": "", "url": "u",
                            "basis": [article]}
    try:
        tracker = make_tracker("依据是什么", intent="ask_basis", slots={"guide_context": "with-text"})
        messages, _ = run_action(ActionAnswerFromGuide(), tracker, FakeKb())
    finally:
        del ENTRIES["with-text"]
    assert messages[0]["text"] == "《民法典》第一百八十八条规定：向人民法院请求保护民事权利的诉讼时效期间为三年。"


def test_markdown_details_become_plain_text_without_blank_lines():
    from actions.guide import plain_text
    markdown = "**计算**：分段累计\n\n| 金额 | 费率 |\n|---|---|\n| 不超过1万元 | 每件50元 |\n\n- 要5万元：**1050元**"
    assert plain_text(markdown) == "计算：分段累计\n金额：费率\n不超过1万元：每件50元\n- 要5万元：1050元"


def test_a_long_basis_list_is_shortened_in_the_chat_but_complete_in_the_card():
    ENTRIES["many"] = {"id": "many", "title": "t", "short_answer": "s", "details": "", "url": "u",
                       "basis": [{"law": "民法典", "article": str(188 + i)} for i in range(6)]}
    try:
        kb = FakeKb()
        messages, _ = run_action(ActionAnswerFromGuide(), make_tracker("x", intent="choose_entry",
                                                                       entities=[{"entity": "entry_id",
                                                                                  "value": "many"}]), kb)
    finally:
        del ENTRIES["many"]
    assert "依据：《民法典》第一百八十八条、第一百八十九条、第一百九十条、第一百九十一条等" in texts(messages)
    assert len(next(m["custom"] for m in messages if m.get("custom"))["basis"]) == 6
