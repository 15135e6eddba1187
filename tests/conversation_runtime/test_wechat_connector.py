"""WeChat connector logic: tokens, rate limits, code2Session against a fake WeChat, reply shaping."""

import asyncio
import time

import jwt
import pytest

from connectors.wechat import (
    TOKEN_ISSUER,
    Code2Session,
    RateLimiter,
    TokenError,
    TokenIssuer,
    WeChatError,
    bearer_token,
    parse_rate,
    shape_messages,
    user_key_for,
)
from tests.support.fake_wechat import APP_ID, APP_SECRET, FakeWeChat

SECRET = "unit-test-session-secret-0123456789"


# ---------- tokens ----------
def test_token_round_trip_carries_only_the_user_key():
    issuer = TokenIssuer(SECRET, ttl_seconds=60)
    key = user_key_for(APP_ID, "o_alice")
    token = issuer.issue(key)
    assert issuer.verify(token) == key
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) == {"sub", "iat", "exp", "iss"}
    assert "o_alice" not in token and "o_alice" not in str(claims)


def test_a_wechat_verified_phone_travels_only_inside_the_signed_token():
    issuer = TokenIssuer(SECRET)
    claims = issuer.verify_claims(issuer.issue("wx_" + "1" * 32, "13912345678"))
    assert claims["verified_phone"] == "13912345678"
    assert "verified_phone" not in issuer.verify_claims(issuer.issue("wx_" + "1" * 32))
    forged = jwt.encode({**claims, "verified_phone": "13800000000"}, "another-secret-0123456789-abcdefghijkl")
    with pytest.raises(TokenError):
        issuer.verify_claims(forged)


def test_user_key_is_stable_opaque_and_per_app():
    assert user_key_for(APP_ID, "o_alice") == user_key_for(APP_ID, "o_alice")
    assert user_key_for(APP_ID, "o_alice") != user_key_for(APP_ID, "o_bob")
    assert user_key_for("other-app", "o_alice") != user_key_for(APP_ID, "o_alice")
    assert user_key_for(APP_ID, "o_alice").startswith("wx_")


def test_expired_token_is_refused_as_expired():
    issuer = TokenIssuer(SECRET, ttl_seconds=60, clock=lambda: time.time() - 3600)
    with pytest.raises(TokenError) as caught:
        TokenIssuer(SECRET).verify(issuer.issue(user_key_for(APP_ID, "o_alice")))
    assert caught.value.code == "token_expired"


@pytest.mark.parametrize("token", [
    None, "", "not-a-token", "a.b.c",
    jwt.encode({"sub": "wx_1", "iat": 1, "exp": 4102444800, "iss": TOKEN_ISSUER},
               "another-secret-0123456789-abcdefghij"),
    jwt.encode({"sub": "wx_1", "iat": 1, "exp": 4102444800, "iss": "someone-else"}, SECRET),
    jwt.encode({"sub": "o_raw_openid", "iat": 1, "exp": 4102444800, "iss": TOKEN_ISSUER}, SECRET),
    jwt.encode({"sub": "wx_1", "iat": 1, "iss": TOKEN_ISSUER}, SECRET),  # no expiry
    jwt.encode({"sub": "wx_1", "iat": 1, "exp": 4102444800, "iss": TOKEN_ISSUER}, None, algorithm="none"),
])
def test_bad_tokens_are_refused(token):
    with pytest.raises(TokenError) as caught:
        TokenIssuer(SECRET).verify(token)
    assert caught.value.code in ("missing_token", "invalid_token")


def test_tampered_token_is_refused():
    token = TokenIssuer(SECRET).issue("wx_alice")
    header, _payload, signature = token.split(".")
    forged = jwt.encode({"sub": "wx_mallory", "iat": 1, "exp": 4102444800, "iss": TOKEN_ISSUER}, "x" * 40)
    with pytest.raises(TokenError):
        TokenIssuer(SECRET).verify(".".join([header, forged.split(".")[1], signature]))


def test_short_session_secret_is_rejected():
    with pytest.raises(ValueError):
        TokenIssuer("short")


