"""The staff console (/staff) in Debian's headless Chromium on the real stack: each role logs in and sees only its
panels; the dashboard charts the numbers this test's own conversations produced (through the Rasa event broker);
the unanswered-question loop (attach -> reload -> the bot now answers with that entry); the booking desk and the
callback desk by keyboard; tokens; logout. Every view is checked with axe-core (no serious or critical
violation) and screenshotted into test-artifacts/console/."""

import json
import re
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ROOT

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "service_center" / "console" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "console"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
UNANSWERABLE = "隔壁老王的狗把我咬了找谁"
ENTRY = "jurisdiction-tort"
PANELS = {  # role -> the menu it gets
    "admin": ["质效看板", "安全提醒", "预约台", "回电登记", "未答问题", "运行状况", "账号与令牌"],
    "leader": ["质效看板", "安全提醒", "运行状况", "账号与令牌"],
    "filing_clerk": ["质效看板", "安全提醒", "预约台", "运行状况", "账号与令牌"],
    "mediator": ["质效看板", "安全提醒", "预约台", "运行状况", "账号与令牌"],
    "hotline_agent": ["质效看板", "安全提醒", "回电登记", "运行状况", "账号与令牌"],
    "guide_editor": ["质效看板", "安全提醒", "未答问题", "运行状况", "账号与令牌"],
}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: run `make browser`")
    if not AXE.exists():
        pytest.skip("axe-core is missing: run `make web`")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def activity(stack):
    """Real traffic for the dashboard: conversations on the REST channel (answered, unanswered, handoff), a
    booking, a callback request. Returns the summary once the event broker has delivered the conversations."""
    for role in PANELS:
        if role == "admin":
            continue  # the stack's own e2e-admin (stack.staff_token)
        stack.create_staff(f"e2e-{role.replace('_', '-')}", role)
    def current() -> dict:
        return httpx.get(f"{stack.service_url}/api/staff/dashboard/summary", headers=stack.staff_headers()).json()

    # other tests' conversations count too: wait for this fixture's own three on top of what was there
    before = current()
    senders = [f"console-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    stack.say(senders[0], "判决书拿到手了 不服的话有几天能上诉啊")
    stack.say(senders[1], UNANSWERABLE)
    stack.say(senders[2], "转人工")
    day = httpx.post(f"{stack.service_url}/api/booking/parse-day", json={"text": "明天"}).json()["date"]
    slots = httpx.get(f"{stack.service_url}/api/booking/slots", params={"service": "filing", "date": day}).json()
    booked = httpx.post(f"{stack.service_url}/api/booking/appointments",
                        json={"service": "filing", "start": slots["slots"][0]["start"], "name": "王五",
                              "phone": "13500005555", "channel": "socketio",
                              "phone_verification": stack.verified_phone("13500005555")},
                        headers={"Idempotency-Key": uuid.uuid4().hex}).json()
    httpx.post(f"{stack.service_url}/api/hotline/callbacks", json={"phone": "13600006666", "call_sid": "CAe2e"},
               headers=stack.internal_headers())  # as the hotline connector does
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        summary = current()
        if (summary["conversations"] >= before["conversations"] + 3 and summary["turns"] >= before["turns"] + 3
                and summary["handoffs"] >= before["handoffs"] + 1):
            break
        time.sleep(1)
    return {"summary": summary, "booking": booked, "day": slots["slots"][0]["start"][:10]}


def check_axe(page, name: str) -> None:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    (ARTIFACTS / f"{name}.axe.json").write_text(json.dumps(result["violations"], ensure_ascii=False, indent=1))
    assert not serious, f"{name}: {serious}"


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(browser, stack, role: str, hash_: str = ""):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.urls = []
    page.on("request", lambda request: page.urls.append(request.url))
    page.goto(f"{stack.service_url}/staff{hash_}")
    expect(page.get_by_label("用户名")).to_be_focused(timeout=15_000)
    page.keyboard.type(f"e2e-{role.replace('_', '-')}")
    page.keyboard.press("Tab")
    page.keyboard.type(stack.staff_password)
    page.keyboard.press("Enter")
    expect(page.locator("header .who")).to_contain_text(f"e2e-{role.replace('_', '-')}", timeout=15_000)
    return page


def test_login_page_refuses_a_wrong_password_politely(browser, stack, activity):
    context = browser.new_context(locale="zh-CN", bypass_csp=True)  # lets the test inject axe-core
    page = context.new_page()
    page.goto(f"{stack.service_url}/staff")
    page.get_by_label("用户名").fill("e2e-leader")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确")
    check_axe(page, "login")
    shot(page, "login-refused")
    context.close()


@pytest.mark.parametrize("role", list(PANELS))
def test_each_role_sees_its_own_panels(browser, stack, activity, role):
    page = login(browser, stack, role)
    menu = page.get_by_role("navigation", name="控制台栏目").get_by_role("link")
    expect(menu).to_have_text(PANELS[role])
    expect(page.locator("dl.figures")).to_be_visible(timeout=20_000)
    check_axe(page, f"dashboard-{role}")
    shot(page, f"dashboard-{role}")
    page.context.close()


def test_dashboard_charts_the_conversations_of_this_test(browser, stack, activity):
    assert activity["summary"]["conversations"] >= 3 and activity["summary"]["handoffs"] >= 1
    summary = httpx.get(f"{stack.service_url}/api/staff/dashboard/summary", headers=stack.staff_headers()).json()
    page = login(browser, stack, "leader")
    figure = page.locator('.figure[data-key="conversations"] dd')
    expect(figure).to_have_text(str(summary["conversations"]), timeout=20_000)
    expect(page.locator('.figure[data-key="bookings"] dd')).to_have_text(str(summary["bookings"]))
    expect(page.locator(".chart canvas")).to_have_count(13, timeout=20_000)
    # the table behind a chart, opened by keyboard, holds the same number
    section = page.locator('section[data-table="outcomes_by_day"]')
    section.locator("summary").focus()
    page.keyboard.press("Enter")
    last = section.locator("tbody tr").last
    # the row's cells: answered, clarified, unanswered ...
    expect(last.locator("td").nth(2)).to_have_text(str(summary["unanswered"]))
    csv = section.get_by_role("link", name="下载")
    body = page.request.get(stack.service_url + csv.get_attribute("href")).text()
    assert body.lstrip("\ufeff").startswith("day,answered,clarified,unanswered")
    # filter by channel: nothing came by WeChat
    page.locator('select[name="channel"]').select_option("wechat")
    page.get_by_role("button", name="查看").click()
    expect(page.locator('.figure[data-key="conversations"] dd')).to_have_text("0", timeout=20_000)
    shot(page, "dashboard-wechat-filter")
    page.context.close()


def test_unanswered_loop_attach_reload_then_the_bot_answers(browser, stack, activity):
    page = login(browser, stack, "guide_editor", "#review")
    group = page.locator("article.group", has_text=UNANSWERABLE).first
    expect(group).to_be_visible(timeout=30_000)
    check_axe(page, "review")
    shot(page, "review-before")
    group.get_by_label("并入条目").fill(ENTRY)
    group.get_by_role("button", name="并入已有条目").click()
    expect(page.locator("#status")).to_contain_text("已并入条目", timeout=15_000)
    expect(page.locator("#reload-info")).to_contain_text("尚未生效")
    page.get_by_role("button", name="重新加载指南").click()
    expect(page.locator("#status")).to_contain_text("指南已重新加载", timeout=240_000)
    shot(page, "review-after-reload")
    found = httpx.get(f"{stack.service_url}/api/kb/search", params={"q": UNANSWERABLE}).json()
    assert found["decision"] == "answer" and found["results"][0]["id"] == ENTRY
    messages = stack.say(f"console-{uuid.uuid4().hex[:8]}", UNANSWERABLE)
    card = next(m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "guide_answer")
    assert card["entry_id"] == ENTRY
    page.context.close()


def test_booking_desk_checks_in_and_cancels_with_a_reason(browser, stack, activity):
    page = login(browser, stack, "filing_clerk", "#bookings")
    page.get_by_label("日期", exact=True).fill(activity["day"])
    page.get_by_role("button", name="刷新").click()
    reference = activity["booking"]["reference"]
    row = page.locator(f'tr[data-reference="{reference}"]')
    expect(row).to_contain_text("王五", timeout=15_000)
    expect(row).to_contain_text("135****5555")
    check_axe(page, "booking-desk")
    shot(page, "booking-desk")
    row.get_by_role("button", name="取消").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("当事人来电改期")
    page.keyboard.press("Enter")
    expect(page.locator(f'tr[data-reference="{reference}"]')).to_contain_text("已取消（当事人来电改期）",
                                                                              timeout=15_000)
    shot(page, "booking-desk-cancelled")
    audit = httpx.get(f"{stack.service_url}/api/staff/bookings/{reference}/audit", headers=stack.staff_headers())
    assert audit.json()["audit"][-1]["actor"] == "staff:e2e-filing-clerk:filing_clerk"
    assert not any("13500005555" in url or stack.staff_password in url for url in page.urls)
    page.context.close()


def test_callback_desk_records_the_outcome(browser, stack, activity):
    page = login(browser, stack, "hotline_agent", "#callbacks")
    row = page.locator("tr", has_text="13600006666")
    expect(row).to_be_visible(timeout=15_000)
    check_axe(page, "callback-desk")
    shot(page, "callback-desk")
    row.get_by_role("textbox").fill("已回电解答")
    row.get_by_role("button", name="已回电").click()
    expect(page.locator("tr", has_text="13600006666")).to_have_count(0, timeout=15_000)
    page.context.close()


def test_admin_accounts_tokens_and_logout(browser, stack, activity):
    page = login(browser, stack, "admin", "#accounts")
    expect(page.get_by_role("table", name="全部账号")).to_contain_text("e2e-guide-editor", timeout=15_000)
    page.get_by_role("button", name="新建令牌").click()
    expect(page.locator("#new-token")).to_contain_text("cst_")
    token = page.locator("#new-token").inner_text().split("：", 1)[1].strip()
    assert httpx.get(f"{stack.service_url}/api/staff/session",
                     headers={"Authorization": f"Bearer {token}"}).json()["username"] == "e2e-admin"
    page.get_by_role("row", name="脚本").last.get_by_role("button", name="撤销").click()
    expect(page.locator("#status")).to_contain_text("已撤销")
    assert httpx.get(f"{stack.service_url}/api/staff/session",
                     headers={"Authorization": f"Bearer {token}"}).status_code == 401
    expect(page.get_by_role("table", name="操作记录")).to_contain_text("token_revoke")
    check_axe(page, "accounts")
    shot(page, "accounts")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("alert")).to_have_text("您已退出登录。")
    page.context.close()


