"""Bookings that a holiday arrangement entered later puts on a day the court does not work.

Nothing is silently lost: each such booking keeps its status and place, is marked (`holiday_conflict`), gets
an entry in its audit log, and the litigant gets an SMS asking to rebook (through the usual outbox). Staff
follow up from GET /api/staff/calendar/affected. Moving the booking to an open day clears the mark; so does an
arrangement corrected later that opens the day again (with an SMS saying the original time stands)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service_center.booking import service
from service_center.booking.calendar import court_now, get_calendar
from service_center.booking.models import Appointment, utcnow
from service_center.court.profile import load_profile
from service_center.notifications.service import send_sms

CONFLICT, RESTORED = "booking_holiday_conflict", "booking_holiday_restored"


@dataclass
class Reconciled:
    flagged: list[Appointment] = field(default_factory=list)
    restored: list[Appointment] = field(default_factory=list)
    messages: list = field(default_factory=list)


def conflict_sms(appointment: Appointment, reason: str) -> str:
    view = service.appointment_view(appointment)
    court = load_profile()["court"]["short_name"]
    return (f"【{court}】您预约的{view['service_name']}（{view['label']}，预约号{view['reference']}）：{reason}。"
            "预约仍为您保留，请改约其他时间：在线预约时说“改约”并提供预约号，或联系12368。给您带来不便，敬请谅解。")


def restored_sms(appointment: Appointment) -> str:
    view = service.appointment_view(appointment)
    court = load_profile()["court"]["short_name"]
    return (f"【{court}】更正：节假日安排已更正，您预约的{view['service_name']}（{view['label']}，"
            f"预约号{view['reference']}）当天法院正常办公，原预约有效，无需改约。")


def reconcile(session: Session, actor: str, now: dt.datetime | None = None) -> Reconciled:
    """Marks and messages every booked appointment from today on whose day is now closed; unmarks (and tells)
    those whose day is open again. Safe to run any number of times: each change of state sends one SMS."""
    calendar = get_calendar()
    now = now or court_now()
    today = dt.datetime.combine(calendar.local(now).date(), dt.time())
    upcoming = session.execute(select(Appointment).where(
        Appointment.status == service.ACTIVE, Appointment.slot_start >= today)
        .order_by(Appointment.slot_start)).scalars().all()
    session.commit()
    result = Reconciled()
    for appointment in upcoming:
        reason = calendar.closed_reason(appointment.slot_start.date())
        if bool(reason) == bool(appointment.holiday_conflict):
            continue
        with service.write_transaction(session):
            claimed = session.execute(
                update(Appointment).where(Appointment.id == appointment.id, Appointment.status == service.ACTIVE,
                                          Appointment.holiday_conflict.is_(None) if reason
                                          else Appointment.holiday_conflict.is_not(None))
                .values(holiday_conflict=reason[:200] if reason else None,
                        holiday_conflict_at=utcnow() if reason else None))
            if claimed.rowcount != 1:  # changed or cancelled meanwhile
                continue
            session.flush()
            session.refresh(appointment)
            if reason:
                service.audit(session, actor, "holiday_conflict", appointment.reference, reason=reason)
                message = send_sms(session, appointment.phone, conflict_sms(appointment, reason), CONFLICT,
                                   deliver_now=False)
                result.flagged.append(appointment)
            else:
                service.audit(session, actor, "holiday_conflict_cleared", appointment.reference)
                message = send_sms(session, appointment.phone, restored_sms(appointment), RESTORED,
                                   deliver_now=False)
                result.restored.append(appointment)
        result.messages.append(message)
        service.deliver_after_commit(session, message)
    return result


def affected(session: Session, include_closed: bool = False) -> list[Appointment]:
    """Marked bookings, nearest first: still booked ones (to follow up), or every marked one."""
    query = select(Appointment).where(Appointment.holiday_conflict.is_not(None))
    if not include_closed:
        query = query.where(Appointment.status == service.ACTIVE)
    return list(session.execute(query.order_by(Appointment.slot_start, Appointment.id)).scalars())
