"""Who is calling the service center: our own processes (actions, connectors) with the internal secret, or anyone.

Internal endpoints (send an SMS, record a callback, look bookings up by user key, vouch for a verified phone) need
`X-Internal-Token: <INTERNAL_SECRET>`; without INTERNAL_SECRET configured they are closed. The "client" that
per-client limits count is the end user an internal caller forwards in `X-Client-Key` (its user key), else the
address the request came from; it is stored only as a hash.
"""

from __future__ import annotations

import hashlib

from fastapi import HTTPException, Request, status

from court_common.trust import INTERNAL_HEADER, internal_secret, token_matches

CLIENT_HEADER = "X-Client-Key"


def is_internal(request: Request) -> bool:
    return token_matches(request.headers.get(INTERNAL_HEADER), internal_secret())


def require_internal(request: Request) -> None:
    """Dependency of the endpoints only actions and connectors may call."""
    if internal_secret() is None:
        raise HTTPException(status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                            detail="内部接口未启用：请设置 INTERNAL_SECRET")
    if not is_internal(request):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="这个接口只供本系统内部调用")


def client_key(request: Request) -> str:
    """A hash naming the client for rate limits: the forwarded user key (internal callers) or the address."""
    forwarded = request.headers.get(CLIENT_HEADER) if is_internal(request) else None
    raw = f"user:{forwarded}" if forwarded else f"addr:{request.client.host if request.client else 'unknown'}"
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()[:40]
