"""N concurrent simulated users on Rasa's REST channel: turns per second, latency, peak memory per process."""

import os
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench.common import PeakMemory, format_latency, shared_stack

USERS = int(os.environ.get("BENCH_USERS", "20"))
TURNS_PER_USER = int(os.environ.get("BENCH_TURNS", "10"))
# Core turns that every deployment answers; capability benchmarks add their own.
TURNS = ["你好", "你能帮我做什么", "谢谢", "你是机器人吗", "今天天气怎么样", "我要转人工", "再见"]


def simulate_user(url: str, seed: int) -> list[float]:
    rng = random.Random(seed)
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    latencies = []
    with httpx.Client(timeout=60) as client:
        for _ in range(TURNS_PER_USER):
            started = time.perf_counter()
            turn = {"sender": sender, "message": rng.choice(TURNS)}
            response = client.post(f"{url}/webhooks/rest/webhook", json=turn)
            response.raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    stack = shared_stack()
    simulate_user(stack.rasa_url, 0)  # warm-up
    pids = {name: process.pid for name, process in stack.processes.items()}
    with PeakMemory(pids) as memory:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=USERS) as pool:
            results = list(pool.map(lambda seed: simulate_user(stack.rasa_url, seed), range(1, USERS + 1)))
        elapsed = time.perf_counter() - started
    latencies = [value for user in results for value in user]
    print(f"REST channel, {USERS} concurrent users x {TURNS_PER_USER} turns: "
          f"{len(latencies) / elapsed:.1f} turns/s; latency {format_latency(latencies)}")
    print("peak memory: " + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in memory.peak_mib.items()))
