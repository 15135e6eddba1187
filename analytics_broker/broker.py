"""A Rasa event broker that sends anonymous analytics records to the service center (endpoints.yml `event_broker`).

Rasa calls `publish` for every new tracker event; `court_common.analytics.TurnTracker` turns them into records
(channel, kind, outcome, guide entry: never text or ids), and a daemon thread posts them in batches to
`POST {SERVICE_URL}/api/analytics/events`. Conversations never wait for it: the queue is bounded and a record
that cannot be delivered within a few retries is dropped and counted in the log.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from rasa.core.brokers.broker import EventBroker

from court_common.analytics import TurnTracker

log = logging.getLogger(__name__)

BATCH = 200
FLUSH_SECONDS = 1.0
MAX_QUEUE = 10_000


class ServiceCenterEventBroker(EventBroker):
    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        base = url or os.environ.get("SERVICE_URL") or f"http://127.0.0.1:{os.environ.get('SERVICE_PORT', '8000')}"
        self.url = base.rstrip("/") + "/api/analytics/events"
        self.token = token or os.environ.get("ANALYTICS_INGEST_TOKEN")
        self.turns = TurnTracker()
        self.queue: queue.Queue[dict] = queue.Queue(maxsize=MAX_QUEUE)
        self.dropped = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="analytics-broker", daemon=True)
        self._thread.start()

    @classmethod
    async def from_endpoint_config(cls, broker_config: Any, event_loop: Any = None) -> ServiceCenterEventBroker:
        kwargs = getattr(broker_config, "kwargs", {}) or {}
        return cls(url=getattr(broker_config, "url", None), token=kwargs.get("token"))

    def publish(self, event: dict[str, Any]) -> None:
        try:
            for item in self.turns.feed(event):
                self.queue.put_nowait(item)
        except queue.Full:
            self.dropped += 1
        except Exception:  # analytics must never break a conversation
            log.exception("analytics: could not read a tracker event")

    def is_ready(self) -> bool:
        return self._thread.is_alive()

    async def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    # ---------- delivery thread ----------
    def _run(self) -> None:
        while not self._stop.is_set() or not self.queue.empty():
            batch = self._take()
            if batch:
                self._send(batch)

    def _take(self) -> list[dict]:
        batch: list[dict] = []
        deadline = time.monotonic() + FLUSH_SECONDS
        while len(batch) < BATCH:
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                break
            try:
                batch.append(self.queue.get(timeout=timeout))
            except queue.Empty:
                break
        return batch

    def _send(self, batch: list[dict]) -> None:
        body = json.dumps({"events": batch}).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in range(3):
            try:
                request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
                with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - our own service URL
                    return
            except (urllib.error.URLError, OSError) as exc:
                if attempt == 2:
                    self.dropped += len(batch)
                    log.warning("analytics: %d records not delivered (%s); %d dropped so far",
                                len(batch), type(exc).__name__, self.dropped)
                    return
                time.sleep(0.5 * (attempt + 1))
