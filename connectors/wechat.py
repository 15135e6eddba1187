"""WeChat mini-program connector: a small JSON API in front of Rasa, registered in credentials.yml as
`connectors.wechat.WeChatInput` (channel name "wechat").

  POST /webhooks/wechat/login    {"code": <wx.login code>}
       -> code2Session at WeChat (GET {WECHAT_API_BASE}/sns/jscode2session) -> openid
       -> {"token": <our own signed session token>, "token_type": "Bearer", "expires_in": seconds}
  POST /webhooks/wechat/webhook  Authorization: Bearer <token>, {"message": "..."}
       -> {"messages": [{"type": "text" | "quick_replies" | "link_card" | "booking_confirmation" | "handoff" | "crisis",
                         ...}]}
  POST /webhooks/wechat/phone    Authorization: Bearer <token>, {"code": <getPhoneNumber button code>}
       -> the service center exchanges it at WeChat (phonenumber.getPhoneNumber) and keeps the phone
       -> {"verified": true, "phone_masked": "138****5678", "token": <new token>, ...}: the new token carries the
          phone as the signed claim "verified_phone", and messages sent with it carry it as metadata
  POST /webhooks/wechat/subscriptions  Authorization: Bearer <token>, {"reference", "template_id"}
       -> records an accepted 订阅消息 (booking reminder) at the service center
  GET  /webhooks/wechat/config   -> {"reminder_template_id": ..., "phone_verification": bool}

The client never sends an openid: the token carries only the user key (a hash of the openid), signed with
HMAC-SHA256 (WECHAT_SESSION_SECRET, PyJWT, which Rasa already depends on). WeChat's session_key is never kept
or returned. The openid goes to the service center once per login (it is needed as the recipient of 订阅消息),
through its internal endpoints (SERVICE_URL, X-Internal-Token = INTERNAL_SECRET). The verified phone is kept
there too (wechat_accounts), so a later login puts it into the new token again.
Errors are JSON {"error": {"code", "message", "details"}} with Chinese messages.
"""

import asyncio
import hashlib
import json
import logging
import os
import re
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import jwt
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from court_common import safety
from court_common.booking_services import BOOKING_SERVICES
from court_common.limits import MAX_MESSAGE_CHARS, too_long
from court_common.trust import configured_secret, is_development, sign_identity

logger = logging.getLogger(__name__)

CHANNEL = "wechat"
TOKEN_ISSUER = "court-assistant/wechat"  # noqa: S105 - the JWT "iss" claim, not a secret
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{1,128}$")


# ---------- errors ----------
class WeChatError(Exception):
    """An answer for the mini-program: HTTP status, a stable code and a Chinese message."""

    def __init__(self, status: int, code: str, message: str, details: Any = None,
                 headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def json_response(body: dict, status: int = 200, headers: dict | None = None) -> HTTPResponse:
    return response.json(body, status=status, headers=headers,
                         dumps=lambda obj: json.dumps(obj, ensure_ascii=False))


# code2Session's documented errcodes -> what we tell the mini-program.
CODE2SESSION_ERRORS = {
    40029: (401, "invalid_code", "登录凭证无效或已过期，请重新登录。"),
    40163: (401, "invalid_code", "登录凭证已被使用，请重新登录。"),
    45011: (429, "wechat_rate_limited", "登录太频繁，请一分钟后再试。"),
    40226: (403, "login_blocked", "微信提示该账号存在风险，暂时无法登录。您可以拨打12368诉讼服务热线咨询。"),
    -1: (503, "wechat_busy", "微信服务繁忙，请稍后再试。"),
}


# ---------- our session tokens ----------
class TokenError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


TOKEN_MESSAGES = {
    "missing_token": "请先登录：请求缺少登录令牌。",
    "invalid_token": "登录令牌无效，请重新登录。",
    "token_expired": "登录已过期，请重新登录。",
}


class TokenIssuer:
    """Signed, expiring session tokens (JWT, HS256) carrying only the user key."""

    def __init__(self, secret: str, ttl_seconds: int = 7200, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 32:
            raise ValueError("WECHAT_SESSION_SECRET must be at least 32 characters")
        self.secret, self.ttl, self.clock = secret, ttl_seconds, clock

    def issue(self, user_key: str, verified_phone: str | None = None) -> str:
        """verified_phone: only a number WeChat itself verified (getPhoneNumber), read from the service center."""
        now = int(self.clock())
        claims = {"sub": user_key, "iat": now, "exp": now + self.ttl, "iss": TOKEN_ISSUER}
        if verified_phone:
            claims["verified_phone"] = verified_phone
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def verify(self, token: str | None) -> str:
        return self.verify_claims(token)["sub"]

    def verify_claims(self, token: str | None) -> dict:
        """The token's claims; `verified_phone` is there only if WeChat verified the number (getPhoneNumber)."""
        if not token:
            raise TokenError("missing_token")
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], issuer=TOKEN_ISSUER,
                                options={"require": ["exp", "iat", "sub", "iss"]})
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("token_expired") from exc
        except jwt.PyJWTError as exc:
            raise TokenError("invalid_token") from exc
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.startswith("wx_"):
            raise TokenError("invalid_token")
        return claims


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    return (value.strip() or None) if scheme.lower() == "bearer" else None


