"""What every benchmark needs: one running stack for the whole `make bench`, latency figures, memory sampling."""

import atexit
import statistics
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path

import psutil

from tests.support.stack import Stack, started


@lru_cache
def shared_stack() -> Stack:
    """Starts the real stack once for all benchmark modules; stopped when the run ends."""
    running = started(Stack(Path(tempfile.mkdtemp(prefix="bench-stack-"))))
    atexit.register(running.stop)
    return running


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    quantiles = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {"p50": quantiles[49], "p95": quantiles[94], "p99": quantiles[98], "max": ordered[-1]}


def format_latency(samples_ms: list[float]) -> str:
    figures = percentiles(samples_ms)
    return " ".join(f"{name} {value:.0f} ms" for name, value in figures.items())


class PeakMemory:
    """Samples the resident memory of named processes (with their children) while a block runs."""

    def __init__(self, pids: dict[str, int], interval: float = 0.2):
        self.pids, self.interval = pids, interval
        self.peak_mib = dict.fromkeys(pids, 0.0)
        self._stop = threading.Event()

    def _rss_mib(self, pid: int) -> float:
        try:
            process = psutil.Process(pid)
            members = [process, *process.children(recursive=True)]
            return sum(member.memory_info().rss for member in members) / 2**20
        except psutil.NoSuchProcess:
            return 0.0

    def _sample(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                self.peak_mib[name] = max(self.peak_mib[name], self._rss_mib(pid))
            time.sleep(self.interval)

    def __enter__(self) -> "PeakMemory":
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
