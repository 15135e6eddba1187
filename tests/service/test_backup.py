"""make backup / make restore (deploy/backup.py) on real databases: SQLite files (the embedded default, backed up
while a connection holds them open) and this machine's PostgreSQL (pg_dump / pg_restore)."""

import json
import sqlite3
import uuid

import pytest
from sqlalchemy import create_engine, text

from deploy import backup
from tests.service.conftest import POSTGRES_ADMIN_URL

CALLBACK = ("INSERT INTO hotline_callbacks (created_at, phone, reason, status) "
            "VALUES ('2026-12-01 09:00:00', '+8613812345678', 'no_answer', 'pending')")


def callbacks(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = [row[0] for row in connection.execute(text("SELECT phone FROM hotline_callbacks"))]
    engine.dispose()
    return rows


def test_sqlite_backup_while_open_and_restore(database_url, tmp_path):
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(CALLBACK))
    tracker = tmp_path / "tracker.db"
    with sqlite3.connect(tracker) as db:
        db.execute("CREATE TABLE events (sender_id TEXT, data TEXT)")
        db.execute("INSERT INTO events VALUES ('web_1', '{\"event\": \"user\"}')")
    env = {"DATABASE_URL": database_url, "RASA_TRACKER_DB": str(tracker)}
    databases = backup.configured_databases(env)

    holder = sqlite3.connect(tracker)  # a running Rasa keeps its tracker store open
    holder.execute("BEGIN")
    holder.execute("INSERT INTO events VALUES ('web_2', 'not committed yet')")
    folder = backup.create(tmp_path / "backups", databases, keep=14)
    holder.rollback()
    holder.close()

    manifest = json.loads((folder / "manifest.json").read_text())
    assert [entry["file"] for entry in manifest["databases"]] == ["service.sqlite", "tracker.sqlite"]
    assert all(len(entry["sha256"]) == 64 for entry in manifest["databases"])

    with engine.begin() as connection:  # the day something goes wrong
        connection.execute(text("DELETE FROM hotline_callbacks"))
    engine.dispose()
    tracker.unlink()
    assert callbacks(database_url) == []

    assert backup.restore(folder, databases) == ["service", "tracker"]
    assert callbacks(database_url) == ["+8613812345678"]
    with sqlite3.connect(tracker) as db:
        assert db.execute("SELECT sender_id FROM events").fetchall() == [("web_1",)]


def test_restore_refuses_a_damaged_file(database_url, tmp_path):
    databases = backup.configured_databases({"DATABASE_URL": database_url,
                                             "RASA_TRACKER_DB": str(tmp_path / "none.db")})
    folder = backup.create(tmp_path / "backups", databases, keep=14)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "skipped" in manifest["databases"][1]  # no tracker store yet: said, not an error
    with (folder / "service.sqlite").open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(SystemExit, match="SHA-256"):
        backup.restore(folder, databases)


def test_only_the_newest_backups_are_kept(database_url, tmp_path):
    databases = backup.configured_databases({"DATABASE_URL": database_url, "RASA_TRACKER_DB": "var/none.db"})
    folders = [backup.create(tmp_path / "backups", databases, keep=2) for _ in range(3)]
    assert sorted(p for p in (tmp_path / "backups").iterdir()) == folders[1:]


@pytest.mark.postgres
def test_postgres_dump_and_restore(postgres_url, tmp_path):
    tracker_name = f"court_tracker_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{tracker_name}"'))
    tracker_url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{tracker_name}"
    try:
        tracker = create_engine(tracker_url)
        with tracker.begin() as connection:
            connection.execute(text("CREATE TABLE events (sender_id TEXT, data TEXT)"))
            connection.execute(text("INSERT INTO events VALUES ('call_1', '{}')"))
        service = create_engine(postgres_url)
        with service.begin() as connection:
            connection.execute(text(CALLBACK))
        env = {"DATABASE_URL": postgres_url, "RASA_ENDPOINTS": "endpoints.scaled.yml",
               "TRACKER_DB_HOST": "127.0.0.1", "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": tracker_name,
               "TRACKER_DB_USER": "postgres", "TRACKER_DB_PASSWORD": ""}
        databases = backup.configured_databases(env)
        folder = backup.create(tmp_path / "backups", databases, keep=14)
        assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "service.pgdump", "tracker.pgdump"]

        with service.begin() as connection:
            connection.execute(text("DELETE FROM hotline_callbacks"))
            connection.execute(text("DROP TABLE kb_feedback"))
        with tracker.begin() as connection:
            connection.execute(text("DELETE FROM events"))
        service.dispose()
        tracker.dispose()

        assert backup.restore(folder, databases) == ["service", "tracker"]
        assert callbacks(postgres_url) == ["+8613812345678"]
        with create_engine(tracker_url).connect() as connection:
            assert connection.execute(text("SELECT sender_id FROM events")).scalars().all() == ["call_1"]
            connection.close()
        restored = create_engine(postgres_url)
        with restored.connect() as connection:  # the dropped table is back, with Alembic's version
            assert connection.execute(text("SELECT count(*) FROM kb_feedback")).scalar() == 0
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() >= 1
        restored.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{tracker_name}" WITH (FORCE)'))
        admin.dispose()
