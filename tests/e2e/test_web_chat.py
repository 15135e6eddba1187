"""The web chat page in Debian's headless Chromium (Playwright, never a browser download) on the real stack:
the menu on arrival, a button, a question, reload keeps the history, unreachable server -> error + retry,
large text, no HTML from messages executed, and a booking when the booking flow is in the model.
A screenshot of each step goes to test-artifacts/web/."""

import contextlib
import json
import os
import re
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import RASA_VENV, ROOT, free_port
from tests.support.stack import SVC_VENV

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "web"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
MENU = ["程序问题咨询", "诉讼风险自测", "预约调解或立案", "转人工"]
# Flags that keep Chromium from reaching for the closed network (and from needing a sandbox as root).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: run `make browser`")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    opened = context.new_page()
    dialogs = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.dialogs = dialogs
    yield opened
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def bot_messages(page):
    return page.locator("li.msg.bot:not(.typing)")


def wait_for_bot_after(page, count: int, timeout: float = 30_000) -> None:
    """Waits until more than `count` bot messages are shown and the typing indicator is gone."""
    expect(bot_messages(page)).not_to_have_count(count, timeout=timeout)
    expect(page.locator("li.typing")).to_have_count(0, timeout=timeout)
    page.wait_for_timeout(300)  # the rest of the turn's messages


def send(page, text: str) -> None:
    before = bot_messages(page).count()
    page.get_by_label("输入您的问题").fill(text)
    page.get_by_label("输入您的问题").press("Enter")
    wait_for_bot_after(page, before)


def open_chat(page, stack):
    page.goto(stack.service_url + "/")
    expect(page.get_by_role("button", name=MENU[0])).to_be_visible(timeout=30_000)


def test_menu_button_question_and_reload_keep_the_conversation(stack, page):
    open_chat(page, stack)
    for title in MENU:
        expect(page.get_by_role("button", name=title)).to_be_enabled()
    expect(page.get_by_role("log", name="对话记录")).to_contain_text("您好")
    shot(page, "01-menu-on-arrival")

    # a quick-reply button: the title is shown as the person's message, the payload goes to Rasa
    before = bot_messages(page).count()
    page.get_by_role("button", name="转人工").click()
    wait_for_bot_after(page, before)
    expect(page.locator("li.msg.user").last).to_have_text(re.compile("转人工"))
    expect(page.get_by_role("log")).to_contain_text("12368")
    expect(page.get_by_role("group", name="转人工")).to_be_visible()  # the handoff card arrived
    expect(page.get_by_role("button", name="转人工")).to_be_disabled()  # old buttons are spent
    shot(page, "02-button-handoff")

    # a procedure question in the person's own words
    send(page, "请问一下立案需要带什么材料")
    answer = bot_messages(page).last.inner_text()
    assert re.search(r"[\u4e00-\u9fff]", answer)
    shot(page, "03-question")

    shown = page.locator("li.msg").count()
    session_id = page.evaluate("JSON.parse(localStorage.getItem('court-chat:v1')).sessionId")
    page.reload()
    expect(page.locator("li.msg")).to_have_count(shown, timeout=15_000)
    expect(page.get_by_role("log")).to_contain_text("请问一下立案需要带什么材料")
    expect(page.get_by_role("button", name="菜单")).to_be_enabled(timeout=30_000)
    shot(page, "04-after-reload")

    # the conversation goes on in the same Rasa session after the reload
    send(page, "你好")
    assert page.evaluate("JSON.parse(localStorage.getItem('court-chat:v1')).sessionId") == session_id
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (session_id,)).fetchall()
    texts = [json.loads(data).get("text") for (data,) in rows]
    assert "请问一下立案需要带什么材料" in texts and "你好" in texts
    metadata = json.loads(rows[-1][0]).get("metadata", {})
    assert metadata.get("channel") == "socketio" and metadata.get("user_key", "").startswith("web_")
    assert session_id not in metadata["user_key"]
    shot(page, "05-continued")


