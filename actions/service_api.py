"""The one client every action uses to reach the service center (SERVICE_URL)."""

import logging
import os
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

SERVICE_URL = os.environ.get("SERVICE_URL", f"http://127.0.0.1:{os.environ.get('SERVICE_PORT', '8000')}")
TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("SERVICE_TIMEOUT", "6")))


class ServiceUnavailable(Exception):
    """The service center did not answer, or answered with a server error."""


class ServiceError(Exception):
    """The service center refused the request (4xx); `message` is Chinese and safe to show."""

    def __init__(self, status: int, message: str, details: Any = None):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details


async def request(method: str, path: str, *, params: dict | None = None, json: Any = None) -> Any:
    url = f"{SERVICE_URL}{path}"
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session, session.request(
            method, url, params=params, json=json
        ) as response:
            body = await response.json(content_type=None) if response.content_length != 0 else None
            if response.status >= 500:
                raise ServiceUnavailable(f"{method} {path}: {response.status}")
            if response.status >= 400:
                error = (body or {}).get("error", {}) if isinstance(body, dict) else {}
                raise ServiceError(response.status, error.get("message", "请求没有成功"), error.get("details"))
            return body
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("service center unreachable: %s %s (%s)", method, path, type(exc).__name__)
        raise ServiceUnavailable(str(exc)) from exc


async def get(path: str, **params: Any) -> Any:
    return await request("GET", path, params={k: v for k, v in params.items() if v is not None})


async def post(path: str, json: Any = None) -> Any:
    return await request("POST", path, json=json)
