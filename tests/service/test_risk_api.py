"""Risk API on a real (migrated) database: store, fetch, page, parse, staff rules."""

import re

import pytest

LOAN_4Y = {"dispute_type": "loan", "amount": 100000, "arose": "2022", "last_demand": "never",
           "evidence": ["contract"], "defendant": "full", "enforceable_property": "yes", "prior": "none",
           "channel": "rest"}


def _roundtrip(client):
    response = client.post("/api/risk/assessments", json=LOAN_4Y)
    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", body["id"])  # 128 bits: not enumerable
    assert body["level"] == "高"
    assert body["findings"][0]["id"] == "limitation_expired"
    assert body["recommendation"]["path"] == "mediation"
    assert body["url"].endswith(f"/risk/{body['id']}")
    assert body["card"] == {"type": "risk_report", "id": body["id"], "level": "高", "url": body["url"]}
    again = client.get(f"/api/risk/assessments/{body['id']}").json()
    assert again["findings"] == body["findings"]
    page = client.get(f"/risk/{body['id']}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "诉讼时效可能已经届满" in page.text and "仅供参考，不构成法律意见" in page.text
    assert "第一百八十八条" in page.text
    return body


def test_store_fetch_and_page(client):
    _roundtrip(client)


@pytest.mark.postgres
def test_store_on_postgres(postgres_url):
    from fastapi.testclient import TestClient

    from service_center.main import create_app

    with TestClient(create_app()) as client:
        _roundtrip(client)


def test_unknown_and_malformed_ids(client):
    assert client.get("/api/risk/assessments/000000").status_code == 404
    response = client.get("/risk/<script>")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "找不到这个报告编号"


def test_invalid_answers_are_rejected(client):
    response = client.post("/api/risk/assessments", json={"dispute_type": "murder"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "请求参数不正确"


def test_skipped_answers_are_accepted(client):
    response = client.post("/api/risk/assessments", json={"dispute_type": "sale", "amount": "skip",
                                                          "evidence": "skip", "arose": "skip"})
    assert response.status_code == 201
    assert response.json()["fees"]["available"] is False


def test_page_escapes_html(client, monkeypatch):
    from service_center.risk import engine

    rules = engine.load_rules()
    evil = dict(rules.rules[0], title="<script>alert(1)</script>",
                when={"fact": "dispute_type", "eq": "other"})
    monkeypatch.setattr(engine, "load_rules", lambda: engine.RuleSet(1, [evil], 20000))
    body = client.post("/api/risk/assessments", json={"dispute_type": "other", "amount": 1000}).json()
    page = client.get(f"/risk/{body['id']}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_parse_endpoint(client):
    body = client.post("/api/risk/parse", json={"field": "amount", "text": "十万块"}).json()
    assert body["ok"] and body["value"] == 100000
    for text, value in (("五千多", 5000), ("一下子借出去三万", 30000), ("3.5万", 35000), ("一百二十万", 1200000),
                        ("一个亿", 100000000), ("两个亿", 200000000)):
        assert client.post("/api/risk/parse", json={"field": "amount", "text": text}).json()["value"] == value
    for question in ("请问一下立案要带什么材料", "第一次起诉要注意什么", "一直不还怎么办"):
        body = client.post("/api/risk/parse", json={"field": "amount", "text": question}).json()
        assert not body["ok"], question
    body = client.post("/api/risk/parse", json={"field": "arose", "text": "啥时候来着"}).json()
    assert not body["ok"] and "时间" in body["message"]
    body = client.post("/api/risk/parse", json={"field": "dispute_type", "text": "1"}).json()
    assert body["value"] == "loan" and body["options"][0] == {"value": "loan", "title": "民间借贷"}
    assert client.post("/api/risk/parse", json={"field": "nonsense", "text": "x"}).status_code == 422


def test_staff_rules(client, staff_headers):
    assert client.get("/api/staff/risk/rules").status_code == 401
    body = client.get("/api/staff/risk/rules", headers=staff_headers).json()
    assert any(rule["id"] == "limitation_expired" for rule in body["rules"])
    reloaded = client.post("/api/staff/risk/reload", headers=staff_headers).json()
    assert reloaded == {"reloaded": True, "count": len(body["rules"]), "version": body["version"]}


def test_broken_rules_file_does_not_replace_the_rules_in_use(client, staff_headers, tmp_path, monkeypatch):
    from service_center.risk import router

    broken = tmp_path / "rules.yml"
    broken.write_text("rules:\n  - id: x\n", encoding="utf-8")
    monkeypatch.setattr(router, "RULES_PATH", broken)
    response = client.post("/api/staff/risk/reload", headers=staff_headers)
    assert response.status_code == 400 and "仍使用原规则" in response.json()["error"]["message"]
    assert client.post("/api/risk/assessments", json=LOAN_4Y).status_code == 201
