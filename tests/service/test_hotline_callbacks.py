"""Hotline callback requests: stored once per call and per number, listed and closed by staff."""

import pytest

from tests.service.conftest import INTERNAL_SECRET, migrate

INTERNAL = {"X-Internal-Token": INTERNAL_SECRET}  # the hotline connector's header


def test_callback_is_stored_once_per_call_and_per_pending_number(client, staff_headers):
    body = {"phone": "+8613812345678", "user_key": "tel-abc", "call_sid": "CA1", "reason": "no_human_available"}
    first = client.post("/api/hotline/callbacks", json=body, headers=INTERNAL)
    assert first.status_code == 201 and first.json()["created"] is True
    again = client.post("/api/hotline/callbacks", json=body, headers=INTERNAL)
    assert again.status_code == 200 and again.json() == {**first.json(), "created": False}
    other_call = client.post("/api/hotline/callbacks", json={**body, "call_sid": "CA2"}, headers=INTERNAL)
    assert other_call.json()["id"] == first.json()["id"] and other_call.json()["created"] is False

    listed = client.get("/api/staff/hotline/callbacks", headers=staff_headers).json()
    assert [c["phone_masked"] for c in listed] == ["138****5678"]
    assert listed[0]["phone"] == "+8613812345678"  # staff need the number to call back

    done = client.patch(f"/api/staff/hotline/callbacks/{first.json()['id']}", json={"status": "done", "note": "已回电"},
                        headers=staff_headers)
    assert done.json()["status"] == "done" and done.json()["handled_at"]
    assert client.patch(f"/api/staff/hotline/callbacks/{first.json()['id']}", json={"status": "done"},
                        headers=staff_headers).status_code == 409
    assert client.get("/api/staff/hotline/callbacks", headers=staff_headers).json() == []
    # after it was handled, the same number may ask again
    again_later = client.post("/api/hotline/callbacks", json={**body, "call_sid": "CA3"}, headers=INTERNAL)
    assert again_later.json()["created"] is True


@pytest.mark.parametrize("phone", ["", "abc", "1234", "+86 138 1234 5678", "1" * 25])
def test_bad_phone_numbers_are_refused_in_chinese(client, phone):
    response = client.post("/api/hotline/callbacks", json={"phone": phone}, headers=INTERNAL)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "请求参数不正确"


def test_staff_list_needs_the_token(client):
    assert client.get("/api/staff/hotline/callbacks").status_code == 401
    assert client.patch("/api/staff/hotline/callbacks/1", json={"status": "done"}).status_code == 401


def test_unknown_callback_is_404(client, staff_headers):
    response = client.patch("/api/staff/hotline/callbacks/999", json={"status": "done"}, headers=staff_headers)
    assert response.status_code == 404 and response.json()["error"]["message"] == "找不到这条回电登记"


@pytest.mark.postgres
def test_callbacks_on_postgres(postgres_url):
    from fastapi.testclient import TestClient

    from service_center.main import create_app

    migrate(postgres_url)  # idempotent: heads already applied
    with TestClient(create_app()) as client:
        response = client.post("/api/hotline/callbacks", json={"phone": "+8613800000000", "call_sid": "CA9"},
                               headers=INTERNAL)
        assert response.status_code == 201


# ---------------------------------------------------------------- the fallback TwiML (Rasa down)

def signed_post(client, path, params, token="fallback-token", url_base="http://testserver"):  # noqa: S107
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(token).compute_signature(url_base + path, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


@pytest.fixture
def fallback_client(database_url, monkeypatch):
    from fastapi.testclient import TestClient

    from service_center.config import get_settings
    from service_center.main import create_app

    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "fallback-token")
    monkeypatch.setenv("HOTLINE_TRANSFER_NUMBER", "+8643800012368")
    get_settings.cache_clear()
    with TestClient(create_app()) as test_client:
        yield test_client
    get_settings.cache_clear()


def test_fallback_apologises_and_transfers(fallback_client):
    params = {"CallSid": "CA1", "From": "+8613812345678", "CallerCity": "", "To": "+8612368"}
    response = signed_post(fallback_client, "/api/hotline/fallback", params)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    assert "抱歉" in response.text and "<Dial" in response.text and "+8643800012368" in response.text
    after = signed_post(fallback_client, "/api/hotline/fallback?after=dial", {**params, "DialCallStatus": "busy"})
    assert "暂时无法接听" in after.text and "<Hangup" in after.text


def test_fallback_refuses_bad_signatures(fallback_client):
    params = {"CallSid": "CA1", "From": "+8613812345678"}
    assert fallback_client.post("/api/hotline/fallback", data=params).status_code == 403
    bad = signed_post(fallback_client, "/api/hotline/fallback", params, token="wrong")
    assert bad.status_code == 403 and bad.json()["error"]["code"] == "forbidden"
