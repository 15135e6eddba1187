"""Booking logic: free slots, create (idempotent, overbooking-proof), look up, change, cancel, staff actions.

How a slot is never overbooked, on PostgreSQL and SQLite alike: each (service, slot start) has one counter row
(created on first use with INSERT ... ON CONFLICT DO NOTHING), and a place is taken only by

    UPDATE booking_slot_counters SET booked = booked + 1 WHERE id = :id AND booked < :capacity

inside the booking's transaction. On PostgreSQL the UPDATE locks the row; a concurrent UPDATE waits for the first
transaction to finish and then re-evaluates `booked < capacity` on the committed row (READ COMMITTED), so at most
`capacity` transactions ever see rowcount 1. On SQLite the UPDATE takes the database write lock, so the same
statements run one at a time. Cancelling decrements in the same transaction that changes the status (guarded by
`status = 'booked'`, so a double cancel frees nothing twice), hence a cancelled place is free at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service_center.analytics import service as analytics
from service_center.booking.calendar import (
    NOON,
    PARTS,
    BookingCalendar,
    BookingRuleError,
    day_label,
    get_calendar,
    provisional_note,
    slot_label,
)
from service_center.booking.models import Appointment, BookingAudit, SlotCounter
from service_center.config import get_settings
from service_center.court.profile import UNCONFIRMED, fact, load_profile
from service_center.notifications.service import deliver_later, normalize_mobile, send_sms
from service_center.privacy import mask_name, mask_phone, mask_text
from service_center.risk import service as risk_service

log = logging.getLogger(__name__)

ACTIVE = "booked"
# What to bring, per service: general items only; the procedure guide has the details.
BRING = {
    "mediation": ["本人身份证件原件", "与纠纷有关的合同、欠条、聊天记录等证据材料", "对方当事人的姓名和联系方式"],
    "filing": ["本人身份证件原件", "起诉状（按对方人数准备副本）", "证据材料及复印件"],
    "cross_region_filing": ["本人身份证件原件", "起诉状及副本", "证据材料及复印件", "受诉法院的名称"],
    "judicial_confirmation": ["双方当事人身份证件原件（双方应共同到场）", "调解协议", "与调解协议有关的证明材料"],
}


class _NoPlace(Exception):
    pass


class SlotFull(Exception):
    def __init__(self, alternatives: list[dict]):
        super().__init__("已约满")
        self.alternatives = alternatives


class NotFound(Exception):
    pass


class InvalidState(Exception):
    pass


class KeyReused(Exception):
    """An Idempotency-Key already used for a different request."""


class TooManyActive(Exception):
    def __init__(self, limit: int):
        super().__init__(f"这个手机号已经有{limit}个有效的同类预约了，请先办理或取消已有的预约")


@dataclass
class Created:
    appointment: Appointment
    replayed: bool


def _naive(moment: dt.datetime, calendar: BookingCalendar) -> dt.datetime:
    return calendar.local(moment).replace(tzinfo=None)


def _aware(moment: dt.datetime, calendar: BookingCalendar) -> dt.datetime:
    return moment.replace(tzinfo=calendar.tz)


# ---------- places ----------
_SQLITE_WRITER = threading.Lock()


@contextmanager
def write_transaction(session: Session) -> Iterator[None]:
    """One write transaction: committed at the end, rolled back on any exception.

    On SQLite it first takes an in-process writer lock and then the database write lock (BEGIN IMMEDIATE).
    pysqlite otherwise starts transactions lazily (BEGIN DEFERRED), and concurrent writers in WAL mode then
    either fail at once with "database is locked" or poll SQLite's busy handler and starve one another; the lock
    queues this process's writers instead (other processes still wait through busy_timeout). PostgreSQL needs
    nothing: the conditional UPDATE's row lock does the work."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        _SQLITE_WRITER.acquire()
    try:
        if sqlite:
            raw = session.connection().connection.dbapi_connection
            if not raw.in_transaction:
                raw.execute("BEGIN IMMEDIATE")
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        if sqlite:
            _SQLITE_WRITER.release()


