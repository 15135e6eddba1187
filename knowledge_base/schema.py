"""The shape of one procedure-guide entry. Content files under guide/ are YAML lists of these."""

import datetime as dt
import re

from pydantic import BaseModel, Field, field_validator

# Court-specific facts are never written into entries: they are placeholders such as {court.contacts.address}
# (a dotted key of court_profile.yml), filled from it (unconfirmed values render as "请以法院公告为准").
PLACEHOLDER = re.compile(r"\{court\.[a-z_.]+\}")
URL = re.compile(r"https?://|www\.|\.cn\b|\.com\b", re.IGNORECASE)
MARKDOWN = re.compile(r"[*#`\[\]|>_~]|\n")
ARTICLE = re.compile(r"^第[零一二三四五六七八九十百千]+条$")


class LegalBasis(BaseModel):
    law: str = Field(description="short title as in legal_sources, e.g. 民事诉讼法, 诉讼费用交纳办法, 民法典")
    article: str = Field(description="article number in Chinese, e.g. 第一百二十二条")
    quote: str | None = Field(default=None, description="optional verbatim wording from that article")

    @field_validator("article")
    @classmethod
    def _article(cls, article: str) -> str:
        if not ARTICLE.match(article):
            raise ValueError(f"article must look like 第一百二十二条, got {article!r}")
        return article

    @field_validator("law")
    @classmethod
    def _law(cls, law: str) -> str:
        if "(" in law or ".md" in law:
            raise ValueError("law is the legal_sources title without date or extension")
        return law


class GuideEntry(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    category: str
    questions: list[str] = Field(min_length=5, description="sample questions as people really ask them")
    short_answer: str = Field(max_length=90, description="can be read aloud; about 80 characters at most")
    details: str = Field(description="for screens: materials, steps, fees, time limits, where to go (Markdown)")
    basis: list[LegalBasis] = Field(min_length=1)
    related: list[str] = Field(default_factory=list)
    checked: dt.date

    @field_validator("questions")
    @classmethod
    def _distinct(cls, questions: list[str]) -> list[str]:
        if len(set(questions)) != len(questions):
            raise ValueError("sample questions repeat")
        return questions

    @field_validator("short_answer")
    @classmethod
    def _speakable(cls, short_answer: str) -> str:
        if URL.search(short_answer) or MARKDOWN.search(short_answer):
            raise ValueError("short answer is read aloud: no links, no Markdown, one line")
        return short_answer


class OutOfScopeTopic(BaseModel):
    """Something people ask the court assistant that neither the guide nor the court handles (out_of_scope.yml).

    Its questions are search anchors: a question nearer to them than to any guide entry is not answered from the
    guide; the redirect (who handles it instead) is said instead of a bare "I don't know".
    """

    id: str = Field(pattern=r"^oos-[a-z0-9-]+$")
    title: str
    redirect: str = Field(max_length=60, description="one sentence naming the kind of body that handles it")
    questions: list[str] = Field(min_length=3)

    @field_validator("redirect")
    @classmethod
    def _no_invented_contacts(cls, redirect: str) -> str:
        if URL.search(redirect) or re.search(r"\d{4,}", redirect):
            raise ValueError("a redirect names who handles it: no numbers, addresses or links")
        return redirect