def test_a_crisis_in_a_conversation_is_an_alert_every_role_sees_and_can_acknowledge(browser, stack, activity):
    stack.say(f"console-crisis-{uuid.uuid4().hex[:8]}", "他又打我了 我现在很害怕")
    page = login(browser, stack, "hotline_agent", "#safety")
    row = page.locator("tr[data-safety]").first
    expect(row).to_contain_text("网页接口", timeout=20_000)
    check_axe(page, "safety-alerts")
    shot(page, "safety-alerts")
    row.get_by_label(re.compile("处理说明")).fill("已回拨，当事人已报警")
    row.get_by_role("button", name="已处理").click()
    expect(page.locator("#status")).to_contain_text("已确认")
    acknowledged = httpx.get(f"{stack.service_url}/api/staff/safety/events?status=acknowledged",
                             headers=stack.staff_headers()).json()
    assert any(e["acknowledged_by"] and "e2e-hotline-agent" in e["acknowledged_by"] for e in acknowledged)
    page.context.close()


def test_the_system_panel_shows_each_part_and_the_holiday_warning(browser, stack, activity):
    page = login(browser, stack, "leader", "#system")
    expect(page.locator("#system-state table").first).to_contain_text("database", timeout=20_000)
    check_axe(page, "system")
    shot(page, "system")
    page.context.close()
