"""The main ask of a long question (knowledge_base/asks.py): which clause asks, what kind of ask, merits or not.
The sentences are written for this test in the style of real questions (a story, then the ask), not taken from the
evaluation files."""

import pytest

from knowledge_base.asks import ASK_TYPES, main_ask
from knowledge_base.guide import load_guide


@pytest.mark.parametrize(("text", "clause_part", "kind"), [
    ("我和对象分居两年了，去年底交了起诉状。到底多久才能开庭", "多久才能开庭", "duration"),
    ("借给邻居五万块一直不还，我想起诉，要准备什么材料", "要准备什么材料", "materials"),
    ("我们俩户口都不在这边，起诉离婚去哪个法院", "去哪个法院", "where"),
    ("法院寄来一张纸写着终结本次执行，这是什么意思", "这是什么意思", "meaning"),
    ("他欠我八万，打官司诉讼费要多少钱", "诉讼费要多少钱", "cost"),
    ("传票上写下周开庭，我在外地打工，不去会有什么后果", "不去会有什么后果", "consequence"),
    ("判决生效三个月了，对方一直不给钱，我该怎么办", "我该怎么办", "how"),
])
def test_the_asking_clause_and_its_type(text, clause_part, kind):
    ask = main_ask(text)
    assert clause_part in ask.clause
    assert ask.ask_type == kind
    assert not ask.merits


def test_a_short_asking_clause_keeps_its_subject():
    ask = main_ask("离婚官司去年立的案。多久开庭？")
    assert "离婚" in ask.clause and ask.ask_type == "duration"


def test_the_first_question_mark_wins_over_a_later_question():
    ask = main_ask("法院的调解书有没有期限？过了期限怎么办？")
    assert ask.clause.startswith("法院的调解书有没有期限") and ask.ask_type == "duration"


@pytest.mark.parametrize("text", [
    "我这种情况能赢吗",
    "借条丢了只有转账记录，胜算大不大",
    "打了人会不会坐牢",
    "撞了人能判多少",
    "二审法院会直接判离婚吗",
])
def test_merits_only(text):
    ask = main_ask(text)
    assert ask.merits and ask.procedural == ""


def test_merits_with_a_procedural_part():
    ask = main_ask("我想要回孩子的抚养权，诉讼费要多少钱，我胜算有多大")
    assert ask.merits
    assert "诉讼费要多少钱" in ask.procedural and ask.ask_type == "cost"


@pytest.mark.parametrize("text", ["判决不准离婚后多久能再起诉", "判决书什么时候生效", "输了官司诉讼费谁出"])
def test_procedure_about_judgments_is_not_merits(text):
    assert not main_ask(text).merits


def test_every_entry_declares_known_asks():
    for entry in load_guide():
        assert entry.asks and set(entry.asks) <= set(ASK_TYPES), entry.id
