"""Request and response shapes of the guide API (documented in docs/kb.md)."""

from pydantic import BaseModel, Field

MAX_QUESTION_CHARS = 500
MAX_K = 10


class SearchResult(BaseModel):
    id: str
    title: str
    category: str
    score: float
    short_answer: str


class OutOfScope(BaseModel):
    id: str
    title: str
    redirect: str = Field(description="who handles it instead, to be said to the person")


class SearchResponse(BaseModel):
    decision: str = Field(description="answer | clarify | reject")
    results: list[SearchResult]
    threshold: dict = Field(description="the calibrated thresholds the decision used, and where they came from")
    context_used: bool = False
    out_of_scope: OutOfScope | None = Field(
        default=None, description="on reject: the known out-of-scope topic the question matched (not the court's)")


class Basis(BaseModel):
    law: str
    article: str
    quote: str | None = None
    text: str | None = Field(default=None, description="verbatim article text, when the project keeps it")


class RelatedEntry(BaseModel):
    id: str
    title: str


class EntryResponse(BaseModel):
    id: str
    title: str
    category: str
    short_answer: str
    details: str
    questions: list[str]
    basis: list[Basis]
    related: list[RelatedEntry]
    checked: str
    url: str


class FeedbackIn(BaseModel):
    entry_id: str = Field(min_length=1, max_length=80)
    question: str | None = Field(default=None, max_length=MAX_QUESTION_CHARS)
    helpful: bool
    channel: str | None = Field(default=None, max_length=30)


class UnansweredIn(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    channel: str | None = Field(default=None, max_length=30)
    reason: str | None = Field(default=None, max_length=40, description="e.g. rejected, clarify_failed")
    top_entry_id: str | None = Field(default=None, max_length=80)


class Stored(BaseModel):
    id: int
    stored: bool = True