def test_unreachable_server_shows_an_error_and_retry_recovers(stack, page):
    page.route("**/socket.io/**", lambda route: route.abort())
    page.goto(stack.service_url + "/")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("暂时连不上服务器", timeout=20_000)
    expect(page.get_by_role("button", name="重试")).to_be_visible()
    expect(page.get_by_role("button", name="发送")).to_be_disabled()
    page.get_by_label("输入您的问题").fill("还能输入")  # never a frozen page
    shot(page, "06-unreachable")

    page.unroute("**/socket.io/**")
    # socket.io's own reconnection (it keeps trying) may reach the server before the click and take the banner away:
    # the page recovered without the button then, which is what a litigant needs too.
    with contextlib.suppress(playwright_api.TimeoutError):
        page.get_by_role("button", name="重试").click(timeout=5_000)
    expect(page.get_by_role("button", name=MENU[0])).to_be_visible(timeout=30_000)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_label("输入您的问题")).to_have_value("还能输入")
    shot(page, "07-recovered")


def test_large_text_keyboard_and_no_html_from_messages(stack, page):
    page.set_viewport_size(DESKTOP)
    open_chat(page, stack)
    normal = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    toggle = page.get_by_role("button", name="大字")
    toggle.focus()
    page.keyboard.press("Enter")  # keyboard works on every control
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(f"parseFloat(getComputedStyle(document.documentElement).fontSize) > {normal}",
                           timeout=5000)

    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    send(page, hostile)
    expect(page.locator("li.msg.user").last).to_have_text(re.compile(re.escape(hostile)))
    assert page.locator("li.msg img, li.msg script").count() == 0
    assert page.dialogs == []
    shot(page, "08-large-text-desktop")


def test_booking_through_the_page(stack, page):
    open_chat(page, stack)
    log = page.get_by_role("log")
    send(page, "我想预约调解")
    expect(bot_messages(page).last).to_contain_text("哪天")
    send(page, "下周三上午")
    expect(log).to_contain_text("1、")
    shot(page, "09-booking-offers")
    before = bot_messages(page).count()
    bot_messages(page).last.get_by_role("button").first.click()  # the first free time
    wait_for_bot_after(page, before)
    expect(bot_messages(page).last).to_contain_text("手机")
    send(page, "13812345678")
    expect(bot_messages(page).last).to_contain_text("验证码")  # the number is verified before it gets anything
    send(page, stack.sms_code("5678"))
    expect(bot_messages(page).last).to_contain_text("称呼")
    send(page, "王芳")
    expect(bot_messages(page).last).to_contain_text("一句话")
    send(page, "邻里纠纷")
    expect(bot_messages(page).last).to_contain_text("请核对")
    expect(bot_messages(page).last).to_contain_text("尾号5678")  # the read-back never shows the whole number
    shot(page, "10-booking-read-back")
    before = bot_messages(page).count()
    page.get_by_role("button", name="确认").click()
    wait_for_bot_after(page, before)
    card = page.get_by_role("group", name="预约确认")
    expect(card).to_be_visible()
    expect(card.locator(".reference")).to_have_text(re.compile(r"^\d{6}$"))
    expect(card).to_contain_text("诉前调解")
    expect(log).to_contain_text("预约成功")
    card.scroll_into_view_if_needed()
    shot(page, "11-booking-confirmed")


