"""Guide API (/api/kb/*), staff review and reload (/api/staff/kb/*), and the public guide pages (/guide)."""

import re
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_base import legal_texts
from service_center.analytics import service as analytics
from service_center.auth import Capability, require_capability
from service_center.config import Settings, get_settings
from service_center.db import get_session
from service_center.kb import service
from service_center.kb.models import KbFeedback, KbUnanswered
from service_center.kb.schemas import (
    MAX_K,
    MAX_QUESTION_CHARS,
    EntryResponse,
    FeedbackIn,
    SearchResponse,
    Stored,
    UnansweredIn,
)
from service_center.privacy import mask_text


@asynccontextmanager
async def _lifespan(_app: FastAPI):
    service.holder_for(get_settings()).start()  # load (or build) the index in the background at startup
    yield


router = APIRouter(lifespan=_lifespan)
require_editor = require_capability(Capability.guide)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _holder(settings: Settings = Depends(get_settings)) -> service.GuideHolder:
    return service.holder_for(settings)


def _entry_or_404(snapshot: service.Snapshot, entry_id: str):
    entry = snapshot.entry(entry_id)
    if entry is None:
        raise HTTPException(status_code=404, detail="没有找到这条办事指南")
    return entry


# ---------- public API ----------
@router.get("/api/kb/search", response_model=SearchResponse, tags=["kb"])
def search(
    q: str = Query("", description="the litigant's question"),
    k: int = Query(3, description=f"number of results, 1 to {MAX_K}"),
    context: str | None = Query(None, description="id of the entry under discussion, for follow-up questions"),
    holder: service.GuideHolder = Depends(_holder),
) -> dict:
    question = q.strip()
    if not question:
        raise HTTPException(status_code=422, detail="请输入您想问的问题")
    if len(question) > MAX_QUESTION_CHARS:
        raise HTTPException(status_code=422, detail=f"问题太长了，请控制在{MAX_QUESTION_CHARS}字以内")
    if not 1 <= k <= MAX_K:
        raise HTTPException(status_code=422, detail=f"返回条数 k 应在 1 到 {MAX_K} 之间")
    snapshot = holder.get()
    outcome = snapshot.searcher.search(question, k=k, context=context)
    results = [h.public() for h in outcome.results]
    for item in results:
        item["short_answer"] = service.render(item["short_answer"])
    threshold = outcome.thresholds.public()
    if outcome.top is not None:
        threshold["top_score"] = round(outcome.top.score, 4)
    topic = outcome.out_of_scope
    return {"decision": outcome.decision, "results": results, "threshold": threshold,
            "context_used": outcome.used_context,
            "out_of_scope": topic and {"id": topic.id, "title": topic.title, "redirect": topic.redirect}}


@router.get("/api/kb/status", tags=["kb"])
def status(holder: service.GuideHolder = Depends(_holder)) -> dict:
    return holder.status()


@router.get("/api/kb/entries/{entry_id}", response_model=EntryResponse, tags=["kb"])
def entry(entry_id: str, holder: service.GuideHolder = Depends(_holder),
          settings: Settings = Depends(get_settings)) -> dict:
    snapshot = holder.get()
    return service.entry_payload(snapshot, _entry_or_404(snapshot, entry_id), settings)


@router.get("/api/kb/basis", tags=["kb"])
def basis(law: str = Query("", max_length=50), article: str = Query("", max_length=30)) -> dict:
    if not law.strip() or not article.strip():
        raise HTTPException(status_code=422, detail="请提供法律名称和条文序号，例如 民事诉讼法 第一百二十二条")
    record = legal_texts.article_record(law.strip(), article.strip())
    if record is None:
        raise HTTPException(status_code=404, detail="没有找到这一条文的原文")
    return {"law": record["law"], "article": record["article"], "text": record["text"],
            "source": {k: record.get(k) for k in ("file", "repo", "path", "commit")}}


@router.post("/api/kb/feedback", response_model=Stored, status_code=201, tags=["kb"])
def feedback(body: FeedbackIn, holder: service.GuideHolder = Depends(_holder),
             session: Session = Depends(get_session)) -> dict:
    _entry_or_404(holder.get(), body.entry_id)
    row = KbFeedback(entry_id=body.entry_id, question=mask_text(body.question) if body.question else None,
                     helpful=body.helpful, channel=body.channel)
    session.add(row)
    analytics.record(session, "feedback", "helpful" if body.helpful else "unhelpful", body.channel, body.entry_id)
    session.commit()
    return {"id": row.id}


