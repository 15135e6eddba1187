"""Bookings per second under concurrent load, on SQLite and on PostgreSQL (127.0.0.1:5432, skipped if absent).

Through the service layer (the same code the API runs, without HTTP): N threads book every free place of a
fixed two-week calendar, then 50 threads race for one capacity-2 slot. The clock is fixed at a Tuesday in
December 2026 so that the figures do not depend on the day the benchmark runs."""

import datetime as dt
import os
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
THREADS = int(os.environ.get("BENCH_BOOKING_THREADS", "8"))


def _use(url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "service_center" / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "heads")
    os.environ["DATABASE_URL"] = url
    from service_center.config import get_settings
    from service_center.db import get_engine, get_sessionmaker

    for cached in (get_settings, get_engine, get_sessionmaker):
        cached.cache_clear()


def _places() -> list[tuple[str, dt.datetime]]:
    from service_center.booking.calendar import get_calendar

    calendar = get_calendar()
    places = []
    for day in calendar.bookable_days(NOW):
        for code, service in calendar.services.items():
            for start in calendar.open_slots(code, day, NOW):
                places += [(code, start)] * service.capacity
    return places


def _book(code: str, start: dt.datetime) -> tuple[str, float]:
    from service_center.booking import service
    from service_center.db import get_sessionmaker

    began = time.perf_counter()
    with get_sessionmaker()() as session:
        try:
            service.create(session, service=code, start=start, name="压测", phone="13800138000", description=None,
                           user_key=None, channel="bench", idempotency_key=uuid.uuid4().hex, now=NOW)
            outcome = "booked"
        except service.SlotFull:
            outcome = "full"
    return outcome, (time.perf_counter() - began) * 1000


def _run(label: str) -> None:
    places = _places()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(lambda place: _book(*place), places))
    elapsed = time.perf_counter() - started
    booked = sum(1 for outcome, _ in results if outcome == "booked")
    latencies = sorted(ms for _, ms in results)
    p95 = statistics.quantiles(latencies, n=20)[18]
    print(f"{label}: {booked}/{len(places)} places booked by {THREADS} threads in {elapsed:.1f} s = "
          f"{booked / elapsed:.0f} bookings/s (p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms)")

    # contention: 50 threads at once on one capacity-2 slot of a fresh day... the last bookable day, 16:00 filing
    from service_center.booking.models import SlotCounter
    from service_center.db import get_sessionmaker

    with get_sessionmaker()() as session:
        session.query(SlotCounter).delete()
        session.commit()
    slot = places[0][1]
    barrier = threading.Barrier(50)

    def race(_i):
        barrier.wait()
        return _book("mediation", slot)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = [o for o, _ in pool.map(race, range(50))]
    elapsed = time.perf_counter() - started
    print(f"{label}: 50 concurrent attempts on one capacity-2 slot -> {outcomes.count('booked')} booked, "
          f"{outcomes.count('full')} full, in {elapsed * 1000:.0f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        _use(f"sqlite:///{folder}/bench.db")
        _run("SQLite")
    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        name = f"bench_booking_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no PostgreSQL here: say so, do not fail the whole bench
        print(f"PostgreSQL: skipped ({type(exc).__name__})")
        return
    try:
        _use(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
        _run("PostgreSQL")
    finally:
        from service_center.db import get_engine

        get_engine().dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
