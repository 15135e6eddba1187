"""Bot messages shaped for the ear: what the 12368 hotline speaks.

Pure functions, no Rasa or Twilio imports, so they are unit-tested on their own:
- `clean`: no URLs, markdown or emoji survive (a caller cannot click or see them);
- `read_aloud`: numbers, dates, times, money, percentages, article numbers, phone numbers and references are
  written the way a person would say them, so the TTS voice never guesses ("12368" is 幺二三六八, not 一万两千…);
- `numbered_choices`: buttons become spoken numbered choices that the keypad can answer ("说…或按1");
- `shorten`: long answers are cut at a sentence boundary; the connector then offers the details by SMS;
- `compose`: all of the above over one bot turn (a list of Rasa messages), plus what the connector must act on
  (a handoff request, the buttons for the keypad, a guide entry that can be sent by SMS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DIGITS = "零一二三四五六七八九"
# On the phone a "1" inside a number that is read digit by digit is 幺, so it is not heard as 七.
PHONE_DIGITS = "零幺二三四五六七八九"
SMALL_UNITS = ["", "十", "百", "千"]
BIG_UNITS = ["", "万", "亿", "万亿"]
SENTENCE_END = "。！？；"
DEFAULT_LIMIT = 180  # about 40 seconds of Mandarin speech

# ---------------------------------------------------------------- numbers


def integer(n: int) -> str:
    """15 -> 十五, 105 -> 一百零五, 20000 -> 二万 (两 is used only for a lone 2 before a measure word)."""
    if n < 0:
        return "负" + integer(-n)
    if n == 0:
        return "零"
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    parts: list[str] = []
    zero_pending = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(parts)
            continue
        if parts and (zero_pending or group < 1000):
            parts.append("零")
        parts.append(_group(group) + BIG_UNITS[index])
        zero_pending = False
    text = "".join(parts)
    # 一十五 -> 十五 at the very start, as people say it
    return text[1:] if text.startswith("一十") else text


def _group(n: int) -> str:
    """0 < n < 10000, without leading zero handling across groups."""
    out = ""
    zero = False
    for position in range(3, -1, -1):
        digit = n // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + SMALL_UNITS[position]
    return out


def decimal(text: str) -> str:
    """'3.5' -> 三点五, '12' -> 十二, '0.25' -> 零点二五."""
    whole, _, fraction = text.partition(".")
    spoken = integer(int(whole or "0"))
    if fraction.strip("0"):
        spoken += "点" + "".join(DIGITS[int(d)] for d in fraction.rstrip("0"))
    return spoken


def digit_string(text: str) -> str:
    """Phone numbers, hotline numbers, case and booking references: one digit at a time."""
    return "".join(PHONE_DIGITS[int(ch)] if ch.isdigit() else ch for ch in text)


def money(amount: str) -> str:
    """'1234.50' -> 一千二百三十四元五角; '0.05' -> 五分; '300' -> 三百元."""
    whole, _, fraction = amount.partition(".")
    fraction = (fraction + "00")[:2]
    jiao, fen = int(fraction[0]), int(fraction[1])
    spoken = integer(int(whole or "0")) + "元" if int(whole or "0") or not (jiao or fen) else ""
    if jiao:
        spoken += DIGITS[jiao] + "角"
    if fen:
        spoken += ("零" if spoken and not jiao else "") + DIGITS[fen] + "分"
    return spoken


def year(text: str) -> str:
    """'2026' -> 二零二六 (years are read digit by digit, with 一 not 幺)."""
    return "".join(DIGITS[int(ch)] for ch in text)


def clock(hour: int, minute: int) -> str:
    """08:30 -> 上午八点半, 13:05 -> 下午一点零五分, 12:00 -> 中午十二点."""
    if hour < 6:
        period = "凌晨"
    elif hour < 12:
        period = "上午"
    elif hour < 13:
        period = "中午"
    elif hour < 18:
        period = "下午"
    else:
        period = "晚上"
    spoken_hour = hour if hour <= 12 else hour - 12
    hour_text = "两" if spoken_hour == 2 else integer(spoken_hour)
    if minute == 0:
        tail = ""
    elif minute == 30:
        tail = "半"
    elif minute < 10:
        tail = "零" + DIGITS[minute] + "分"
    else:
        tail = integer(minute) + "分"
    return f"{period}{hour_text}点{tail}"


# Measure words after which 2 is said 两 ("2个工作日" -> 两个工作日).
MEASURE_WORDS = "个份次名位件天周页本张项种"
# Units that make a bare number a quantity, read as a number (not digit by digit).
QUANTITY_UNITS = "元块万亿人天日个件份次条款项号年月周岁小时分钟页张本种倍米公里平方字"

# ---------------------------------------------------------------- cleaning

_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s，。；！？、）)\]]+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|~~|`+)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)
_MD_BULLET = re.compile(r"^\s*[-*+•·]\s+", re.MULTILINE)
_MD_NUMBERED = re.compile(r"^\s*(\d{1,2})[.、)）](?!\d)\s*", re.MULTILINE)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\U00002b00-\U00002bff"
    "\U0000fe0f\U0000200d\U000020e3\U0001f1e6-\U0001f1ff]"
)
_EMPTY_BRACKETS = re.compile(r"[（(]\s*[)）]|【\s*】")
_SPACES = re.compile(r"[ \t\u3000]+")
_DANGLING = re.compile(r"(?:详见|请见|参见|请访问|请点击)?\s*[:：]?\s*(?=[。，；]|$)")


def clean(text: str) -> str:
    """Removes what cannot be heard: URLs, e-mail addresses, markdown, emoji; joins lines into sentences."""
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    text = _EMAIL.sub("", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_BULLET.sub("", text)
    text = _MD_NUMBERED.sub(lambda m: integer(int(m.group(1))) + "、", text)
    text = _MD_EMPHASIS.sub("", text)
    text = _EMOJI.sub("", text)
    text = text.replace("|", "，")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    joined = ""
    for line in lines:
        if joined and joined[-1] not in SENTENCE_END + "，、：:,.!?;":
            joined += "。"
        joined += line
    joined = _EMPTY_BRACKETS.sub("", joined)
    joined = _DANGLING.sub("", joined)  # "详见：" whose link was removed
    joined = _SPACES.sub(" ", joined).strip()
    joined = re.sub(r"\s*([，。；！？、：])\s*", r"\1", joined)
    return re.sub(r"([，。；])[，。；]+", r"\1", joined)


# ---------------------------------------------------------------- reading numbers aloud

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DATE_CN = re.compile(r"(?<!\d)(\d{4})年(?:(\d{1,2})月)?(?:(\d{1,2})[日号])?")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})([日号])")
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3])[:：]([0-5]\d)(?![\d:])")
_MONEY_PREFIX = re.compile(r"[¥￥]\s*(\d+(?:\.\d{1,2})?)\s*(万|亿)?元?")
_MONEY_SUFFIX = re.compile(r"(?<![\d.])(\d+(?:\.\d{1,2})?)\s*(万元|亿元|元|块钱|块)")
_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*[%％]")
_RANGE_UNITS = "[%％]|万元|元|块|天|日|个|年|月|人|小时|分钟|岁|倍|件|次"
_RANGE = re.compile(rf"(?<![\d.])([1-9]\d*(?:\.\d+)?)\s*[-~～至到]\s*(?=\d+(?:\.\d+)?\s*(?:{_RANGE_UNITS}))")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[-\s](\d{7,8})(?!\d)")
_ARTICLE = re.compile(r"第\s*(\d+)\s*(条|款|项|章|节|编|次|个|天|日|号|批|名)")
_REFERENCE = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_LONG_DIGITS = re.compile(r"(?<![\d.])\+?\d{5,}(?![\d.]|\s*[元万亿人天个件份次倍])")
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])")


def _reference(match: re.Match) -> str:
    """R7K2Q / B-20261203-0042: letters spelled, digits one by one, dashes as short pauses."""
    token = match.group(0)
    spoken = []
    for chunk in token.split("-"):
        runs = re.findall(r"\d+|[A-Za-z]+", chunk)
        spoken.append(" ".join(digit_string(run) if run.isdigit() else " ".join(run.upper()) for run in runs))
    return "，".join(spoken)


def _money_prefix(match: re.Match) -> str:
    amount, big = match.group(1), match.group(2)
    if big:
        return decimal(amount) + big + "元"
    return money(amount)


def _money_suffix(match: re.Match) -> str:
    amount, unit = match.group(1), match.group(2)
    if unit in ("万元", "亿元"):
        return decimal(amount) + unit
    if unit.startswith("块"):
        return decimal(amount) + unit
    return money(amount)


def _plain_number(match: re.Match) -> str:
    number = match.group(1)
    following = match.string[match.end():match.end() + 1]
    if number == "2" and following and following in MEASURE_WORDS:
        return "两"
    if "." not in number and len(number) > 1 and number.startswith("0"):
        return digit_string(number)
    return decimal(number)


def read_aloud(text: str) -> str:
    """Writes digits, dates, times, money and references out the way they should be spoken."""
    text = _THOUSANDS.sub("", text)
    text = _DATE_ISO.sub(lambda m: f"{year(m.group(1))}年{integer(int(m.group(2)))}月{integer(int(m.group(3)))}日",
                         text)
    text = _DATE_CN.sub(
        lambda m: year(m.group(1)) + "年"
        + (integer(int(m.group(2))) + "月" if m.group(2) else "")
        + (integer(int(m.group(3))) + "日" if m.group(3) else ""),
        text,
    )
    text = _MONTH_DAY.sub(lambda m: f"{integer(int(m.group(1)))}月{integer(int(m.group(2)))}{m.group(3)}", text)
    text = _TIME.sub(lambda m: clock(int(m.group(1)), int(m.group(2))), text)
    text = _LANDLINE.sub(lambda m: digit_string(m.group(1)) + "，" + digit_string(m.group(2)), text)
    text = _MONEY_PREFIX.sub(_money_prefix, text)
    text = _RANGE.sub(lambda m: decimal(m.group(1)) + "至", text)
    text = _MONEY_SUFFIX.sub(_money_suffix, text)
    text = _PERCENT.sub(lambda m: "百分之" + decimal(m.group(1)), text)
    text = _ARTICLE.sub(lambda m: "第" + integer(int(m.group(1))) + m.group(2), text)
    text = _REFERENCE.sub(_reference, text)
    text = _LONG_DIGITS.sub(lambda m: ("加" if m.group(0).startswith("+") else "")
                            + digit_string(m.group(0).lstrip("+")), text)
    return _NUMBER.sub(_plain_number, text)


def speakable(text: str) -> str:
    """clean + read_aloud: the text exactly as the caller should hear it."""
    return read_aloud(clean(text))


# ---------------------------------------------------------------- length and choices


# A sentence carrying a reference the caller must write down is never cut (the risk report's 报告编号 comes last).
ESSENTIAL = re.compile(r"编号|预约号|查询码|案号|报告号|时间：|地点：")


def shorten(text: str, limit: int = DEFAULT_LIMIT) -> tuple[str, bool]:
    """The first whole sentences that fit in `limit` characters, plus any later sentence with a reference;
    (text, True) when something was cut."""
    if len(text) <= limit:
        return text, False
    sentences = re.findall(rf"[^{SENTENCE_END}]+[{SENTENCE_END}]?", text)
    short = ""
    full = False
    for sentence in sentences:
        if not full and len(short) + len(sentence) <= limit:
            short += sentence
            continue
        full = True
        if ESSENTIAL.search(sentence) and len(short) + len(sentence) <= 2 * limit:
            short += sentence
    if not short:  # one very long sentence: cut at the last comma that fits
        head = text[:limit]
        cut = max(head.rfind("，"), head.rfind("、"))
        short = (head[:cut] if cut > limit // 3 else head) + "。"
    elif short[-1] not in SENTENCE_END:
        short += "。"
    return short, True


# A caller keeps at most four numbered choices in mind (Chinese hotlines' own rule, issue 17); any further ones are
# named without a key, to be said. Their keys still work, they are only not announced.
MAX_NUMBERED_CHOICES = 4


_NO_BRACKETS = str.maketrans("", "", "（）()")


def spoken_label(title: str) -> str:
    """A button's title as it is heard: '12月8日（周二）08:30' -> 十二月八日周二上午八点半."""
    return read_aloud(clean(title)).translate(_NO_BRACKETS)


