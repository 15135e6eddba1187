"""The service center's own basics: health, JSON errors, staff auth, privacy masking, migrations on PostgreSQL."""

import logging

from sqlalchemy import create_engine, inspect

from service_center.court.profile import UNCONFIRMED, fact
from service_center.privacy import MaskingFilter, mask_name, mask_phone, mask_text


def test_health_reports_each_dependency(client):
    body = client.get("/health").json()
    assert body["checks"]["database"]["status"] == "ok"
    # Rasa and the action server are not running in unit tests: reported down, not a crash.
    assert body["checks"]["rasa"]["status"] == "down"
    assert body["checks"]["guide"]["status"] in ("ok", "loading")  # the index loads in the background
    assert body["status"] == "degraded"
    assert body["versions"]["service_center"]


def test_unknown_route_is_a_json_404(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "找不到请求的地址", "details": None}


def test_staff_api_is_closed_without_a_token(client, staff_headers):
    from fastapi import Depends

    from service_center.auth import require_staff

    client.app.add_api_route("/api/staff/probe", lambda who=Depends(require_staff): {"who": who})
    assert client.get("/api/staff/probe").status_code == 401
    assert client.get("/api/staff/probe", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/api/staff/probe", headers=staff_headers)
    assert ok.json() == {"who": "staff:test-admin:admin"}


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "诉讼服务中心 API"


def test_phone_and_id_numbers_are_masked():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "138****5678"
    assert mask_name("张三丰") == "张**"
    masked = mask_text("我叫张三，电话13812345678，身份证220721199001011234")
    assert "13812345678" not in masked and "138****5678" in masked
    assert "199001011234" not in masked and "220721********4" in masked
    assert "张三" not in masked and masked.startswith("我叫张*，")
    assert mask_text("你好，我的名字是欧阳明月，想问离婚") == "你好，我的名字是欧***，想问离婚"
    assert mask_text("姓名：李四 电话") == "姓名：李* 电话"
    assert mask_text("我叫他还钱他不还") == "我叫他还钱他不还"  # not a name


def test_log_records_are_masked(caplog):
    logger = logging.getLogger("privacy-test")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("booking for %s", "13912345678")
    assert "13912345678" not in caplog.text
    assert "139****5678" in caplog.text


def test_unconfirmed_court_facts_are_never_invented():
    assert fact("contacts.hotline") == "12368"
    assert fact("contacts.address") == UNCONFIRMED
    assert fact("windows.filing") == f"立案窗口（{UNCONFIRMED}）"


def test_migrations_apply_on_postgresql(postgres_url):
    tables = inspect(create_engine(postgres_url)).get_table_names()
    assert "alembic_version" in tables
