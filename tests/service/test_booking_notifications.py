"""Notifications: Twilio Messaging through the real `twilio` client (against a local fake of its REST API),
the outbox otherwise, the public guide SMS with its per-number limit, and day-before reminders."""

import datetime as dt
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest

from service_center.notifications.service import drain
from tests.service.booking_support import INTERNAL, book

SLOT = "2026-12-02T10:30:00+08:00"


class FakeTwilio(BaseHTTPRequestHandler):
    requests: ClassVar[list] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        FakeTwilio.requests.append({"path": self.path, "form": form, "auth": self.headers.get("Authorization")})
        body = json.dumps({"sid": "SM" + "0" * 32, "status": "queued", "to": form["To"][0],
                           "body": form["Body"][0]}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@pytest.fixture
def fake_twilio(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeTwilio.requests = []
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "secret")
    monkeypatch.setenv("TWILIO_MESSAGING_FROM", "MG" + "2" * 32)
    monkeypatch.setenv("TWILIO_API_BASE_URL", f"http://127.0.0.1:{server.server_port}")
    from service_center.config import get_settings

    get_settings.cache_clear()
    yield FakeTwilio.requests
    server.shutdown()
    get_settings.cache_clear()


def test_booking_confirmation_goes_through_twilio_when_configured(booking_client, staff_headers, fake_twilio):
    reference = book(booking_client, SLOT).json()["reference"]
    drain()  # delivered by the background sender, off the request thread
    assert len(fake_twilio) == 1
    sent = fake_twilio[0]
    assert sent["path"] == f"/2010-04-01/Accounts/AC{'1' * 32}/Messages.json"
    assert sent["form"]["To"] == ["+8613812345678"]
    assert sent["form"]["MessagingServiceSid"] == ["MG" + "2" * 32]
    assert reference in sent["form"]["Body"][0]
    assert sent["auth"].startswith("Basic ")
    logged = booking_client.get("/api/staff/outbox", headers=staff_headers).json()["messages"][0]
    assert logged["status"] == "sent" and logged["provider_sid"].startswith("SM")


def test_a_twilio_failure_never_undoes_the_booking(booking_client, staff_headers, monkeypatch):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "secret")
    monkeypatch.setenv("TWILIO_MESSAGING_FROM", "+15005550006")
    monkeypatch.setenv("TWILIO_API_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    from service_center.config import get_settings

    get_settings.cache_clear()
    response = book(booking_client, SLOT)
    assert response.status_code == 201
    drain()
    logged = booking_client.get("/api/staff/outbox", headers=staff_headers).json()["messages"][0]
    assert logged["status"] == "failed" and logged["error"]


def test_guide_sms_is_composed_server_side_and_rate_limited(booking_client, staff_headers, monkeypatch):
    from service_center.notifications import router

    def fake_guide(ref, _settings):
        return f"【前郭县人民法院】{ref}：要点" if ref == "filing" else None

    monkeypatch.setattr(router, "guide_text", fake_guide)
    missing = booking_client.post("/api/notifications/sms", json={"to": "13812345678", "kind": "guide_details",
                                                                  "ref": "no-such-entry"}, headers=INTERNAL)
    assert missing.status_code == 404 and "找不到" in missing.json()["error"]["message"]
    arbitrary = booking_client.post("/api/notifications/sms", json={"to": "13812345678", "kind": "free_text",
                                                                    "ref": "filing"}, headers=INTERNAL)
    assert arbitrary.status_code == 422
    bad_number = booking_client.post("/api/notifications/sms", json={"to": "110", "kind": "guide_details",
                                                                     "ref": "filing"}, headers=INTERNAL)
    assert bad_number.status_code == 422
    for _ in range(3):
        ok = booking_client.post("/api/notifications/sms", json={"to": "13812345678", "kind": "guide_details",
                                                                 "ref": "filing"}, headers=INTERNAL)
        assert ok.status_code == 202 and ok.json() == {"status": "outbox", "to": "138****5678"}
    limited = booking_client.post("/api/notifications/sms", json={"to": "+86 138 1234 5678", "kind": "guide_details",
                                                                  "ref": "filing"}, headers=INTERNAL)
    assert limited.status_code == 429 and "频繁" in limited.json()["error"]["message"]


def test_guide_sms_from_the_real_guide(booking_client, staff_headers):
    guide = pytest.importorskip("knowledge_base.guide")
    entry = guide.load_guide()[0]
    response = booking_client.post("/api/notifications/sms", json={"to": "13912345678", "kind": "guide_details",
                                                                   "ref": entry.id}, headers=INTERNAL)
    assert response.status_code == 202
    body = booking_client.get("/api/staff/outbox", headers=staff_headers).json()["messages"][0]["body"]
    assert entry.title in body and body.endswith(f"/guide/{entry.id}")


def test_guide_sms_without_the_guide_is_a_polite_404(booking_client):
    response = booking_client.post("/api/notifications/sms", json={"to": "13812345678", "kind": "guide_details",
                                                                   "ref": "surely-not-an-entry"}, headers=INTERNAL)
    assert response.status_code == 404


def test_day_before_reminders_go_once(booking_client, staff_headers):
    from service_center.booking.service import send_reminders
    from service_center.db import get_sessionmaker

    book(booking_client, SLOT)
    book(booking_client, "2026-12-03T10:30:00+08:00")
    eve = dt.datetime(2026, 12, 1, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with get_sessionmaker()() as session:
        assert send_reminders(session, eve) == 1
        assert send_reminders(session, eve) == 0
    purposes = [m["purpose"] for m in booking_client.get("/api/staff/outbox", headers=staff_headers).json()["messages"]]
    assert purposes.count("booking_reminder") == 1