def user_key_for(app_id: str, openid: str) -> str:
    """Stable, opaque id for one WeChat user of this mini-program (openids are per app)."""
    return "wx_" + hashlib.sha256(f"wechat:{app_id}:{openid}".encode()).hexdigest()[:32]


# ---------- rate limiting ----------
class RateLimiter:
    """At most `limit` events per `window` seconds per key (sliding window, in memory, per process)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque] = {}

    def check(self, key: str) -> float:
        """Records one event; returns 0 if allowed, else the seconds until the next event is allowed."""
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            return max(0.0, events[0] + self.window - now)
        events.append(now)
        if len(self._events) > 10_000:  # forget idle keys so memory stays bounded
            self._events = {k: v for k, v in self._events.items() if v and v[-1] > now - self.window}
        return 0.0


def parse_rate(value: str, default: tuple[int, float]) -> tuple[int, float]:
    """"20/60" -> (20, 60.0)."""
    try:
        count, _, seconds = value.partition("/")
        return int(count), float(seconds or 60)
    except (ValueError, AttributeError):
        return default


# ---------- outgoing HTTP ----------
class PooledHttp:
    timeout = 5.0
    _session: aiohttp.ClientSession | None = None
    _session_loop: asyncio.AbstractEventLoop | None = None

    def _client(self) -> aiohttp.ClientSession:
        """One pooled HTTP client per event loop (made lazily: it must be created inside the running loop)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self._session_loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


# ---------- code2Session ----------
class Code2Session(PooledHttp):
    def __init__(self, api_base: str, app_id: str | None, app_secret: str | None, timeout: float = 5.0) -> None:
        self.url = api_base.rstrip("/") + "/sns/jscode2session"
        self.app_id, self.app_secret, self.timeout = app_id, app_secret, timeout

    async def openid(self, code: str) -> str:
        if not self.app_id or not self.app_secret:
            raise WeChatError(503, "not_configured", "微信登录尚未配置，请联系法院。")
        params = {"appid": self.app_id, "secret": self.app_secret, "js_code": code,
                  "grant_type": "authorization_code"}
        try:
            async with self._client().get(self.url, params=params) as answer:
                # WeChat answers HTTP 200 with a JSON body, sometimes labelled text/plain.
                raw = await answer.text()
                status = answer.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            logger.warning("code2Session unreachable: %s", type(exc).__name__)
            raise WeChatError(503, "wechat_unreachable", "暂时连不上微信服务，请稍后再试。") from exc
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if status != 200 or not isinstance(data, dict):
            logger.warning("code2Session answered HTTP %s with a body that is not JSON", status)
            raise WeChatError(503, "wechat_unreachable", "暂时连不上微信服务，请稍后再试。")
        errcode = data.get("errcode") or 0
        if errcode:
            logger.info("code2Session errcode %s", errcode)
            if errcode in CODE2SESSION_ERRORS:
                raise WeChatError(*CODE2SESSION_ERRORS[errcode], details={"errcode": errcode})
            raise WeChatError(502, "wechat_error", "微信登录暂时不可用，请稍后再试。", details={"errcode": errcode})
        openid = data.get("openid")
        if not isinstance(openid, str) or not openid:
            raise WeChatError(502, "wechat_error", "微信登录暂时不可用，请稍后再试。")
        return openid


