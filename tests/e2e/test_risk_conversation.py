"""The self-assessment and the fee answer on the real stack (REST channel): the three cases of issue 4."""

import httpx

BOOK_MEDIATION = '/book_appointment{"booking_service":"mediation"}'


def converse(stack, sender, turns):
    """Say each message in turn; return the bot's messages of the last turn and all texts."""
    transcript = []
    messages = []
    for message in turns:
        messages = stack.say(sender, message)
        transcript.append(f"> {message}\n{stack.texts(messages)}")
    return messages, "\n".join(transcript)


def card(messages):
    return next(m["custom"] for m in messages if m.get("custom", {}).get("type") == "risk_report")


def buttons(messages):
    return [b["payload"] for m in messages for b in m.get("buttons", [])]


def test_four_year_old_unpaid_loan(stack, sender):
    messages, log = converse(stack, sender, [
        "我想做个诉讼风险自测", "借钱不还", "十万块", "四年前", "一直没要过", "有借条", "1", "有房子", "没有"])
    text = stack.texts(messages)
    assert "风险等级高" in text, log
    assert "诉讼时效" in text and "第一百八十八条" in text, log
    assert "2300元" in text and "建议诉前调解" in text, log
    assert "仅供参考，不构成法律意见" in text
    assert BOOK_MEDIATION in buttons(messages), log
    report = card(messages)
    stored = httpx.get(f"{stack.service_url}/api/risk/assessments/{report['id']}", timeout=10).json()
    assert stored["findings"][0]["id"] == "limitation_expired"
    page = httpx.get(report["url"], timeout=10)
    assert page.status_code == 200 and report["id"] in page.text
    # taking the offer goes on to the booking entry point (the booking flow owns what happens next)
    follow = stack.say(sender, BOOK_MEDIATION)
    assert stack.texts(follow) and "没太明白" not in stack.texts(follow)


def test_labour_dispute_without_arbitration(stack, sender):
    messages, log = converse(stack, sender, [
        "风险自测", "公司拖欠工资", "两万", "今年八月", "没有", "有聊天记录", "都知道", "有", "没有"])
    text = stack.texts(messages)
    assert "先申请劳动仲裁" in text and "劳动争议调解仲裁法" in text, log
    assert "10元" in text, log
    assert BOOK_MEDIATION not in buttons(messages)
    assert "仲裁" in log and "申请过劳动仲裁" in log           # the labour question was asked
    assert "协商、调解或者起诉过" not in log                    # and the general one was not


def test_well_evidenced_small_debt_by_keypad_and_speech(stack, sender):
    messages, log = converse(stack, sender, [
        "帮我评估一下风险", "1", "八千", "今年五月", "今年十月", "借条和转账记录都有", "1", "1", "2"])
    text = stack.texts(messages)
    assert "风险等级低" in text, log
    assert "小额诉讼" in text and "支付令" in text, log
    assert "50元" in text and "16.67元" in text, log
    assert BOOK_MEDIATION in buttons(messages), log
    assert "劳动仲裁" not in log and "家庭暴力" not in log      # no questions that do not apply


def test_wrong_answers_then_skip_stop_and_restart(stack, sender):
    stack.say(sender, "风险自测")
    stack.say(sender, "借钱不还")
    first = stack.texts(stack.say(sender, "啊啊啊"))
    assert "没听出金额" in first and "跳过" not in first
    second = stack.texts(stack.say(sender, "哦哦哦"))
    assert "跳过" in second and "不测了" in second
    assert "什么时候" in stack.texts(stack.say(sender, "跳过"))
    restarted = stack.texts(stack.say(sender, "重新开始"))
    assert "从头开始" in restarted and "哪一类纠纷" in restarted
    assert "停止" in stack.texts(stack.say(sender, "不测了"))


def test_fee_question_in_one_sentence(stack, sender):
    text = stack.texts(stack.say(sender, "借了十万起诉要交多少钱"))
    assert "2300元" in text and "第十三条" in text and "1150元" in text


def test_spoken_fee_question_with_an_amount(stack, sender):
    text = stack.texts(stack.say(sender, "嗯 那个 俺要告人家欠俺五万块 法院得收多少钱"))
    assert "1050元" in text and "诉讼费用交纳办法" in text and "第十三条" in text  # 50 + 40000 × 2.5%


def test_fee_question_then_amount(stack, sender):
    text = stack.texts(stack.say(sender, "打官司要交多少诉讼费"))
    assert "金额" in text
    text = stack.texts(stack.say(sender, "三十万左右"))
    assert "5800元" in text                      # 4300 + 100000 × 1.5%


def test_opening_names_the_dispute_and_a_side_question_resumes(stack, sender):
    text = stack.texts(stack.say(sender, "我想测一下诉讼风险 借给朋友的钱一直不还"))
    assert "民间借贷" in text and "金额" in text and "哪一类纠纷" not in text
    text = stack.texts(stack.say(sender, "请问一下立案要带什么材料"))
    # the guide answers (no feedback buttons inside the form), then the same question again
    assert "起诉状" in text and "接着刚才的问题" in text and "金额" in text
    assert "有帮助" not in text
    assert "记下了" in stack.texts(stack.say(sender, "五千多"))


def test_payment_order_fee(stack, sender):
    text = stack.texts(stack.say(sender, "申请支付令十万块要交多少钱"))
    assert "766.67元" in text and "第十四条" in text


def test_a_booking_after_the_self_test_is_counted_on_the_dashboard(stack, sender):
    def led_to_booking():
        return httpx.get(f"{stack.service_url}/api/staff/dashboard/summary", headers=stack.staff_headers(),
                         timeout=10).json()["risk_led_to_booking"]

    before = led_to_booking()
    messages, log = converse(stack, sender, [
        "帮我评估一下风险", "1", "八千", "今年五月", "今年十月", "借条和转账记录都有", "1", "1", "2"])
    assert BOOK_MEDIATION in buttons(messages), log
    _, log = converse(stack, sender, [BOOK_MEDIATION, "下周三上午", "1", "13912340007"])
    assert "验证码" in log and "尾号0007" in log, log
    _, log = converse(stack, sender, [stack.sms_code("0007"), "赵六", "借款纠纷"])
    assert "请核对" in log, log
    done = stack.texts(stack.say(sender, "/affirm"))
    assert "预约成功" in done, done
    assert led_to_booking() == before + 1
