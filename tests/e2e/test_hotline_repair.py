"""The caller is in control (issue 17): repeat, slow down, go back, the main menu and a person, by speech and by
keypad, at every kind of point of a 12368 call, through the real stack with signed Twilio requests
(tests/support/twilio_caller.py signs with twilio's own RequestValidator)."""

import sqlite3

from tests.support.stack import TWILIO_AUTH_TOKEN, Stack
from tests.support.twilio_caller import TwilioCaller


def feedback_rows(stack: Stack, question: str) -> list[tuple]:
    path = stack.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT entry_id, helpful, channel FROM kb_feedback WHERE question = ?",
                          (question,)).fetchall()


def settle(call: TwilioCaller, reply):
    """Follow holding phrases (a slow turn on a busy machine) to the real answer."""
    for _ in range(6):
        if reply.redirect and reply.redirect.endswith("/collect"):
            reply = call.follow_redirect()
    return reply


def spoken_slowly(reply) -> bool:
    say = reply.gather.find("Say") if reply.gather is not None else None
    pieces = say.findall("prosody") if say is not None else []
    return bool(pieces) and all(p.get("rate") == "slow" for p in pieces) and bool(say.findall("break"))


def tail(text: str, n: int = 16) -> str:
    return text[-n:]


def test_repeat_after_a_guide_answer_then_slower_and_never_feedback(stack, call):
    question = "喂 我想问一下立案的时候要带哪些材料"
    call.start()
    answer = settle(call, call.speak(question))
    assert "起诉状" in answer.said and "有帮助" not in answer.said  # no feedback question after each answer
    again = settle(call, call.speak("没听清 再说一遍"))
    assert "起诉状" in again.said and "依据是" in again.said and "短信" in again.said
    assert not spoken_slowly(again)
    for words in ("反馈", "抱歉没能帮到您", "换个说法"):
        assert words not in again.said, call.transcript
    slowly = settle(call, call.press("*"))  # the second repeat in a row: slower, in short pieces
    assert spoken_slowly(slowly) and "起诉状" in slowly.said
    assert all(len(p.text or "") <= 16 for p in slowly.gather.find("Say").findall("prosody"))
    assert feedback_rows(stack, question) == []


def test_star_on_the_greeting_says_the_greeting_again_and_it_announces_the_keys(call):
    greeting = call.start()
    assert "重听请按星号键" in greeting.said and "返回上一步请按井号键" in greeting.said
    assert greeting.gather.get("finishOnKey") == ""  # "#" is a key of its own
    again = call.press("*")
    assert again.said == greeting.said
    assert spoken_slowly(call.press("*"))


def test_repeat_inside_every_booking_question_and_the_confirmation(call):
    call.start()
    reply = settle(call, call.press("3"))
    answers = {"确认预约": "1", "尾号": "1", "姓名": "张三", "称呼": "张三", "事由": "借款纠纷", "什么事": "借款纠纷",
               "哪天": "1", "可以约的时间": "1"}
    repeated = 0
    for _ in range(12):
        if "预约成功" in reply.said:
            break
        # each question said again, by keypad or by speech, choices included
        again = settle(call, call.press("*") if repeated % 2 == 0 else call.speak("刚才说什么 没听清"))
        assert tail(reply.said) in again.said, call.transcript
        repeated += 1
        answer = next((value for key, value in answers.items() if key in reply.said), "1")
        reply = settle(call, call.press(answer) if answer.isdigit() else call.speak(answer))
    assert "预约成功" in reply.said and repeated >= 5, call.transcript
    # the booking confirmation, again, then slowly with the reference digit by digit
    again = settle(call, call.speak("再说一遍"))
    assert "预约成功" in again.said and "预约号" in again.said and "地点" in again.said
    slowly = settle(call, call.press("*"))
    assert spoken_slowly(slowly) and "预约号" in slowly.said
    reference = slowly.said.split("预约号")[1][:14]
    assert reference.count("，") >= 4, reference  # a pause after each digit


