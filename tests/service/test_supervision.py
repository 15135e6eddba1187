"""The supervisord event listener's book of process states and crashes (supervision/process_events.py) and how
/health reports it (service_center/health/processes.py), on real files; the running supervisord is exercised by
tests/e2e/test_process_crashes.py."""

import json
import os

from service_center.health.processes import process_report
from supervision.process_events import ProcessBook


def event(book: ProcessBook, name: str, state: str, **headers: str) -> None:
    book.record(f"PROCESS_STATE_{state}", {"processname": name, "groupname": name, "pid": "4242", **headers})


def test_crashes_are_counted_and_states_kept(tmp_path):
    path = tmp_path / "processes.json"
    book = ProcessBook(path, supervisor_pid=os.getpid())
    book.seed([{"name": "rasa", "statename": "RUNNING", "pid": 4242}, {"name": "actions", "statename": "STARTING",
                                                                         "pid": 0}])
    event(book, "rasa", "EXITED", from_state="RUNNING", expected="0")  # kill -9
    event(book, "rasa", "STARTING", from_state="EXITED")
    event(book, "actions", "BACKOFF", from_state="STARTING")  # died while starting
    event(book, "actions", "STARTING", from_state="BACKOFF")
    event(book, "actions", "RUNNING", from_state="STARTING")
    event(book, "actions", "STOPPING", from_state="RUNNING")
    event(book, "actions", "EXITED", from_state="STOPPING", expected="1")  # an expected exit is no crash

    saved = json.loads(path.read_text())
    assert saved["processes"]["rasa"]["state"] == "STARTING" and saved["processes"]["rasa"]["crashes"] == 1
    assert saved["processes"]["rasa"]["pid"] is None and saved["processes"]["rasa"]["last_crash"]
    assert saved["processes"]["actions"]["crashes"] == 1

    again = ProcessBook(path, supervisor_pid=os.getpid())  # the listener restarted: counts kept
    assert again.data["processes"]["rasa"]["crashes"] == 1
    fresh = ProcessBook(path, supervisor_pid=os.getpid() + 1_000_000)  # a new supervisord: counts start again
    assert fresh.data["processes"] == {}


def test_a_fatal_process_is_due_for_a_retry(tmp_path, monkeypatch):
    import supervision.process_events as listener

    book = ProcessBook(tmp_path / "processes.json", supervisor_pid=os.getpid())
    event(book, "rasa", "FATAL", from_state="BACKOFF")
    assert book.due_for_retry() == []
    monkeypatch.setattr(listener, "RETRY_FATAL_AFTER", 0.0)
    assert book.due_for_retry() == ["rasa"]
    event(book, "rasa", "STARTING", from_state="FATAL")
    assert book.due_for_retry() == []


def test_health_reports_processes_and_their_meaning(tmp_path):
    assert process_report(tmp_path) == {"supervisor": "none", "processes": {}}
    book = ProcessBook(tmp_path / "processes.json", supervisor_pid=os.getpid())
    book.seed([{"name": "process_events", "statename": "RUNNING", "pid": 1}])
    event(book, "service", "RUNNING", from_state="STARTING")
    event(book, "rasa", "EXITED", from_state="RUNNING", expected="0")
    event(book, "rasa", "BACKOFF", from_state="STARTING")
    event(book, "actions", "FATAL", from_state="BACKOFF")
    report = process_report(tmp_path)
    assert report["supervisor"] == "running" and report["crashes"] == 2
    assert set(report["processes"]) == {"service", "rasa", "actions"}  # not the listener itself
    assert report["processes"]["service"]["status"] == "ok" and report["processes"]["service"]["pid"] == 4242
    assert report["processes"]["rasa"]["status"] == "restarting"
    assert report["processes"]["actions"]["status"] == "down"

    book.data["supervisor_pid"] = 2**22 + 12345  # no such process: the file is left from a stopped supervisord
    book.save()
    assert process_report(tmp_path)["supervisor"] == "gone"
    (tmp_path / "processes.json").write_text("{not json")
    assert process_report(tmp_path)["supervisor"] == "unreadable"


def test_health_endpoint_includes_the_processes(client, tmp_path):
    from service_center.config import get_settings

    book = ProcessBook(get_settings().supervision_dir / "processes.json", supervisor_pid=os.getpid())
    event(book, "rasa", "EXITED", from_state="RUNNING", expected="0")
    body = client.get("/health").json()
    assert body["supervision"]["processes"]["rasa"]["crashes"] == 1
    assert body["checks"]["hotline_fallback"]["status"] == "down"  # not running in unit tests
    assert client.get("/health/processes").json()["processes"]["rasa"]["status"] == "down"
