"""Staff API for the holiday calendar: which years are covered, the court's arrangement per year (enter, replace,
withdraw, history), the bookings a later arrangement put on a holiday, and the day-by-day calendar."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service_center.auth import require_role, require_staff
from service_center.booking.holidays import affected, store
from service_center.booking.holidays.arrangement import ArrangementIn
from service_center.booking.holidays.models import HolidayArrangement
from service_center.booking.holidays.service import (
    Entered,
    InvalidArrangement,
    affected_view,
    coverage,
    day_views,
    enter,
    withdraw,
)
from service_center.booking.router import now_dependency
from service_center.db import get_session
from service_center.errors import error_body

# A calendar year in a URL path (bounded: a huge number is a 422, not an SQL overflow).
Year = Annotated[int, Path(ge=2000, le=2200)]
router = APIRouter(tags=["staff"], dependencies=[Depends(require_staff)])
PREFIX = "/api/staff/calendar"
MAX_DAYS = 400


def _entered_view(entered: Entered) -> dict:
    return {"arrangement": entered.arrangement, "warnings": entered.warnings,
            "affected": [affected_view(a) for a in entered.reconciled.flagged],
            "restored": [affected_view(a) for a in entered.reconciled.restored]}


@router.get(f"{PREFIX}/status", summary="Years within the booking horizon and where their holidays come from")
def calendar_status(now: dt.datetime = Depends(now_dependency)) -> dict:
    return coverage(now)


@router.get(f"{PREFIX}/arrangements", summary="The years the court has entered an arrangement for")
def list_arrangements(session: Session = Depends(get_session)) -> dict:
    return {"arrangements": [store.view(row) for row in store.entered(session)]}


@router.get(f"{PREFIX}/arrangements/{{year}}", summary="One year's arrangement with who entered and changed it")
def get_arrangement(year: Year, session: Session = Depends(get_session)) -> dict:
    row = session.get(HolidayArrangement, year)
    if row is None:
        raise HTTPException(status_code=404, detail=f"还没有录入{year}年的节假日安排")
    return {**store.view(row), "history": store.history(session, year)}


@router.put(f"{PREFIX}/arrangements/{{year}}",
            summary="Enter or replace a year's arrangement; lists (and messages) the bookings it puts on a holiday")
def put_arrangement(year: Year, body: ArrangementIn, session: Session = Depends(get_session),
                    staff: str = Depends(require_role("admin")), now: dt.datetime = Depends(now_dependency)):
    try:
        return _entered_view(enter(session, year, body, str(staff), "api", now))
    except InvalidArrangement as exc:
        message = f"节假日安排有{len(exc.problems)}处问题，没有保存：" + "；".join(exc.problems)
        return JSONResponse(error_body(422, message, {"problems": exc.problems}), 422)
    except IntegrityError:  # two administrators entered the same year at the same moment
        raise HTTPException(status_code=409, detail="同一年份正在被他人录入，请刷新后重试") from None


@router.delete(f"{PREFIX}/arrangements/{{year}}", summary="Withdraw a year's arrangement (audited)")
def delete_arrangement(year: Year, session: Session = Depends(get_session), staff: str = Depends(require_role("admin")),
                       now: dt.datetime = Depends(now_dependency)) -> dict:
    entered = withdraw(session, year, str(staff), "api", now)
    if entered is None:
        raise HTTPException(status_code=404, detail=f"还没有录入{year}年的节假日安排")
    return _entered_view(entered)


@router.get(f"{PREFIX}/affected", summary="Bookings an arrangement entered later put on a day the court is closed")
def affected_bookings(include_closed: bool = False, session: Session = Depends(get_session)) -> dict:
    items = [affected_view(a) for a in affected.affected(session, include_closed)]
    return {"count": len(items), "bookings": items}


@router.post(f"{PREFIX}/reconcile",
             summary="Check every upcoming booking against the calendar now (e.g. after upgrading chinesecalendar)")
def reconcile(session: Session = Depends(get_session), staff: str = Depends(require_role("admin")),
              now: dt.datetime = Depends(now_dependency)) -> dict:
    return _entered_view(Entered(None, [], affected.reconcile(session, str(staff), now)))


@router.get(f"{PREFIX}/days", summary="The calendar day by day: open or not, holiday, source, provisional")
def calendar_days(start: dt.date = Query(alias="from"), end: dt.date = Query(alias="to")) -> dict:
    if end < start or (end - start).days >= MAX_DAYS:
        raise HTTPException(status_code=422, detail=f"请给出不超过{MAX_DAYS}天的日期范围（from 不晚于 to）")
    return {"days": day_views(start, end)}
