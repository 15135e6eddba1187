"""Bot text shaped for the ear (connectors/voice_text.py)."""

import pytest

from connectors.voice_text import (
    clean,
    clock,
    compose,
    decimal,
    digit_string,
    integer,
    listed_choices,
    money,
    numbered_choices,
    read_aloud,
    shorten,
    speakable,
)


@pytest.mark.parametrize(("number", "spoken"), [
    (0, "零"), (7, "七"), (10, "十"), (15, "十五"), (20, "二十"), (105, "一百零五"), (110, "一百一十"),
    (1000, "一千"), (1005, "一千零五"), (1010, "一千零一十"), (10000, "一万"), (10005, "一万零五"),
    (100000, "十万"), (120000, "十二万"), (1000000, "一百万"), (20000000, "二千万"), (100000000, "一亿"),
    (100050000, "一亿零五万"), (123456789, "一亿二千三百四十五万六千七百八十九"), (-3, "负三"),
])
def test_integers_are_read_as_chinese_numbers(number, spoken):
    assert integer(number) == spoken


def test_decimals_money_and_digit_strings():
    assert decimal("3.5") == "三点五"
    assert decimal("0.25") == "零点二五"
    assert decimal("12.0") == "十二"
    assert money("1234.50") == "一千二百三十四元五角"
    assert money("0.05") == "五分"
    assert money("300") == "三百元"
    assert money("10.05") == "十元零五分"
    assert digit_string("12368") == "幺二三六八"
    assert digit_string("0438") == "零四三八"


@pytest.mark.parametrize(("hour", "minute", "spoken"), [
    (8, 30, "上午八点半"), (13, 30, "下午一点半"), (12, 0, "中午十二点"), (14, 5, "下午两点零五分"),
    (16, 45, "下午四点四十五分"), (19, 0, "晚上七点"),
])
def test_clock_times_are_said_as_people_say_them(hour, minute, spoken):
    assert clock(hour, minute) == spoken


@pytest.mark.parametrize(("text", "spoken"), [
    ("请拨打12368热线", "请拨打幺二三六八热线"),
    ("手机13812345678", "手机幺三八幺二三四五六七八"),
    ("电话0438-1234567", "电话零四三八，幺二三四五六七"),
    ("诉讼费50-300元", "诉讼费五十至三百元"),
    ("受理费¥1,234.50", "受理费一千二百三十四元五角"),
    ("标的额10万元", "标的额十万元"),
    ("预交2500元", "预交二千五百元"),
    ("上浮50%", "上浮百分之五十"),
    ("依照第165条", "依照第一百六十五条"),
    ("预约在2026-12-03 08:30", "预约在二零二六年十二月三日 上午八点半"),
    ("2026年12月3日下午", "二零二六年十二月三日下午"),
    ("12月3号", "十二月三号"),
    ("请带2份材料，3天内补交", "请带两份材料，三天内补交"),
    ("预约号 B-20261203-0042", "预约号 B，二零二六幺二零三，零零四二"),
    ("查询码R7K2Q", "查询码R 七 K 二 Q"),
    ("共100000人", "共十万人"),
])
def test_numbers_dates_money_and_references_read_naturally(text, spoken):
    assert read_aloud(text) == spoken


def test_urls_markdown_and_emoji_are_not_spoken():
    text = "**重要**：请看[办事指南](https://court.example.cn/guide/12) 😀👍\n- 身份证\n- 起诉状\n详见 http://x.cn/a?b=1"
    spoken = clean(text)
    assert "http" not in spoken and "court.example" not in spoken and "x.cn" not in spoken
    assert "*" not in spoken and "[" not in spoken and "(" not in spoken
    assert "😀" not in spoken and "👍" not in spoken
    assert "办事指南" in spoken and "身份证" in spoken and "起诉状" in spoken
    assert "\n" not in spoken


def test_numbered_markdown_lists_become_spoken_ordinals():
    assert speakable("1. 带身份证\n2. 带起诉状") == "一、带身份证。二、带起诉状"


def test_short_texts_are_kept_and_long_texts_cut_at_a_sentence():
    assert shorten("立案需要起诉状。", 120) == ("立案需要起诉状。", False)
    long = "第一句说明立案的条件。" * 20
    short, trimmed = shorten(long, 60)
    assert trimmed and len(short) <= 60 and short.endswith("。")
    one_sentence = "需要准备的材料包括" + "、".join(["起诉状副本"] * 40) + "。"
    short, trimmed = shorten(one_sentence, 60)
    assert trimmed and len(short) <= 61 and short.endswith("。")


def test_buttons_become_numbered_spoken_choices():
    assert numbered_choices(["诉前调解", "立案"]) == "说诉前调解或按一；说立案或按二。"
    assert numbered_choices([]) == ""


def test_a_menu_already_named_in_the_text_is_not_read_twice():
    menu = ["程序问题咨询", "诉讼风险自测", "预约调解或立案", "转人工"]
    text = "我可以帮您：一、程序问题咨询；二、诉讼风险自测；三、预约调解或立案；四、转人工。"
    assert listed_choices(text, menu) == "请说出您的选择，或按一到四。"
    assert listed_choices("您想问的是哪一个？", ["二审要多长时间", "上诉期限是多少天"]) is None
    assert listed_choices("二、诉讼风险自测；一、程序问题咨询", menu[:2]) is None  # not in key order


def test_at_most_four_choices_are_numbered_and_labels_are_read_as_spoken():
    kinds = ["民间借贷", "买卖合同", "劳动争议", "离婚及婚姻家庭", "交通事故", "物业服务"]
    said = numbered_choices(kinds)
    assert "按四" in said and "按五" not in said and "按六" not in said
    assert said.endswith("也可以直接说：交通事故、物业服务。")
    slot = numbered_choices(["12月8日（周二）08:30", "换一天"])
    assert slot == "说十二月八日周二上午八点半或按一；说换一天或按二。"  # not "08:30", no brackets read out


def test_compose_one_turn():
    turn = compose([
        {"text": "好的。详见 https://x.cn/guide/3"},
        {"text": "请选择服务：",
         "buttons": [{"title": "诉前调解", "payload": "/x"}, {"title": "立案", "payload": "/y"}]},
        {"custom": {"type": "guide_answer", "entry_id": "filing-materials", "title": "t", "url": "u", "basis": []}},
    ])
    assert turn.text == "好的。请选择服务。"
    assert [b["title"] for b in turn.buttons] == ["诉前调解", "立案"]
    assert [c["type"] for c in turn.cards] == ["guide_answer"]
    assert not turn.handoff


def test_compose_sees_a_handoff_and_trims_long_answers():
    turn = compose([{"text": "好的，正在为您转接人工服务，请稍候。"}, {"custom": {"handoff": True}}])
    assert turn.handoff and "转接人工" in turn.text
    turn = compose([{"text": "很长的回答。" * 60}], limit=50)
    assert turn.trimmed and len(turn.text) <= 50


def test_compose_of_nothing_is_empty():
    turn = compose([])
    assert turn.text == "" and not turn.buttons and not turn.handoff


def test_a_sentence_with_a_reference_survives_trimming():
    report = "自测结果：风险等级中。" + "主要问题说明很长。" * 20 + "报告编号R7K2Q。仅供参考。"
    short, trimmed = shorten(report, 60)
    assert trimmed and short.startswith("自测结果：风险等级中。") and "报告编号R7K2Q。" in short
    assert "仅供参考" not in short
