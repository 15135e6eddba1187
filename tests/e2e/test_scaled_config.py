"""The documented switch to PostgreSQL + Redis (endpoints.scaled.yml, DATABASE_URL), exercised for real:
two Rasa servers share one PostgreSQL tracker store and one Redis lock store, as behind a load balancer."""

import concurrent.futures
import subprocess
import threading
import time
import uuid

import httpx
import psycopg
import pytest
import redis

from tests.support.stack import RASA_VENV, ROOT, Stack, free_port, started

PG = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(scope="module")
def scaled_stack(tmp_path_factory):
    suffix = uuid.uuid4().hex[:8]
    tracker_db, service_db = f"court_tracker_{suffix}", f"court_service_{suffix}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        for name in (tracker_db, service_db):
            admin.execute(f'CREATE DATABASE "{name}"')
    redis.Redis(host="127.0.0.1", port=6379).ping()
    env = {
        "ACTIONS_HOST": "127.0.0.1",
        "TRACKER_DB_HOST": "127.0.0.1", "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": tracker_db,
        "TRACKER_DB_USER": "postgres", "TRACKER_DB_PASSWORD": "",
        "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "5",
        "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{service_db}",
    }
    running = started(Stack(tmp_path_factory.mktemp("scaled"), endpoints="endpoints.scaled.yml", extra_env=env))
    # A second Rasa server over the same stores, as a load balancer's second backend.
    second_port = free_port()
    log = open(running.workdir / "rasa2.log", "ab")  # noqa: SIM115
    running.processes["rasa2"] = subprocess.Popen(
        [str(RASA_VENV / "rasa"), "run", "--port", str(second_port), "--credentials", "credentials.yml",
         "--endpoints", "endpoints.scaled.yml", "--model", "models/court.tar.gz"],
        cwd=ROOT, env=running.env,
        stdout=log, stderr=subprocess.STDOUT)
    running.second_rasa_url = f"http://127.0.0.1:{second_port}"
    for _ in range(180):
        try:
            if httpx.get(running.second_rasa_url, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(1)
    running.tracker_db = tracker_db
    yield running
    running.stop()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        for name in (tracker_db, service_db):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def watch_redis_for(sender: str) -> list[str]:
    """Records, in the background, every Redis command that names this conversation."""
    seen: list[str] = []
    ready = threading.Event()

    def watch() -> None:
        with redis.Redis(host="127.0.0.1", port=6379).monitor() as monitor:
            ready.set()
            deadline = time.monotonic() + 60
            try:
                for command in monitor.listen():
                    if sender in command["command"]:
                        seen.append(command["command"])
                    if time.monotonic() > deadline:
                        return
            except redis.TimeoutError:  # Redis went quiet after the test: nothing more to record
                return

    threading.Thread(target=watch, daemon=True).start()
    ready.wait(5)
    return seen


def say(url: str, sender: str, message: str) -> list[dict]:
    response = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60)
    response.raise_for_status()
    return response.json()


def test_service_center_runs_on_postgresql(scaled_stack):
    health = httpx.get(f"{scaled_stack.service_url}/health").json()
    assert health["status"] == "ok"
    assert health["checks"]["database"]["dialect"] == "postgresql"


def test_two_servers_share_one_conversation_without_interleaving(scaled_stack):
    sender = f"scaled-{uuid.uuid4().hex[:8]}"
    urls = [scaled_stack.rasa_url, scaled_stack.second_rasa_url]
    messages = ["你好", "你能做什么", "谢谢", "你是机器人吗"] * 2
    lock_commands = watch_redis_for(sender)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda i: say(urls[i % 2], sender, messages[i]), range(len(messages))))
    assert all(reply for reply in replies), "every turn gets an answer from either server"
    time.sleep(0.5)
    assert any(sender in command for command in lock_commands), "the Redis lock store was used"
    assert any(command.startswith("WATCH") for command in lock_commands), "each lock change is a transaction"

    with psycopg.connect(f"{PG}/{scaled_stack.tracker_db}") as db:
        rows = db.execute("SELECT type_name, action_name FROM events WHERE sender_id = %s ORDER BY id",
                          (sender,)).fetchall()
    user_turns = [row for row in rows if row[0] == "user"]
    assert len(user_turns) == len(messages)
    # The Redis lock serialises the two servers: each user turn is followed by its own bot replies
    # and a listen before the next user turn starts.
    kinds = [row[0] if row[0] != "action" else row[1] for row in rows]
    for index, kind in enumerate(kinds):
        if kind == "user" and index > 0:
            assert "action_listen" in kinds[:index]
            previous_user = max(i for i in range(index) if kinds[i] == "user") if "user" in kinds[:index] else -1
            if previous_user >= 0:
                assert "action_listen" in kinds[previous_user + 1:index]