def _counter_id(session: Session, service: str, start: dt.datetime) -> int:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(SlotCounter).values(service=service, slot_start=start, booked=0)
                    .on_conflict_do_nothing(index_elements=["service", "slot_start"]))
    return session.execute(select(SlotCounter.id).where(SlotCounter.service == service,
                                                        SlotCounter.slot_start == start)).scalar_one()


def take_place(session: Session, service: str, start: dt.datetime, capacity: int) -> bool:
    counter = _counter_id(session, service, start)
    result = session.execute(update(SlotCounter).where(SlotCounter.id == counter, SlotCounter.booked < capacity)
                             .values(booked=SlotCounter.booked + 1))
    return result.rowcount == 1


def release_place(session: Session, service: str, start: dt.datetime) -> None:
    session.execute(update(SlotCounter).where(SlotCounter.service == service, SlotCounter.slot_start == start,
                                              SlotCounter.booked > 0).values(booked=SlotCounter.booked - 1))


# ---------- views ----------
def place_for(service: str) -> str:
    profile = load_profile()
    court = profile["court"]["short_name"]
    try:
        window = fact(f"windows.{service}")
    except KeyError:
        window = UNCONFIRMED
    address = fact("contacts.address")
    where = f"{court}诉讼服务中心{window}"
    return where if address == UNCONFIRMED or address in where else f"{address}，{where}"


def calendar_fields(calendar: BookingCalendar, day: dt.date) -> dict:
    """`provisional` (the year's official holiday arrangement is not in yet) and what to tell the person then."""
    provisional = calendar.provisional(day)
    return {"provisional": provisional, "calendar_note": provisional_note(day.year) if provisional else None}


def slot_view(start: dt.datetime, free: int, preferred: dt.date | None, part: str | None,
              calendar: BookingCalendar | None = None) -> dict:
    exact = preferred is not None and start.date() == preferred and (
        part is None or (start.time() < NOON) == (part == "morning"))
    return {"start": start.isoformat(), "label": slot_label(start), "free": free, "exact": exact,
            **calendar_fields(calendar or get_calendar(), start.date())}


def appointment_view(appointment: Appointment, calendar: BookingCalendar | None = None, staff: bool = False) -> dict:
    calendar = calendar or get_calendar()
    start = _aware(appointment.slot_start, calendar)
    service = calendar.services.get(appointment.service)
    end = start + dt.timedelta(minutes=service.duration_minutes if service else 30)
    view = {
        "reference": appointment.reference,
        "service": appointment.service,
        "service_name": service.name if service else appointment.service,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "label": slot_label(start),
        "status": appointment.status,
        "place": place_for(appointment.service),
        "bring": BRING.get(appointment.service, ["本人身份证件原件"]),
        "phone": mask_phone(appointment.phone),
        "name": appointment.name if staff else mask_name(appointment.name),
        "description": mask_text(appointment.description) if appointment.description else None,
        "times_notice": None if calendar.confirmed else f"预约时间安排{UNCONFIRMED}",
        **calendar_fields(calendar, start.date()),
        # set when an arrangement entered later closed the booked day: the person is asked to rebook
        "holiday_conflict": appointment.holiday_conflict,
    }
    if staff:
        view.update(channel=appointment.channel, cancel_reason=appointment.cancel_reason,
                    created_at=appointment.created_at.isoformat() + "Z",
                    holiday_conflict_at=appointment.holiday_conflict_at.isoformat() + "Z"
                    if appointment.holiday_conflict_at else None)
    return view


def audit(session: Session, actor: str, action: str, reference: str, **details) -> None:
    session.add(BookingAudit(actor=actor, action=action, reference=reference, details=details or None))


