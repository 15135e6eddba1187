"""A fake WeChat API on loopback that answers the way WeChat does: HTTP 200 always, JSON (labelled text/plain),
{"errcode", "errmsg"} on error. Standard library only, so both runtimes' tests can use it.

GET /sns/jscode2session (code2Session): {"openid", "session_key"} on success.
  Codes: "ok-<name>[_<n>]" logs in user o_<name> (each code works once, like wx.login's: reuse gives 40163);
  "bad-..." 40029, "limited-..." 45011, "risky-..." 40226, "busy-..." -1, "garbage-..." a body that is not JSON.
  A wrong appid gives 40013, a wrong secret 40125, a wrong grant_type 40002 (all real WeChat codes).
POST /cgi-bin/stable_token {"grant_type": "client_credential", "appid", "secret", "force_refresh"} and
GET /cgi-bin/token?grant_type=client_credential&appid=&secret=: {"access_token", "expires_in": 7200}.
  Errors: 40002 grant_type, 40013 appid, 40125 secret (stable_token) / 40001 (token). stable_token hands out the
  same token until it expires (or force_refresh); cgi-bin/token makes a new one each time and ends the old.
  `expire_tokens()` makes every issued token expired (42001); an unknown token is 40001.
POST /wxa/business/getuserphonenumber?access_token= {"code"} (phonenumber.getPhoneNumber):
  {"errcode": 0, "errmsg": "ok", "phone_info": {"phoneNumber", "purePhoneNumber", "countryCode", "watermark"}}.
  Codes: "phone-<11 digits>[_<n>]" gives that mainland mobile, "intlphone-<digits>" a Hong Kong number (852);
  each code works once (40029 after, as WeChat's codes are single-use), "busy-..." -1, anything else 40029.
POST /cgi-bin/message/subscribe/send?access_token= {"touser", "template_id", "page", "data", "miniprogram_state",
  "lang"} (subscribeMessage.send): 40003 unknown openid, 40037 template not in `templates`, 43101 no subscription
  left for that user and template (`subscribe(openid, template_id)` plays the user tapping 允许 in
  wx.requestSubscribeMessage; each allows one message), 47003 a value that breaks the key's rule (thing <= 20
  characters, time as "2026年12月9日 09:00", character_string <= 32 ASCII), 41030 a page outside `pages`.
  Sent messages are kept in `sent`. POST /_test/subscribe {"openid", "template_id"} (not a WeChat API) does what
  `subscribe` does, for a simulated mini-program in another process.
"""

import itertools
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

APP_ID = "wx-test-app-id"
APP_SECRET = "test-app-secret"

_ERRORS = {
    "bad-": (40029, "invalid code"),
    "limited-": (45011, "api minute-quota reach limit  mustslower  retry next minute"),
    "risky-": (40226, "code blocked"),
    "busy-": (-1, "system error"),
}


