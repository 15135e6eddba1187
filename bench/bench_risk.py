"""Risk and fee figures, in process (no stack): answer parsing, the rule engine, the fee engine, and the
POST /api/risk/assessments round trip on a fresh SQLite database."""

import os
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.common import format_latency

ANSWERS = [("amount", "十万块"), ("arose", "去年六月"), ("dispute_type", "公司拖欠工资")]
LOAN = {"dispute_type": "loan", "amount": 100000, "arose": "2022", "last_demand": "never", "evidence": ["contract"],
        "defendant": "full", "enforceable_property": "yes", "prior": "none"}


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from service_center.fees.engine import estimate
    from service_center.risk.engine import assess
    from service_center.risk.parse import parse_answer

    today = date.today()
    started = time.perf_counter()
    parse_answer("arose", "前年", today)   # first date parse loads JioNLP
    print(f"first date parse (loads JioNLP): {(time.perf_counter() - started) * 1000:.0f} ms")
    for field, text in ANSWERS:
        samples = timed(lambda f=field, t=text: parse_answer(f, t, today), 200)
        print(f"parse {field} {text!r}: {format_latency(samples)}")
    from service_center.risk.engine import load_rules

    rules = len(load_rules().rules)
    print(f"assess ({rules} rules): {format_latency(timed(lambda: assess(LOAN, today), 500))}")
    print(f"fee estimate: {format_latency(timed(lambda: estimate(amount=1234567), 2000))}")

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        os.environ["DATABASE_URL"] = url
        from fastapi.testclient import TestClient

        from service_center.config import get_settings
        from service_center.db import get_engine, get_sessionmaker
        from service_center.main import create_app
        from tests.service.conftest import migrate

        for cached in (get_settings, get_engine, get_sessionmaker):
            cached.cache_clear()
        migrate(url)
        with TestClient(create_app()) as client:
            logging.getLogger("httpx").setLevel(logging.WARNING)
            samples = timed(lambda: client.post("/api/risk/assessments", json=LOAN), 200)
            print(f"POST /api/risk/assessments (SQLite, in process): {format_latency(samples)}")
            samples = timed(lambda: client.post("/api/risk/parse", json={"field": "amount", "text": "十万块"}), 200)
            print(f"POST /api/risk/parse amount: {format_latency(samples)}")
        get_engine().dispose()


if __name__ == "__main__":
    main()