# ---------- free slots ----------
def free_slots(session: Session, service: str, preferred: dt.date, part: str | None, now: dt.datetime,
               limit: int = 3, exclude: dt.datetime | None = None) -> list[dict]:
    """The nearest free slots from the preferred day on: that day's preferred part first, then the rest of
    that day, then the following working days within the horizon."""
    calendar = get_calendar()
    capacity = calendar.service(service).capacity
    days = calendar.bookable_days(now, preferred)
    if not days:
        return []
    counts = dict(session.execute(
        select(SlotCounter.slot_start, SlotCounter.booked).where(
            SlotCounter.service == service,
            SlotCounter.slot_start >= dt.datetime.combine(days[0], dt.time()),
            SlotCounter.slot_start < dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time()))).all())
    found: list[dict] = []
    for day in days:
        starts = calendar.open_slots(service, day, now)
        if day == preferred and part in PARTS:
            starts = sorted(starts, key=lambda s: (s.time() < NOON) != (part == "morning"))
        for start in starts:
            if exclude is not None and start == exclude:
                continue
            free = capacity - counts.get(start.replace(tzinfo=None), 0)
            if free > 0:
                found.append(slot_view(start, free, preferred, part, calendar))
                if len(found) >= limit:
                    return found
    return found


def slots_answer(session: Session, service: str, day: dt.date, part: str | None, now: dt.datetime) -> dict:
    calendar = get_calendar()
    info = calendar.service(service)
    today = calendar.local(now).date()
    notice = closed = None
    try:
        calendar.check_day(day, now)
    except BookingRuleError as exc:
        if day < today or day > calendar.last_day(now):
            raise
        closed = str(exc)
        notice = f"{closed}，为您找了最近的可约时间"
    slots = free_slots(session, service, day, part, now)
    if notice is None and slots and not slots[0]["exact"]:
        wanted = day_label(day) + (PARTS.get(part, "") if part else "")
        notice = f"{wanted}已约满或不可预约，为您找了最近的可约时间"
    if not slots:
        notice = (f"{closed}，" if closed else "") + \
            f"{calendar.horizon_days}天内的{info.name}时段都已约满或不办公，请以后再试或拨打12368咨询"
    notes = list(dict.fromkeys(s["calendar_note"] for s in slots if s["provisional"]))
    return {"service": service, "service_name": info.name, "date": day.isoformat(), "part": part,
            "notice": notice, "slots": slots, "provisional": bool(notes), "calendar_note": "；".join(notes) or None,
            "times_notice": None if calendar.confirmed else f"预约时间安排{UNCONFIRMED}"}


# ---------- create / find / change / cancel ----------
def _new_reference(session: Session) -> str:
    while True:
        reference = f"{100000 + secrets.randbelow(900000)}"
        if session.execute(select(Appointment.id).where(Appointment.reference == reference)).first() is None:
            return reference


def scoped_key(scope: str, key: str) -> str:
    """Idempotency keys belong to whoever sent them: the same key from another client is another key."""
    return hashlib.sha256(f"{scope}\x00{key}".encode("utf-8", "replace")).hexdigest()


def request_hash(**fields) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _by_key(session: Session, key: str, content: str) -> Appointment | None:
    existing = session.execute(select(Appointment).where(Appointment.idempotency_key == key)).scalar_one_or_none()
    if existing is not None and existing.request_hash != content:
        raise KeyReused()
    return existing


def has_key(session: Session, key: str) -> bool:
    return session.execute(select(Appointment.id).where(Appointment.idempotency_key == key)).first() is not None


def active_count(session: Session, phone: str, service: str, now: dt.datetime) -> int:
    today = dt.datetime.combine(get_calendar().local(now).date(), dt.time())
    return session.execute(select(func.count(Appointment.id)).where(
        Appointment.phone == phone, Appointment.service == service, Appointment.status == ACTIVE,
        Appointment.slot_start >= today)).scalar_one()


