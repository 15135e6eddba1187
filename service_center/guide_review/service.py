"""The unanswered-question loop: group what the guide could not answer (and answers rated 没帮助) by similarity,
and settle each group — attach it to an entry as a sample question, mark it as needing a new entry, or dismiss it.

Grouping is by character n-gram TF-IDF cosine, the lexical side of the guide's own search (one of its signals,
and the one that keeps a typo'd or reworded question with its siblings); a group's representative is its most
frequent question. Attached sample questions live in the database and are merged into the entries at the next
index build (kb/service.py), so `POST /api/staff/kb/reload` applies them without downtime.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from knowledge_base.index import lexical_text
from service_center.analytics import service as analytics
from service_center.db import get_sessionmaker
from service_center.guide_review.models import ReviewDecision, ReviewedItem, SampleQuestion
from service_center.kb.models import KbFeedback, KbUnanswered
from service_center.privacy import mask_text
from service_center.staff import service as accounts

log = logging.getLogger(__name__)

SIMILAR = 0.5  # cosine at which two questions are "the same question" (char 1-2 grams)
MAX_ITEMS = 2000  # newest unsettled items considered
ACTIONS = {"attach": "attached", "needs_entry": "needs_entry", "dismiss": "dismissed"}


class ReviewError(ValueError):
    """A decision that cannot be taken (message in Chinese)."""


@dataclass
class Group:
    question: str
    questions: Counter = field(default_factory=Counter)
    unanswered_ids: list[int] = field(default_factory=list)
    feedback_ids: list[int] = field(default_factory=list)
    top_entries: Counter = field(default_factory=Counter)
    last_at: str = ""

    @property
    def count(self) -> int:
        return len(self.unanswered_ids) + len(self.feedback_ids)


def _settled(session: Session, source: str) -> set[int]:
    return set(session.scalars(select(ReviewedItem.item_id).where(ReviewedItem.source == source)))


def open_items(session: Session) -> list[dict]:
    """Unsettled unanswered questions and negatively rated questions, newest first."""
    done_u, done_f = _settled(session, "unanswered"), _settled(session, "feedback")
    items = [{"source": "unanswered", "id": r.id, "question": r.question, "entry": r.top_entry_id, "at": r.created_at}
             for r in session.scalars(select(KbUnanswered).order_by(KbUnanswered.id.desc()).limit(MAX_ITEMS))
             if r.id not in done_u and r.question.strip()]
    items += [{"source": "feedback", "id": r.id, "question": r.question, "entry": None, "at": r.created_at}
              for r in session.scalars(select(KbFeedback).where(KbFeedback.helpful.is_(False), KbFeedback.question
                                                                .is_not(None)).order_by(KbFeedback.id.desc())
                                       .limit(MAX_ITEMS))
              if r.id not in done_f and (r.question or "").strip()]
    return sorted(items, key=lambda i: i["at"], reverse=True)


def group_items(items: list[dict]) -> list[Group]:
    if not items:
        return []
    texts = [lexical_text(i["question"]) or i["question"] for i in items]
    vectors = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    # most frequent questions first, so each group is led by its commonest wording
    frequency = Counter(texts)
    order = sorted(range(len(items)), key=lambda i: (-frequency[texts[i]], i))
    leaders: list[int] = []
    groups: list[Group] = []
    for i in order:
        if leaders:
            similarity = (vectors[leaders] @ vectors[i].T).toarray().ravel()
            best = int(np.argmax(similarity))
            if similarity[best] >= SIMILAR:
                _add(groups[best], items[i])
                continue
        leaders.append(i)
        groups.append(Group(question=items[i]["question"]))
        _add(groups[-1], items[i])
    # most frequent first; among equals the newest first, so what litigants asked today is never below the page's
    # limit behind older one-off questions
    newest_first = sorted(groups, key=lambda g: g.last_at, reverse=True)
    return sorted(newest_first, key=lambda g: -g.count)


def _add(group: Group, item: dict) -> None:
    group.questions[item["question"]] += 1
    (group.unanswered_ids if item["source"] == "unanswered" else group.feedback_ids).append(item["id"])
    if item["entry"]:
        group.top_entries[item["entry"]] += 1
    stamp = item["at"].isoformat() + "Z"
    group.last_at = max(group.last_at, stamp)


def decide(session: Session, actor: accounts.Identity, action: str, unanswered_ids: list[int],
           feedback_ids: list[int], known_entries: dict[str, str], entry_id: str | None = None,
           question: str | None = None, note: str | None = None) -> ReviewDecision:
    """Settles the given items with one decision, audited with the person and role."""
    if action not in ACTIONS:
        raise ReviewError("操作只能是 attach、needs_entry 或 dismiss")
    unanswered = session.scalars(select(KbUnanswered).where(KbUnanswered.id.in_(unanswered_ids))).all()
    feedback = session.scalars(select(KbFeedback).where(KbFeedback.id.in_(feedback_ids))).all()
    if not unanswered and not feedback:
        raise ReviewError("没有找到要处理的问题")
    taken = _settled(session, "unanswered") & set(unanswered_ids) or _settled(session, "feedback") & set(feedback_ids)
    if taken:
        raise ReviewError("这些问题已经有人处理过了，请刷新列表")
    questions = [r.question for r in unanswered] + [r.question for r in feedback]
    sample = None
    if action == "attach":
        if entry_id not in known_entries:
            raise ReviewError("没有这个指南条目，请从列表中选择")
        sample = mask_text((question or questions[0]).strip())[:200]
        if not sample:
            raise ReviewError("示例问句不能为空")
    elif action == "needs_entry" and not (note or "").strip():
        raise ReviewError("请写明需要新增什么内容")
    decision = ReviewDecision(username=actor.username, role=actor.role, action=action,
                              group_question=questions[0], questions=questions,
                              entry_id=entry_id if action == "attach" else None, sample_question=sample,
                              note=(note or "").strip()[:500] or None)
    session.add(decision)
    session.flush()
    session.add_all([ReviewedItem(source="unanswered", item_id=r.id, decision_id=decision.id) for r in unanswered]
                    + [ReviewedItem(source="feedback", item_id=r.id, decision_id=decision.id) for r in feedback])
    if sample and session.scalar(select(SampleQuestion.id).where(
            SampleQuestion.entry_id == entry_id, SampleQuestion.question == sample)) is None:
        session.add(SampleQuestion(entry_id=entry_id, question=sample, decision_id=decision.id))
    accounts.record(session, actor, f"review_{action}", target=entry_id or f"decision:{decision.id}",
                    items=len(questions), note=decision.note)
    analytics.record(session, "review", ACTIONS[action], "api", entry_id if action == "attach" else None,
                     value=len(questions))
    session.commit()
    return decision


def attached_questions() -> dict[str, list[str]]:
    """Sample questions staff attached, by entry id (read by the guide index build; empty if the table is absent)."""
    try:
        with get_sessionmaker()() as session:
            rows = session.execute(select(SampleQuestion.entry_id, SampleQuestion.question)
                                   .order_by(SampleQuestion.id)).all()
    except SQLAlchemyError as exc:  # not migrated yet: the guide still loads
        log.warning("attached sample questions unavailable: %s", type(exc).__name__)
        return {}
    merged: dict[str, list[str]] = {}
    for entry_id, question in rows:
        merged.setdefault(entry_id, []).append(question)
    return merged
