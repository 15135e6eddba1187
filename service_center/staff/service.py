"""Staff accounts: create, log in (with lock-out), sessions, personal tokens, the audit log.

Lock-out: after LOCK_AFTER wrong passwords in a row an account is locked, first for LOCK_MINUTES, then twice as
long at each further failure (capped at MAX_LOCK); a right password inside the lock is refused like a wrong one
(and does not reveal that it was right). A successful login resets the count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service_center.staff.models import StaffAudit, StaffSession, StaffToken, StaffUser, utcnow
from service_center.staff.roles import ROLE_NAMES, Role

log = logging.getLogger(__name__)

LOCK_AFTER = 5
LOCK_MINUTES = 5
MAX_LOCK = dt.timedelta(hours=4)
MIN_PASSWORD = 10
USERNAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")
TOKEN_PREFIX = "cst_"  # noqa: S105 - court staff token: recognisable in a leaked file, easy to grep for
_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """Bad input for an account (message in Chinese, safe to show)."""


class LoginFailed(Exception):
    def __init__(self, locked_until: dt.datetime | None = None):
        super().__init__("login failed")
        self.locked_until = locked_until


class Identity(str):
    """The person behind a staff request. It is also the string "staff:<username>:<role>", so code that stores
    the acting staff member as text (booking audit) names the person and the role without any change."""

    user_id: int
    username: str
    display_name: str
    role: str
    via: str  # session | token | cli
    csrf_token: str | None

    def __new__(cls, user_id: int, username: str, display_name: str, role: str, via: str,
                csrf_token: str | None = None) -> Identity:
        self = super().__new__(cls, f"staff:{username}:{role}")
        self.user_id, self.username, self.display_name, self.role = user_id, username, display_name, role
        self.via, self.csrf_token = via, csrf_token
        return self

    @property
    def role_name(self) -> str:
        return role_name(self.role)


def role_name(role: str | None) -> str | None:
    try:
        return ROLE_NAMES[Role(role)]
    except ValueError:
        return role


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少{MIN_PASSWORD}个字符")


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(f"没有这个角色：{role}（可选：{'、'.join(r.value for r in Role)}）") from None


# ---------- accounts ----------
def create_user(session: Session, username: str, role: str, password: str, display_name: str | None = None,
                actor: Identity | None = None) -> StaffUser:
    username = (username or "").strip()
    if not USERNAME.fullmatch(username):
        raise AccountError("用户名为1-40个英文字母、数字、下划线、点或连字符")
    check_password(password)
    if session.scalar(select(StaffUser).where(StaffUser.username == username)) is not None:
        raise AccountError(f"用户名 {username} 已存在")
    user = StaffUser(username=username, display_name=(display_name or username).strip()[:40],
                     role=_role(role).value, password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    record(session, actor, "account_create", target=username, role_given=user.role)
    session.commit()
    return user


def update_user(session: Session, user: StaffUser, actor: Identity, *, role: str | None = None,
                active: bool | None = None, password: str | None = None, unlock: bool = False) -> StaffUser:
    changes: dict = {}
    if role is not None and role != user.role:
        user.role, changes["role"] = _role(role).value, role
    if active is not None and active != user.active:
        user.active, changes["active"] = active, active
        if not active:
            end_sessions(session, user.id)
    if password is not None:
        check_password(password)
        user.password_hash, changes["password"] = _hasher.hash(password), "reset"
        end_sessions(session, user.id)
    if unlock:
        user.failed_logins, user.locked_until, changes["unlock"] = 0, None, True
    record(session, actor, "account_update", target=user.username, **changes)
    session.commit()
    return user


def end_sessions(session: Session, user_id: int) -> None:
    session.execute(update(StaffSession).where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
                    .values(ended_at=utcnow()))


def lock_duration(failures: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=LOCK_MINUTES * 2 ** (failures - LOCK_AFTER)), MAX_LOCK)


def authenticate(session: Session, username: str, password: str, now: dt.datetime | None = None) -> StaffUser:
    now = now or utcnow()
    user = session.scalar(select(StaffUser).where(StaffUser.username == (username or "").strip()))
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        record(session, None, "login_failed", target=(username or "")[:40], why="unknown_or_disabled")
        session.commit()
        raise LoginFailed()
    if user.locked_until is not None and user.locked_until > now:
        record(session, None, "login_refused_locked", target=user.username)
        session.commit()
        raise LoginFailed(user.locked_until)
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= LOCK_AFTER:
            user.locked_until = now + lock_duration(user.failed_logins)
        record(session, None, "login_failed", target=user.username, failures=user.failed_logins)
        session.commit()
        raise LoginFailed(user.locked_until if user.failed_logins >= LOCK_AFTER else None)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


# ---------- sessions ----------
def start_session(session: Session, user: StaffUser, lifetime: dt.timedelta) -> tuple[str, StaffSession]:
    token = secrets.token_urlsafe(32)
    row = StaffSession(token_hash=digest(token), csrf_token=secrets.token_urlsafe(32), user_id=user.id,
                       expires_at=utcnow() + lifetime)
    session.add(row)
    record(session, _identity(user, "session"), "login")
    session.commit()
    return token, row


def session_identity(session: Session, token: str, idle: dt.timedelta) -> Identity | None:
    """The person behind a session cookie, or None when it is unknown, ended, expired or idle too long."""
    now = utcnow()
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == digest(token)))
    if row is None or row.ended_at is not None or row.expires_at <= now or row.last_seen_at + idle <= now:
        return None
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at > dt.timedelta(minutes=1):  # one write a minute at most
        row.last_seen_at = now
        session.commit()
    return _identity(user, "session", row.csrf_token)


def end_session(session: Session, token: str, identity: Identity) -> None:
    session.execute(update(StaffSession).where(StaffSession.token_hash == digest(token))
                    .values(ended_at=utcnow()))
    record(session, identity, "logout")
    session.commit()


# ---------- personal API tokens ----------
def create_token(session: Session, user: StaffUser, name: str, actor: Identity | None = None) -> tuple[str, StaffToken]:
    """Returns the token once, in clear; only its digest is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = StaffToken(token_hash=digest(token), prefix=token[:10], name=(name or "script").strip()[:60],
                     user_id=user.id)
    session.add(row)
    session.flush()
    record(session, actor or _identity(user, "cli"), "token_create", target=f"token:{row.id}", owner=user.username)
    session.commit()
    return token, row


def token_identity(session: Session, token: str) -> Identity | None:
    row = session.scalar(select(StaffToken).where(StaffToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        row.last_used_at = now
        session.commit()
    return _identity(user, "token")


def revoke_token(session: Session, row: StaffToken, actor: Identity) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    record(session, actor, "token_revoke", target=f"token:{row.id}")
    session.commit()


def _identity(user: StaffUser, via: str, csrf: str | None = None) -> Identity:
    return Identity(user.id, user.username, user.display_name, user.role, via, csrf)


# ---------- audit ----------
def record(session: Session, actor: Identity | None, action: str, target: str | None = None, **details) -> None:
    """Adds one audit row (committed with the caller's transaction). No secrets, no personal data in details."""
    session.add(StaffAudit(username=actor.username if actor else "-", role=actor.role if actor else None,
                           action=action, target=target, details=details or None))


def audit_view(row: StaffAudit) -> dict:
    return {"at": row.at.isoformat() + "Z", "username": row.username, "role": row.role,
            "role_name": role_name(row.role) if row.role else None,
            "action": row.action, "target": row.target, "details": row.details}