@pytest.mark.parametrize("header,expected", [
    ("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None), ("Bearer", None), (None, None),
])
def test_bearer_header_parsing(header, expected):
    assert bearer_token(header) == expected


# ---------- rate limits ----------
def test_rate_limiter_allows_the_limit_then_refuses_until_the_window_moves():
    now = [1000.0]
    limiter = RateLimiter(3, 60, clock=lambda: now[0])
    assert [limiter.check("u") for _ in range(3)] == [0, 0, 0]
    assert limiter.check("u") == pytest.approx(60)
    assert limiter.check("other") == 0  # per user
    now[0] += 61
    assert limiter.check("u") == 0


def test_parse_rate():
    assert parse_rate("20/60", (1, 1)) == (20, 60.0)
    assert parse_rate("5", (1, 1)) == (5, 60.0)
    assert parse_rate("x/y", (1, 1)) == (1, 1)


# ---------- code2Session against a fake WeChat on loopback ----------
@pytest.fixture(scope="module")
def fake_wechat():
    with FakeWeChat() as fake:
        yield fake


def exchange(client: Code2Session, code: str) -> str:
    async def run() -> str:
        try:
            return await client.openid(code)
        finally:
            await client.close()

    return asyncio.run(run())


def openid(fake, code, app_id=APP_ID, secret=APP_SECRET):
    return exchange(Code2Session(fake.url, app_id, secret), code)


def test_code2session_sends_wechats_request_and_reads_the_openid(fake_wechat):
    assert openid(fake_wechat, "ok-alice_1") == "o_alice"
    request = fake_wechat.requests[-1]
    assert request["path"] == "/sns/jscode2session"
    assert request["query"] == {"appid": APP_ID, "secret": APP_SECRET, "js_code": "ok-alice_1",
                                "grant_type": "authorization_code"}


@pytest.mark.parametrize("code,status,error", [
    ("bad-1", 401, "invalid_code"),
    ("limited-1", 429, "wechat_rate_limited"),
    ("risky-1", 403, "login_blocked"),
    ("busy-1", 503, "wechat_busy"),
    ("garbage-1", 503, "wechat_unreachable"),
])
def test_code2session_errors_become_clear_chinese_answers(fake_wechat, code, status, error):
    with pytest.raises(WeChatError) as caught:
        openid(fake_wechat, code)
    assert (caught.value.status, caught.value.code) == (status, error)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)


def test_a_code_works_once(fake_wechat):
    assert openid(fake_wechat, "ok-bob_1") == "o_bob"
    with pytest.raises(WeChatError) as caught:
        openid(fake_wechat, "ok-bob_1")
    assert caught.value.code == "invalid_code"


def test_wrong_app_secret_is_a_server_side_problem(fake_wechat):
    with pytest.raises(WeChatError) as caught:
        openid(fake_wechat, "ok-carol_1", secret="wrong")
    assert caught.value.status == 502 and caught.value.details == {"errcode": 40125}


def test_missing_configuration_and_unreachable_wechat():
    with pytest.raises(WeChatError) as caught:
        exchange(Code2Session("http://127.0.0.1:9", None, None), "ok-x")
    assert caught.value.code == "not_configured"
    with pytest.raises(WeChatError) as caught:
        exchange(Code2Session("http://127.0.0.1:9", APP_ID, APP_SECRET, timeout=2), "ok-x")
    assert caught.value.code == "wechat_unreachable"