# ---------- the service center's internal WeChat endpoints ----------
class ServiceCenter(PooledHttp):
    """Accounts, verified phones and subscriptions are kept by the service center (service_center/wechat/)."""

    def __init__(self, url: str, token: str | None, timeout: float = 6.0) -> None:
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    @property
    def configured(self) -> bool:
        return bool(self.token)

    async def call(self, method: str, path: str, body: dict | None = None) -> dict:
        if not self.token:
            raise WeChatError(503, "not_configured", "手机号验证和提醒尚未配置，请直接输入手机号。")
        try:
            async with self._client().request(method, self.url + path, json=body,
                                              headers={"X-Internal-Token": self.token}) as answer:
                status = answer.status
                data = await answer.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            logger.warning("service center unreachable for %s %s (%s)", method, path.rsplit("/", 1)[-1],
                           type(exc).__name__)
            raise WeChatError(503, "service_unavailable", "服务暂时连不上，请稍后再试。") from exc
        if status in (401, 403):  # our own configuration, not the user's login: never ask the user to log in again
            logger.error("the service center refused INTERNAL_SECRET (HTTP %s): the two processes differ", status)
            raise WeChatError(503, "not_configured", "手机号验证和提醒暂时不可用，请直接输入手机号。")
        if status >= 500 or not isinstance(data, dict):
            error = (data or {}).get("error", {}) if isinstance(data, dict) else {}
            raise WeChatError(503, "service_unavailable", error.get("message") or "服务暂时连不上，请稍后再试。")
        if status >= 400:
            error = data.get("error") or {}
            raise WeChatError(status, error.get("code") or "refused", error.get("message") or "请求没有成功。")
        return data

    async def login(self, user_key: str, openid: str) -> str | None:
        """Records the login; returns the phone WeChat verified earlier, if any. Best effort: a login works
        without the service center, only the verified phone and reminders wait for it."""
        if not self.token:
            return None
        try:
            answer = await self.call("PUT", f"/api/wechat/accounts/{user_key}", {"openid": openid})
        except WeChatError as exc:
            logger.warning("could not record the WeChat login at the service center: %s", exc.code)
            return None
        return answer.get("verified_phone")


# ---------- shaping Rasa's replies for the mini-program ----------
# Booking service codes -> names a person reads (one table for every channel).
SERVICE_NAMES = BOOKING_SERVICES

def _web_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def _card(custom: dict) -> dict | None:
    kind = custom.get("type")
    if kind == "guide_answer":
        url = _web_url(custom.get("url"))
        if not url:
            return None
        basis = [f"《{str(b.get('law', '')).strip('《》')}》{b.get('article', '')}"
                 for b in custom.get("basis") or [] if isinstance(b, dict) and b.get("law")]
        return {"type": "link_card", "kind": "guide", "title": custom.get("title") or "办事指南", "url": url,
                "description": ("依据：" + "；".join(basis)) if basis else "", "entry_id": custom.get("entry_id"),
                "basis": basis}
    if kind == "risk_report":
        url = _web_url(custom.get("url"))
        if not url:
            return None
        return {"type": "link_card", "kind": "risk_report", "title": f"诉讼风险自测报告 {custom.get('id', '')}".strip(),
                "url": url, "description": f"风险等级：{custom['level']}" if custom.get("level") else "",
                "report_id": custom.get("id"), "level": custom.get("level")}
    if kind == "booking_confirmation":
        return {"type": "booking_confirmation",
                **{k: custom.get(k) for k in ("reference", "service", "start", "place")},
                "service_name": SERVICE_NAMES.get(custom.get("service"), custom.get("service")),
                "bring": [str(item) for item in custom.get("bring") or []]}
    if kind == safety.CARD_TYPE:  # shown first and prominently, numbers callable (wx.makePhoneCall)
        numbers = [{"name": str(n.get("name", "")), "number": str(n["number"])}
                   for n in custom.get("numbers") or [] if isinstance(n, dict) and n.get("number")]
        return {"type": "crisis", "kind": custom.get("kind"), "title": custom.get("title") or "您的安全最重要",
                "urgent": bool(custom.get("urgent")), "numbers": numbers, "guide_entry": custom.get("guide_entry")}
    if custom.get("handoff"):
        return {"type": "handoff", "phone": "12368"}
    if isinstance(kind, str) and re.fullmatch(r"[a-z][a-z0-9_]{0,39}", kind):
        # Cards this connector does not know (e.g. "crisis", "phone_request"): passed on as plain JSON data;
        # the mini-program shows the ones it knows and the text of the others.
        return _plain(custom)
    return None


