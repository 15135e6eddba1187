"""Safety events: recorded by the conversation, listed for staff as alerts (urgent first), acknowledged once;
the text only for threats; the counts carry no text."""

import pytest
from sqlalchemy import create_engine, text

from tests.service.conftest import migrate


@pytest.fixture(autouse=True)
def as_the_action_server(client, internal_headers):
    """Events come from the action server, which sends the internal secret (court_common/trust.py)."""
    client.headers.update(internal_headers)


def event(**overrides) -> dict:
    return {"channel": "rest", "kind": "suicide", "kinds": ["suicide"], "urgent": False,
            "rules": ["suicide.not_want_to_live"], "conversation_ref": "conv-" + "a" * 32, **overrides}


def test_an_event_is_an_alert_for_staff_and_is_acknowledged_once(client, staff_headers):
    created = client.post("/api/safety/events", json=event(interrupted_form="booking_form"))
    assert created.status_code == 201 and created.json()["created"] is True
    alerts = client.get("/api/staff/safety/events", headers=staff_headers).json()
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["kind"] == "suicide" and alert["kind_name"] == "自伤自杀风险" and alert["status"] == "open"
    assert alert["interrupted_form"] == "booking_form" and alert["created_at"].endswith(("Z", "+00:00"))
    done = client.patch(f"/api/staff/safety/events/{alert['id']}", json={"status": "acknowledged", "note": "已回访"},
                        headers=staff_headers)
    assert done.status_code == 200 and done.json()["acknowledged_by"] and done.json()["acknowledged_at"]
    again = client.patch(f"/api/staff/safety/events/{alert['id']}", json={"status": "acknowledged"},
                         headers=staff_headers)
    assert again.status_code == 409 and again.json()["error"]["message"] == "这条安全提醒已经有人处理了"
    assert client.get("/api/staff/safety/events", headers=staff_headers).json() == []
    assert len(client.get("/api/staff/safety/events?status=acknowledged", headers=staff_headers).json()) == 1


def test_the_text_is_kept_only_for_threats(client, staff_headers):
    client.post("/api/safety/events", json=event(text="我不想活了"))
    client.post("/api/safety/events", json=event(kind="threat", kinds=["threat"], text="我要炸了法院",
                                                 conversation_ref="conv-" + "b" * 32))
    alerts = {a["kind"]: a for a in client.get("/api/staff/safety/events", headers=staff_headers).json()}
    assert alerts["suicide"]["text"] is None
    assert alerts["threat"]["text"] == "我要炸了法院"


def test_urgent_alerts_come_first_and_repeats_are_one_alert(client, staff_headers):
    client.post("/api/safety/events", json=event(kind="threat", kinds=["threat"]))
    client.post("/api/safety/events", json=event(kind="danger", urgent=True, conversation_ref="conv-" + "c" * 32))
    repeat = client.post("/api/safety/events", json=event(kind="threat", kinds=["threat"]))
    assert repeat.status_code == 200 and repeat.json()["created"] is False
    kinds = [a["kind"] for a in client.get("/api/staff/safety/events", headers=staff_headers).json()]
    assert kinds == ["danger", "threat"]


def test_summary_counts_without_any_text(client, staff_headers):
    client.post("/api/safety/events", json=event(kind="threat", kinds=["threat"], text="我要杀了他"))
    client.post("/api/safety/events", json=event(channel="hotline_12368", conversation_ref="conv-" + "d" * 32))
    summary = client.get("/api/staff/safety/summary", headers=staff_headers).json()
    assert summary["total"] == 2 and summary["open"] == 2
    assert summary["by_kind"] == {"threat": 1, "suicide": 1}
    assert summary["by_channel"] == {"rest": 1, "hotline_12368": 1}
    assert "我要杀了他" not in str(summary)


def test_bad_events_are_refused_in_chinese(client):
    bad_events = (event(kind="sad"), event(conversation_ref="x"), event(channel="REST CHANNEL"),
                  event(text="字" * 501))
    for bad in bad_events:
        response = client.post("/api/safety/events", json=bad)
        assert response.status_code == 422 and response.json()["error"]["message"] == "请求参数不正确"


def test_staff_endpoints_need_staff(client, staff_headers):
    assert client.get("/api/staff/safety/events").status_code == 401
    assert client.get("/api/staff/safety/summary").status_code == 401
    assert client.patch("/api/staff/safety/events/1", json={"status": "acknowledged"}).status_code == 401
    assert client.patch("/api/staff/safety/events/999", json={"status": "acknowledged"},
                        headers=staff_headers).status_code == 404


def test_safety_numbers_sms_lists_the_help_lines(client, internal_headers):
    response = client.post("/api/notifications/sms", json={"to": "13812345678", "kind": "safety_numbers",
                                                          "ref": "suicide"}, headers=internal_headers)
    assert response.status_code == 202 and response.json()["to"] == "138****5678"
    assert client.post("/api/notifications/sms", json={"to": "13812345678", "kind": "safety_numbers",
                                                       "ref": "nonsense"}, headers=internal_headers).status_code == 404


def test_safety_numbers_sms_text(client, staff_headers, internal_headers):
    client.post("/api/notifications/sms", json={"to": "13812345678", "kind": "safety_numbers", "ref": "danger"},
                headers=internal_headers)
    outbox = client.get("/api/staff/outbox", headers=staff_headers).json()["messages"]
    assert outbox[0]["purpose"] == "safety_numbers"
    assert outbox[0]["body"] == ("【前郭县人民法院】求助电话：报警电话110；"
                                 "全国妇联妇女维权公益服务热线12338；急救电话120。如有危险请立即拨打110。")


def test_the_migration_creates_the_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate(url)
    with create_engine(url).connect() as connection:
        columns = {row[1] for row in connection.execute(text("PRAGMA table_info(safety_events)"))}
    assert {"kind", "channel", "conversation_ref", "text", "status", "urgent"} <= columns