# ---------- reply shaping ----------
def test_replies_become_structured_messages():
    collected = [
        {"recipient_id": "wx_1", "text": "我可以帮您：", "buttons": [
            {"title": "预约调解或立案", "payload": '/book_appointment{"booking_service":"mediation"}'}]},
        {"recipient_id": "wx_1", "custom": {"type": "guide_answer", "entry_id": "filing-materials",
                                            "title": "立案需要的材料", "url": "https://court.example/guide/filing",
                                            "basis": [{"law": "中华人民共和国民事诉讼法",
                                                       "article": "第一百二十二条"}]}},
        {"recipient_id": "wx_1", "custom": {"type": "booking_confirmation", "reference": "B7K2Q",
                                            "service": "mediation", "start": "2026-12-01T09:00:00+08:00",
                                            "place": "诉讼服务中心", "bring": ["身份证"]}},
        {"recipient_id": "wx_1", "custom": {"type": "risk_report", "id": "R12", "level": "中",
                                            "url": "https://court.example/risk/R12"}},
        {"recipient_id": "wx_1", "custom": {"handoff": True}},
        {"recipient_id": "wx_1",
         "custom": {"type": "guide_answer", "title": "x", "url": "javascript:alert(1)"}},
        {"recipient_id": "wx_1", "custom": {"something": "unknown"}},
    ]
    shaped = shape_messages(collected)
    assert [m["type"] for m in shaped] == ["text", "quick_replies", "link_card", "booking_confirmation",
                                           "link_card", "handoff"]
    assert shaped[1]["items"][0]["payload"].startswith("/book_appointment")
    assert shaped[2]["description"] == "依据：《中华人民共和国民事诉讼法》第一百二十二条"
    assert shaped[3]["reference"] == "B7K2Q" and shaped[3]["bring"] == ["身份证"]
    assert shaped[3]["service"] == "mediation" and shaped[3]["service_name"] == "诉前调解"
    assert shaped[4]["url"] == "https://court.example/risk/R12"
    assert shaped[2]["basis"] == ["《中华人民共和国民事诉讼法》第一百二十二条"] and shaped[2]["entry_id"]
    assert shaped[4]["report_id"] == "R12" and shaped[4]["level"] == "中"


def test_cards_the_connector_does_not_know_pass_as_plain_data():
    notice = {"type": "court_notice", "title": "请注意", "phones": [{"name": "诉讼服务", "number": "12368"}],
              "nested": {"a": {"b": {"c": {"d": {"e": "too deep"}}}}}, "long": "字" * 5000}
    shaped = shape_messages([{"recipient_id": "wx_1", "custom": notice},
                             {"recipient_id": "wx_1", "custom": {"type": "phone_request"}},
                             {"recipient_id": "wx_1", "custom": {"type": "Bad Type!"}}])
    assert [m["type"] for m in shaped] == ["court_notice", "phone_request"]
    assert shaped[0]["phones"] == [{"name": "诉讼服务", "number": "12368"}]
    assert len(shaped[0]["long"]) == 2000
    assert shaped[0]["nested"]["a"]["b"] == {"c": None}  # bounded depth


def test_phone_and_reminders_without_the_service_center_are_a_polite_503():
    from connectors.wechat import ServiceCenter

    center = ServiceCenter("http://127.0.0.1:9", None)
    assert center.configured is False
    with pytest.raises(WeChatError) as caught:
        asyncio.run(center.call("POST", f"/api/wechat/accounts/wx_{'0' * 32}/phone", {"code": "x"}))
    assert caught.value.status == 503 and "手机号" in caught.value.message
    assert asyncio.run(center.login("wx_" + "0" * 32, "o_x")) is None  # a login works without it

    async def ask_unreachable() -> WeChatError:
        unreachable = ServiceCenter("http://127.0.0.1:9", "token", timeout=2)
        try:
            await unreachable.call("GET", f"/api/wechat/accounts/wx_{'0' * 32}")
        except WeChatError as exc:
            return exc
        finally:
            await unreachable.close()
        raise AssertionError("no error")

    assert asyncio.run(ask_unreachable()).code == "service_unavailable"


def test_a_wrong_internal_secret_is_not_a_login_problem_for_the_user():
    """401 from the service center means our two processes disagree: 503, never a 401 that would loop logins."""
    import http.server
    import threading

    from connectors.wechat import ServiceCenter

    class Refuse(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"error": {"code": "unauthorized", "message": "x"}}'
            self.send_response(401)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    async def ask() -> WeChatError:
        center = ServiceCenter(f"http://127.0.0.1:{server.server_address[1]}", "wrong-secret")
        try:
            await center.call("GET", f"/api/wechat/accounts/wx_{'0' * 32}")
        except WeChatError as exc:
            return exc
        finally:
            await center.close()
        raise AssertionError("no error")

    try:
        error = asyncio.run(ask())
    finally:
        server.shutdown()
        server.server_close()
    assert error.status == 503 and error.code == "not_configured"