# ---------- cards, links and feedback, against a stand-in Rasa that sends every card shape ----------
@pytest.fixture(scope="module")
def card_site(tmp_path_factory):
    """A service center whose page talks to tests/support/fake_rasa_socketio.py instead of Rasa."""
    workdir = tmp_path_factory.mktemp("cards")
    fake_port, service_port = free_port(), free_port()
    service_url = f"http://127.0.0.1:{service_port}"
    env = {**os.environ, "RASA_PUBLIC_URL": f"http://127.0.0.1:{fake_port}", "PUBLIC_BASE_URL": service_url,
           "DATABASE_URL": f"sqlite:///{workdir / 'service.db'}"}
    processes = [
        subprocess.Popen([str(RASA_VENV / "python"), "-m", "tests.support.fake_rasa_socketio", str(fake_port),
                          service_url], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT),
        subprocess.Popen([str(SVC_VENV / "uvicorn"), "service_center.main:app", "--host", "127.0.0.1",
                          "--port", str(service_port)], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT),
    ]
    try:
        deadline = time.monotonic() + 60
        for check in (f"http://127.0.0.1:{fake_port}/socket.io/?EIO=4&transport=polling", service_url + "/"):
            while True:
                try:
                    if httpx.get(check, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{check} did not come up")
                time.sleep(0.3)
        yield service_url
    finally:
        processes[0].kill()  # the stand-in has nothing to save
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_cards_links_and_feedback_render_safely(card_site, page):
    feedback = []

    def record(route):
        feedback.append(json.loads(route.request.post_data))
        route.fulfill(status=201, content_type="application/json", body="{}")

    page.route("**/api/kb/feedback", record)
    page.goto(card_site + "/")
    page.get_by_role("button", name="看卡片").click()
    expect(page.get_by_role("group", name="预约确认")).to_be_visible(timeout=15_000)
    page.wait_for_timeout(300)

    guide = page.get_by_role("group", name="办事指南")
    expect(guide).to_contain_text("立案需要的材料")
    expect(guide).to_contain_text("《中华人民共和国民事诉讼法》第一百二十二条")
    expect(guide.get_by_role("link", name="查看完整指南")).to_have_attribute(
        "href", card_site + "/guide/filing-materials")
    # a link in the text on the court's own site is clickable
    expect(page.locator(".bubble a").first).to_have_attribute("href", card_site + "/guide/filing-materials")

    booking = page.get_by_role("group", name="预约确认")
    for text in ("B7K2Q", "诉前调解", "2026年12月1日", "09:00", "请以法院公告为准", "身份证原件", "起诉状"):
        expect(booking).to_contain_text(text)
    risk = page.get_by_role("group", name="风险自测报告")
    expect(risk).to_contain_text("R7Q4")
    expect(risk.get_by_role("link", name="查看完整报告")).to_have_attribute("href", card_site + "/risk/R7Q4")
    expect(page.get_by_role("link", name="拨打 12368 诉讼服务热线")).to_have_attribute("href", "tel:12368")
    shot(page, "12-cards")

    guide.get_by_role("button", name="有帮助").click()
    expect(guide).to_contain_text("谢谢您的反馈")
    assert feedback == [{"entry_id": "filing-materials", "question": "看卡片", "helpful": True,
                         "channel": "socketio"}]
    shot(page, "13-feedback")


def test_card_does_not_ask_for_feedback_twice(card_site, page):
    page.goto(card_site + "/")
    page.get_by_role("button", name="看指南").click()
    guide = page.get_by_role("group", name="办事指南")
    expect(guide).to_be_visible(timeout=15_000)
    expect(page.get_by_role("button", name="有帮助")).to_have_count(1)  # the conversation's own question only
    expect(guide.get_by_role("button")).to_have_count(0)
    page.get_by_role("button", name="有帮助").click()
    expect(page.locator("li.msg.user").last).to_have_text(re.compile("有帮助"))


def test_new_conversation_starts_afresh(card_site, page):
    page.goto(card_site + "/")
    page.get_by_role("button", name="看卡片").click()
    expect(page.get_by_role("group", name="预约确认")).to_be_visible(timeout=15_000)
    stored = "JSON.parse(localStorage.getItem('court-chat:v1')).sessionId"
    first = page.evaluate(stored)
    page.get_by_role("button", name="新对话").click()
    expect(page.locator("li.msg.user")).to_have_count(0)
    expect(page.get_by_role("button", name="看卡片")).to_be_enabled(timeout=15_000)  # greeted again
    assert page.evaluate(stored) not in (None, first)


def test_hostile_bot_content_is_shown_as_text(card_site, page):
    page.goto(card_site + "/")
    page.get_by_role("button", name="看危险内容").click()
    expect(page.locator("li.msg.bot").last).to_contain_text("<script>alert(3)</script>", timeout=15_000)
    expect(page.get_by_role("log")).to_contain_text("<img src=x onerror=alert(1)> <b>粗体</b>")
    assert page.locator("li.msg img, li.msg b, li.msg script").count() == 0
    assert page.get_by_role("link", name=re.compile("evil.example")).count() == 0  # not on the allowed hosts
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.dialogs == []
    shot(page, "14-hostile-content")
