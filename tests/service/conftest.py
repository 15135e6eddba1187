"""Service-center tests run the real app on a real database: a fresh SQLite file per test by default,
migrated by Alembic exactly as in production. Tests marked `postgres` use this machine's PostgreSQL."""

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# The secret actions and connectors send to internal endpoints (X-Internal-Token); see court_common/trust.py.
INTERNAL_SECRET = "test-internal-secret-0123456789abcdef"
STAFF_PASSWORD = "correct-horse-battery"


def migrate(url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "service_center" / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "heads")


def _reset_caches() -> None:
    from service_center.config import get_settings
    from service_center.db import get_engine, get_sessionmaker

    for cached in (get_settings, get_engine, get_sessionmaker):
        cached.cache_clear()


def _point_at_nothing(monkeypatch) -> None:
    """Unit tests must not reach a developer's running `make run` on :5005/:5055: a port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("RASA_URL", closed)
    monkeypatch.setenv("ACTIONS_URL", closed)
    monkeypatch.setenv("HOTLINE_FALLBACK_URL", closed)


@pytest.fixture
def database_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'service.db'}"
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SUPERVISION_DIR", str(tmp_path / "supervision"))  # never a running make run's counts
    monkeypatch.setenv("INTERNAL_SECRET", INTERNAL_SECRET)
    _point_at_nothing(monkeypatch)
    _reset_caches()
    yield url
    _reset_caches()


@pytest.fixture
def postgres_url(monkeypatch) -> Iterator[str]:
    """A throw-away PostgreSQL database on 127.0.0.1:5432, migrated, dropped afterwards."""
    name = f"court_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("INTERNAL_SECRET", INTERNAL_SECRET)
    _point_at_nothing(monkeypatch)
    _reset_caches()
    yield url
    from service_center.db import get_engine

    get_engine().dispose()
    _reset_caches()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def client(database_url) -> Iterator[TestClient]:
    from service_center.main import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def make_staff(username: str, role: str) -> str:
    """A staff account with STAFF_PASSWORD in the test database; returns that person's personal API token."""
    from service_center.db import get_sessionmaker
    from service_center.staff import service as accounts

    with get_sessionmaker()() as session:
        user = accounts.create_user(session, username, role, STAFF_PASSWORD)
        return accounts.create_token(session, user, "tests")[0]


@pytest.fixture
def internal_headers() -> dict:
    return {"X-Internal-Token": INTERNAL_SECRET}


@pytest.fixture
def staff_headers(database_url) -> dict:
    """Bearer header of a 管理员 (who may use every staff route)."""
    return {"Authorization": f"Bearer {make_staff('test-admin', 'admin')}"}


@pytest.fixture
def booking_client(database_url, monkeypatch) -> Iterator[TestClient]:
    """The app with the booking calendar's clock fixed at Tuesday 2026-12-01 09:00 court time."""
    from service_center.config import get_settings
    from service_center.main import create_app

    monkeypatch.setenv("BOOKING_NOW", "2026-12-01T09:00:00")
    get_settings.cache_clear()
    with TestClient(create_app()) as test_client:
        yield test_client
