"""WeChat's server API for the mini-program, the documented way:

  POST {base}/cgi-bin/stable_token   {"grant_type": "client_credential", "appid", "secret", "force_refresh": false}
       -> {"access_token", "expires_in"}   cached until a few minutes before it expires
  POST {base}/wxa/business/getuserphonenumber?access_token=...   {"code"}   (phonenumber.getPhoneNumber)
       -> {"errcode": 0, "phone_info": {"phoneNumber", "purePhoneNumber", "countryCode", "watermark"}}
  POST {base}/cgi-bin/message/subscribe/send?access_token=...    (subscribeMessage.send)
       {"touser", "template_id", "page", "data": {"thing1": {"value"}}, "miniprogram_state", "lang"}

stable_token, not cgi-bin/token: in its normal mode it hands every caller the same valid token, so several service
center replicas (and a reminder job) can each cache one without invalidating the others' (cgi-bin/token would).
WeChat answers HTTP 200 with {"errcode", "errmsg"} on errors.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import httpx

log = logging.getLogger(__name__)

REFRESH_MARGIN = 300  # seconds before expiry at which a cached access token is renewed
TOKEN_ERRORS = {40001, 42001}  # "invalid credential" / "access_token expired": fetch a fresh one and retry once


class WeChatApiError(Exception):
    """WeChat answered with an errcode (errcode -1 and transport failures: `unavailable` is True)."""

    def __init__(self, errcode: int, errmsg: str = "", unavailable: bool = False) -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode, self.errmsg, self.unavailable = errcode, errmsg, unavailable


class WeChatApi:
    def __init__(self, base: str, app_id: str | None, app_secret: str | None, timeout: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.base, self.app_id, self.app_secret = base.rstrip("/"), app_id, app_secret
        self.timeout, self.clock = timeout, clock
        self._token: tuple[str, float] | None = None  # (token, monotonic time it expires)
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_secret)

    def _post(self, path: str, body: dict, params: dict | None = None) -> dict:
        try:
            answer = httpx.post(self.base + path, params=params, json=body, timeout=self.timeout)
            data = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("WeChat %s unreachable: %s", path, type(exc).__name__)
            raise WeChatApiError(-1, "unreachable", unavailable=True) from exc
        if answer.status_code != 200 or not isinstance(data, dict):
            raise WeChatApiError(-1, f"HTTP {answer.status_code}", unavailable=True)
        errcode = data.get("errcode") or 0
        if errcode:
            log.info("WeChat %s errcode %s", path, errcode)
            raise WeChatApiError(int(errcode), str(data.get("errmsg", "")), unavailable=errcode == -1)
        return data

    def access_token(self) -> str:
        if not self.configured:
            raise WeChatApiError(-2, "not configured", unavailable=True)
        with self._lock:
            if self._token and self.clock() < self._token[1]:
                return self._token[0]
            data = self._post("/cgi-bin/stable_token", {"grant_type": "client_credential", "appid": self.app_id,
                                                        "secret": self.app_secret, "force_refresh": False})
            token, lifetime = data.get("access_token"), int(data.get("expires_in") or 0)
            if not isinstance(token, str) or not token:
                raise WeChatApiError(-1, "no access_token", unavailable=True)
            self._token = (token, self.clock() + max(lifetime - REFRESH_MARGIN, 0))
            return token

    def _call(self, path: str, body: dict) -> dict:
        for attempt in (1, 2):
            token = self.access_token()
            try:
                return self._post(path, body, params={"access_token": token})
            except WeChatApiError as exc:
                if exc.errcode not in TOKEN_ERRORS or attempt == 2:
                    raise
                with self._lock:  # rejected token: forget it, fetch again
                    if self._token and self._token[0] == token:
                        self._token = None
        raise AssertionError("unreachable")  # pragma: no cover

    def phone_number(self, code: str) -> tuple[str, str]:
        """The user's phone for a getPhoneNumber button's code: (purePhoneNumber, countryCode)."""
        info = self._call("/wxa/business/getuserphonenumber", {"code": code}).get("phone_info") or {}
        if info.get("watermark", {}).get("appid") not in (None, self.app_id):
            raise WeChatApiError(-3, "watermark of another app")
        return str(info.get("purePhoneNumber") or ""), str(info.get("countryCode") or "")

    def send_subscribe_message(self, openid: str, template_id: str, data: dict[str, str], page: str,
                               state: str = "formal") -> None:
        self._call("/cgi-bin/message/subscribe/send", {
            "touser": openid, "template_id": template_id, "page": page, "lang": "zh_CN",
            "miniprogram_state": state, "data": {key: {"value": value} for key, value in data.items()}})


_clients: dict[tuple, WeChatApi] = {}


def get_api(base: str, app_id: str | None, app_secret: str | None) -> WeChatApi:
    """One client (so one cached access token) per configuration and process."""
    key = (base, app_id, app_secret)
    if key not in _clients:
        _clients[key] = WeChatApi(base, app_id, app_secret)
    return _clients[key]
