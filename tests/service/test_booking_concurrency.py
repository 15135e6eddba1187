"""A slot is never overbooked: 50 concurrent attempts on a capacity-2 slot give exactly 2 bookings and 48 clear
"已约满" answers with alternatives — against real PostgreSQL, and the same on SQLite."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

SLOT = dt.datetime(2026, 12, 2, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _race(attempts: int = 50) -> list:
    from service_center.booking import service
    from service_center.db import get_sessionmaker

    barrier = threading.Barrier(attempts)

    def attempt(i: int):
        session = get_sessionmaker()()
        try:
            barrier.wait()
            created = service.create(session, service="mediation", start=SLOT, name="并发", phone=f"1380000{i:04d}",
                                     description=None, user_key=None, channel="test", idempotency_key=f"k{i}",
                                     now=NOW)
            return ("booked", created.appointment.reference)
        except service.SlotFull as full:
            return ("full", full.alternatives)
        finally:
            session.close()

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        return list(pool.map(attempt, range(attempts)))


def _check(results: list) -> None:
    from service_center.booking.models import Appointment, SlotCounter
    from service_center.db import get_sessionmaker

    booked = [r for r in results if r[0] == "booked"]
    full = [r for r in results if r[0] == "full"]
    assert len(booked) == 2 and len(full) == 48
    assert all(r[1] and r[1][0]["start"] != SLOT.isoformat() for r in full), "every refusal offers alternatives"
    with get_sessionmaker()() as session:
        assert session.execute(select(func.count(Appointment.id))).scalar_one() == 2
        assert session.execute(select(SlotCounter.booked)).scalar_one() == 2


def test_fifty_concurrent_bookings_on_postgresql(postgres_url):
    from service_center.db import get_engine

    assert get_engine().dialect.name == "postgresql"
    _check(_race())


def test_fifty_concurrent_bookings_on_sqlite(database_url):
    _check(_race())


def test_the_same_idempotency_key_from_ten_threads_books_once(postgres_url):
    from service_center.booking import service
    from service_center.db import get_sessionmaker

    barrier = threading.Barrier(10)

    def attempt(_i):
        with get_sessionmaker()() as session:
            barrier.wait()
            return service.create(session, service="filing", start=SLOT, name="重试", phone="13800001234",
                                  description=None, user_key=None, channel="test", idempotency_key="same-key",
                                  now=NOW).appointment.reference

    with ThreadPoolExecutor(max_workers=10) as pool:
        references = set(pool.map(attempt, range(10)))
    assert len(references) == 1