def create(session: Session, *, service: str, start: dt.datetime, name: str, phone: str,
           description: str | None, user_key: str | None, channel: str | None, idempotency_key: str | None,
           now: dt.datetime | None = None, actor: str = "litigant", max_active: int | None = None,
           risk_report_id: str | None = None) -> Created:
    """idempotency_key: already scoped (scoped_key); a replay with the same content returns the first booking,
    with other content raises KeyReused. max_active: active bookings one phone may hold per service.
    risk_report_id: the self-test this booking followed in the same conversation (the dashboard's conversion)."""
    calendar = get_calendar()
    now = now or calendar.now()
    mobile = normalize_mobile(phone)
    name = (name or "").strip()
    description = (description or "").strip()[:200] or None
    content = request_hash(service=service, start=start.isoformat(), name=name, phone=mobile,
                           description=description)
    if idempotency_key:
        existing = _by_key(session, idempotency_key, content)
        if existing is not None:
            return Created(existing, True)
    info = calendar.service(service)
    start = calendar.check_slot(service, start, now)
    if mobile is None:
        raise BookingRuleError("手机号码不正确，请提供11位的大陆手机号码")
    if not 1 <= len(name) <= 30:
        raise BookingRuleError("请提供预约人姓名（30字以内）")
    if max_active is not None and active_count(session, mobile, service, now) >= max_active:
        raise TooManyActive(max_active)
    local_start = _naive(start, calendar)
    for _attempt in range(5):
        try:
            with write_transaction(session):
                if not take_place(session, service, local_start, info.capacity):
                    raise _NoPlace()
                appointment = Appointment(reference=_new_reference(session), service=service,
                                          slot_start=local_start, name=name, phone=mobile, description=description,
                                          status=ACTIVE, user_key=user_key, channel=channel,
                                          idempotency_key=idempotency_key, request_hash=content)
                session.add(appointment)
                session.flush()
                audit(session, f"{actor}:{channel or 'api'}", "create", appointment.reference, service=service,
                      start=start.isoformat(), phone=mask_phone(mobile))
                analytics.record(session, "booking", "created", channel, service,
                                 value=(start.date() - calendar.local(now).date()).days)
                risk_service.mark_booked(session, risk_report_id, channel)
                message = queue_sms(session, appointment, "booking_created")
            break
        except _NoPlace:
            raise SlotFull(free_slots(session, service, start.date(), None, now, exclude=start)) from None
        except IntegrityError:
            if idempotency_key:
                existing = _by_key(session, idempotency_key, content)
                if existing is not None:
                    return Created(existing, True)
    else:  # pragma: no cover - five reference collisions in a row
        raise RuntimeError("could not allocate a reference")
    deliver_after_commit(session, message)
    return Created(appointment, False)


def find(session: Session, reference: str, *, phone_last4: str | None = None,
         user_key: str | None = None) -> Appointment:
    """An appointment for someone who proves it is theirs: last four phone digits, or the same user_key (only
    internal callers may offer a user_key; the router sees to that). Wrong proof and no such reference are the same
    NotFound, so references cannot be enumerated; throttling is per client (the router), never per reference, so
    guessing cannot lock the owner out."""
    appointment = session.execute(select(Appointment).where(Appointment.reference == (reference or "").strip())
                                  ).scalar_one_or_none()
    ok = appointment is not None and (
        (phone_last4 and len(phone_last4) == 4 and secrets.compare_digest(appointment.phone[-4:].encode(),
                                                                          phone_last4.encode()))
        or (user_key and appointment.user_key
            and secrets.compare_digest(appointment.user_key.encode(), user_key.encode())))
    if not ok:
        raise NotFound()
    return appointment


def for_user(session: Session, user_key: str, now: dt.datetime | None = None) -> list[Appointment]:
    calendar = get_calendar()
    now = now or calendar.now()
    today = dt.datetime.combine(calendar.local(now).date(), dt.time())
    return list(session.execute(select(Appointment).where(
        Appointment.user_key == user_key, Appointment.status == ACTIVE, Appointment.slot_start >= today)
        .order_by(Appointment.slot_start)).scalars())