def listed_choices(text: str, titles: list[str]) -> str | None:
    """When the bot's text already names every choice in order (a menu written for screens: "一、程序问题咨询；
    二、…"), the caller hears the keys once instead of every choice twice: 请说出您的选择，或按一到四。"""
    if not 2 <= len(titles) <= MAX_NUMBERED_CHOICES:
        return None
    position = 0
    for title in map(clean, titles):
        found = text.find(title, position)
        if found < 0:
            return None
        position = found + len(title)
    return f"请说出您的选择，或按一到{integer(len(titles))}。"


def numbered_choices(titles: list[str]) -> str:
    """['程序问题咨询', '转人工'] -> 说程序问题咨询或按一；说转人工或按二。 Beyond four: 也可以直接说：…"""
    labels = [spoken_label(title) for title in titles]
    parts = [f"说{label}或按{integer(index)}" for index, label in enumerate(labels[:MAX_NUMBERED_CHOICES], start=1)]
    if not parts:
        return ""
    rest = labels[MAX_NUMBERED_CHOICES:]
    return "；".join(parts) + "。" + (f"也可以直接说：{'、'.join(rest)}。" if rest else "")


# ---------------------------------------------------------------- one bot turn


@dataclass
class SpokenTurn:
    """What the connector does with one bot turn."""

    text: str = ""
    buttons: list[dict[str, Any]] = field(default_factory=list)  # of the last message that had any
    handoff: bool = False
    trimmed: bool = False
    cards: list[dict[str, Any]] = field(default_factory=list)
    repeat: int = 0  # this turn says the last thing again, for the n-th time in a row (actions/repair.py)


