"""The procedure guide end to end on the REST channel: Rasa, the action server and the service center with the
real guide. Questions here are worded freshly (not the guide's sample questions nor the held-out set)."""

import json

import httpx
import pytest

from tests.support.stack import SVC_VENV


def card(messages: list[dict]) -> dict | None:
    return next((m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "guide_answer"), None)


def unanswered(stack) -> str:
    response = httpx.get(f"{stack.service_url}/api/staff/kb/unanswered", headers=stack.staff_headers(), timeout=10)
    response.raise_for_status()
    return json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.parametrize(("question", "entry_id", "law"), [
    ("判决书拿到手了 不服的话有几天能上诉啊", "appeal-period", "民事诉讼法"),
    # (a fee question with an amount goes to the fee estimate: tests/e2e/test_risk_conversation.py)
    ("嗯 那个 俺家穷 诉讼费实在拿不出来 能缓一缓不", "fee-relief", "诉讼费用交纳办法"),
    ("老公喝多了就动手打我 法院能不能出个东西管管他", "protection-order", "反家庭暴力法"),
])
def test_a_colloquial_question_gets_the_right_topic_with_its_basis(stack, sender, question, entry_id, law):
    messages = stack.say(sender, question)
    found = card(messages)
    assert found, stack.texts(messages)
    assert found["entry_id"] == entry_id
    assert any(law in b["law"] for b in found["basis"])
    assert found["url"].endswith(f"/guide/{entry_id}")
    text = stack.texts(messages)
    assert f"依据：《{found['basis'][0]['law']}》" in text
    assert text.rstrip().endswith("这个回答对您有帮助吗？")
    assert httpx.get(found["url"], timeout=10).status_code == 200


def test_a_follow_up_is_understood_in_context_and_the_basis_is_quoted(stack, sender):
    first = card(stack.say(sender, "跟对象过不下去了 想去法院离婚 咋弄"))
    assert first and first["entry_id"] == "divorce-suit"
    follow = card(stack.say(sender, "那要交多少钱"))
    assert follow and follow["entry_id"] == "fee-non-property"
    messages = stack.say(sender, "依据是什么")
    text = stack.texts(messages)
    basis = httpx.get(f"{stack.service_url}/api/kb/entries/fee-non-property", timeout=10).json()["basis"][0]
    verbatim = httpx.get(f"{stack.service_url}/api/kb/basis", params={"law": basis["law"],
                                                                      "article": basis["article"]}, timeout=10).json()
    quoted = verbatim.get("text") or verbatim.get("quote") or ""
    assert quoted and quoted[:30] in text, text


def test_a_choice_answers_the_chosen_entry(stack, sender):
    messages = stack.say(sender, "那个执行的事")
    buttons = [b for m in messages for b in m.get("buttons", [])]
    if "您想问的是哪一个？" in stack.texts(messages):
        assert 2 <= len(buttons) <= 3
        payload = buttons[1]["payload"]
    else:  # the guide was confident: pick an entry the way a clarify button does
        payload = '/choose_entry{"entry_id": "execution-progress"}'
    chosen = json.loads(payload.removeprefix("/choose_entry"))["entry_id"]
    found = card(stack.say(sender, payload))
    assert found and found["entry_id"] == chosen


def test_negative_feedback_is_stored_and_offers_a_way_on(stack, sender):
    question = "立案要带啥东西去 身份证复印件要几张"
    assert card(stack.say(sender, question))
    messages = stack.say(sender, "/feedback_unhelpful")
    assert "抱歉" in stack.texts(messages)
    assert [b["payload"] for m in messages for b in m.get("buttons", [])] == ["/ask_procedure", "/human_handoff"]
    assert question in unanswered(stack)


def test_positive_feedback_is_thanked(stack, sender):
    assert card(stack.say(sender, "网上能立案不 我在外地"))
    assert "谢谢您的反馈" in stack.texts(stack.say(sender, "/feedback_helpful"))


@pytest.mark.parametrize("question", ["公积金怎么提取出来", "明天松原下雪不", "驾驶证扣分了怎么消"])
def test_out_of_scope_gets_no_confident_answer(stack, sender, question):
    messages = stack.say(sender, question)
    assert card(messages) is None
    text = stack.texts(messages)
    # the NLU's own out-of-scope reply, the guide's honest reject, or the guide naming who handles it instead
    assert any(phrase in text for phrase in ("不在我能回答的范围", "没能在诉讼服务指南里找到", "不归法院诉讼服务管"))
    if "不归法院诉讼服务管" in text:
        assert any(body in text for body in ("公积金", "车管所", "交管", "气象", "只办理"))
    assert "转人工" in text


def test_the_menu_button_invites_a_question(stack, sender):
    text = stack.texts(stack.say(sender, "/ask_procedure"))
    assert "请直接说出您想咨询的问题" in text


def test_the_other_capabilities_still_work(stack, sender):
    assert "诉讼风险自测" in stack.texts(stack.say(sender, "你好"))
    assert any((m.get("custom") or {}).get("handoff") for m in stack.say(sender, "转人工"))


def test_service_down_gets_an_apology_and_a_human(stack, sender):
    stack.stop_process("service")
    try:
        messages = stack.say(sender, "诉讼费怎么交啊")
        assert "抱歉" in stack.texts(messages)
        assert {"title": "转人工", "payload": "/human_handoff"} in [b for m in messages for b in m.get("buttons", [])]
    finally:
        stack._spawn("service", [str(SVC_VENV / "uvicorn"), "service_center.main:app",
                                 "--host", "127.0.0.1", "--port", str(stack.service_port)])
        stack.wait_ready()
