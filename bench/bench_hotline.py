"""12368 hotline webhook latency: N concurrent simulated calls, signed Twilio form posts, TwiML parsed.

Each call: the incoming call (greeting, answered by the connector alone), a key press, spoken questions, one
silence reprompt, a thank-you, then the hang-up status callback. Target: p95 under 1 s (callers notice more).

Two runs: back to back (every call fires its next request the moment the previous answer arrives: a stress
figure, ~20x heavier than 20 real calls), and paced (BENCH_HOTLINE_THINK seconds between requests, for the
prompt being spoken and the caller answering; a real phone turn takes longer than that)."""

import os
import random
import time
from concurrent.futures import ThreadPoolExecutor

from bench.common import PeakMemory, format_latency, percentiles, shared_stack
from tests.support.twilio_caller import TwilioCaller

CALLS = int(os.environ.get("BENCH_CALLS", "20"))
ROUNDS = int(os.environ.get("BENCH_HOTLINE_ROUNDS", "2"))
THINK = float(os.environ.get("BENCH_HOTLINE_THINK", "3"))
QUESTIONS = ["立案需要什么材料", "诉讼费怎么交", "你能帮我做什么", "你是机器人吗", "喂 请问一下怎么起诉",
             "今天天气怎么样"]


class PacedCaller(TwilioCaller):
    """Waits `think` seconds (with jitter) before each request, as the prompt is spoken and the caller answers."""

    think = 0.0

    def post(self, url, params, signature=None):
        if self.think:
            time.sleep(self.think * random.uniform(0.7, 1.3))
        return super().post(url, params, signature)


def one_call(url: str, auth_token: str, seed: int, think: float = 0.0) -> dict[str, list[float]]:
    rng = random.Random(seed)
    caller = PacedCaller(url, auth_token, timeout=60)
    caller.think = think
    rasa_turns: list[float] = []
    connector_only: list[float] = []
    try:
        caller.start()
        connector_only.append(caller.latencies_ms[-1])
        caller.press("1")
        rasa_turns.append(caller.latencies_ms[-1])
        for _ in range(ROUNDS):
            caller.speak(rng.choice(QUESTIONS))
            rasa_turns.append(caller.latencies_ms[-1])
        caller.silence()
        connector_only.append(caller.latencies_ms[-1])
        caller.speak("谢谢")
        rasa_turns.append(caller.latencies_ms[-1])
        caller.hang_up()
        hang_up = [caller.latencies_ms[-1]]
    finally:
        caller.close()
    return {"rasa": rasa_turns, "connector": connector_only, "hangup": hang_up, "all": caller.latencies_ms}


def run(stack, token: str, think: float) -> tuple[dict[str, list[float]], float, dict[str, float]]:
    pids = {name: process.pid for name, process in stack.processes.items()}
    with PeakMemory(pids) as memory:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CALLS) as pool:
            results = list(pool.map(lambda seed: one_call(stack.rasa_url, token, seed, think), range(1, CALLS + 1)))
        elapsed = time.perf_counter() - started
    merged = {key: [v for result in results for v in result[key]] for key in ("rasa", "connector", "hangup", "all")}
    return merged, elapsed, memory.peak_mib


def report(title: str, merged: dict[str, list[float]], elapsed: float) -> None:
    print(f"{title}: {CALLS} concurrent calls, {len(merged['all'])} requests in {elapsed:.1f} s "
          f"({len(merged['all']) / elapsed:.1f} req/s)")
    print(f"  all webhook requests:         {format_latency(merged['all'])}")
    print(f"  turns through Rasa:           {format_latency(merged['rasa'])}")
    print(f"  greeting/silence (connector): {format_latency(merged['connector'])}")
    print(f"  hang-up (restart):            {format_latency(merged['hangup'])}")
    p95 = percentiles(merged["all"])["p95"]
    print(f"  target p95 < 1000 ms: {'met' if p95 < 1000 else 'NOT met'} ({p95:.0f} ms)")


def main() -> None:
    stack = shared_stack()
    token = stack.env["TWILIO_AUTH_TOKEN"]
    one_call(stack.rasa_url, token, 0)  # warm-up
    merged, elapsed, peak = run(stack, token, 0.0)
    report("hotline webhook, back to back", merged, elapsed)
    merged, elapsed, peak_paced = run(stack, token, THINK)
    report(f"hotline webhook, paced ({THINK:.0f} s between requests)", merged, elapsed)
    peaks = {name: max(peak[name], peak_paced[name]) for name in peak}
    print("peak memory: " + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in peaks.items()))


if __name__ == "__main__":
    main()
