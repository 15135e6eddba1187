"""A supervisord event listener: each process's state and crash count in one JSON file, read by GET /health.

supervisord restarts a crashed process by itself (autorestart, with its back-off while a start keeps failing:
1 s, 2 s, 3 s ... up to `startretries`, then FATAL). This listener only watches and records, except for one thing
supervisord does not do: a process left FATAL is started again every RETRY_FATAL_AFTER seconds (default 60), so
an unattended server never stays silent because a dependency was briefly missing.

The file ($SUPERVISION_DIR/processes.json, written atomically):
  {"supervisor_pid": 123, "started": "...", "updated": "...",
   "processes": {"rasa": {"state": "RUNNING", "since": "...", "pid": 456, "crashes": 1, "last_crash": "..."}}}
A crash is an unexpected exit of a running process (EXITED, expected:0) or a start that failed (BACKOFF).

Runs under supervisord only (it speaks the listener protocol on stdin/stdout); logs go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from supervisor import childutils

CRASH_EVENTS = {"PROCESS_STATE_BACKOFF"}
RETRY_FATAL_AFTER = float(os.environ.get("SUPERVISION_RETRY_FATAL_AFTER", "60"))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ProcessBook:
    """Each process's state and crashes, saved to one JSON file after every change."""

    def __init__(self, path: Path, supervisor_pid: int) -> None:
        self.path = path
        self.data = {"supervisor_pid": supervisor_pid, "started": now_iso(), "updated": now_iso(), "processes": {}}
        try:  # the listener itself was restarted: keep the counts of this supervisord's life
            previous = json.loads(path.read_text(encoding="utf-8"))
            if previous.get("supervisor_pid") == supervisor_pid:
                self.data = previous
        except (OSError, ValueError):
            pass
        self.fatal_since: dict[str, float] = {}

    def process(self, name: str) -> dict:
        return self.data["processes"].setdefault(name, {"state": "UNKNOWN", "since": now_iso(), "pid": None,
                                                        "crashes": 0, "last_crash": None})

    def seed(self, infos: list[dict]) -> None:
        for info in infos:
            entry = self.process(info["name"])
            entry["state"], entry["pid"] = info["statename"], info["pid"] or None
        self.save()

    def record(self, event: str, headers: dict[str, str]) -> None:
        name = headers["processname"]
        entry = self.process(name)
        state = event.removeprefix("PROCESS_STATE_")
        entry["state"], entry["since"] = state, now_iso()
        entry["pid"] = int(headers["pid"]) if headers.get("pid", "0").isdigit() and state == "RUNNING" else None
        if event in CRASH_EVENTS or (event == "PROCESS_STATE_EXITED" and headers.get("expected") == "0"):
            entry["crashes"] += 1
            entry["last_crash"] = now_iso()
            log(f"{name} crashed ({state} from {headers.get('from_state')}); crashes so far: {entry['crashes']}")
        if state == "FATAL":
            self.fatal_since[name] = time.monotonic()
        else:
            self.fatal_since.pop(name, None)
        self.save()

    def due_for_retry(self) -> list[str]:
        now = time.monotonic()
        return [name for name, since in self.fatal_since.items() if now - since >= RETRY_FATAL_AFTER]

    def save(self) -> None:
        self.data["updated"] = now_iso()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, self.path)


def log(message: str) -> None:
    sys.stderr.write(f"{now_iso()} process_events: {message}\n")
    sys.stderr.flush()


def main() -> None:
    book = ProcessBook(Path(os.environ.get("SUPERVISION_DIR", "var/supervision")) / "processes.json", os.getppid())
    rpc = childutils.getRPCInterface(os.environ)
    try:
        book.seed(rpc.supervisor.getAllProcessInfo())
    except Exception as exc:  # the file still fills from the events
        log(f"could not read the process list: {exc}")
    while True:
        headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        event = headers["eventname"]
        if event.startswith("PROCESS_STATE_"):
            book.record(event, childutils.get_headers(payload.split("\n", 1)[0]))
        elif event.startswith("TICK_"):
            for name in book.due_for_retry():
                log(f"{name} is FATAL: starting it again")
                book.fatal_since[name] = time.monotonic()
                try:
                    rpc.supervisor.startProcess(name, False)
                except Exception as exc:
                    log(f"could not start {name}: {exc}")
        childutils.listener.ok(sys.stdout)


if __name__ == "__main__":
    main()
