"""The crisis wording (knowledge_base/safety_texts.yml): every kind has its texts, numbers only as placeholders
filled from configuration, nothing on the phone that cannot be heard, no menu words, and every legal quote is
verbatim in the official text the guide keeps (knowledge_base/legal_texts.yml)."""

import re
import string
from pathlib import Path

import pytest
import yaml

from court_common import safety
from knowledge_base.legal_texts import load_kept

TEXTS = yaml.safe_load((Path(__file__).resolve().parents[2] / "knowledge_base" / "safety_texts.yml")
                       .read_text(encoding="utf-8"))
PROFILE = yaml.safe_load((Path(__file__).resolve().parents[2] / "knowledge_base" / "court_profile.yml")
                         .read_text(encoding="utf-8"))
MENU_WORDS = ("还有别的需要吗", "请选择", "按1", "选择一项")


def all_templates() -> list[str]:
    found = []
    for entry in TEXTS["kinds"].values():
        found += [entry["text"], entry["spoken"], entry.get("urgent_lead") or ""]
    found += [*TEXTS["follow_up"].values(), TEXTS["closing"], TEXTS["resume"], TEXTS["sms"]]
    return found


def test_every_kind_has_title_text_and_spoken_words():
    assert set(TEXTS["kinds"]) == set(safety.KINDS)
    for kind, entry in TEXTS["kinds"].items():
        assert entry["title"] and entry["text"] and entry["spoken"], kind
        assert kind in TEXTS["follow_up"]


def test_numbers_are_never_written_into_the_wording():
    known = set(safety.NATIONAL_NUMBERS) | {"form", "court", "lines"}
    for template in all_templates():
        assert not re.search(r"\d", template), template
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert fields <= known, template


def test_spoken_words_have_nothing_that_cannot_be_heard():
    for entry in [*TEXTS["kinds"].values()]:
        assert "{" not in entry["spoken"] and "http" not in entry["spoken"] and "“" not in entry["spoken"][:2]
    assert "{" not in TEXTS["follow_up"]["spoken"]


def test_no_menu_words_in_a_crisis_reply():
    for template in all_templates():
        assert not any(word in template for word in MENU_WORDS), template


def test_the_profile_numbers_are_the_national_ones_and_confirmed():
    table = safety.numbers_table(PROFILE["safety"]["numbers"])
    assert {key: value["number"] for key, value in table.items()} == {
        "police": "110", "ambulance": "120", "women": "12338", "mental_health": "12356"}


def test_a_court_can_replace_a_number_only_when_confirmed():
    unconfirmed = {"mental_health": {"value": "0438-0000000", "name": "本地心理热线", "confirmed": False}}
    table = safety.numbers_table(unconfirmed)
    assert table["mental_health"]["number"] == "12356"
    table = safety.numbers_table({"mental_health": {"value": "96110", "name": "本地心理热线", "confirmed": True}})
    assert table["mental_health"] == {"number": "96110", "name": "本地心理热线"}


@pytest.mark.parametrize("basis", TEXTS["kinds"]["danger"]["basis"], ids=lambda b: f"{b['law']}{b['article']}")
def test_protection_order_quotes_are_verbatim(basis):
    kept = {(record["law"], record["article"]): record["text"] for record in load_kept()}
    assert basis["quote"] in kept[(basis["law"], basis["article"])]


def test_the_danger_text_says_what_the_law_says():
    text = TEXTS["kinds"]["danger"]["text"]
    assert "不用先起诉离婚" in text and "二十四小时内" in text and "口头申请" in text and "{women}" in text
