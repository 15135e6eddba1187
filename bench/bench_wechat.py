"""The WeChat connector under concurrent mini-program users: login (code2Session against the loopback fake WeChat)
and message latency, turns per second. Users stay under the per-user limit (WECHAT_RATE_LIMIT, 20/min)."""

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench.common import format_latency, shared_stack
from tests.support.fake_wechat import FakeWeChat

USERS = int(os.environ.get("BENCH_USERS", "20"))
TURNS_PER_USER = min(int(os.environ.get("BENCH_TURNS", "10")), 20)
TURNS = ["你好", "你能帮我做什么", "谢谢", "我要转人工", "/greet"]


def simulate_user(base: str) -> tuple[float, list[float]]:
    with httpx.Client(timeout=60) as client:
        started = time.perf_counter()
        login = client.post(f"{base}/login", json={"code": f"ok-bench{uuid.uuid4().hex[:10]}"})
        login.raise_for_status()
        login_ms = (time.perf_counter() - started) * 1000
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        latencies = []
        for turn in range(TURNS_PER_USER):
            started = time.perf_counter()
            reply = client.post(f"{base}/webhook", json={"message": TURNS[turn % len(TURNS)]}, headers=headers)
            reply.raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
    return login_ms, latencies


def main() -> None:
    stack = shared_stack()
    base = f"{stack.rasa_url}/webhooks/wechat"
    with FakeWeChat(port=stack.wechat_port):
        simulate_user(base)  # warm-up
        alone = [simulate_user(base) for _ in range(3)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=USERS) as pool:
            results = list(pool.map(lambda _: simulate_user(base), range(USERS)))
        elapsed = time.perf_counter() - started
    print(f"one user at a time (3 users x {TURNS_PER_USER} turns): login {format_latency([a for a, _ in alone])}; "
          f"message {format_latency([v for _, user in alone for v in user])}")
    logins = [login for login, _ in results]
    turns = [value for _, user in results for value in user]
    print(f"WeChat connector, {USERS} concurrent users x {TURNS_PER_USER} turns: {len(turns) / elapsed:.1f} turns/s")
    print(f"  login (code2Session on loopback + token): {format_latency(logins)}")
    print(f"  message: {format_latency(turns)}")
