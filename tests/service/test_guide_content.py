"""The procedure guide's content: every entry valid, ids unique, cross-references resolvable, short answers fit to
be spoken, and no court-specific fact written into an entry (only {court.<path>} placeholders)."""

import re

import pytest

from knowledge_base.guide import (
    UNCONFIRMED,
    load_court_profile,
    load_guide,
    missing_related,
    placeholders,
    profile_fact,
    render_details,
    render_text,
)
from knowledge_base.schema import MARKDOWN, URL

# Ids of part A (GUIDE_IDS.md): all must be written.
PART_A = [
    "filing-conditions",
    "filing-materials",
    "filing-complaint-writing",
    "filing-on-the-spot",
    "filing-online",
    "filing-self-service",
    "filing-cross-region",
    "filing-time-limit",
    "filing-not-accepted",
    "filing-correction",
    "filing-counterclaim",
    "filing-withdrawal",
    "fee-how-computed",
    "fee-non-property",
    "fee-labour-case",
    "fee-when-pay",
    "fee-how-pay",
    "fee-not-paid",
    "fee-relief",
    "fee-refund",
    "fee-halved",
    "fee-who-bears",
    "fee-appeal",
    "fee-application",
    "mediation-pre-litigation",
    "mediation-cost",
    "mediation-duration",
    "mediation-failed",
    "mediation-agreement-effect",
    "mediation-in-court",
    "mediation-online",
    "judicial-confirmation",
    "judicial-confirmation-apply",
    "judicial-confirmation-effect",
    "small-claims",
    "small-claims-time",
    "summary-procedure",
    "ordinary-procedure-time",
    "payment-order",
    "payment-order-objection",
    "service-electronic",
    "service-mail",
    "service-public-notice",
    "service-address-confirmation",
    "service-refused",
    "evidence-burden",
    "evidence-period",
    "evidence-types",
    "evidence-collection-request",
    "evidence-witness",
    "hearing-summons",
    "hearing-absent-plaintiff",
    "hearing-absent-defendant",
    "hearing-postpone",
    "hearing-online",
    "appraisal",
    "preservation-before-suit",
    "preservation-during-suit",
    "preservation-security",
    "preservation-fee",
    "preservation-wrongful",
]


MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[-－ ]?\d{7,8}(?!\d)")
SHORT_NUMBER = re.compile(r"(?<!\d)(12368|12348|12345|12333)(?!\d)")  # hotlines belong in the profile
STREET = re.compile(r"[\u4e00-\u9fff]{1,8}(路|街|大街|大路|胡同)\d+号")
CLOCK = re.compile(r"(?<!\d)\d{1,2}[:：]\d{2}(?!\d)")


@pytest.fixture(scope="module")
def entries():
    return load_guide()


@pytest.fixture(scope="module")
def profile():
    return load_court_profile()


def test_every_entry_validates_and_ids_are_unique(entries):
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids))
    assert len(entries) >= 100, "the issue asks for at least 100 entries"


def test_part_a_is_complete(entries):
    assert sorted(set(PART_A) - {e.id for e in entries}) == []


def test_related_ids_exist(entries):
    assert missing_related(entries) == []
    for entry in entries:
        assert entry.id not in entry.related
        assert len(entry.related) == len(set(entry.related))


def test_short_answers_can_be_read_aloud(entries):
    for entry in entries:
        text = entry.short_answer
        assert 10 <= len(text) <= 90, entry.id
        assert not URL.search(text) and not MARKDOWN.search(text), entry.id
        assert text.endswith(("。", "？", "！")), entry.id


def test_sample_questions_are_varied_and_plain(entries):
    for entry in entries:
        assert 5 <= len(entry.questions) <= 12, entry.id
        assert len({q.strip() for q in entry.questions}) == len(entry.questions), entry.id
        for question in entry.questions:
            assert 3 <= len(question) <= 60, (entry.id, question)
            assert not URL.search(question), (entry.id, question)


def test_no_court_fact_is_written_into_an_entry(entries):
    for entry in entries:
        for text in (entry.short_answer, entry.details, entry.title):
            for pattern in (MOBILE, LANDLINE, SHORT_NUMBER, STREET, CLOCK):
                found = pattern.search(text)
                assert not found, f"{entry.id}: {found.group(0)!r} must come from the court profile"


def test_placeholders_name_profile_facts(entries, profile):
    for entry in entries:
        for path in placeholders(entry.details) + placeholders(entry.short_answer):
            node = profile
            for part in path.split("."):
                assert isinstance(node, dict) and part in node, f"{entry.id}: no court profile key {path}"
                node = node[part]
        rendered = render_details(entry, profile)
        assert "{court." not in rendered and "{" not in rendered, entry.id


def test_basic_fields(entries):
    for entry in entries:
        assert entry.title and entry.details.strip() and entry.basis, entry.id
        assert str(entry.checked) >= "2026-01-01", entry.id


def test_unconfirmed_facts_are_never_shown_as_fact():
    profile = {
        "contacts": {
            "address": {"value": None, "confirmed": False},
            "hotline": {"value": "12368", "confirmed": True},
            "hours": {"value": "8点半", "confirmed": False},
        },
        "local_amounts": {"range": {"value": [50, 300], "confirmed": False}},
        "court": {"name": "某法院"},
    }
    assert profile_fact("contacts.address", profile) == UNCONFIRMED
    assert profile_fact("contacts.hotline", profile) == "12368"
    assert profile_fact("contacts.hours", profile) == f"8点半（{UNCONFIRMED}）"
    assert profile_fact("local_amounts.range", profile) == f"50至300（{UNCONFIRMED}）"
    assert profile_fact("court.name", profile) == "某法院"
    assert profile_fact("contacts.nowhere", profile) == UNCONFIRMED
    assert render_text("到{court.court.name}，电话{court.contacts.hotline}", profile) == "到某法院，电话12368"


def test_render_entry_fills_short_answer_and_details(entries, profile):
    from knowledge_base.guide import render_entry

    for entry in entries:
        data = render_entry(entry, profile)
        assert data["id"] == entry.id and "{court." not in data["details"] + data["short_answer"]
        assert data["basis"] and data["checked"] == str(entry.checked)


def test_no_sample_question_is_shared_by_two_entries(entries):
    filler = re.compile(r"嗯|那个|请问一下|请问|喂|啊|呢|吗|\s")
    owner: dict[str, str] = {}
    for entry in entries:
        for question in entry.questions:
            key = filler.sub("", question)
            assert owner.setdefault(key, entry.id) == entry.id, f"{question!r} in {owner[key]} and {entry.id}"