@router.post("/api/kb/unanswered", response_model=Stored, status_code=201, tags=["kb"])
def unanswered(body: UnansweredIn, session: Session = Depends(get_session)) -> dict:
    if not body.question.strip():
        raise HTTPException(status_code=422, detail="问题不能为空")
    row = KbUnanswered(question=mask_text(body.question.strip()), channel=body.channel, reason=body.reason,
                       top_entry_id=body.top_entry_id)
    session.add(row)
    session.commit()
    return {"id": row.id}


# ---------- staff ----------
@router.get("/api/staff/kb/unanswered", tags=["staff"])
def staff_unanswered(limit: int = Query(100, ge=1, le=1000), _staff: str = Depends(require_editor),
                     session: Session = Depends(get_session)) -> dict:
    questions = session.scalars(select(KbUnanswered).order_by(KbUnanswered.id.desc()).limit(limit)).all()
    negative = session.scalars(select(KbFeedback).where(KbFeedback.helpful.is_(False))
                               .order_by(KbFeedback.id.desc()).limit(limit)).all()
    return {
        "unanswered": [{"id": r.id, "question": r.question, "channel": r.channel, "reason": r.reason,
                        "top_entry_id": r.top_entry_id, "created_at": r.created_at.isoformat()} for r in questions],
        "negative_feedback": [{"id": r.id, "entry_id": r.entry_id, "question": r.question, "channel": r.channel,
                               "created_at": r.created_at.isoformat()} for r in negative],
    }


@router.post("/api/staff/kb/reload", tags=["staff"])
def staff_reload(rebuild: bool = Query(False, description="rebuild the index even if the guide did not change"),
                 _staff: str = Depends(require_editor),
                 holder: service.GuideHolder = Depends(_holder)) -> dict:
    try:
        fresh = holder.reload(force=rebuild)
    except Exception as exc:  # the old index keeps serving
        raise HTTPException(status_code=409, detail=f"指南重新加载失败，仍在使用原索引：{type(exc).__name__}") from exc
    return {"status": "reloaded", "rebuilt": fresh.rebuilt, "seconds": fresh.seconds,
            "manifest": fresh.index.manifest, "thresholds": fresh.searcher.thresholds.public()}


# ---------- public pages ----------
CATEGORY_LABELS = {
    "filing": "立案", "fee": "诉讼费", "mediation": "调解与司法确认", "procedure": "审理程序", "service": "送达",
    "evidence": "证据", "hearing": "开庭", "preservation": "保全与鉴定", "judgment": "判决与上诉",
    "retrial": "再审与申诉", "execution": "执行", "family": "婚姻家庭", "labour": "劳动争议",
    "services": "诉讼服务", "legal-aid": "法律援助", "limitation": "诉讼时效", "jurisdiction": "管辖",
    "administrative": "行政诉讼", "agent": "诉讼代理", "disputes": "常见纠纷",
}
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ORDERED = re.compile(r"^\d+[.、]\s*")


def markdown_html(text: str) -> Markup:
    """The small Markdown subset the guide uses (paragraphs, - and 1. lists, **bold**), escaped first."""
    blocks, items, kind = [], [], None

    def flush() -> None:
        nonlocal items, kind
        if items:
            blocks.append(f"<{kind}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{kind}>")
        items, kind = [], None

    for raw in text.splitlines():
        line = _BOLD.sub(r"<strong>\1</strong>", str(escape(raw.strip())))
        if not line:
            flush()
        elif line.startswith(("- ", "* ")):
            if kind != "ul":
                flush()
                kind = "ul"
            items.append(line[2:])
        elif _ORDERED.match(line):
            if kind != "ol":
                flush()
                kind = "ol"
            items.append(_ORDERED.sub("", line))
        else:
            flush()
            blocks.append(f"<p>{line}</p>")
    flush()
    return Markup("\n".join(blocks))  # noqa: S704 (every piece was escaped above)


@router.get("/guide", response_class=HTMLResponse, include_in_schema=False)
def guide_index(request: Request, holder: service.GuideHolder = Depends(_holder)):
    snapshot = holder.get()
    categories: dict[str, list] = {}
    for e in snapshot.index.entries:
        categories.setdefault(e.category, []).append(e)
    return templates.TemplateResponse(request, "guide_index.html",
                                      {"categories": categories, "labels": CATEGORY_LABELS})


@router.get("/guide/{entry_id}", response_class=HTMLResponse, include_in_schema=False)
def guide_page(entry_id: str, request: Request, holder: service.GuideHolder = Depends(_holder),
               settings: Settings = Depends(get_settings)):
    snapshot = holder.get()
    entry = snapshot.entry(entry_id)
    if entry is None:
        return templates.TemplateResponse(request, "guide_missing.html", {}, status_code=404)
    payload = service.entry_payload(snapshot, entry, settings)
    return templates.TemplateResponse(request, "guide_entry.html",
                                      {"e": payload, "details_html": markdown_html(payload["details"])})
