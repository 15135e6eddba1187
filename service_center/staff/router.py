"""Staff accounts API: log in and out, who am I, personal tokens, accounts and the audit log (管理员)."""

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service_center.auth import SESSION_COOKIE, Identity, require_capability, require_staff
from service_center.config import Settings, get_settings
from service_center.db import get_session
from service_center.staff import service as accounts
from service_center.staff.models import StaffAudit, StaffToken, StaffUser
from service_center.staff.roles import (
    CAPABILITIES,
    CAPABILITY_NAMES,
    ROLE_NAMES,
    Capability,
    Role,
    booking_services,
)
from service_center.staff.schemas import Login, TokenCreate, UserCreate, UserUpdate

router = APIRouter(tags=["staff"])
admin_only = require_capability(Capability.accounts)


def _secure(request: Request, settings: Settings) -> bool:
    if settings.staff_cookie_secure is not None:
        return settings.staff_cookie_secure
    return settings.public_base_url.startswith("https://") or request.url.scheme == "https"


def me_view(identity: Identity, csrf_token: str | None) -> dict:
    services = booking_services(identity.role)
    return {"username": identity.username, "display_name": identity.display_name, "role": identity.role,
            "role_name": identity.role_name, "via": identity.via,
            "capabilities": sorted(c.value for c in CAPABILITIES[Role(identity.role)]),
            "booking_services": None if services is None else sorted(services),
            "csrf_token": csrf_token}


def _user_view(user: StaffUser) -> dict:
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "role_name": ROLE_NAMES[Role(user.role)], "active": user.active,
            "locked_until": user.locked_until.isoformat() + "Z" if user.locked_until else None,
            "last_login_at": user.last_login_at.isoformat() + "Z" if user.last_login_at else None}


def _token_view(row: StaffToken) -> dict:
    return {"id": row.id, "name": row.name, "prefix": row.prefix, "created_at": row.created_at.isoformat() + "Z",
            "last_used_at": row.last_used_at.isoformat() + "Z" if row.last_used_at else None,
            "revoked": row.revoked_at is not None}


@router.get("/api/staff/roles", summary="The roles and what each may do (public: no data)")
def roles() -> dict:
    return {"roles": [{"role": r.value, "name": ROLE_NAMES[r],
                       "capabilities": [CAPABILITY_NAMES[c] for c in Capability if c in CAPABILITIES[r]]}
                      for r in Role]}


@router.post("/api/staff/session", summary="Log in: sets the HttpOnly session cookie, returns the CSRF token")
def login(body: Login, request: Request, response: Response, session: Session = Depends(get_session),
          settings: Settings = Depends(get_settings)) -> dict:
    try:
        user = accounts.authenticate(session, body.username, body.password)
    except accounts.LoginFailed as failed:
        if failed.locked_until is not None:
            minutes = max(1, int((failed.locked_until - accounts.utcnow()).total_seconds() // 60) + 1)
            raise HTTPException(status_code=429, detail=f"密码错误次数过多，账号已暂时锁定，请{minutes}分钟后再试",
                                headers={"Retry-After": str(minutes * 60)}) from None
        raise HTTPException(status_code=401, detail="用户名或密码不正确") from None
    lifetime = dt.timedelta(hours=settings.staff_session_hours)
    token, row = accounts.start_session(session, user, lifetime)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(lifetime.total_seconds()), httponly=True,
                        samesite="strict", secure=_secure(request, settings), path="/")
    response.headers["Cache-Control"] = "no-store"
    identity = accounts.Identity(user.id, user.username, user.display_name, user.role, "session", row.csrf_token)
    return me_view(identity, row.csrf_token)


@router.get("/api/staff/session", summary="Who is logged in (and the CSRF token for this session)")
def whoami(response: Response, identity: Identity = Depends(require_staff)) -> dict:
    response.headers["Cache-Control"] = "no-store"
    return me_view(identity, identity.csrf_token)


@router.delete("/api/staff/session", summary="Log out")
def logout(request: Request, response: Response, identity: Identity = Depends(require_staff),
           session: Session = Depends(get_session)) -> dict:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.end_session(session, cookie, identity)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"status": "logged_out"}


# ---------- personal tokens ----------
@router.get("/api/staff/tokens", summary="My personal API tokens (never the tokens themselves)")
def my_tokens(identity: Identity = Depends(require_staff), session: Session = Depends(get_session)) -> dict:
    rows = session.scalars(select(StaffToken).where(StaffToken.user_id == identity.user_id)
                           .order_by(StaffToken.id)).all()
    return {"tokens": [_token_view(r) for r in rows]}


@router.post("/api/staff/tokens", status_code=201, summary="A new personal API token: shown once, keep it safe")
def new_token(body: TokenCreate, identity: Identity = Depends(require_staff),
              session: Session = Depends(get_session)) -> dict:
    user = session.get(StaffUser, identity.user_id)
    token, row = accounts.create_token(session, user, body.name, identity)
    return {**_token_view(row), "token": token}


@router.delete("/api/staff/tokens/{token_id}", summary="Revoke a token (your own; 管理员: anyone's)")
def revoke(token_id: int, identity: Identity = Depends(require_staff), session: Session = Depends(get_session)):
    row = session.get(StaffToken, token_id)
    if row is None or (row.user_id != identity.user_id and identity.role != Role.admin):
        raise HTTPException(status_code=404, detail="没有这个令牌")
    accounts.revoke_token(session, row, identity)
    return _token_view(row)


# ---------- accounts (管理员) ----------
@router.get("/api/staff/users", summary="Every staff account (管理员)")
def users(_admin: Identity = Depends(admin_only), session: Session = Depends(get_session)) -> dict:
    return {"users": [_user_view(u) for u in session.scalars(select(StaffUser).order_by(StaffUser.username))]}


@router.post("/api/staff/users", status_code=201, summary="Create an account (管理员)")
def create_user(body: UserCreate, admin: Identity = Depends(admin_only),
                session: Session = Depends(get_session)) -> dict:
    try:
        user = accounts.create_user(session, body.username, body.role, body.password, body.display_name, admin)
    except accounts.AccountError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return _user_view(user)


@router.patch("/api/staff/users/{username}", summary="Change role, disable, reset password, unlock (管理员)")
def update_user(username: str, body: UserUpdate, admin: Identity = Depends(admin_only),
                session: Session = Depends(get_session)) -> dict:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        raise HTTPException(status_code=404, detail="没有这个账号")
    if user.id == admin.user_id and (body.active is False or (body.role and body.role != Role.admin)):
        raise HTTPException(status_code=409, detail="不能停用自己或取消自己的管理员角色")
    try:
        user = accounts.update_user(session, user, admin, role=body.role, active=body.active,
                                    password=body.password, unlock=body.unlock)
    except accounts.AccountError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return _user_view(user)


@router.get("/api/staff/audit", summary="The staff audit log, newest first (管理员)")
def audit_log(username: str | None = None, action: str | None = None, since: dt.date | None = None,
              limit: int = Query(200, ge=1, le=2000), _admin: Identity = Depends(admin_only),
              session: Session = Depends(get_session)) -> dict:
    query = select(StaffAudit).order_by(StaffAudit.id.desc()).limit(limit)
    if username:
        query = query.where(StaffAudit.username == username)
    if action:
        query = query.where(StaffAudit.action == action)
    if since:
        query = query.where(StaffAudit.at >= dt.datetime.combine(since, dt.time()))
    return {"audit": [accounts.audit_view(r) for r in session.scalars(query)]}
