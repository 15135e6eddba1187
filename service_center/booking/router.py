"""Booking API: public services, slots, day parsing, appointments; staff lists, CSV, check-in, cancel, no-show."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service_center.auth import Capability, Identity, require_capability
from service_center.booking import service
from service_center.booking.calendar import PARTS, BookingRuleError, court_now, day_label, get_calendar
from service_center.booking.dateparse import DayNotUnderstood, parse_day
from service_center.booking.models import Appointment
from service_center.booking.schemas import (
    AppointmentCreate,
    Cancel,
    Change,
    Lookup,
    ParseDay,
    Proof,
    StaffCancel,
)
from service_center.config import Settings, get_settings
from service_center.db import get_session
from service_center.errors import error_body
from service_center.exports import csv_response
from service_center.security import ratelimit, verification
from service_center.security.trust import client_key, is_internal
from service_center.staff.roles import booking_services

router = APIRouter(tags=["booking"])
require_desk = require_capability(Capability.bookings)
staff_router = APIRouter(tags=["staff"], dependencies=[Depends(require_desk)])

NOT_FOUND = "没有找到这个预约，请核对预约号和手机号后四位"
LOOKUP_WINDOW = dt.timedelta(minutes=15)
TOO_MANY_LOOKUPS = "核对失败次数太多，请15分钟后再试，或拨打12368咨询"
USER_KEY_INTERNAL = "按用户标识查询只供本系统内部使用，请提供预约号和手机号后四位"
# Headers of the GET/DELETE proof: ASCII digits only (a regex \d would take full-width and Arabic-Indic digits).
PhoneLast4 = Header(default=None, pattern=r"^[0-9]{4}$", description="last four digits of the booking's phone")
UserKeyHeader = Header(default=None, max_length=128, description="internal callers only")


def now_dependency() -> dt.datetime:
    return court_now()


def _rule_error(exc: BookingRuleError) -> HTTPException:
    return HTTPException(status_code=422, detail=str(exc))


def _full(exc: service.SlotFull) -> JSONResponse:
    labels = "、".join(s["label"] for s in exc.alternatives)
    message = f"这个时段已约满，可以改约：{labels}" if labels else "这个时段已约满，近期也没有空余时段，请以后再试"
    return JSONResponse(error_body(409, message, {"alternatives": exc.alternatives}), 409)


def _find(session: Session, reference: str, proof: Proof, request: Request, settings: Settings) -> Appointment:
    """Throttled per client (never per reference, which would lock the owner out); a wrong proof and an unknown
    reference get the same 404."""
    if not proof.phone_last4 and not proof.user_key:
        raise HTTPException(status_code=422, detail="请提供预约时所留手机号的后四位")
    if proof.user_key and not is_internal(request):
        raise HTTPException(status_code=403, detail=USER_KEY_INTERNAL)
    client = client_key(request)
    ratelimit.check(session, "lookup_failed", client, settings.lookup_failures_per_client, LOOKUP_WINDOW,
                    TOO_MANY_LOOKUPS)
    try:
        return service.find(session, reference, phone_last4=proof.phone_last4, user_key=proof.user_key)
    except service.NotFound:
        ratelimit.record(session, "lookup_failed", client)
        session.commit()
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None


# ---------- public ----------
@router.get("/api/booking/services", summary="Services that can be booked, with the calendar rules")
def services() -> dict:
    calendar = get_calendar()
    return {
        "services": [{"code": s.code, "name": s.name, "duration_minutes": s.duration_minutes,
                      "capacity_per_slot": s.capacity, "place": service.place_for(s.code),
                      "bring": service.BRING.get(s.code, [])} for s in calendar.services.values()],
        "working_hours": [f"{b:%H:%M}-{e:%H:%M}" for b, e in calendar.periods],
        "horizon_days": calendar.horizon_days,
        "same_day_cutoff": f"{calendar.cutoff:%H:%M}",
        "times_notice": None if calendar.confirmed else "预约时间安排请以法院公告为准",
    }


@router.get("/api/booking/slots", summary="The nearest free slots (up to three) from a preferred day and part")
def slots(service_code: str = Query(alias="service"), date: dt.date | None = None,
          part: str | None = Query(default=None, pattern="^(morning|afternoon)$"),
          session: Session = Depends(get_session), now: dt.datetime = Depends(now_dependency)) -> dict:
    day = date or now.date()
    try:
        return service.slots_answer(session, service_code, day, part, now)
    except BookingRuleError as exc:
        raise _rule_error(exc) from None


@router.post("/api/booking/parse-day", summary="Natural Chinese day ('明天上午', '下周三') -> date and part of day")
def parse_day_endpoint(body: ParseDay, now: dt.datetime = Depends(now_dependency)) -> dict:
    try:
        day, part = parse_day(body.text, now)
    except DayNotUnderstood:
        raise HTTPException(status_code=422,
                            detail="没听清是哪一天，可以说“明天上午”“下周三”或“12月3号下午”") from None
    calendar = get_calendar()
    try:
        calendar.check_day(day, now)
        problem = None
    except BookingRuleError as exc:
        problem = str(exc)
    return {"date": day.isoformat(), "part": part, "label": day_label(day) + (PARTS[part] if part else ""),
            "bookable": problem is None, "problem": problem}


@router.post("/api/booking/appointments", status_code=201,
             summary="Book with a verified phone (Idempotency-Key header recommended)")
def create_appointment(body: AppointmentCreate, request: Request, response: Response,
                       idempotency_key: str | None = Header(default=None, alias="Idempotency-Key", max_length=128),
                       session: Session = Depends(get_session), now: dt.datetime = Depends(now_dependency),
                       settings: Settings = Depends(get_settings)):
    contact = verification.verified(session, body.phone_verification)
    phone = contact.phone if contact else None
    name = body.name or (contact.name if contact else None)
    if phone is None:
        raise HTTPException(status_code=422,
                            detail="请先验证手机号：用短信验证码确认后再预约（验证已过期的请重新获取）")
    if body.phone and service.normalize_mobile(body.phone) != phone:
        raise HTTPException(status_code=422, detail="手机号与验证过的号码不一致，请重新验证")
    internal = is_internal(request)
    client = client_key(request)
    key = idempotency_key or body.idempotency_key
    try:
        if not (key and service.has_key(session, service.scoped_key(client, key))):
            ratelimit.check(session, "booking", client, settings.booking_per_client_per_day, dt.timedelta(days=1),
                            "今天预约的次数太多了，请明天再试，或拨打12368咨询")
        created = service.create(session, service=body.service, start=body.start, name=name or "", phone=phone,
                                 description=body.description, user_key=body.user_key if internal else None,
                                 channel=body.channel if internal else "api",
                                 idempotency_key=service.scoped_key(client, key) if key else None, now=now,
                                 max_active=settings.booking_max_active_per_phone,
                                 risk_report_id=body.risk_report_id if internal else None)
    except BookingRuleError as exc:
        raise _rule_error(exc) from None
    except service.SlotFull as exc:
        return _full(exc)
    except service.TooManyActive as exc:
        raise HTTPException(status_code=429, detail=str(exc)) from None
    except service.KeyReused:
        raise HTTPException(status_code=409, detail="这个 Idempotency-Key 已用于另一份预约请求，请换一个新的") from None
    if created.replayed:
        response.status_code = 200
    else:
        ratelimit.record(session, "booking", client)
        session.commit()
    return {**service.appointment_view(created.appointment), "replayed": created.replayed}


@router.post("/api/booking/lookup", summary="Find bookings by reference + last four phone digits, or by user_key")
def lookup(body: Lookup, request: Request, session: Session = Depends(get_session),
           now: dt.datetime = Depends(now_dependency), settings: Settings = Depends(get_settings)) -> dict:
    if body.reference:
        return {"appointments": [service.appointment_view(_find(session, body.reference, body, request, settings))]}
    if body.user_key:
        if not is_internal(request):  # only a channel's own proven identity lists bookings without a reference
            raise HTTPException(status_code=403, detail=USER_KEY_INTERNAL)
        return {"appointments": [service.appointment_view(a) for a in service.for_user(session, body.user_key, now)]}
    raise HTTPException(status_code=422, detail="请提供预约号和手机号后四位")


@router.get("/api/booking/appointments/{reference}", summary="One booking (proof in X-Phone-Last4 or X-User-Key)")
def get_appointment(reference: str, request: Request, x_phone_last4: str | None = PhoneLast4,
                    x_user_key: str | None = UserKeyHeader, session: Session = Depends(get_session),
                    settings: Settings = Depends(get_settings)) -> dict:
    proof = Proof(phone_last4=x_phone_last4, user_key=x_user_key)
    return service.appointment_view(_find(session, reference, proof, request, settings))


def _change(reference: str, body: Change, session: Session, now: dt.datetime, request: Request,
            settings: Settings):
    appointment = _find(session, reference, body, request, settings)
    actor = "litigant:user_key" if body.user_key else "litigant:phone"
    try:
        return service.appointment_view(service.change(session, appointment, body.start, actor, body.service, now))
    except BookingRuleError as exc:
        raise _rule_error(exc) from None
    except service.InvalidState:
        raise HTTPException(status_code=409, detail=service.state_message(appointment)) from None
    except service.SlotFull as exc:
        return _full(exc)


@router.patch("/api/booking/appointments/{reference}", summary="Change the time (and/or service)")
def patch_appointment(reference: str, body: Change, request: Request, session: Session = Depends(get_session),
                      now: dt.datetime = Depends(now_dependency), settings: Settings = Depends(get_settings)):
    return _change(reference, body, session, now, request, settings)


@router.post("/api/booking/appointments/{reference}/change", summary="Same as PATCH, for clients without PATCH")
def change_appointment(reference: str, body: Change, request: Request, session: Session = Depends(get_session),
                       now: dt.datetime = Depends(now_dependency), settings: Settings = Depends(get_settings)):
    return _change(reference, body, session, now, request, settings)


def _cancel(reference: str, proof: Proof, reason: str | None, session: Session, request: Request,
            settings: Settings) -> dict:
    appointment = _find(session, reference, proof, request, settings)
    actor = "litigant:user_key" if proof.user_key else "litigant:phone"
    try:
        return service.appointment_view(service.cancel(session, appointment, actor, reason))
    except service.InvalidState:
        raise HTTPException(status_code=409, detail=service.state_message(appointment)) from None


@router.delete("/api/booking/appointments/{reference}", summary="Cancel (proof in X-Phone-Last4 or X-User-Key)")
def delete_appointment(reference: str, request: Request, x_phone_last4: str | None = PhoneLast4,
                       x_user_key: str | None = UserKeyHeader, session: Session = Depends(get_session),
                       settings: Settings = Depends(get_settings)):
    return _cancel(reference, Proof(phone_last4=x_phone_last4, user_key=x_user_key), None, session, request,
                   settings)


@router.post("/api/booking/appointments/{reference}/cancel", summary="Cancel, proof in the body")
def cancel_appointment(reference: str, body: Cancel, request: Request, session: Session = Depends(get_session),
                       settings: Settings = Depends(get_settings)) -> dict:
    return _cancel(reference, body, body.reason, session, request, settings)


# ---------- staff ----------
CSV_COLUMNS = ["reference", "label", "service_name", "status", "name", "phone", "description", "channel",
               "cancel_reason", "created_at"]


@staff_router.get("/api/staff/bookings", summary="A day's bookings (JSON, or CSV by format=csv or Accept)")
def staff_bookings(request: Request, day: dt.date | None = None,
                   service_code: str | None = Query(None, alias="service"),
                   status: str | None = None, format: str | None = Query(None, pattern="^(json|csv)$"),
                   session: Session = Depends(get_session), now: dt.datetime = Depends(now_dependency),
                   staff: Identity = Depends(require_desk)):
    day = day or now.date()
    allowed = booking_services(staff.role)
    if service_code and allowed is not None and service_code not in allowed:
        raise HTTPException(status_code=403, detail=f"您的角色（{staff.role_name}）不办理这项服务的预约")
    items = [service.appointment_view(a, staff=True) for a in service.staff_list(session, day, service_code, status)
             if allowed is None or a.service in allowed]
    wants_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv:
        return csv_response(CSV_COLUMNS, ([item.get(c) for c in CSV_COLUMNS] for item in items),
                            f"bookings-{day}.csv")
    return {"day": day.isoformat(), "count": len(items), "bookings": items}


def _staff_find(session: Session, reference: str, staff: Identity) -> Appointment:
    """The appointment, if it belongs to a service this staff member's desk works (404 otherwise, as if absent)."""
    appointment = session.execute(select(Appointment).where(Appointment.reference == reference)).scalar_one_or_none()
    allowed = booking_services(staff.role)
    if appointment is None or (allowed is not None and appointment.service not in allowed):
        raise HTTPException(status_code=404, detail="没有这个预约号")
    return appointment