def cancel(session: Session, appointment: Appointment, actor: str, reason: str | None = None) -> Appointment:
    service, start = appointment.service, appointment.slot_start
    with write_transaction(session):
        result = session.execute(update(Appointment).where(Appointment.id == appointment.id,
                                                           Appointment.status == ACTIVE)
                                 .values(status="cancelled", cancel_reason=reason))
        if result.rowcount != 1:
            raise InvalidState()
        release_place(session, service, start)
        audit(session, actor, "cancel", appointment.reference, reason=reason)
        analytics.record(session, "booking", "cancelled", appointment.channel, service)
        session.flush()
        session.refresh(appointment)
        message = queue_sms(session, appointment, "booking_cancelled")
    deliver_after_commit(session, message)
    return appointment


def change(session: Session, appointment: Appointment, start: dt.datetime, actor: str,
           service: str | None = None, now: dt.datetime | None = None) -> Appointment:
    calendar = get_calendar()
    now = now or calendar.now()
    if appointment.status != ACTIVE:
        raise InvalidState()
    service = service or appointment.service
    info = calendar.service(service)
    start = calendar.check_slot(service, start, now)
    local_start = _naive(start, calendar)
    if local_start == appointment.slot_start and service == appointment.service:
        return appointment
    old_service, old_start = appointment.service, appointment.slot_start
    try:
        with write_transaction(session):
            if not take_place(session, service, local_start, info.capacity):
                raise _NoPlace()
            result = session.execute(update(Appointment).where(Appointment.id == appointment.id,
                                                               Appointment.status == ACTIVE)
                                     .values(slot_start=local_start, service=service, reminder_sent_at=None,
                                             holiday_conflict=None, holiday_conflict_at=None))
            if result.rowcount != 1:
                raise InvalidState()
            release_place(session, old_service, old_start)
            audit(session, actor, "change", appointment.reference,
                  before=_aware(old_start, calendar).isoformat(), after=start.isoformat(), service=service)
            analytics.record(session, "booking", "changed", appointment.channel, service)
            session.flush()
            session.refresh(appointment)
            message = queue_sms(session, appointment, "booking_changed")
    except _NoPlace:
        raise SlotFull(free_slots(session, service, start.date(), None, now, exclude=start)) from None
    deliver_after_commit(session, message)
    return appointment


def staff_mark(session: Session, appointment: Appointment, status: str, actor: str) -> Appointment:
    """check_in or no_show: only from booked."""
    with write_transaction(session):
        result = session.execute(update(Appointment).where(Appointment.id == appointment.id,
                                                           Appointment.status == ACTIVE).values(status=status))
        if result.rowcount != 1:
            raise InvalidState()
        audit(session, actor, "check_in" if status == "checked_in" else status, appointment.reference)
        analytics.record(session, "booking", status, appointment.channel, appointment.service)
    session.refresh(appointment)
    return appointment


STATUS_NAMES = {"booked": "已预约", "cancelled": "已取消", "checked_in": "已签到", "no_show": "未到场"}


def state_message(appointment: Appointment) -> str:
    status = STATUS_NAMES.get(appointment.status, appointment.status)
    return f"预约{appointment.reference}当前状态为“{status}”，不能再办理这项操作"


def staff_list(session: Session, day: dt.date, service: str | None, status: str | None) -> list[Appointment]:
    query = select(Appointment).where(Appointment.slot_start >= dt.datetime.combine(day, dt.time()),
                                      Appointment.slot_start < dt.datetime.combine(day + dt.timedelta(days=1),
                                                                                   dt.time()))
    if service:
        query = query.where(Appointment.service == service)
    if status:
        query = query.where(Appointment.status == status)
    return list(session.execute(query.order_by(Appointment.slot_start, Appointment.id)).scalars())


