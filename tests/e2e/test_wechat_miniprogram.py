"""What the mini-program does, on the real stack through the connector, against the fake WeChat API: log in, ask
a guide question, take the risk self-test, book with the WeChat-verified phone (no typing it), subscribe to the
reminder, and receive it when the reminder job (`make remind`) runs as of the day before.

MINIPROGRAM_RECORD=1 also writes every connector answer seen here to miniprogram/tests/fixtures/connector.json: the
mini-program's Node tests render those real answers (never hand-written ones)."""

import datetime as dt
import json
import os
import sqlite3
import subprocess
import time
import uuid

import httpx
import jwt
import pytest

from tests.e2e.conftest import ROOT
from tests.support.fake_wechat import TEMPLATE_ID, FakeWeChat
from tests.support.stack import SVC_VENV

FIXTURES = ROOT / "miniprogram" / "tests" / "fixtures" / "connector.json"
RECORDED: dict = {}


@pytest.fixture(scope="module")
def wechat(stack):
    with FakeWeChat(port=stack.wechat_port) as fake:
        yield fake
    if os.environ.get("MINIPROGRAM_RECORD") == "1" and RECORDED:
        FIXTURES.write_text(json.dumps(RECORDED, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def connector(stack, path: str, token: str | None = None, body: dict | None = None, method: str = "POST",
              record: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.request(method, f"{stack.rasa_url}/webhooks/wechat/{path}", json=body, headers=headers,
                             timeout=30)
    if record:
        RECORDED[record] = {"request": {"path": path, "body": body}, "statusCode": response.status_code,
                            "header": {k: v for k, v in response.headers.items() if k.lower() in
                                       ("retry-after", "www-authenticate", "content-type")},
                            "data": response.json()}
    return response


def login(stack, name: str, record: str | None = None) -> dict:
    response = connector(stack, "login", body={"code": f"ok-{name}_{uuid.uuid4().hex[:6]}"}, record=record)
    assert response.status_code == 200, response.text
    return response.json()


def turn(stack, token: str, message: str, record: str | None = None) -> list[dict]:
    response = connector(stack, "webhook", token, {"message": message}, record=record)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def texts(messages: list[dict]) -> str:
    return "\n".join(m["text"] for m in messages if m["type"] == "text")


def verify_phone(stack, wechat, token: str) -> str:
    """The getPhoneNumber button's code, exchanged by the server at (fake) WeChat; returns the new token."""
    bad = connector(stack, "phone", token, {"code": "phone-stale"}, record="phone_refused")
    assert bad.status_code == 400 and "手机号" in bad.json()["error"]["message"]
    verified = connector(stack, "phone", token, {"code": f"phone-13912345678_{uuid.uuid4().hex[:6]}"},
                         record="phone_verified")
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["verified"] is True and body["phone_masked"] == "139****5678" and body["phone_verified"] is True
    assert "13912345678" not in verified.text.replace(body["token"], "")  # only inside the signed token
    assert jwt.decode(body["token"], options={"verify_signature": False})["verified_phone"] == "13912345678"
    assert any(r["path"] == "/cgi-bin/stable_token" for r in wechat.requests)
    exchange = [r for r in wechat.requests if r["path"] == "/wxa/business/getuserphonenumber"][-1]
    assert exchange["query"]["access_token"].startswith("fake-access-token-")
    return body["token"]  # the mini-program keeps the new token: its messages carry the verified phone


def test_config_tells_the_mini_program_the_reminder_template(stack, wechat):
    response = connector(stack, "config", method="GET", record="config")
    assert response.json() == {"reminder_template_id": TEMPLATE_ID, "phone_verification": True}


def test_guide_question_and_risk_report_cards(stack, wechat):
    session = login(stack, f"lin{uuid.uuid4().hex[:6]}", record="login")
    assert session["phone_verified"] is False and session["phone_masked"] is None
    token = session["token"]
    greeting = turn(stack, token, "/greet", record="greet")
    assert any(m["type"] == "quick_replies" for m in greeting)

    guide = turn(stack, token, "立案需要带什么材料", record="guide_answer")
    card = next(m for m in guide if m["type"] == "link_card" and m["kind"] == "guide")
    assert card["entry_id"] and card["basis"] and card["basis"][0].startswith("《")
    entry = httpx.get(f"{stack.service_url}/api/kb/entries/{card['entry_id']}", timeout=10)
    assert entry.status_code == 200 and entry.json()["title"] == card["title"]
    RECORDED["guide_entry"] = {"statusCode": 200, "data": entry.json()}

    for message in ["帮我评估一下风险", "1", "八千", "今年五月", "今年十月", "借条和转账记录都有", "1", "1"]:
        turn(stack, token, message)
    risk = turn(stack, token, "2", record="risk_report")
    report = next(m for m in risk if m["type"] == "link_card" and m["kind"] == "risk_report")
    assert report["report_id"] and report["level"] == "低"
    page = httpx.get(f"{stack.service_url}/api/risk/assessments/{report['report_id']}", timeout=10)
    assert page.status_code == 200 and page.json()["level"] == "低"
    RECORDED["risk_assessment"] = {"statusCode": 200, "data": page.json()}

    handoff = turn(stack, token, "转人工", record="handoff")
    assert any(m["type"] == "handoff" for m in handoff)


def test_booking_with_the_wechat_verified_phone_then_the_reminder(stack, wechat):
    user = f"wang{uuid.uuid4().hex[:6]}"
    token = login(stack, user)["token"]
    assert "哪天" in texts(turn(stack, token, "我想预约调解"))
    offers = turn(stack, token, "最近")
    first = next(m for m in offers if m["type"] == "quick_replies")["items"][0]
    # The form's questions are answered by what each one asks, so the test holds whichever order the form uses.
    messages, answered = turn(stack, token, first["payload"]), []
    for _ in range(8):
        words = texts(messages)
        if any(m["type"] == "booking_confirmation" for m in messages):
            break
        if any(m["type"] == "phone_request" for m in messages):
            assert "使用微信手机号" in words
            RECORDED["phone_request"] = {"statusCode": 200, "data": {"messages": messages}}
            token = verify_phone(stack, wechat, token)
            messages = turn(stack, token, "/affirm")  # the form takes the verified phone and moves on
            answered.append("phone")
        elif "称呼" in words or "姓名" in words:
            messages = turn(stack, token, "王芳")
            answered.append("name")
        elif "什么事" in words:
            messages = turn(stack, token, "邻里纠纷")
            answered.append("description")
        elif "请核对" in words:
            assert "尾号5678" in words
            messages = turn(stack, token, "/affirm", record="booking_confirmation")
            answered.append("confirm")
        else:
            raise AssertionError(f"unexpected question after {answered}: {words}")
    assert set(answered) == {"phone", "name", "description", "confirm"}, answered
    done = messages
    card = next(m for m in done if m["type"] == "booking_confirmation")
    reference = card["reference"]

    with sqlite3.connect(stack.workdir / "service.db") as db:
        phone, channel, start = db.execute("SELECT phone, channel, slot_start FROM booking_appointments "
                                           "WHERE reference = ?", (reference,)).fetchone()
    assert phone == "13912345678" and channel == "wechat"

    # 订阅消息: the user taps 允许 (WeChat's side), the mini-program tells the server.
    wechat.subscribe(f"o_{user}")
    subscribed = connector(stack, "subscriptions", token, {"reference": reference, "template_id": TEMPLATE_ID},
                           record="subscribed")
    assert subscribed.status_code == 200 and subscribed.json() == {"reference": reference, "status": "accepted"}
    other = login(stack, user + "x")["token"]
    assert connector(stack, "subscriptions", other, {"reference": reference,
                                                     "template_id": TEMPLATE_ID}).status_code == 404

    # The reminder job, as of 17:00 the day before the appointment, against the same database.
    eve = (dt.date.fromisoformat(start[:10]) - dt.timedelta(days=1)).isoformat() + "T17:00"
    run = subprocess.run([str(SVC_VENV / "python"), "-m", "service_center.booking.remind", "--now", eve],
                         cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "13912345678" not in run.stderr  # logs mask the phone
    sent = [m for m in wechat.sent if m["touser"] == f"o_{user}"]
    assert len(sent) == 1, (run.stdout, run.stderr)
    message = sent[0]
    assert message["template_id"] == TEMPLATE_ID and message["page"] == f"pages/chat/chat?reference={reference}"
    assert message["data"]["character_string4"]["value"] == reference
    assert message["data"]["thing1"]["value"] == "诉前调解"
    with sqlite3.connect(stack.workdir / "service.db") as db:
        status = db.execute("SELECT status FROM wechat_subscriptions WHERE reference = ?", (reference,)).fetchone()
        sms = db.execute("SELECT count(*) FROM sms_messages WHERE purpose = 'booking_reminder' AND body LIKE ?",
                         (f"%{reference}%",)).fetchone()[0]
    assert status == ("sent",) and sms == 1  # by default WeChat beside SMS

    # A second run sends nothing again.
    subprocess.run([str(SVC_VENV / "python"), "-m", "service_center.booking.remind", "--now", eve],
                   cwd=ROOT, env=stack.env, capture_output=True, timeout=120, check=True)
    assert len([m for m in wechat.sent if m["touser"] == f"o_{user}"]) == 1

    # A later login knows the verified phone: the booking form offers it at once.
    again = login(stack, user)
    assert again["phone_verified"] is True and again["phone_masked"] == "139****5678"


def test_expired_login_and_rate_limit_answers(stack, wechat):
    now = int(time.time())
    expired = jwt.encode({"sub": "wx_" + "1" * 32, "iat": now - 7300, "exp": now - 100,
                          "iss": "court-assistant/wechat"}, stack.wechat_session_secret, algorithm="HS256")
    response = connector(stack, "webhook", expired, {"message": "你好"}, record="token_expired")
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_expired"

    token = login(stack, f"zhao{uuid.uuid4().hex[:6]}")["token"]
    for _ in range(20):
        connector(stack, "webhook", token, {"message": "/greet"})
    limited = connector(stack, "webhook", token, {"message": "/greet"}, record="rate_limited")
    assert limited.status_code == 429 and limited.json()["error"]["details"]["retry_after"] >= 1


def test_phone_and_subscription_need_a_login(stack, wechat):
    assert connector(stack, "phone", None, {"code": "phone-13912345678_z"}).status_code == 401
    assert connector(stack, "subscriptions", None, {"reference": "123456", "template_id": TEMPLATE_ID}
                     ).status_code == 401
    # the service center's internal endpoints refuse anyone without the connector's token
    direct = httpx.put(f"{stack.service_url}/api/wechat/accounts/wx_{'2' * 32}", json={"openid": "o_x"}, timeout=10)
    assert direct.status_code == 403


def test_the_simulated_mini_program_on_the_real_stack(stack, wechat):
    """The pages themselves (miniprogram-simulate, WeChat's WXML compiler) with real HTTP to this stack: greeting,
    a guide question and its native page, a booking with the WeChat phone button, the reminder subscription, and
    an unusable token replaced by a new login without losing the conversation (miniprogram/tests/live/)."""
    folder = ROOT / "miniprogram"
    if not (folder / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder, check=True,
                       timeout=300)
    user = f"sim{uuid.uuid4().hex[:6]}"
    run = subprocess.run(["node", "tests/live/real_stack.js"], cwd=folder, capture_output=True, text=True,
                         timeout=600, env={**os.environ, "USER_NAME": user, "WECHAT_FAKE": wechat.url,
                                           "CONNECTOR_BASE": f"{stack.rasa_url}/webhooks/wechat",
                                           "SERVICE_BASE": stack.service_url})
    assert run.returncode == 0, run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcome["logins"] == 2  # the first, and the one after the token was refused
    with sqlite3.connect(stack.workdir / "service.db") as db:
        booked = db.execute("SELECT phone, channel FROM booking_appointments WHERE reference = ?",
                            (outcome["reference"],)).fetchone()
        subscription = db.execute("SELECT status FROM wechat_subscriptions WHERE reference = ?",
                                  (outcome["reference"],)).fetchone()
    assert booked == ("13912345678", "wechat") and subscription == ("accepted",)
    assert wechat.subscriptions[(f"o_{user}", TEMPLATE_ID)] == 1