def _plain(value: Any, depth: int = 0) -> Any:
    """JSON data only (strings, numbers, booleans, lists, objects), bounded in depth and size."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value[:2000] if isinstance(value, str) else value
    if depth < 4 and isinstance(value, list):
        return [_plain(item, depth + 1) for item in value[:50]]
    if depth < 4 and isinstance(value, dict):
        return {str(k)[:40]: _plain(v, depth + 1) for k, v in list(value.items())[:50]}
    return None


def shape_messages(collected: list[dict]) -> list[dict]:
    """Rasa's collected bot messages -> the structured messages the mini-program renders."""
    shaped: list[dict] = []
    for message in collected:
        if message.get("text"):
            shaped.append({"type": "text", "text": message["text"]})
        buttons = [{"title": b["title"], "payload": b["payload"]} for b in message.get("buttons") or []
                   if isinstance(b, dict) and b.get("title") and b.get("payload")]
        if buttons:
            shaped.append({"type": "quick_replies", "items": buttons})
        image = _web_url(message.get("image"))
        if image:
            shaped.append({"type": "image", "url": image})
        custom = message.get("custom")
        if isinstance(custom, dict):
            card = _card(custom)
            if card:
                shaped.append(card)
    # a crisis card comes first, before the care text, so the numbers are the first thing on the screen
    return sorted(shaped, key=lambda message: message["type"] != "crisis")