def test_back_twice_inside_the_booking_form_reads_the_old_answers(call):
    call.start()
    settle(call, call.press("3"))
    day = settle(call, call.press("1"))  # 诉前调解
    assert "哪天" in day.said, call.transcript
    slot = settle(call, call.press("1"))  # the nearest day
    assert "可以约的时间" in slot.said, call.transcript
    phone = settle(call, call.press("1"))  # the first time offered
    assert "尾号" in phone.said, call.transcript
    back = settle(call, call.press("#"))
    assert "回到上一步" in back.said and "您刚才的回答是" in back.said and "可以约的时间" in back.said
    back_again = settle(call, call.speak("返回上一步"))
    assert "回到上一步" in back_again.said and "哪天" in back_again.said, call.transcript
    first = settle(call, call.press("#"))
    assert "您想预约哪一项" in first.said and "诉前调解" in first.said, call.transcript
    at_first = settle(call, call.press("#"))
    assert "第一个问题" in at_first.said and "您想预约哪一项" in at_first.said, call.transcript


def test_back_inside_the_self_assessment_reads_the_old_answer(call):
    call.start()
    first = settle(call, call.press("2"))
    assert "哪一类纠纷" in first.said, call.transcript
    # nine kinds of dispute: four keys are announced, the others are named to be said (issue 17)
    assert "按四" in first.said and "按五" not in first.said and "交通事故" in first.said, first.said
    amount = settle(call, call.press("1"))  # 民间借贷
    assert "金额" in amount.said, call.transcript
    back = settle(call, call.speak("上一步"))
    assert "民间借贷" in back.said and "哪一类纠纷" in back.said, call.transcript
    again = settle(call, call.press("*"))
    assert "哪一类纠纷" in again.said


def test_zero_inside_a_form_and_after_an_error_reaches_a_person(call):
    call.start()
    settle(call, call.press("3"))
    assert settle(call, call.press("0")).dial is not None  # inside the booking form
    other = TwilioCaller(call.base, TWILIO_AUTH_TOKEN)
    try:
        other.start()
        settle(other, other.press("2"))
        settle(other, other.press("1"))
        error = settle(other, other.speak("嗯嗯啊这个那个"))  # not an amount: the form says what it needs
        assert error.dial is None and error.gather is not None, other.transcript
        assert settle(other, other.press("0")).dial is not None
    finally:
        other.close()


def test_main_menu_and_start_over_from_inside_a_form(call):
    call.start()
    settle(call, call.press("2"))
    menu = settle(call, call.speak("回主菜单"))
    assert "回到主菜单" in menu.said and "我可以帮您" in menu.said, call.transcript
    restarted = settle(call, call.press("3"))
    assert "您想预约哪一项" in restarted.said
    start_over = settle(call, call.speak("重新开始"))
    assert "我可以帮您" in start_over.said, call.transcript


def test_three_questions_one_feedback_question_before_goodbye(stack, call):
    questions = ["当事人自己可以去阅卷吗", "在法院立案要带什么东西", "我的案子到哪一步了怎么查呢"]
    call.start()
    for question in questions:
        answer = settle(call, call.speak(question))
        assert "依据是" in answer.said and "有帮助" not in answer.said, call.transcript
    stray = settle(call, call.speak("有帮助"))  # no pending feedback question: not feedback
    assert "谢谢您的反馈" not in stray.said
    assert all(feedback_rows(stack, q) == [] for q in questions)
    ask = settle(call, call.speak("好的 就这些 再见"))
    assert "有帮助吗" in ask.said and not ask.ends_call, call.transcript
    repeat = settle(call, call.press("*"))
    assert "有帮助吗" in repeat.said
    bye = settle(call, call.press("1"))
    assert "再见" in bye.said and bye.hangup, call.transcript
    rows = [row for q in questions for row in feedback_rows(stack, q)]
    assert len(rows) == 1 and rows[0][1] == 1 and rows[0][2] == "hotline_12368"


# ---------------------------------------------------------------- the same words on screens (REST, like the web page)
def test_on_screens_say_it_again_resends_the_last_answer_and_is_not_feedback(stack, sender):
    question = "当事人自己能阅卷吗 想看看案卷"
    first = stack.say(sender, question)
    again = stack.say(sender, "没听清 再说一遍")
    assert stack.texts(again) == stack.texts(first), (first, again)
    assert not any("repeat" in (m.get("custom") or {}) for m in again)  # the phone's marker never reaches screens
    assert feedback_rows(stack, question) == []


def test_on_screens_back_in_a_form_shows_the_old_answer_and_the_previous_question(stack, sender):
    stack.say(sender, "风险自测")
    stack.say(sender, "民间借贷")
    back = stack.texts(stack.say(sender, "上一步"))
    assert "回到上一步" in back and "民间借贷" in back and "哪一类纠纷" in back, back
    menu = stack.texts(stack.say(sender, "回主菜单"))
    assert "我可以帮您" in menu
