"""Understanding free answers to the self-assessment questions: one place, testable, used by the chat actions
through POST /api/risk/parse.

Chinese numbers go through cn2an ("十万块" -> 100000, "3.5万" -> 35000); dates through JioNLP's time parser
(jionlp.parse_time: "前年", "三年前", "去年六月" relative to today). Choice questions accept the option's digit
(keypad or "选二"), its words, or everyday phrasings.
"""

from __future__ import annotations

import logging
import re
import warnings
from datetime import date, datetime, timedelta
from typing import Any

import cn2an

log = logging.getLogger(__name__)

SKIP_WORDS = ("跳过", "下一个", "下一题", "不回答", "不想说")
UNKNOWN_WORDS = ("不知道", "不清楚", "不记得", "忘了", "说不清", "记不清")
NEGATIONS = ("没有", "没", "无", "不是", "不")

# Each choice question: (value, button title, keywords). The order is the order of buttons and keypad digits.
CHOICES: dict[str, list[tuple[Any, str, tuple[str, ...]]]] = {
    "dispute_type": [
        ("loan", "民间借贷", ("借钱", "借款", "借条", "欠条", "欠钱", "欠我钱", "还钱", "借贷", "借给", "借了", "借我",
                          "不还")),
        ("sale", "买卖合同", ("买卖", "货款", "货钱", "买东西", "卖东西", "卖给", "买了", "合同")),
        ("labour", "劳动争议", ("劳动", "工资", "工钱", "老板", "辞退", "开除", "工伤", "加班", "社保", "单位")),
        ("divorce", "离婚及婚姻家庭", ("离婚", "婚姻", "家庭", "夫妻", "老公", "老婆", "丈夫", "妻子", "抚养", "彩礼",
                                 "家暴", "赡养")),
        ("traffic", "交通事故", ("交通", "车祸", "撞", "交警", "肇事")),
        ("property_service", "物业服务", ("物业",)),
        ("lease", "房屋租赁", ("租", "房东", "租客", "押金")),
        ("personal_injury", "人身损害", ("人身", "打伤", "受伤", "伤害", "被打", "咬伤", "摔伤")),
        ("other", "其他", ("其他", "别的", "都不是")),
    ],
    "evidence": [
        ("contract", "合同或借条", ("合同", "借条", "欠条", "收据", "协议", "字据", "条子", "发票", "单据")),
        ("transfer", "转账记录", ("转账", "汇款", "银行", "流水", "支付宝", "打款", "转的")),
        ("chat", "聊天记录或录音", ("聊天", "短信", "录音", "录像", "视频", "截图", "信息")),
        ("witness", "证人", ("证人", "作证", "看见", "在场")),
        ("none", "都没有", ("都没有", "没有证据", "啥也没有", "什么都没有", "没证据", "没有")),
    ],
    "defendant": [
        ("full", "姓名、身份证号和住址都知道", ("都知道", "都清楚", "都有", "知道")),
        ("no_address", "知道是谁，但不知道住址", ("住址", "住哪", "地址", "住在哪")),
        ("name_only", "只知道名字或电话", ("只知道", "名字", "电话", "微信", "外号")),
        ("unknown", "都不知道", ("都不知道", "不认识", "不知道是谁", "不知道")),
    ],
    "enforceable_property": [
        ("yes", "有房、车、存款或稳定工资", ("有房", "有车", "存款", "工资", "上班", "有钱", "有", "是", "对")),
        ("no", "没有", ("没有", "没", "穷", "欠一屁股")),
        ("unknown", "不清楚", UNKNOWN_WORDS),
    ],
    "prior": [
        ("none", "都没有", ("都没有", "没有", "没", "还没")),
        ("negotiated", "自己协商过", ("协商", "商量", "谈过", "找过", "催过", "要过")),
        ("mediated", "调解过", ("调解", "居委会", "村委会", "派出所")),
        ("sued", "已经起诉过", ("起诉", "告过", "打过官司", "立过案")),
    ],
    "prior_labour": [
        ("none", "还没有申请劳动仲裁", ("没有", "没", "还没", "不知道要")),
        ("arbitration_pending", "已经申请，还没裁决", ("申请了", "在仲裁", "还没裁", "还没出", "等")),
        ("arbitrated", "已经有仲裁裁决", ("裁决了", "已经裁", "出结果", "仲裁过", "仲裁完")),
    ],
    "yes_no": [
        (True, "是", ("是", "对", "有", "嗯", "被打", "打我", "动手", "打过")),
        (False, "不是", ("没有", "没", "不是", "不", "否")),
    ],
}
NEGATED_FIRST = {"yes_no", "enforceable_property", "prior", "prior_labour"}
QUESTION_FIELDS = {
    "dispute_type": "dispute_type", "amount": "amount", "arose": "date", "last_demand": "date",
    "evidence": "evidence", "defendant": "defendant", "enforceable_property": "enforceable_property",
    "prior": "prior", "prior_labour": "prior_labour", "divorce_refused_recently": "yes_no",
    "domestic_violence": "yes_no",
}
HELP = {
    "dispute_type": "请说是哪一类纠纷，比如借钱不还、工资、离婚，或者按数字选择。",
    "amount": "请说一个金额，比如“十万”“五千多”“3.5万”。",
    "date": "请说一个时间，比如“前年”“三年前”“2023年5月”“去年六月”。",
    "evidence": "请说您手里有什么证据，比如借条、转账记录、聊天记录，可以说几样；没有就说“没有”。",
    "defendant": "请说您是否知道对方的姓名、身份证号和住址，或者按数字选择。",
    "enforceable_property": "请说对方有没有房、车、存款或者稳定工资：有、没有，或者不清楚。",
    "prior": "请说之前有没有协商、调解或者起诉过，或者按数字选择。",
    "prior_labour": "请说有没有申请过劳动仲裁，或者按数字选择。",
    "yes_no": "请回答“是”或者“不是”。",
}


