"""The Rasa event broker: loads from an endpoints file as Rasa does, and posts anonymous records (never text)."""

import asyncio
import json
import threading
import typing
from http.server import BaseHTTPRequestHandler, HTTPServer

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import read_endpoint_config


class Receiver(BaseHTTPRequestHandler):
    received: typing.ClassVar[list] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((self.path, self.headers.get("Authorization"), json.loads(body)))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_broker_from_endpoints_posts_records(tmp_path, monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SERVICE_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("ANALYTICS_INGEST_TOKEN", "secret")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("event_broker:\n  type: analytics_broker.broker.ServiceCenterEventBroker\n")
    broker = asyncio.run(EventBroker.create(read_endpoint_config(str(endpoints), "event_broker")))
    assert type(broker).__name__ == "ServiceCenterEventBroker" and broker.is_ready()
    for event in [{"sender_id": "s", "event": "session_started"},
                  {"sender_id": "s", "event": "user", "text": "我的电话13812345678", "input_channel": "wechat",
                   "parse_data": {"intent": {"name": "ask_procedure"}}, "timestamp": 1.0},
                  {"sender_id": "s", "event": "slot", "name": "guide_outcome", "value": "clarify"},
                  {"sender_id": "s", "event": "action", "name": "action_listen"}]:
        broker.publish(event)
    asyncio.run(broker.close())
    server.shutdown()
    (path, auth, body), = Receiver.received
    assert path == "/api/analytics/events" and auth == "Bearer secret"
    assert [(e["kind"], e["channel"], e["outcome"]) for e in body["events"]] == [
        ("conversation", "wechat", "started"), ("turn", "wechat", "clarified")]
    assert "13812345678" not in json.dumps(body)
