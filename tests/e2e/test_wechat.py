"""The WeChat mini-program connector on the real stack, against a fake WeChat on loopback that speaks
code2Session's request and response format: login, a conversation with structured replies, bad and expired
tokens, login errors, the per-user rate limit, and no raw openid anywhere in Rasa's tracker store."""

import sqlite3
import time
import uuid

import httpx
import jwt
import pytest

from tests.support.fake_wechat import FakeWeChat


@pytest.fixture(scope="module")
def wechat(stack):
    with FakeWeChat(port=stack.wechat_port) as fake:
        yield fake


def url(stack, path: str) -> str:
    return f"{stack.rasa_url}/webhooks/wechat/{path}"


def login(stack, code: str) -> httpx.Response:
    return httpx.post(url(stack, "login"), json={"code": code}, timeout=15)


def token_for(stack, name: str) -> str:
    response = login(stack, f"ok-{name}_{uuid.uuid4().hex[:6]}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    assert "session_key" not in response.text and "o_" + name not in response.text
    return body["token"]


def say(stack, token: str | None, message, headers: dict | None = None) -> httpx.Response:
    headers = headers if headers is not None else {"Authorization": f"Bearer {token}"}
    return httpx.post(url(stack, "webhook"), json={"message": message}, headers=headers, timeout=30)


def test_login_and_a_conversation_with_structured_replies(stack, wechat):
    user = f"alice{uuid.uuid4().hex[:6]}"
    token = token_for(stack, user)
    assert wechat.requests[-1]["query"]["grant_type"] == "authorization_code"

    reply = say(stack, token, "你好")
    assert reply.status_code == 200, reply.text
    messages = reply.json()["messages"]
    assert any(m["type"] == "text" and "您好" in m["text"] for m in messages)
    menu = next(m for m in messages if m["type"] == "quick_replies")
    assert [item["title"] for item in menu["items"]] == ["程序问题咨询", "诉讼风险自测", "预约调解或立案", "转人工"]

    # the mini-program sends a quick reply's payload back as the message
    handoff = next(item for item in menu["items"] if item["title"] == "转人工")
    messages = say(stack, token, handoff["payload"]).json()["messages"]
    assert any(m["type"] == "handoff" for m in messages)
    assert any(m["type"] == "text" and "人工" in m["text"] for m in messages)

    messages = say(stack, token, "请问立案要带什么材料").json()["messages"]
    assert messages and all(m["type"] in {"text", "quick_replies", "link_card", "handoff", "booking_confirmation"}
                            for m in messages)

    # the conversation is keyed by a hash of the openid, never the openid itself
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        raw = db.execute("SELECT count(*) FROM events WHERE sender_id LIKE ? OR data LIKE ?",
                         (f"%o_{user}%", f"%o_{user}%")).fetchone()[0]
        hashed = db.execute("SELECT count(*) FROM events WHERE sender_id LIKE 'wx_%' AND data LIKE "
                            "'%\"channel\": \"wechat\"%'").fetchone()[0]
    assert raw == 0 and hashed > 0


def test_a_second_login_continues_the_same_conversation(stack, wechat):
    first, second = token_for(stack, "carol"), token_for(stack, "carol")
    assert jwt.decode(first, options={"verify_signature": False})["sub"] == \
        jwt.decode(second, options={"verify_signature": False})["sub"]


@pytest.mark.parametrize("code,status,error", [
    ("bad-code", 401, "invalid_code"),
    ("risky-code", 403, "login_blocked"),
    ("limited-code", 429, "wechat_rate_limited"),
    ("busy-code", 503, "wechat_busy"),
    ("not a code!", 400, "bad_request"),
])
def test_login_errors_are_clear_chinese_json(stack, wechat, code, status, error):
    response = login(stack, code)
    assert response.status_code == status
    body = response.json()["error"]
    assert body["code"] == error
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_a_login_code_works_once(stack, wechat):
    code = f"ok-dave_{uuid.uuid4().hex[:6]}"
    assert login(stack, code).status_code == 200
    assert login(stack, code).json()["error"]["code"] == "invalid_code"


@pytest.mark.parametrize("headers,error", [
    ({}, "missing_token"),
    ({"Authorization": "Bearer not-a-token"}, "invalid_token"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing_token"),
    ({"Authorization": "Bearer " + jwt.encode({"sub": "wx_x", "iat": 1, "exp": 4102444800,
                                              "iss": "court-assistant/wechat"},
                                             "a-forged-secret-0123456789-abcdefghij")}, "invalid_token"),
])
def test_bad_tokens_get_401_json(stack, wechat, headers, error):
    response = say(stack, None, "你好", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()["error"]
    assert body["code"] == error and "登录" in body["message"]


def test_expired_token_gets_401_expired(stack, wechat):
    now = int(time.time())
    expired = jwt.encode({"sub": "wx_" + "0" * 32, "iat": now - 7300, "exp": now - 100,
                          "iss": "court-assistant/wechat"}, stack.wechat_session_secret, algorithm="HS256")
    response = say(stack, expired, "你好")
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "token_expired", "message": "登录已过期，请重新登录。",
                                        "details": None}


def test_bad_message_bodies_are_refused(stack, wechat):
    token = token_for(stack, "erin")
    assert say(stack, token, 123).status_code == 400
    assert say(stack, token, "啊" * 1001).json()["error"]["code"] == "message_too_long"
    response = httpx.post(url(stack, "webhook"), content=b"not json", timeout=10,
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"


def test_per_user_rate_limit(stack, wechat):
    token, other = token_for(stack, "frank"), token_for(stack, "grace")
    statuses = [say(stack, token, "/greet").status_code for _ in range(20)]
    assert statuses == [200] * 20
    limited = say(stack, token, "/greet")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "too_many_requests"
    assert say(stack, other, "/greet").status_code == 200  # other users are not affected


def test_booking_through_the_mini_program_gets_the_card(stack, wechat):
    user = f"henry{uuid.uuid4().hex[:6]}"

    def turn(token: str, message: str) -> tuple[str, list[dict]]:
        reply = say(stack, token, message)
        assert reply.status_code == 200, reply.text
        messages = reply.json()["messages"]
        return "\n".join(m["text"] for m in messages if m["type"] == "text"), messages

    token = token_for(stack, user)
    assert "哪天" in turn(token, "我想预约调解")[0]
    offers, messages = turn(token, "下周三上午")
    first = next(m for m in messages if m["type"] == "quick_replies")["items"][0]
    assert "称呼" in turn(token, first["payload"])[0], offers
    turn(token, "王芳")
    turn(token, "13812345678")
    assert "请核对" in turn(token, "邻里纠纷")[0]
    _, messages = turn(token, "/affirm")
    card = next(m for m in messages if m["type"] == "booking_confirmation")
    assert len(card["reference"]) == 6 and card["service_name"] == "诉前调解" and card["bring"]

    # The booking belongs to this WeChat user (user key in the metadata): after a new login it is found at once,
    # while another user is asked for the reference.
    spoken = " ".join(card["reference"])
    assert spoken in turn(token_for(stack, user), "查一下我的预约")[0]
    assert spoken not in turn(token_for(stack, user + "x"), "查一下我的预约")[0]
