"""The one client every action uses to reach the service center (SERVICE_URL).

Every failure of the service center (no connection, a timeout, a 5xx, a proxy's HTML error page, any answer that
is not JSON) becomes ServiceUnavailable, so each action can say politely that the service is unavailable and
offer a person; a 4xx with the service center's JSON error becomes ServiceError with its Chinese message.
Requests carry the internal secret (X-Internal-Token), which the service center's internal endpoints require.
"""

import asyncio
import json
import logging
import os
from typing import Any

import aiohttp

from court_common.trust import internal_headers

log = logging.getLogger(__name__)

SERVICE_URL = os.environ.get("SERVICE_URL", f"http://127.0.0.1:{os.environ.get('SERVICE_PORT', '8000')}")
TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("SERVICE_TIMEOUT", "6")))
# Said by any action when the service center cannot answer; the handoff button offers a person.
UNAVAILABLE_TEXT = "抱歉，系统暂时连不上，请稍后再试。您也可以说“转人工”，或拨打12368诉讼服务热线。"
HANDOFF_BUTTON = {"title": "转人工", "payload": "/human_handoff"}


class ServiceUnavailable(Exception):
    """The service center did not answer, or answered with a server error or something that is not JSON."""


class ServiceError(Exception):
    """The service center refused the request (4xx); `message` is Chinese and safe to show."""

    def __init__(self, status: int, message: str, details: Any = None):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details


async def request(method: str, path: str, *, params: dict | None = None, json_body: Any = None,
                  headers: dict | None = None) -> Any:
    url = f"{SERVICE_URL}{path}"
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session, session.request(
            method, url, params=params, json=json_body, headers={**internal_headers(), **(headers or {})}
        ) as response:
            raw = await response.read()
            status = response.status
    # Python 3.10: asyncio.TimeoutError is not the built-in TimeoutError (they merged only in 3.11).
    except (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, OSError) as exc:
        log.warning("service center unreachable: %s %s (%s)", method, path, type(exc).__name__)
        raise ServiceUnavailable(type(exc).__name__) from exc
    if status >= 500:
        raise ServiceUnavailable(f"{method} {path}: {status}")
    try:
        body = json.loads(raw) if raw else None
    except ValueError:  # a proxy's HTML error page, or anything else that is not our JSON
        log.warning("service center answered %s %s with something that is not JSON (%s)", method, path, status)
        raise ServiceUnavailable(f"{method} {path}: not JSON") from None
    if status >= 400:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        error = error if isinstance(error, dict) else {}
        message = error.get("message") if isinstance(error.get("message"), str) else "请求没有成功"
        raise ServiceError(status, message, error.get("details"))
    return body


async def get(path: str, **params: Any) -> Any:
    return await request("GET", path, params={k: v for k, v in params.items() if v is not None})


async def post(path: str, json: Any = None, headers: dict | None = None) -> Any:
    return await request("POST", path, json_body=json, headers=headers)


def say_unavailable(dispatcher: Any) -> None:
    """The polite answer when the service center cannot be reached, with a person one tap (or key 0) away."""
    dispatcher.utter_message(text=UNAVAILABLE_TEXT, buttons=[HANDOFF_BUTTON])
