"""A fake WeChat API on loopback that answers GET /sns/jscode2session the way WeChat does: HTTP 200 always,
JSON labelled text/plain, {"openid", "session_key"[, "unionid"]} on success, {"errcode", "errmsg"} on error.

Codes: "ok-<name>[_<n>]" logs in user o_<name> (each code works once, like wx.login's: reuse gives 40163);
"bad-..." 40029, "limited-..." 45011, "risky-..." 40226, "busy-..." -1, "garbage-..." a body that is not JSON.
A wrong appid gives 40013, a wrong secret 40125, a wrong grant_type 40002 (all real WeChat codes).
Standard library only, so both runtimes' tests can use it.
"""

import json
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


class FakeWeChat:
    def __init__(self, port: int = 0, app_id: str = APP_ID, app_secret: str = APP_SECRET) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.requests: list[dict] = []
        self.used_codes: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append({"path": parts.path, "query": query})
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
        return {"openid": f"o_{name}", "session_key": "fake-session-key=="}

    def __enter__(self) -> "FakeWeChat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