# ---------------------------------------------------------------- slower, in shorter pieces (a second repeat)

# Long digit runs that are not amounts, dates or times: read one digit at a time, with a pause between digits.
_SLOW_DIGITS = re.compile(r"(?<![\d.:：\-])(\d{3,})(?![\d.:：]|\s*[元万亿年月日号点时分])")
_SPACED_DIGITS = re.compile(r"(?<=\d) (?=\d)")
_PIECE_END = "。！？；，、："
SLOW_PIECE_CHARS = 16


def digits_one_by_one(text: str) -> str:
    """'预约号：3 8 4 7' / '12368' -> digits with a pause after each (before read_aloud), for a slow repeat."""
    text = _SPACED_DIGITS.sub("，", text)
    return _SLOW_DIGITS.sub(lambda m: "，".join(digit_string(d) for d in m.group(1)), text)


def slow_pieces(spoken: str, limit: int = SLOW_PIECE_CHARS) -> list[str]:
    """Spoken text in short pieces: at every sentence end and comma, and long stretches cut again, so that the
    connector can speak each piece slowly with a pause after it (SSML <prosody rate> and <break>)."""
    pieces: list[str] = []
    for part in re.findall(rf"[^{_PIECE_END}]+[{_PIECE_END}]*", spoken):
        part = part.strip()
        while len(part) > limit:
            pieces.append(part[:limit])
            part = part[limit:]
        if part:
            pieces.append(part)
    return pieces


def compose(messages: list[dict[str, Any]], limit: int = DEFAULT_LIMIT, slow: bool = False) -> SpokenTurn:
    """Turns the Rasa messages of one bot turn into one spoken text, the keypad choices and the actions."""
    turn = SpokenTurn()
    sentences: list[str] = []
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("repeat"), int):
            turn.repeat = custom["repeat"]
            continue
        if isinstance(custom, dict):
            if custom.get("handoff"):
                turn.handoff = True
            else:
                turn.cards.append(custom)
        text = message.get("text")
        if text:
            spoken = clean(text)
            if spoken:
                sentences.append(spoken if spoken[-1] in SENTENCE_END else spoken + "。")
        if message.get("buttons"):
            turn.buttons = [b for b in message["buttons"] if isinstance(b, dict) and b.get("payload")]
    body = "".join(sentences)
    body, turn.trimmed = shorten(body, limit)
    if slow or turn.repeat >= 2:
        body = digits_one_by_one(body)
    turn.text = read_aloud(body)
    return turn
