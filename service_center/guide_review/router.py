"""The unanswered-question loop for 指南编辑 (/api/staff/guide-review/*)."""

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from service_center.auth import Capability, Identity, require_capability
from service_center.config import Settings, get_settings
from service_center.db import get_session
from service_center.exports import csv_response
from service_center.guide_review import service
from service_center.guide_review.models import ReviewDecision, SampleQuestion
from service_center.kb.service import holder_for

require_editor = require_capability(Capability.guide)
router = APIRouter(tags=["staff"], dependencies=[Depends(require_editor)])


class DecisionIn(BaseModel):
    action: str = Field(pattern="^(attach|needs_entry|dismiss)$")
    unanswered_ids: list[int] = Field(default_factory=list, max_length=2000)
    feedback_ids: list[int] = Field(default_factory=list, max_length=2000)
    entry_id: str | None = Field(default=None, max_length=80)
    question: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)


def _entries(settings: Settings) -> tuple[dict[str, str], object]:
    snapshot = holder_for(settings).get()
    return {e.id: e.title for e in snapshot.index.entries}, snapshot


@router.get("/api/staff/guide-review/groups", summary="Unanswered and negatively rated questions, grouped")
def groups(limit: int = Query(50, ge=1, le=500), session: Session = Depends(get_session),
           settings: Settings = Depends(get_settings)) -> dict:
    titles, snapshot = _entries(settings)
    found = service.group_items(service.open_items(session))[:limit]
    views = []
    for g in found:
        suggested = g.top_entries.most_common(1)[0][0] if g.top_entries else None
        if suggested not in titles:
            top = snapshot.searcher.search(g.question, k=1).top
            suggested = top.id if top else None
        views.append({"question": g.question, "questions": [q for q, _ in g.questions.most_common()],
                      "count": g.count, "unanswered_ids": g.unanswered_ids, "feedback_ids": g.feedback_ids,
                      "last_at": g.last_at,
                      "suggested_entry": {"id": suggested, "title": titles[suggested]} if suggested else None})
    attached = session.execute(select(SampleQuestion.entry_id, SampleQuestion.question)).all()
    pending = sum(1 for entry_id, q in attached
                  if snapshot.entry(entry_id) is not None and q not in snapshot.entry(entry_id).questions)
    return {"groups": views, "entries": [{"id": i, "title": t} for i, t in titles.items()],
            "pending_reload": pending}


@router.post("/api/staff/guide-review/decisions", status_code=201,
             summary="Attach a group to an entry as a sample question, mark it needs_entry (with a note), or dismiss")
def decide(body: DecisionIn, actor: Identity = Depends(require_editor), session: Session = Depends(get_session),
           settings: Settings = Depends(get_settings)) -> dict:
    titles, _snapshot = _entries(settings)
    try:
        decision = service.decide(session, actor, body.action, body.unanswered_ids, body.feedback_ids, titles,
                                  body.entry_id, body.question, body.note)
    except service.ReviewError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return {"id": decision.id, "action": decision.action, "entry_id": decision.entry_id,
            "sample_question": decision.sample_question, "items": len(decision.questions),
            "reload_needed": decision.action == "attach"}


@router.get("/api/staff/guide-review/decisions", summary="Every review decision, newest first")
def decisions(limit: int = Query(200, ge=1, le=2000), session: Session = Depends(get_session)) -> dict:
    rows = session.scalars(select(ReviewDecision).order_by(ReviewDecision.id.desc()).limit(limit))
    return {"decisions": [{"id": r.id, "at": r.at.isoformat() + "Z", "username": r.username, "role": r.role,
                           "action": r.action, "question": r.group_question, "count": len(r.questions),
                           "entry_id": r.entry_id, "sample_question": r.sample_question, "note": r.note}
                          for r in rows]}


@router.get("/api/staff/guide-review/needs-entry.csv", summary="Groups marked 'needs a new entry', as CSV",
            response_class=Response)
def needs_entry_csv(session: Session = Depends(get_session)) -> Response:
    rows = session.scalars(select(ReviewDecision).where(ReviewDecision.action == "needs_entry")
                           .order_by(ReviewDecision.id))
    return csv_response(["decided_at", "username", "role", "question", "times_asked", "all_questions", "note"],
                        ([r.at.isoformat() + "Z", r.username, r.role, r.group_question, len(r.questions),
                          " | ".join(dict.fromkeys(r.questions)), r.note] for r in rows), "guide-needs-entry.csv")
