"""Analytics records: how Rasa events become turns and conversations, the ingest API, and the records the
service center's own domains write as they work (bookings, feedback, risk, callbacks)."""

from sqlalchemy import select

from court_common.analytics import TurnTracker
from tests.service.booking_support import book


def user(sender, text, intent, channel="socketio"):
    return {"sender_id": sender, "event": "user", "text": text, "parse_data": {"intent": {"name": intent}},
            "input_channel": channel, "timestamp": 1_700_000_000.0}


def action(sender, name):
    return {"sender_id": sender, "event": "action", "name": name}


def slot(sender, name, value):
    return {"sender_id": sender, "event": "slot", "name": name, "value": value}


def feed(tracker, events):
    out = []
    for event in events:
        out.extend(tracker.feed(event))
    return out


def test_a_guide_answer_is_one_conversation_and_one_answered_turn_without_text():
    records = feed(TurnTracker(), [
        {"sender_id": "a", "event": "session_started"}, action("a", "action_listen"),
        user("a", "我叫张三电话13812345678，怎么立案", "ask_procedure"),
        action("a", "action_answer_from_guide"), slot("a", "guide_outcome", "answer"),
        slot("a", "guide_context", "filing-how"), action("a", "action_listen")])
    assert [(r["kind"], r["channel"], r["outcome"], r["entry_id"]) for r in records] == [
        ("conversation", "web", "started", None), ("turn", "web", "answered", "filing-how")]
    assert "13812345678" not in str(records) and "张三" not in str(records) and "'a'" not in str(records)


def test_handoff_outranks_the_guide_and_restart_is_not_a_turn():
    tracker = TurnTracker()
    records = feed(tracker, [
        user("c", "我要找人", "human_handoff", "hotline_12368"), slot("c", "guide_outcome", "reject"),
        action("c", "action_human_handoff"), action("c", "action_listen"),
        user("c", "/restart", "restart", "hotline_12368"), {"sender_id": "c", "event": "restarted"},
        user("d", "天气怎么样", "out_of_scope", "wechat"), action("d", "action_out_of_scope"),
        action("d", "action_listen"),
        user("e", "嗯嗯", "nlu_fallback", "rest"), slot("e", "guide_outcome", "reject"), action("e", "action_listen")])
    assert [(r["channel"], r["outcome"]) for r in records] == [
        ("hotline", "handoff"), ("wechat", "out_of_scope"), ("api", "unanswered")]


def test_ingest_stores_records_and_refuses_unknown_kinds(client):
    from service_center.analytics.models import AnalyticsEvent
    from service_center.db import get_sessionmaker

    ok = client.post("/api/analytics/events", json={"events": [
        {"kind": "turn", "outcome": "answered", "channel": "socketio", "entry_id": "filing-how"},
        {"kind": "conversation", "outcome": "started", "channel": "hotline_12368"}]})
    assert ok.status_code == 202 and ok.json() == {"accepted": 2}
    bad = client.post("/api/analytics/events", json={"events": [{"kind": "turn", "outcome": "name:张三"}]})
    assert bad.status_code == 422
    text = client.post("/api/analytics/events", json={"events": [
        {"kind": "turn", "outcome": "answered", "entry_id": "电话 13812345678"}]})
    assert text.status_code == 422  # an entry id is a word, never free text
    with get_sessionmaker()() as session:
        rows = session.scalars(select(AnalyticsEvent).order_by(AnalyticsEvent.id)).all()
    assert [(r.kind, r.channel, r.outcome) for r in rows] == [("turn", "web", "answered"),
                                                             ("conversation", "hotline", "started")]


def test_ingest_token_when_configured(client, monkeypatch):
    from service_center.config import get_settings

    monkeypatch.setenv("ANALYTICS_INGEST_TOKEN", "broker-secret")
    get_settings.cache_clear()
    body = {"events": [{"kind": "turn", "outcome": "other"}]}
    assert client.post("/api/analytics/events", json=body).status_code == 401
    assert client.post("/api/analytics/events", json=body,
                       headers={"Authorization": "Bearer broker-secret"}).status_code == 202


def test_domains_record_what_happens(booking_client, staff_headers, internal_headers):
    from service_center.analytics.models import AnalyticsEvent
    from service_center.db import get_sessionmaker

    reference = book(booking_client, "2026-12-03T09:30:00+08:00").json()["reference"]
    booking_client.post(f"/api/staff/bookings/{reference}/no-show", headers=staff_headers)
    booking_client.post("/api/hotline/callbacks", json={"phone": "13812345678", "call_sid": "CA1"},
                        headers=internal_headers)
    callback = booking_client.get("/api/staff/hotline/callbacks", headers=staff_headers).json()[0]
    booking_client.patch(f"/api/staff/hotline/callbacks/{callback['id']}", json={"status": "done"},
                         headers=staff_headers)
    with get_sessionmaker()() as session:
        rows = [(r.kind, r.outcome, r.entry_id, r.value, r.channel)
                for r in session.scalars(select(AnalyticsEvent).order_by(AnalyticsEvent.id))]
    assert rows[0] == ("booking", "created", "mediation", 2.0, "api")  # booked on 1 Dec for 3 Dec
    assert rows[1][:3] == ("booking", "no_show", "mediation")
    assert rows[2][:2] == ("callback", "requested") and rows[3][:2] == ("callback", "done")
    assert "13812345678" not in str(rows)
