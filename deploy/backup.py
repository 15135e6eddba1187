"""Back up and restore the two databases: the service center's (bookings, callbacks, feedback, risk reports) and
Rasa's tracker store (the conversations).

    python -m deploy.backup create  [--to var/backups]        (make backup)
    python -m deploy.backup restore  var/backups/<stamp>      (make restore BACKUP=var/backups/<stamp>)
    python -m deploy.backup list     [--to var/backups]

Where the data is comes from the same settings the processes use: DATABASE_URL for the service center; for the
tracker store RASA_TRACKER_DB (SQLite, the embedded default) or, with RASA_ENDPOINTS=endpoints.scaled.yml,
TRACKER_DB_HOST/PORT/NAME/USER/PASSWORD (PostgreSQL).

- SQLite: Python's sqlite3 online backup API, a consistent copy while the processes keep running.
- PostgreSQL: `pg_dump --format=custom` (consistent, online) and `pg_restore --clean --if-exists --no-owner`.
  The password goes through PGPASSWORD, never on a command line.

A backup is one folder named by its UTC time, with a manifest.json (what, where from, size, SHA-256; passwords
masked). `create` keeps the newest BACKUP_KEEP (14) folders. Restore with the processes stopped: it replaces the
databases' contents, and checks each file's SHA-256 first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "var" / "backups"


@dataclass(frozen=True)
class Database:
    """One database to back up: `name` is the file stem inside a backup folder."""

    name: str
    url: URL

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path:
        path = Path(self.url.database or "")
        return path if path.is_absolute() else ROOT / path

    @property
    def file_name(self) -> str:
        return f"{self.name}.sqlite" if self.is_sqlite else f"{self.name}.pgdump"

    def libpq(self) -> tuple[str, dict[str, str]]:
        """A libpq connection string without the password, and the environment that carries it."""
        plain = self.url.set(drivername="postgresql", password=None)
        env = {**os.environ}
        if self.url.password:
            env["PGPASSWORD"] = str(self.url.password)
        return plain.render_as_string(hide_password=False), env


def configured_databases(environ: dict[str, str] | None = None) -> list[Database]:
    env = os.environ if environ is None else environ
    service = env.get("DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'service.db'}"
    if "scaled" in env.get("RASA_ENDPOINTS", ""):
        tracker = URL.create("postgresql", username=env.get("TRACKER_DB_USER"),
                             password=env.get("TRACKER_DB_PASSWORD") or None, host=env.get("TRACKER_DB_HOST"),
                             port=int(env.get("TRACKER_DB_PORT") or 5432), database=env.get("TRACKER_DB_NAME"))
    else:
        tracker = make_url(f"sqlite:///{env.get('RASA_TRACKER_DB', 'var/tracker.db')}")
    return [Database("service", make_url(service)), Database("tracker", tracker)]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_copy(source: Path, target: Path) -> None:
    """The online backup API: a consistent copy even while another process writes to `source`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def back_up(database: Database, folder: Path) -> dict:
    target = folder / database.file_name
    if database.is_sqlite:
        if not database.sqlite_path.exists():
            return {"name": database.name, "skipped": f"{database.sqlite_path} does not exist yet"}
        _sqlite_copy(database.sqlite_path, target)
    else:
        dsn, env = database.libpq()
        command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={dsn}"]
        subprocess.run(command, env=env, check=True)  # noqa: S603 - our own arguments, no shell
    return {"name": database.name, "file": target.name, "bytes": target.stat().st_size, "sha256": sha256(target),
            "source": database.url.render_as_string(hide_password=True)}


def create(backup_dir: Path, databases: list[Database], keep: int) -> Path:
    folder = backup_dir / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder.mkdir(parents=True)
    entries = [back_up(database, folder) for database in databases]
    manifest = {"created": datetime.now(UTC).isoformat(timespec="seconds"), "databases": entries}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    for old in sorted(p for p in backup_dir.iterdir() if (p / "manifest.json").exists())[:-keep]:
        shutil.rmtree(old)
    return folder


def restore(folder: Path, databases: list[Database]) -> list[str]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    saved = {entry["name"]: entry for entry in manifest["databases"] if "file" in entry}
    restored = []
    for database in databases:
        entry = saved.get(database.name)
        if entry is None:
            continue
        source = folder / entry["file"]
        if sha256(source) != entry["sha256"]:
            raise SystemExit(f"{source} does not match its SHA-256 in manifest.json: not restored")
        if database.is_sqlite != source.name.endswith(".sqlite"):
            raise SystemExit(f"{source.name} cannot be restored into {database.url.get_backend_name()}")
        if database.is_sqlite:
            _sqlite_copy(source, database.sqlite_path)
        else:
            dsn, env = database.libpq()
            command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                       f"--dbname={dsn}", str(source)]
            subprocess.run(command, env=env, check=True)  # noqa: S603 - our own arguments, no shell
        restored.append(database.name)
    return restored


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.backup", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("create", "list"):
        sub = commands.add_parser(name)
        sub.add_argument("--to", type=Path, default=Path(os.environ.get("BACKUP_DIR", DEFAULT_DIR)))
    commands.add_parser("restore").add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    databases = configured_databases()
    if args.command == "create":
        folder = create(args.to, databases, keep=int(os.environ.get("BACKUP_KEEP", "14")))
        print(folder)
    elif args.command == "list":
        for folder in sorted(p for p in args.to.glob("*") if (p / "manifest.json").exists()):
            print(folder)
    else:
        print("restored:", ", ".join(restore(args.folder, databases)) or "nothing")


if __name__ == "__main__":
    sys.exit(main())
