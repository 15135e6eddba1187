"""The service-quality dashboard API: headline counts, every chart's table, and each table as CSV."""

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from court_common.analytics import DASHBOARD_CHANNELS
from service_center.auth import Capability, require_capability
from service_center.config import Settings, get_settings
from service_center.dashboard import service
from service_center.db import get_session
from service_center.exports import csv_response
from service_center.kb.service import holder_for

router = APIRouter(tags=["staff"], dependencies=[Depends(require_capability(Capability.dashboard))])
MAX_DAYS = 366


def period(since: dt.date | None = Query(None, description="first day (court time), default 29 days ago"),
           until: dt.date | None = Query(None, description="last day, default today"),
           channel: str | None = Query(None, description="web | hotline | wechat | api; absent: all")
           ) -> service.Filter:
    until = until or service.today()
    since = since or until - dt.timedelta(days=29)
    if since > until:
        raise HTTPException(status_code=422, detail="开始日期不能晚于结束日期")
    if (until - since).days >= MAX_DAYS:
        raise HTTPException(status_code=422, detail=f"一次最多查看{MAX_DAYS}天")
    if channel and channel not in DASHBOARD_CHANNELS:
        raise HTTPException(status_code=422, detail="渠道只能是 web、hotline、wechat 或 api")
    return service.Filter(since, until, channel or None)


def _titles(settings: Settings) -> dict[str, str]:
    snapshot = holder_for(settings)._current  # titles if the guide is loaded; ids otherwise (never wait for it)
    return {e.id: e.title for e in snapshot.index.entries} if snapshot else {}


@router.get("/api/staff/dashboard/summary", summary="Headline counts for a period (the charts' own numbers)")
def summary(f: service.Filter = Depends(period), session: Session = Depends(get_session)) -> dict:
    return service.summary(session, f)


@router.get("/api/staff/dashboard/tables", summary="Every chart's table for a period (and channel)")
def tables(f: service.Filter = Depends(period), session: Session = Depends(get_session),
           settings: Settings = Depends(get_settings)) -> dict:
    return {"summary": service.summary(session, f), "channels": DASHBOARD_CHANNELS,
            "tables": [t.view() for t in service.tables(session, f, _titles(settings))]}


@router.get("/api/staff/dashboard/tables/{table_id}.csv", summary="One chart's table as CSV (UTF-8 with BOM)")
def table_csv(table_id: str, f: service.Filter = Depends(period), session: Session = Depends(get_session),
              settings: Settings = Depends(get_settings)) -> Response:
    table = next((t for t in service.tables(session, f, _titles(settings)) if t.id == table_id), None)
    if table is None:
        raise HTTPException(status_code=404, detail="没有这张统计表")
    name = f"{table.id}-{f.since}-{f.until}{'-' + f.channel if f.channel else ''}.csv"
    return csv_response(table.columns, table.rows, name)