def options(field: str) -> list[dict[str, Any]]:
    kind = QUESTION_FIELDS.get(field, field)
    return [{"value": value, "title": title} for value, title, _ in CHOICES.get(kind, [])]


def _clean(text: str) -> str:
    text = text.strip().lower()
    return re.sub(r"^(嗯+|那个|就是|呃|啊|喂)[，,。 ]*", "", text)


def _digit_choice(text: str, count: int) -> list[int] | None:
    """'2', '选二', '第2个', '1和3' -> 0-based indexes; None if the text is not a pure digit answer."""
    converted = _to_arabic(text)
    if not re.fullmatch(r"(第|选|按)?[\d\s,，、和跟还有号个项]+", converted):
        return None
    digits = [int(d) for d in re.findall(r"\d", converted)]
    if not digits or any(d < 1 or d > count for d in digits):
        return None
    return [d - 1 for d in digits]


def _to_arabic(text: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return cn2an.transform(text, "cn2an")
        except (ValueError, KeyError):
            return text


# "一" in words like 一下 / 一直 is not an amount ("请问一下立案…" must not be read as 1 元)
NOT_A_NUMBER = re.compile(r"一(下|点|些|直|样|起|般|定|共|切|边|会|旦|律|审|次性)|第[一二三四五六七八九十\d]+")
QUESTION = re.compile(r"什么|怎么|咋|吗|呢|哪|如何|要不要|能不能|可不可以|是不是|？|\?")
MONEY_UNIT = re.compile(r"\d\s*(亿|万|w|千|k|百|元|块|圆)")


def parse_amount(text: str) -> dict[str, Any]:
    raw = _clean(text)
    if re.search(r"^(没有|没|不涉及|无|零)$", raw) or raw in ("没有财产", "不涉及财产", "没有钱"):
        return {"ok": True, "value": 0, "display": "不涉及金额"}
    # spoken "一个亿" / "两个万" carry a 个 that hides the unit from cn2an
    spoken = re.sub(r"(?<=[\d一二两三四五六七八九十])个(?=[亿万千百])", "", NOT_A_NUMBER.sub("", raw))
    converted = _to_arabic(spoken).replace(",", "").replace("，", "")
    if QUESTION.search(raw) and not MONEY_UNIT.search(converted):
        # a question asked in the middle of the form, not an answer: the form lets the guide take it
        return {"ok": False, "message": "没听出金额。" + HELP["amount"]}
    match = re.search(r"(\d+(?:\.\d+)?)\s*(亿|万|w|千|k|百)?", converted)
    if not match:
        return {"ok": False, "message": "没听出金额。" + HELP["amount"]}
    value = float(match.group(1)) * {"亿": 1e8, "万": 1e4, "w": 1e4, "千": 1e3, "k": 1e3, "百": 100}.get(
        match.group(2) or "", 1)
    if value <= 0 or value > 1e11:
        return {"ok": False, "message": "这个金额好像不对。" + HELP["amount"]}
    approx = bool(re.search(r"多|左右|大概|差不多|约", raw.replace("多少", "")))
    value = round(value, 2)
    shown = f"{value / 1e8:g}亿元" if value >= 1e8 else f"{value / 1e4:g}万元" if value >= 1e4 else f"{value:g}元"
    return {"ok": True, "value": int(value) if value == int(value) else value,
            "display": ("约" if approx else "") + shown}


def _time_parse(text: str, today: date) -> dict[str, Any] | None:
    import jionlp  # imported lazily: it loads dictionaries (about 1 s)

    base = datetime(today.year, today.month, today.day, 12).timestamp()
    try:
        return jionlp.parse_time(text, time_base=base)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        log.debug("time not understood: %s", type(exc).__name__)
        return None


def _month_span(today: date, back: int) -> tuple[date, date]:
    """The calendar month `back` months before today's month (0 = this month, up to today)."""
    index = today.year * 12 + today.month - 1 - back
    start = date(index // 12, index % 12 + 1, 1)
    nxt = date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return start, min(nxt - timedelta(days=1), today)


def _colloquial_span(raw: str, today: date) -> tuple[date, date] | None:
    """Everyday phrasings JioNLP 1.5 does not parse ("上个月", "前几天", "最近")."""
    if re.search(r"上上个?月", raw):
        return _month_span(today, 2)
    if re.search(r"上个?月", raw):
        return _month_span(today, 1)
    if re.search(r"(这个?|本)月", raw):
        return _month_span(today, 0)
    if re.search(r"前几天|这几天|前两天|刚才|刚刚", raw):
        return today - timedelta(days=10), today
    if re.search(r"最近|近期|前段时间|前一段", raw):
        return today - timedelta(days=90), today
    if re.search(r"几个月(前|以前|之前)", raw):
        return today - timedelta(days=365), today - timedelta(days=60)
    return None


def _date_words(earliest: str | None, latest: str | None) -> str:
    """Speakable: '2024年', '2025年6月', '2026年11月26日', or a range of those."""
    def one(day: date) -> str:
        return f"{day.year}年{day.month}月{day.day}日"

    start = date.fromisoformat(earliest) if earliest else None
    end = date.fromisoformat(latest) if latest else None
    if start and end:
        if start == end:
            return one(start)
        if (start.month, start.day) == (1, 1) and start.year == end.year and (end.month, end.day) == (12, 31):
            return f"{start.year}年"
        if start.day == 1 and start.year == end.year and start.month == end.month:
            return f"{start.year}年{start.month}月"
        return f"{one(start)}到{one(end)}之间"
    return f"{one(end)}以前" if end else f"{one(start)}以后"


def parse_date(text: str, today: date, allow_never: bool = False) -> dict[str, Any]:
    raw = _clean(text)
    never = re.search(r"(没|从来|从没|一直没|未)(有)?(要|催|找|主张|问)", raw + "要")
    if allow_never and never and not re.search(r"\d|年|月|前|去|今", raw):
        return {"ok": True, "value": "never", "display": "没有主张过"}
    if any(word in raw for word in UNKNOWN_WORDS) and not re.search(r"\d|年|月", raw):
        return {"ok": True, "value": "unknown", "display": "不记得"}
    candidate = re.sub(r"(大概|差不多|大约|好像|应该是|的时候|那会儿|左右|吧|吗|了)", "", raw) or raw
    colloquial = _colloquial_span(candidate, today)
    if colloquial:
        earliest, latest = colloquial[0].isoformat(), colloquial[1].isoformat()
    else:
        result = _time_parse(candidate, today)
        if not result or result.get("type") not in ("time_point", "time_span"):
            return {"ok": False, "message": "没听出是什么时间。" + HELP["date"]}
        start, end = result["time"][0], result["time"][1]
        earliest = None if start in ("-inf", "inf") else start[:10]
        latest = None if end in ("-inf", "inf") else end[:10]
    if latest and latest > today.isoformat():
        latest = today.isoformat()
    if earliest and earliest > today.isoformat():
        return {"ok": False, "message": "这个时间还没到呢。" + HELP["date"]}
    if earliest is None and latest is None:
        return {"ok": False, "message": "没听出是什么时间。" + HELP["date"]}
    return {"ok": True, "value": {"earliest": earliest, "latest": latest}, "display": _date_words(earliest, latest)}


def _keyword_choices(kind: str, text: str) -> list[int]:
    """Evidence: every option named in any segment. Other questions: the option whose keyword match is longest
    (so "只知道电话" is name_only, not the "知道" of full)."""
    entries = CHOICES[kind]

    def score(segment: str, index: int) -> int:
        _value, title, words = entries[index]
        if segment == title:
            return 100
        return max((len(word) for word in words if word in segment), default=0)

    if kind != "evidence":
        scores = [score(text, index) for index in range(len(entries))]
        best = max(scores)
        return [scores.index(best)] if best else []
    found: list[int] = []
    for segment in re.split(r"[，,。；;、\s]+|和|跟|还有|以及|也有|另外", text):
        if not segment:
            continue
        negated = segment.startswith(("没有", "没", "无")) and segment not in ("没有", "没")
        for index, (value, _title, _words) in enumerate(entries):
            if negated and value != "none":
                continue
            if negated:
                continue
            if score(segment, index) and index not in found:
                found.append(index)
    return found


def parse_choice(kind: str, text: str) -> dict[str, Any]:
    entries = CHOICES[kind]
    raw = _clean(text)
    picked = _digit_choice(raw, len(entries))
    if picked is not None and kind != "evidence" and len(set(picked)) > 1:
        return {"ok": False, "message": "这个问题只能选一项。" + HELP[kind]}
    if picked is None:
        if kind in NEGATED_FIRST and raw.startswith(("没", "不是", "没有", "不")) and not any(
                word in raw for word in UNKNOWN_WORDS):
            negative = [i for i, entry in enumerate(entries) if entry[0] in (False, "no", "none")]
            picked = negative[:1]
        elif kind == "defendant" and ("不知道" in raw or "不清楚" in raw) and any(
                w in raw for w in ("住", "地址")):
            picked = [1]
        else:
            picked = _keyword_choices(kind, raw)
        if kind == "enforceable_property" and any(word in raw for word in UNKNOWN_WORDS):
            picked = [2]
    if not picked:
        return {"ok": False, "message": "没听明白。" + HELP[kind]}
    if kind == "evidence":
        values = [entries[i][0] for i in picked]
        if "none" in values and len(values) > 1:
            values.remove("none")
        return {"ok": True, "value": values, "display": "、".join(CHOICES[kind][[e[0] for e in entries].index(v)][1]
                                                                  for v in values)}
    value, title, _ = entries[picked[0]]
    return {"ok": True, "value": value, "display": title}


def parse_answer(field: str, text: str, today: date | None = None) -> dict[str, Any]:
    """The normalized answer to one question: {"ok": True, "value", "display"} or {"ok": False, "message"}."""
    if field not in QUESTION_FIELDS:
        raise KeyError(field)
    today = today or date.today()
    text = (text or "").strip()
    if not text:
        return {"ok": False, "message": "没有听到回答。" + HELP[QUESTION_FIELDS[field]]}
    if any(word in text for word in SKIP_WORDS):
        return {"ok": True, "value": "skip", "display": "跳过"}
    kind = QUESTION_FIELDS[field]
    if kind == "amount":
        return parse_amount(text)
    if kind == "date":
        return parse_date(text, today, allow_never=(field == "last_demand"))
    return parse_choice(kind, text)