TEMPLATE_ID = "fake-reminder-template-id"
PAGES = ("pages/chat/chat", "pages/guide/guide", "pages/risk/risk")
_VALUE_RULES = {"thing": re.compile(r"^.{1,20}$"), "character_string": re.compile(r"^[\x21-\x7e]{1,32}$"),
                "time": re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日( \d{2}:\d{2})?$|^\d{2}:\d{2}$"),
                "date": re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$"), "phrase": re.compile(r"^[\u4e00-\u9fff]{1,5}$")}


class FakeWeChat:
    def __init__(self, port: int = 0, app_id: str = APP_ID, app_secret: str = APP_SECRET) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.requests: list[dict] = []
        self.used_codes: set[str] = set()
        self.tokens: dict[str, bool] = {}  # access token -> still valid
        self.stable_token: str | None = None
        self._numbers = itertools.count(1)
        self.templates = {TEMPLATE_ID}
        self.pages = set(PAGES)
        self.subscriptions: dict[tuple[str, str], int] = {}  # (openid, template id) -> messages allowed
        self.openids: set[str] = set()
        self.sent: list[dict] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                try:
                    body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                except ValueError:
                    return self._send({"errcode": 47001, "errmsg": "data format error"})
                fake.requests.append({"path": parts.path, "query": query, "body": body})
                if parts.path == "/_test/subscribe":  # not WeChat's: lets a simulated mini-program tap 允许
                    fake.subscribe(str(body.get("openid")), str(body.get("template_id") or TEMPLATE_ID))
                    return self._send({"errcode": 0})
                handler = {"/cgi-bin/stable_token": fake.stable_token_answer,
                           "/wxa/business/getuserphonenumber": fake.phone_answer,
                           "/cgi-bin/message/subscribe/send": fake.send_answer}.get(parts.path)
                if handler is None:
                    return self._send({"errcode": 40066, "errmsg": "invalid url"})
                with fake.lock:
                    self._send(handler(query, body if isinstance(body, dict) else {}))

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append({"path": parts.path, "query": query})
                if parts.path == "/cgi-bin/token":
                    with fake.lock:
                        return self._send(fake.token_answer(query))
                if parts.path != "/sns/jscode2session":
                    return self._send({"errcode": 40066, "errmsg": "invalid url"})
                if parts.path == "/sns/jscode2session" and query.get("js_code", "").startswith("garbage-"):
                    return self._send_raw(b"<html>502 Bad Gateway</html>")
                self._send(fake.answer(query))

            def _send(self, body: dict) -> None:
                self._send_raw(json.dumps(body).encode())

            def _send_raw(self, raw: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, query: dict) -> dict:
        if query.get("appid") != self.app_id:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self.app_secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        if query.get("grant_type") != "authorization_code":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        code = query.get("js_code", "")
        for prefix, (errcode, errmsg) in _ERRORS.items():
            if code.startswith(prefix):
                return {"errcode": errcode, "errmsg": f"{errmsg}, rid: fake"}
        if not code.startswith("ok-"):
            return {"errcode": 40029, "errmsg": "invalid code, rid: fake"}
        if code in self.used_codes:
            return {"errcode": 40163, "errmsg": "code been used, rid: fake"}
        self.used_codes.add(code)
        name = code[3:].split("_")[0]
        self.openids.add(f"o_{name}")
        return {"openid": f"o_{name}", "session_key": "fake-session-key=="}

    # ---------- access tokens ----------
    def _new_token(self) -> str:
        token = f"fake-access-token-{next(self._numbers)}"
        self.tokens[token] = True
        return token

    def _credentials_error(self, appid: str | None, secret: str | None, grant_type: str | None,
                           secret_errcode: int) -> dict | None:
        if grant_type != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type, rid: fake"}
        if appid != self.app_id:
            return {"errcode": 40013, "errmsg": "invalid appid, rid: fake"}
        if secret != self.app_secret:
            return {"errcode": secret_errcode, "errmsg": "invalid appsecret, rid: fake"}
        return None

    def stable_token_answer(self, _query: dict, body: dict) -> dict:
        error = self._credentials_error(body.get("appid"), body.get("secret"), body.get("grant_type"), 40125)
        if error:
            return error
        if body.get("force_refresh") or not self.stable_token or not self.tokens.get(self.stable_token):
            self.stable_token = self._new_token()
        return {"access_token": self.stable_token, "expires_in": 7200}

    def token_answer(self, query: dict) -> dict:
        error = self._credentials_error(query.get("appid"), query.get("secret"), query.get("grant_type"), 40001)
        if error:
            return error
        for token in self.tokens:  # a new cgi-bin/token ends the earlier ones
            self.tokens[token] = False
        return {"access_token": self._new_token(), "expires_in": 7200}

    def expire_tokens(self) -> None:
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = False

    def _token_error(self, query: dict) -> dict | None:
        token = query.get("access_token")
        if token not in self.tokens:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if not self.tokens[token]:
            return {"errcode": 42001, "errmsg": "access_token expired, rid: fake"}
        return None

    # ---------- phonenumber.getPhoneNumber ----------
    def phone_answer(self, query: dict, body: dict) -> dict:
        error = self._token_error(query)
        if error:
            return error
        code = str(body.get("code") or "")
        if code.startswith("busy-"):
            return {"errcode": -1, "errmsg": "system error, rid: fake"}
        match = re.match(r"^(phone|intlphone)-(\d{6,15})(_\w+)?$", code)
        if not match or code in self.used_codes:
            return {"errcode": 40029, "errmsg": "invalid code, rid: fake"}
        self.used_codes.add(code)
        number = match.group(2)
        country = "86" if match.group(1) == "phone" else "852"
        return {"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": number if country == "86" else f"+{country}{number}", "purePhoneNumber": number,
            "countryCode": country, "watermark": {"timestamp": 1764900000, "appid": self.app_id}}}

    # ---------- subscribeMessage.send ----------
    def subscribe(self, openid: str, template_id: str = TEMPLATE_ID) -> None:
        """The user tapped 允许 in wx.requestSubscribeMessage: one more message of that template allowed."""
        with self.lock:
            key = (openid, template_id)
            self.subscriptions[key] = self.subscriptions.get(key, 0) + 1

    def send_answer(self, query: dict, body: dict) -> dict:
        error = self._token_error(query)
        if error:
            return error
        openid, template_id = body.get("touser"), body.get("template_id")
        if openid not in self.openids:
            return {"errcode": 40003, "errmsg": "invalid openid, rid: fake"}
        if template_id not in self.templates:
            return {"errcode": 40037, "errmsg": "invalid template_id, rid: fake"}
        page = str(body.get("page") or "").split("?")[0]
        if page and page not in self.pages:
            return {"errcode": 41030, "errmsg": "invalid page, rid: fake"}
        data = body.get("data")
        if not isinstance(data, dict) or not data:
            return {"errcode": 47003, "errmsg": "argument invalid! data is empty, rid: fake"}
        for key, item in data.items():
            rule = _VALUE_RULES.get(key.rstrip("0123456789"))
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, str) or (rule and not rule.match(value)):
                return {"errcode": 47003, "errmsg": f"argument invalid! data.{key}.value invalid, rid: fake"}
        if self.subscriptions.get((openid, template_id), 0) < 1:
            return {"errcode": 43101, "errmsg": "user refuse to accept the msg, rid: fake"}
        self.subscriptions[(openid, template_id)] -= 1
        self.sent.append(body)
        return {"errcode": 0, "errmsg": "ok", "msgid": 1000 + len(self.sent)}

    def __enter__(self) -> "FakeWeChat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