# ---------- the channel ----------
class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> "WeChatInput":
        credentials = credentials or {}

        def setting(key: str, default: str | None = None) -> str | None:
            return os.environ.get(f"WECHAT_{key.upper()}") or credentials.get(key) or default

        return cls(
            api_base=setting("api_base", "https://api.weixin.qq.com"),
            app_id=setting("app_id"),
            app_secret=setting("app_secret"),
            session_secret=setting("session_secret") or configured_secret("WECHAT_SESSION_SECRET"),
            token_ttl=int(setting("token_ttl", "7200")),
            rate_limit=parse_rate(setting("rate_limit", "20/60"), (20, 60.0)),
            login_rate_limit=parse_rate(setting("login_rate_limit", "60/60"), (60, 60.0)),
            service_url=os.environ.get("SERVICE_URL") or credentials.get("service_url")
            or f"http://127.0.0.1:{os.environ.get('SERVICE_PORT', '8000')}",
            internal_token=os.environ.get("INTERNAL_SECRET") or credentials.get("internal_secret"),
            reminder_template_id=setting("reminder_template_id"),
        )

    def __init__(self, api_base: str = "https://api.weixin.qq.com", app_id: str | None = None,
                 app_secret: str | None = None, session_secret: str | None = None, token_ttl: int = 7200,
                 rate_limit: tuple[int, float] = (20, 60.0), login_rate_limit: tuple[int, float] = (60, 60.0),
                 service_url: str = "http://127.0.0.1:8000", internal_token: str | None = None,
                 reminder_template_id: str | None = None) -> None:
        if not session_secret:
            # A random secret per process would end every session at a restart and differ between servers.
            if not is_development():
                raise ValueError("WECHAT_SESSION_SECRET (≥ 32 characters) must be set outside COURT_ENV=development")
            logger.warning("WECHAT_SESSION_SECRET is not set: using a random one (COURT_ENV=development)")
            session_secret = secrets.token_urlsafe(32)
        self.app_id = app_id or ""
        self.code2session = Code2Session(api_base, app_id, app_secret)
        self.tokens = TokenIssuer(session_secret, token_ttl)
        self.message_limiter = RateLimiter(*rate_limit)
        self.login_limiter = RateLimiter(*login_rate_limit)
        self.service = ServiceCenter(service_url, internal_token)
        self.reminder_template_id = reminder_template_id or None

    def _limit(self, limiter: RateLimiter, key: str, message: str) -> None:
        wait = limiter.check(key)
        if wait:
            seconds = max(1, int(wait + 0.999))
            raise WeChatError(429, "too_many_requests", message, details={"retry_after": seconds},
                              headers={"Retry-After": str(seconds)})

    async def login(self, request: Request) -> dict:
        self._limit(self.login_limiter, f"ip:{request.remote_addr or request.ip}", "登录太频繁，请一分钟后再试。")
        body = request.json if _is_json(request) else None
        code = body.get("code") if isinstance(body, dict) else None
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            raise WeChatError(400, "bad_request", "缺少或无法识别登录凭证 code，请重新调用 wx.login。")
        openid = await self.code2session.openid(code)
        user_key = user_key_for(self.app_id, openid)
        phone = await self.service.login(user_key, openid)
        return self.session(user_key, phone)

    def session(self, user_key: str, phone: str | None) -> dict:
        return {"token": self.tokens.issue(user_key, phone), "token_type": "Bearer", "expires_in": self.tokens.ttl,
                "phone_verified": bool(phone), "phone_masked": _masked(phone)}

    async def verify_phone(self, request: Request) -> dict:
        """The getPhoneNumber button's code -> the phone WeChat vouches for, kept server-side for this user."""
        user_key = self.authenticate(request)["sub"]
        self._limit(self.login_limiter, f"phone:{user_key}", "操作太频繁，请一分钟后再试。")
        body = request.json if _is_json(request) else None
        code = body.get("code") if isinstance(body, dict) else None
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            raise WeChatError(400, "bad_request", "没有收到手机号授权，请重新点击“使用微信手机号”，或直接输入手机号。")
        answer = await self.service.call("POST", f"/api/wechat/accounts/{user_key}/phone", {"code": code})
        phone = answer.get("verified_phone")
        return {"verified": bool(phone), **self.session(user_key, phone)}  # a new token carrying the phone

    async def subscribe(self, request: Request) -> dict:
        """The user tapped 允许 in wx.requestSubscribeMessage for a booking's reminder."""
        user_key = self.authenticate(request)["sub"]
        self._limit(self.login_limiter, f"subscribe:{user_key}", "操作太频繁，请一分钟后再试。")
        body = request.json if _is_json(request) else None
        reference = body.get("reference") if isinstance(body, dict) else None
        template_id = body.get("template_id") if isinstance(body, dict) else None
        if not isinstance(reference, str) or not re.fullmatch(r"\d{6}", reference) or not isinstance(template_id, str):
            raise WeChatError(400, "bad_request", "请求格式不正确：需要预约号和提醒模板。")
        return await self.service.call("POST", f"/api/wechat/accounts/{user_key}/subscriptions",
                                       {"reference": reference, "template_id": template_id[:64]})

    def client_config(self) -> dict:
        return {"reminder_template_id": self.reminder_template_id, "phone_verification": self.service.configured}

    def authenticate(self, request: Request) -> dict:
        """The session's claims: `sub` (the user key) and, when WeChat verified it, `verified_phone`."""
        try:
            return self.tokens.verify_claims(bearer_token(request.headers.get("Authorization")))
        except TokenError as exc:
            raise WeChatError(401, exc.code, TOKEN_MESSAGES[exc.code],
                              headers={"WWW-Authenticate": f'Bearer error="{exc.code}"'}) from exc

    async def message(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> dict:
        claims = self.authenticate(request)
        user_key = claims["sub"]
        body = request.json if _is_json(request) else None
        text = body.get("message") if isinstance(body, dict) else None
        if not isinstance(text, str):
            raise WeChatError(400, "bad_request", "请求格式不正确：需要 JSON {\"message\": \"...\"}。")
        if too_long(text):
            raise WeChatError(400, "message_too_long", f"消息太长，请控制在{MAX_MESSAGE_CHARS}字以内。")
        self._limit(self.message_limiter, user_key, "消息发送太频繁，请稍后再试。")
        collector = CollectingOutputChannel()
        await on_new_message(UserMessage(text, collector, user_key, input_channel=CHANNEL,
                                         metadata=sign_identity({
                                             "channel": CHANNEL, "user_key": user_key,
                                             "verified_phone": claims.get("verified_phone")})))
        return {"messages": shape_messages(collector.messages)}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("wechat_webhook", __name__)

        async def answer(work: Awaitable[dict]) -> HTTPResponse:
            try:
                return json_response(await work)
            except WeChatError as exc:
                return json_response(exc.body(), exc.status, exc.headers)
            except Exception:  # never a stack trace or HTML error page to the mini-program
                logger.exception("wechat request failed")
                return json_response(WeChatError(500, "error", "服务暂时出现问题，请稍后再试。").body(), 500)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json_response({"status": "ok"})

        @webhook.route("/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            return await answer(self.login(request))

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await answer(self.message(request, on_new_message))

        @webhook.route("/phone", methods=["POST"])
        async def phone(request: Request) -> HTTPResponse:
            return await answer(self.verify_phone(request))

        @webhook.route("/subscriptions", methods=["POST"])
        async def subscriptions(request: Request) -> HTTPResponse:
            return await answer(self.subscribe(request))

        @webhook.route("/config", methods=["GET"])
        async def config(_: Request) -> HTTPResponse:
            return json_response(self.client_config())

        return webhook


def _masked(phone: str | None) -> str | None:
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else None


def _is_json(request: Request) -> bool:
    try:
        return request.json is not None
    except Exception:  # Sanic raises on a body that is not JSON
        return False
