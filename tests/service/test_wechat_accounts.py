"""The service center's WeChat side against the fake WeChat API on loopback (real HTTP): the internal endpoints the
connector calls, the phone exchange (phonenumber.getPhoneNumber) with the access token fetched by stable_token and
cached, subscriptions to one's own booking, and the day-before reminder by subscribeMessage.send beside or instead
of SMS."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from tests.service.booking_support import book
from tests.support.fake_wechat import TEMPLATE_ID, FakeWeChat

INTERNAL = {"X-Internal-Token": "test-internal-secret-0123456789abcdef"}
ALICE = "wx_" + "a" * 32
BOB = "wx_" + "b" * 32
SLOT = "2026-12-02T10:30:00+08:00"
EVE = dt.datetime(2026, 12, 1, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def wechat(booking_client, monkeypatch):
    from service_center.config import get_settings

    with FakeWeChat() as fake:
        monkeypatch.setenv("INTERNAL_SECRET", INTERNAL["X-Internal-Token"])
        monkeypatch.setenv("WECHAT_API_BASE", fake.url)
        monkeypatch.setenv("WECHAT_APP_ID", fake.app_id)
        monkeypatch.setenv("WECHAT_APP_SECRET", fake.app_secret)
        monkeypatch.setenv("WECHAT_REMINDER_TEMPLATE_ID", TEMPLATE_ID)
        get_settings.cache_clear()
        fake.openids.update({"o_alice", "o_bob"})
        yield fake
        get_settings.cache_clear()


def account(client, user_key: str, openid: str) -> dict:
    response = client.put(f"/api/wechat/accounts/{user_key}", json={"openid": openid}, headers=INTERNAL)
    assert response.status_code == 200, response.text
    return response.json()


def verify(client, user_key: str, code: str):
    return client.post(f"/api/wechat/accounts/{user_key}/phone", json={"code": code}, headers=INTERNAL)


def test_internal_endpoints_need_the_connectors_token(booking_client, wechat):
    assert booking_client.get(f"/api/wechat/accounts/{ALICE}").status_code == 403
    assert booking_client.get(f"/api/wechat/accounts/{ALICE}", headers={"X-Internal-Token": "guess"}).status_code == 403
    assert booking_client.get("/api/wechat/accounts/o_alice", headers=INTERNAL).status_code == 422


def test_closed_without_a_configured_token(booking_client, monkeypatch):
    monkeypatch.delenv("INTERNAL_SECRET", raising=False)
    response = booking_client.get(f"/api/wechat/accounts/{ALICE}", headers=INTERNAL)
    assert response.status_code == 503 and "INTERNAL_SECRET" in response.json()["error"]["message"]


def test_phone_exchange_with_a_cached_access_token(booking_client, wechat):
    assert account(booking_client, ALICE, "o_alice") == {"verified_phone": None, "phone_masked": None}
    first = verify(booking_client, ALICE, "phone-13912345678_1")
    assert first.status_code == 200 and first.json() == {"verified_phone": "13912345678",
                                                         "phone_masked": "139****5678"}
    assert verify(booking_client, ALICE, "phone-13812345678_2").json()["verified_phone"] == "13812345678"
    tokens = [r for r in wechat.requests if r["path"] == "/cgi-bin/stable_token"]
    assert len(tokens) == 1 and tokens[0]["body"] == {"grant_type": "client_credential", "appid": wechat.app_id,
                                                      "secret": wechat.app_secret, "force_refresh": False}
    exchange = [r for r in wechat.requests if r["path"] == "/wxa/business/getuserphonenumber"][-1]
    assert exchange["body"] == {"code": "phone-13812345678_2"}

    wechat.expire_tokens()  # 42001: fetch a fresh token once and repeat the call
    assert verify(booking_client, ALICE, "phone-13712345678_3").status_code == 200
    assert len([r for r in wechat.requests if r["path"] == "/cgi-bin/stable_token"]) == 2
    assert account(booking_client, ALICE, "o_alice")["verified_phone"] == "13712345678"


@pytest.mark.parametrize("code,status,words", [
    ("phone-13912345678_x", 400, "重新点击"),  # used twice below: WeChat's codes work once (40029)
    ("busy-1", 503, "稍后再试"),
    ("intlphone-91234567", 422, "不是大陆手机号"),
])
def test_phone_exchange_errors_are_polite(booking_client, wechat, code, status, words):
    account(booking_client, ALICE, "o_alice")
    if status == 400:
        assert verify(booking_client, ALICE, code).status_code == 200
    response = verify(booking_client, ALICE, code)
    assert response.status_code == status and words in response.json()["error"]["message"]


def test_phone_needs_a_known_user_and_a_plain_code(booking_client, wechat):
    assert verify(booking_client, BOB, "phone-13912345678_1").status_code == 404
    account(booking_client, ALICE, "o_alice")
    assert verify(booking_client, ALICE, "<script>").status_code == 422


def test_subscriptions_only_for_ones_own_booking(booking_client, wechat):
    account(booking_client, ALICE, "o_alice")
    account(booking_client, BOB, "o_bob")
    reference = book(booking_client, SLOT, user_key=ALICE, channel="wechat").json()["reference"]
    body = {"reference": reference, "template_id": TEMPLATE_ID}
    mine = booking_client.post(f"/api/wechat/accounts/{ALICE}/subscriptions", json=body, headers=INTERNAL)
    assert mine.status_code == 201 and mine.json() == {"reference": reference, "status": "accepted"}
    assert booking_client.post(f"/api/wechat/accounts/{BOB}/subscriptions", json=body,
                               headers=INTERNAL).status_code == 404
    wrong = booking_client.post(f"/api/wechat/accounts/{ALICE}/subscriptions", headers=INTERNAL,
                                json={"reference": reference, "template_id": "another"})
    assert wrong.status_code == 422


def reminders(booking_client, staff_headers) -> list[str]:
    from service_center.booking.service import send_reminders
    from service_center.db import get_sessionmaker

    with get_sessionmaker()() as session:
        assert send_reminders(session, EVE) == 1
        assert send_reminders(session, EVE) == 0
    outbox = booking_client.get("/api/staff/outbox", headers=staff_headers).json()["messages"]
    return [m["purpose"] for m in outbox]


def subscribed_booking(booking_client, wechat, allow: bool = True) -> str:
    account(booking_client, ALICE, "o_alice")
    reference = book(booking_client, SLOT, user_key=ALICE, channel="wechat").json()["reference"]
    booking_client.post(f"/api/wechat/accounts/{ALICE}/subscriptions", headers=INTERNAL,
                        json={"reference": reference, "template_id": TEMPLATE_ID})
    if allow:
        wechat.subscribe("o_alice")
    return reference


def test_reminder_by_wechat_beside_sms(booking_client, staff_headers, wechat):
    reference = subscribed_booking(booking_client, wechat)
    assert reminders(booking_client, staff_headers).count("booking_reminder") == 1
    assert len(wechat.sent) == 1
    sent = wechat.sent[0]
    assert sent["touser"] == "o_alice" and sent["template_id"] == TEMPLATE_ID
    assert sent["miniprogram_state"] == "formal" and sent["lang"] == "zh_CN"
    assert sent["data"]["thing1"] == {"value": "诉前调解"}
    assert sent["data"]["time2"] == {"value": "2026年12月2日 10:30"}
    assert sent["data"]["character_string4"] == {"value": reference}
    assert len(sent["data"]["thing3"]["value"]) <= 20  # the court's long place name fits the template's rule


def test_reminder_by_wechat_instead_of_sms(booking_client, staff_headers, wechat, monkeypatch):
    from service_center.config import get_settings

    monkeypatch.setenv("WECHAT_REMINDER_INSTEAD_OF_SMS", "true")
    get_settings.cache_clear()
    subscribed_booking(booking_client, wechat)
    assert "booking_reminder" not in reminders(booking_client, staff_headers)
    assert len(wechat.sent) == 1


def test_withdrawn_subscription_falls_back_to_sms(booking_client, staff_headers, wechat, monkeypatch):
    from service_center.config import get_settings
    from service_center.db import get_sessionmaker
    from service_center.wechat.models import WeChatSubscription

    monkeypatch.setenv("WECHAT_REMINDER_INSTEAD_OF_SMS", "true")
    get_settings.cache_clear()
    reference = subscribed_booking(booking_client, wechat, allow=False)  # WeChat answers 43101
    assert reminders(booking_client, staff_headers).count("booking_reminder") == 1
    assert wechat.sent == []
    with get_sessionmaker()() as session:
        row = session.query(WeChatSubscription).filter_by(reference=reference).one()
    assert row.status == "failed" and row.error.startswith("43101")


def test_the_fake_wechat_tokens_behave_like_wechats():
    """cgi-bin/token ends the earlier token (why the service center uses stable_token); stable_token repeats."""
    import httpx

    with FakeWeChat() as fake:
        def token(path: str, **extra) -> dict:
            query = {"grant_type": "client_credential", "appid": fake.app_id, "secret": fake.app_secret, **extra}
            if path == "/cgi-bin/token":
                return httpx.get(fake.url + path, params=query, timeout=5).json()
            return httpx.post(fake.url + path, json={**query, "force_refresh": False}, timeout=5).json()

        def phone(access_token: str) -> dict:
            return httpx.post(f"{fake.url}/wxa/business/getuserphonenumber", params={"access_token": access_token},
                              json={"code": f"phone-13912345678_{uuid.uuid4().hex[:6]}"}, timeout=5).json()

        first, second = token("/cgi-bin/token")["access_token"], token("/cgi-bin/token")["access_token"]
        assert first != second
        assert phone(first)["errcode"] == 42001 and phone(second)["errcode"] == 0
        assert token("/cgi-bin/token", secret="wrong")["errcode"] == 40001
        assert token("/cgi-bin/stable_token", secret="wrong")["errcode"] == 40125
        stable = token("/cgi-bin/stable_token")
        assert stable["expires_in"] == 7200 and token("/cgi-bin/stable_token")["access_token"] == stable["access_token"]
        assert phone("made-up")["errcode"] == 40001
