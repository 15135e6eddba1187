"""Staff authentication and authorisation for /api/staff/*.

A request is a named staff member's when it carries either the login session cookie (set by
POST /api/staff/session) or that person's personal API token (`Authorization: Bearer cst_...`). Writes made with the
cookie must also send the session's CSRF token in `X-CSRF-Token` (the cookie is SameSite=Strict too); token
requests need none, since a browser never sends a bearer token by itself.

`require_staff` returns the Identity (also the string "staff:<username>:<role>"); `require_capability(...)` and
`require_role(...)` add the role check (403 outside the role's rights; 管理员 may do everything).
"""

import datetime as dt
import secrets

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from service_center.config import Settings, get_settings
from service_center.db import get_session
from service_center.staff import service as accounts
from service_center.staff.roles import ROLE_NAMES, Capability, Role, allows

SESSION_COOKIE = "court_staff_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False)
Identity = accounts.Identity


def _unauthorized(message: str = "请先登录，或提供有效的个人令牌") -> HTTPException:
    return HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail=message,
                         headers={"WWW-Authenticate": "Bearer"})


def idle_timeout(settings: Settings) -> dt.timedelta:
    return dt.timedelta(minutes=settings.staff_session_idle_minutes)


def require_staff(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
) -> Identity:
    """Dependency for /api/staff/*: the named person (and role) making the request."""
    if credentials is not None:
        identity = accounts.token_identity(session, credentials.credentials)
        if identity is None:
            raise _unauthorized("个人令牌无效或已撤销")
        return identity
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise _unauthorized()
    identity = accounts.session_identity(session, cookie, idle_timeout(settings))
    if identity is None:
        raise _unauthorized("登录已过期，请重新登录")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not secrets.compare_digest(sent.encode(), (identity.csrf_token or "").encode()):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN,
                                detail="请求缺少有效的防跨站令牌（X-CSRF-Token），请刷新页面后重试")
    return identity


def _forbidden(identity: Identity) -> HTTPException:
    return HTTPException(status_code=status.HTTP_403_FORBIDDEN,
                         detail=f"您的角色（{identity.role_name}）无权进行此操作")


def require_capability(capability: Capability):
    """Dependency factory: the staff member, if their role holds `capability` (see staff/roles.py)."""

    def dependency(identity: Identity = Depends(require_staff)) -> Identity:
        if not allows(identity.role, capability):
            raise _forbidden(identity)
        return identity

    dependency.__name__ = f"require_{capability.value}"
    return dependency


def require_role(*roles: Role | str):
    """Dependency factory: the staff member, if their role is one of `roles` (管理员 always passes)."""
    wanted = {Role(r) for r in roles} | {Role.admin}

    def dependency(identity: Identity = Depends(require_staff)) -> Identity:
        if identity.role not in wanted:
            raise _forbidden(identity)
        return identity

    dependency.__name__ = "require_" + "_or_".join(sorted(r.value for r in wanted))
    return dependency


__all__ = ["CSRF_HEADER", "ROLE_NAMES", "SESSION_COOKIE", "Capability", "Identity", "Role", "require_capability",
           "require_role", "require_staff"]
