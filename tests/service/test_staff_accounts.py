"""Named staff accounts: log in with the cookie, CSRF on writes, lock-out, logout and expiry, personal tokens and
their revocation, every role's boundaries (403 outside its rights), and the audit naming person and role."""

import datetime as dt

import pytest

from tests.service.booking_support import book
from tests.service.conftest import STAFF_PASSWORD, make_staff

SLOT = "2026-12-02T09:30:00+08:00"


def login(client, username: str, password: str = STAFF_PASSWORD):
    return client.post("/api/staff/session", json={"username": username, "password": password})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_login_sets_an_httponly_strict_cookie_and_returns_the_csrf_token(client):
    make_staff("wang", "mediator")
    response = login(client, "wang")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "court_staff_session=" in cookie
    body = response.json()
    assert body["role"] == "mediator" and body["role_name"] == "调解员" and len(body["csrf_token"]) > 30
    assert body["booking_services"] == ["judicial_confirmation", "mediation"]
    me = client.get("/api/staff/session").json()
    assert me["username"] == "wang" and me["csrf_token"] == body["csrf_token"]
    assert STAFF_PASSWORD not in response.text


def test_wrong_password_and_unknown_user_get_the_same_polite_401(client):
    make_staff("li", "leader")
    wrong = login(client, "li", "not-the-password")
    unknown = login(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"] == "用户名或密码不正确"


def test_writes_with_the_cookie_need_the_csrf_header(booking_client):
    make_staff("zhou", "mediator")
    reference = book(booking_client, SLOT).json()["reference"]
    csrf = login(booking_client, "zhou").json()["csrf_token"]
    missing = booking_client.post(f"/api/staff/bookings/{reference}/check-in")
    assert missing.status_code == 403 and "X-CSRF-Token" in missing.json()["error"]["message"]
    forged = booking_client.post(f"/api/staff/bookings/{reference}/check-in", headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    ok = booking_client.post(f"/api/staff/bookings/{reference}/check-in", headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and ok.json()["status"] == "checked_in"
    # reading needs no CSRF token
    assert booking_client.get("/api/staff/bookings", params={"day": "2026-12-02"}).status_code == 200


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, staff_headers):
    make_staff("sun", "filing_clerk")
    for _ in range(4):
        assert login(client, "sun", "wrong-password").status_code == 401
    locked = login(client, "sun", "wrong-password")
    assert locked.status_code == 429 and "锁定" in locked.json()["error"]["message"]
    assert int(locked.headers["Retry-After"]) >= 60
    assert login(client, "sun").status_code == 429  # the right password waits too
    # the admin unlocks; the audit has every attempt
    assert client.patch("/api/staff/users/sun", json={"unlock": True}, headers=staff_headers).status_code == 200
    assert login(client, "sun").status_code == 200
    actions = [a["action"] for a in client.get("/api/staff/audit", params={"username": "-"},
                                                 headers=staff_headers).json()["audit"]]
    assert actions.count("login_failed") == 5 and "login_refused_locked" in actions


def test_lock_grows_with_each_further_failure():
    from service_center.staff.service import MAX_LOCK, lock_duration

    assert lock_duration(5) == dt.timedelta(minutes=5)
    assert lock_duration(6) == dt.timedelta(minutes=10)
    assert lock_duration(30) == MAX_LOCK


def test_logout_ends_the_session(client):
    make_staff("zhao", "leader")
    csrf = login(client, "zhao").json()["csrf_token"]
    cookie = client.cookies.get("court_staff_session")
    assert client.delete("/api/staff/session", headers={"X-CSRF-Token": csrf}).status_code == 200
    client.cookies.set("court_staff_session", cookie)  # a copied cookie is dead too
    assert client.get("/api/staff/session").status_code == 401


def test_an_idle_session_expires(client, monkeypatch):
    from service_center.staff import service as accounts

    make_staff("qian", "leader")
    login(client, "qian")
    assert client.get("/api/staff/session").status_code == 200
    later = accounts.utcnow() + dt.timedelta(minutes=31)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    expired = client.get("/api/staff/session")
    assert expired.status_code == 401 and expired.json()["error"]["message"] == "登录已过期，请重新登录"


def test_personal_token_acts_as_its_owner_until_revoked(booking_client):
    make_staff("chen", "filing_clerk")
    csrf = login(booking_client, "chen").json()["csrf_token"]
    created = booking_client.post("/api/staff/tokens", json={"name": "夜间导出脚本"}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    token, token_id = created.json()["token"], created.json()["id"]
    listed = booking_client.get("/api/staff/tokens").json()["tokens"]
    assert [t["name"] for t in listed] == ["tests", "夜间导出脚本"] and "token" not in listed[1]
    booking_client.cookies.clear()
    assert booking_client.get("/api/staff/session", headers=bearer(token)).json()["username"] == "chen"
    revoked = booking_client.delete(f"/api/staff/tokens/{token_id}", headers=bearer(token))
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    after = booking_client.get("/api/staff/bookings", headers=bearer(token))
    assert after.status_code == 401 and after.json()["error"]["message"] == "个人令牌无效或已撤销"


def test_a_disabled_account_loses_its_tokens_and_sessions(client, staff_headers):
    token = make_staff("wu", "guide_editor")
    assert client.get("/api/staff/kb/unanswered", headers=bearer(token)).status_code == 200
    assert client.patch("/api/staff/users/wu", json={"active": False}, headers=staff_headers).status_code == 200
    assert client.get("/api/staff/kb/unanswered", headers=bearer(token)).status_code == 401
    assert login(client, "wu").status_code == 401


NEW_USER = {"username": "x", "role": "leader", "password": "long-enough-1"}
ROUTES = [  # (method, path, body, the roles allowed besides 管理员)
    ("GET", "/api/staff/users", None, set()),
    ("GET", "/api/staff/audit", None, set()),
    ("POST", "/api/staff/users", NEW_USER, set()),
    ("GET", "/api/staff/outbox", None, set()),
    ("GET", "/api/staff/bookings?day=2026-12-02", None, {"filing_clerk", "mediator"}),
    ("GET", "/api/staff/hotline/callbacks", None, {"hotline_agent"}),
    ("GET", "/api/staff/kb/unanswered", None, {"guide_editor"}),
    ("GET", "/api/staff/risk/rules", None, {"guide_editor"}),
    ("GET", "/api/staff/session", None, {"filing_clerk", "mediator", "hotline_agent", "guide_editor", "leader"}),
]
ROLES = ["filing_clerk", "mediator", "hotline_agent", "guide_editor", "leader"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_403_outside_its_rights(booking_client, role):
    headers = bearer(make_staff(f"user-{role}".replace("-", "_"), role))
    for method, path, body, allowed in ROUTES:
        response = booking_client.request(method, path, json=body, headers=headers)
        if role in allowed:
            assert response.status_code in (200, 201), (role, path, response.text)
        else:
            assert response.status_code == 403, (role, path, response.status_code)
            assert "无权" in response.json()["error"]["message"]


def test_the_admin_may_do_everything(booking_client, staff_headers):
    for method, path, body, _allowed in ROUTES:
        assert booking_client.request(method, path, json=body, headers=staff_headers).status_code in (200, 201), path


def test_desks_see_only_their_own_services(booking_client):
    mediation = book(booking_client, SLOT).json()["reference"]
    filing = book(booking_client, "2026-12-02T08:30:00+08:00", service="filing", phone="13900001111").json()
    clerk = bearer(make_staff("clerk", "filing_clerk"))
    listed = booking_client.get("/api/staff/bookings", params={"day": "2026-12-02"}, headers=clerk).json()
    assert [b["reference"] for b in listed["bookings"]] == [filing["reference"]]
    other = booking_client.get("/api/staff/bookings", params={"day": "2026-12-02", "service": "mediation"},
                               headers=clerk)
    assert other.status_code == 403
    assert booking_client.post(f"/api/staff/bookings/{mediation}/check-in", headers=clerk).status_code == 404


def test_audit_names_the_person_and_role(booking_client, staff_headers):
    reference = book(booking_client, SLOT).json()["reference"]
    mediator = bearer(make_staff("ma_tiaojie", "mediator"))
    cancelled = booking_client.post(f"/api/staff/bookings/{reference}/cancel", json={"reason": "当事人已和解"},
                                    headers=mediator)
    assert cancelled.status_code == 200
    trail = booking_client.get(f"/api/staff/bookings/{reference}/audit", headers=mediator).json()["audit"]
    assert trail[-1]["actor"] == "staff:ma_tiaojie:mediator" and trail[-1]["details"] == {"reason": "当事人已和解"}
    staff_trail = booking_client.get("/api/staff/audit", params={"username": "test-admin"},
                                     headers=staff_headers).json()["audit"]
    assert {"username": "test-admin", "role": "admin", "role_name": "管理员"}.items() <= staff_trail[-1].items()


def test_admin_creates_accounts_with_a_real_role_and_a_long_password(client, staff_headers):
    weak = client.post("/api/staff/users", json={"username": "a", "role": "leader", "password": "short"},
                       headers=staff_headers)
    assert weak.status_code == 422 and "密码至少" in weak.json()["error"]["message"]
    bad_role = client.post("/api/staff/users", json={"username": "a", "role": "judge", "password": "long-enough-1"},
                           headers=staff_headers)
    assert bad_role.status_code == 422 and "没有这个角色" in bad_role.json()["error"]["message"]
    ok = client.post("/api/staff/users", json={"username": "a", "role": "leader", "password": "long-enough-1",
                                               "display_name": "院领导甲"}, headers=staff_headers)
    assert ok.status_code == 201 and ok.json()["role_name"] == "院领导（只读）"
    assert login(client, "a", "long-enough-1").status_code == 200


def test_passwords_are_stored_as_argon2id_hashes(client):
    from sqlalchemy import select

    from service_center.db import get_sessionmaker
    from service_center.staff.models import StaffUser

    make_staff("hash_check", "leader")
    with get_sessionmaker()() as session:
        stored = session.scalar(select(StaffUser.password_hash).where(StaffUser.username == "hash_check"))
    assert stored.startswith("$argon2id$") and STAFF_PASSWORD not in stored


def test_command_line_creates_the_first_admin(database_url, monkeypatch, capsys):
    from service_center.staff import cli

    monkeypatch.setenv("STAFF_PASSWORD", "first-admin-password")
    assert cli.main(["boss", "admin", "--display-name", "管理员甲", "--token", "ops"]) == 0
    out = capsys.readouterr().out
    assert "created boss (管理员)" in out and "token: cst_" in out
    assert cli.main(["boss", "admin"]) == 1  # exists already
