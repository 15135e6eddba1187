"""The crisis detector (court_common/safety.py) on messages written the way people talk, and on real questions.

tests/data/safety_messages.jsonl: 247 crisis and near-miss messages, written before the rules;
tests/data/safety_messages_fresh.jsonl: 66 more, written after the first rules and measured once unseen (see
docs/safety.md for the figures), then used to tune. The 315 real litigant questions live outside the repository
(../shared/eval, or next to LEGAL_SOURCES_DIR), found the way the citation tests find the official texts.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from court_common import safety
from knowledge_base.legal_texts import sources_dir

DATA = Path(__file__).resolve().parents[1] / "data"
SETS = ("safety_messages.jsonl", "safety_messages_fresh.jsonl")


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def real_questions_path() -> Path:
    return sources_dir().parent / "eval" / "real_litigant_questions.jsonl"


@pytest.fixture(scope="module", params=SETS)
def messages(request) -> list[dict]:
    return read(DATA / request.param)


def figures(rows: list[dict]) -> dict:
    """Recall per kind (a crisis is recalled when its kind is among those found), and false alarms on `none`."""
    total, recalled, alarms, misses = Counter(), Counter(), [], []
    for row in rows:
        finding = safety.detect(row["text"])
        total[row["kind"]] += 1
        if row["kind"] == "none":
            if finding:
                alarms.append((row["text"], finding.rules))
        elif finding and row["kind"] in finding.kinds:
            recalled[row["kind"]] += 1
        else:
            misses.append((row["kind"], row["text"], finding.rules if finding else None))
    crises = sum(total[kind] for kind in safety.KINDS)
    return {"recall": {kind: recalled[kind] / total[kind] for kind in safety.KINDS if total[kind]},
            "overall": sum(recalled.values()) / crises, "false_alarm_rate": len(alarms) / max(total["none"], 1),
            "alarms": alarms, "misses": misses, "total": total}


def test_the_data_set_is_big_and_covers_every_kind():
    rows = read(DATA / SETS[0])
    kinds = Counter(row["kind"] for row in rows)
    assert len(rows) >= 150 and kinds["none"] >= 50
    assert all(kinds[kind] >= 15 for kind in safety.KINDS)
    assert {row["style"] for row in rows} >= {"spoken", "typed", "asr_or_typo"}


def test_recall_is_complete_for_danger_and_suicide_and_at_least_95_percent_overall(messages):
    result = figures(messages)
    assert result["recall"]["danger"] == 1.0, result["misses"]
    assert result["recall"]["suicide"] == 1.0, result["misses"]
    assert result["overall"] >= 0.95, result["misses"]


def test_near_misses_raise_at_most_2_percent_false_alarms(messages):
    result = figures(messages)
    assert result["false_alarm_rate"] <= 0.02, result["alarms"]


@pytest.mark.skipif(not real_questions_path().is_file(), reason="real litigant questions not present here")
def test_real_litigant_questions_raise_at_most_2_percent_false_alarms():
    rows = read(real_questions_path())
    flagged = [(row["id"], row["q"]) for row in rows if safety.detect(row["q"])]
    assert len(rows) >= 300
    assert len(flagged) / len(rows) <= 0.02, flagged


@pytest.mark.parametrize(("text", "kind"), [
    ("官司打输了 欠了一屁股债 我不想活了", "suicide"),
    ("他又打我了 我现在很害怕", "danger"),
    ("我吃了一瓶安眠药", "suicide"),
    ("跟他同归于尽", "threat"),
    ("炸了法院", "threat"),
    ("孩子误喝了农药", "medical"),
])
def test_the_issue_examples(text, kind):
    assert safety.detect(text).kind == kind


@pytest.mark.parametrize("text", ["不想打官司了", "离婚了活得挺好", "不想活在他的阴影下", "被告打来电话",
                                  "死亡赔偿金怎么算", "菜刀厂欠我工资", "交通事故致人死亡怎么起诉"])
def test_the_issue_near_misses(text):
    assert safety.detect(text) is None


def test_button_payloads_and_empty_messages_are_never_a_crisis():
    assert safety.detect('/book_appointment{"booking_service":"mediation"}') is None
    assert safety.detect("") is None and safety.detect("   ") is None


def test_typed_variants_are_normalised():
    assert safety.detect("我不想活了！！！").kind == "suicide"
    assert safety.detect("我 不 想 活 了").kind == "suicide"
    assert safety.detect("我想跳樓").kind == "suicide"  # a traditional character
    assert safety.detect("ＷＯ不想活了").kind == "suicide"  # full-width letters


def test_urgent_when_it_is_happening_now():
    assert safety.detect("我吃了一瓶安眠药").urgent
    assert safety.detect("他拿着刀在门口 我不敢出去").urgent
    assert not safety.detect("活着没意思").urgent


def test_numbers_follow_the_kind():
    assert safety.detect("我不想活了").numbers[0] == "mental_health"
    assert safety.detect("他又打我了").numbers[:2] == ("police", "women")
    assert safety.detect("我爸晕倒了 叫不醒").numbers == ("ambulance",)


def test_distress_follow_ups():
    assert safety.is_distress("我还是很害怕")
    assert safety.is_distress("没人管我")
    assert not safety.is_distress("立案需要什么材料")
    assert not safety.is_distress("/affirm")


def test_every_rule_says_why_it_exists():
    assert all(rule.why and rule.kind in safety.KINDS for rule in safety.RULES)
    assert len({(rule.kind, rule.name) for rule in safety.RULES}) == len(safety.RULES)