def _staff_mark(session: Session, reference: str, status: str, staff: Identity) -> dict:
    appointment = _staff_find(session, reference, staff)
    try:
        appointment = service.staff_mark(session, appointment, status, staff)
    except service.InvalidState:
        raise HTTPException(status_code=409, detail=service.state_message(appointment)) from None
    return service.appointment_view(appointment, staff=True)


@staff_router.post("/api/staff/bookings/{reference}/check-in", summary="The person has arrived")
def staff_check_in(reference: str, session: Session = Depends(get_session), staff: Identity = Depends(require_desk)):
    return _staff_mark(session, reference, "checked_in", staff)


@staff_router.post("/api/staff/bookings/{reference}/no-show", summary="The person did not come")
def staff_no_show(reference: str, session: Session = Depends(get_session), staff: Identity = Depends(require_desk)):
    return _staff_mark(session, reference, "no_show", staff)


@staff_router.post("/api/staff/bookings/{reference}/cancel", summary="Cancel with a reason; the person gets an SMS")
def staff_cancel(reference: str, body: StaffCancel, session: Session = Depends(get_session),
                 staff: Identity = Depends(require_desk)):
    appointment = _staff_find(session, reference, staff)
    try:
        appointment = service.cancel(session, appointment, staff, body.reason)
    except service.InvalidState:
        raise HTTPException(status_code=409, detail=service.state_message(appointment)) from None
    return service.appointment_view(appointment, staff=True)


@staff_router.get("/api/staff/bookings/{reference}/audit", summary="Every action on one booking")
def staff_audit(reference: str, session: Session = Depends(get_session),
                staff: Identity = Depends(require_desk)) -> dict:
    _staff_find(session, reference, staff)
    return {"reference": reference, "audit": service.audit_trail(session, reference)}

