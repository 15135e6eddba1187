"""The processes' states and crash counts as supervisord's event listener records them (supervision/).

Only `make run` (supervisord) writes the file; under Compose or systemd each process is restarted by the container
engine or systemd and this part of /health says `"supervisor": "none"`.
"""

import json
import os
from pathlib import Path

# supervisord's state names, grouped by what they mean for the people calling
STATE_MEANING = {"RUNNING": "ok", "STARTING": "restarting", "BACKOFF": "restarting", "STOPPING": "stopping",
                 "STOPPED": "stopped", "EXITED": "down", "FATAL": "down", "UNKNOWN": "unknown"}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_report(supervision_dir: Path) -> dict:
    path = supervision_dir / "processes.json"
    try:
        book = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"supervisor": "none", "processes": {}}
    except (OSError, ValueError):
        return {"supervisor": "unreadable", "processes": {}}
    pid = book.get("supervisor_pid")
    supervisor = "running" if isinstance(pid, int) and _alive(pid) else "gone"
    processes = {}
    for name, entry in sorted(book.get("processes", {}).items()):
        if name == "process_events":
            continue
        processes[name] = {**entry, "status": STATE_MEANING.get(entry.get("state"), "unknown")}
    return {"supervisor": supervisor, "since": book.get("started"), "updated": book.get("updated"),
            "crashes": sum(p.get("crashes", 0) for p in processes.values()), "processes": processes}
