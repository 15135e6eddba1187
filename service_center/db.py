"""Database engine and sessions. SQLite by default, PostgreSQL by DATABASE_URL; schema by Alembic."""

import datetime as dt
import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import fastapi
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from service_center.config import get_settings


class Base(DeclarativeBase):
    """Every table of every domain derives from this, so Alembic sees one metadata."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while a booking is written; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def private_sqlite_file(url: str) -> None:
    """The database file (and so its -wal and -shm files, which SQLite creates with the same mode) readable by
    this user only: it holds names and phone numbers."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            file.chmod(0o600)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def utcnow() -> dt.datetime:
    """Naive UTC, as the tables store it (the same on SQLite and PostgreSQL)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request, closed afterwards."""
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.close()


# A row id in a URL path: bounded so that a huge number is a 422, not an SQL overflow (SQLite INTEGER is 64-bit,
# PostgreSQL's INTEGER 32-bit).
RowId = Annotated[int, fastapi.Path(ge=1, le=2**31 - 1)]