def audit_trail(session: Session, reference: str) -> list[dict]:
    rows = session.execute(select(BookingAudit).where(BookingAudit.reference == reference)
                           .order_by(BookingAudit.id)).scalars()
    return [{"at": r.at.isoformat() + "Z", "actor": r.actor, "action": r.action, "details": r.details} for r in rows]


def slot_usage(session: Session, service: str, start: dt.datetime) -> int:
    calendar = get_calendar()
    return session.execute(select(func.coalesce(func.max(SlotCounter.booked), 0)).where(
        SlotCounter.service == service, SlotCounter.slot_start == _naive(start, calendar))).scalar_one()


# ---------- SMS ----------
def sms_text(appointment: Appointment, kind: str) -> str:
    view = appointment_view(appointment)
    head = {"booking_created": "预约成功", "booking_changed": "预约已改期", "booking_cancelled": "预约已取消",
            "booking_reminder": "明日预约提醒"}[kind]
    court = load_profile()["court"]["short_name"]
    text = f"【{court}】{head}：{view['service_name']}，{view['label']}，预约号{view['reference']}。"
    if kind != "booking_cancelled":
        text += f"地点：{view['place']}。请带：{'、'.join(view['bring'])}。"
        if view["times_notice"]:
            text += view["times_notice"] + "。"
        if view["calendar_note"]:
            text += view["calendar_note"] + "。"
    return text + "如需改约或取消，可联系12368。"


def queue_sms(session: Session, appointment: Appointment, kind: str):
    """The message joins the booking's own transaction (a transactional outbox): no booking without its SMS
    record, and no SMS for a booking that was rolled back. Twilio is called only after the commit."""
    return send_sms(session, appointment.phone, sms_text(appointment, kind), kind, deliver_now=False)


def deliver_after_commit(session: Session, message) -> None:
    """The message is committed with the booking; Twilio gets it from the background sender."""
    deliver_later(message)


def send_reminders(session: Session, now: dt.datetime | None = None) -> int:
    """Day-before reminders: every booked appointment of tomorrow that has not had one. Returns how many.
    By SMS, and by WeChat 订阅消息 where the user subscribed in the mini-program (WECHAT_REMINDER_INSTEAD_OF_SMS:
    WeChat alone, SMS only if WeChat refuses)."""
    from service_center.wechat import service as wechat  # the WeChat domain imports booking models

    settings = get_settings()
    calendar = get_calendar()
    now = now or calendar.now()
    tomorrow = calendar.local(now).date() + dt.timedelta(days=1)
    due = session.execute(select(Appointment).where(
        Appointment.status == ACTIVE, Appointment.reminder_sent_at.is_(None),
        Appointment.holiday_conflict.is_(None),  # the day became a holiday: the person was asked to rebook
        Appointment.slot_start >= dt.datetime.combine(tomorrow, dt.time()),
        Appointment.slot_start < dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time()))).scalars().all()
    session.commit()
    sent = 0
    for appointment in due:
        message, claimed = None, False
        with write_transaction(session):
            claimed = session.execute(update(Appointment).where(Appointment.id == appointment.id,
                                                                Appointment.reminder_sent_at.is_(None))
                                      .values(reminder_sent_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
                                      ).rowcount == 1
            if claimed:
                wechat_only = settings.wechat_reminder_instead_of_sms and wechat.accepted_subscription(
                    session, appointment.reference, settings) is not None
                if not wechat_only:
                    message = queue_sms(session, appointment, "booking_reminder")
                audit(session, "system", "remind", appointment.reference)
        if not claimed:
            continue
        sent += 1
        if message is not None:
            deliver_after_commit(session, message)
        by_wechat = wechat.send_reminder(session, appointment, appointment_view(appointment), settings)
        if message is None and not by_wechat:  # WeChat only, but WeChat refused: the SMS after all
            with write_transaction(session):
                message = queue_sms(session, appointment, "booking_reminder")
            deliver_after_commit(session, message)
    return sent
