"""The chat page at `/`: configuration handed to the page, security headers, static files."""

import json
import re

from service_center.web.router import STATIC_DIR


def page_config(html: str) -> dict:
    match = re.search(r'<script id="chat-config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page must carry its configuration"
    return json.loads(match.group(1))


def test_chat_page_is_chinese_and_points_at_rasa(client, monkeypatch):
    from urllib.parse import urlsplit

    from service_center.config import get_settings

    monkeypatch.delenv("RASA_PUBLIC_URL", raising=False)
    get_settings.cache_clear()
    settings = get_settings()
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert 'name="viewport"' in response.text
    config = page_config(response.text)
    assert config["rasaUrl"] == settings.rasa_url.rstrip("/")  # RASA_URL when RASA_PUBLIC_URL is unset
    assert config["socketPath"] == "/socket.io"
    assert config["feedbackUrl"] == "/api/kb/feedback"
    assert urlsplit(settings.public_base_url).netloc in config["linkHosts"]


def test_public_rasa_url_and_link_hosts_are_settings(client, monkeypatch):
    from service_center.config import get_settings

    monkeypatch.setenv("RASA_PUBLIC_URL", "https://chat.court.example")
    monkeypatch.setenv("WEB_LINK_HOSTS", "www.court.example, court.example")
    get_settings.cache_clear()
    response = client.get("/")
    config = page_config(response.text)
    assert config["rasaUrl"] == "https://chat.court.example"
    assert {"www.court.example", "court.example"} <= set(config["linkHosts"])
    policy = response.headers["content-security-policy"]
    assert "connect-src 'self' https://chat.court.example wss://chat.court.example" in policy
    get_settings.cache_clear()


def test_page_forbids_inline_scripts_and_framing(client):
    headers = client.get("/").headers
    policy = headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"


def test_static_files_are_served_with_their_types(client):
    response = client.get("/static/web/chat.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    if (STATIC_DIR / "dist" / "chat.js").exists():  # built by `make web`
        response = client.get("/static/web/dist/chat.js")
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/javascript")


def test_static_route_stays_inside_its_folder(client):
    for path in ("/static/web/../router.py", "/static/web/%2e%2e/router.py", "/static/web/..%2F..%2Fconfig.py",
                 "/static/web/nothing.js"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
