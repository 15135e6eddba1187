"""The crisis card on the web chat page, in Debian's headless Chromium against the stand-in Rasa of
tests/support/fake_rasa_socketio.py: an alert (announced by screen readers), each help line a tel: link,
nothing but digits in a tel: URL, the protection-order guide linked; a screenshot in test-artifacts/web/."""

from tests.e2e.test_web_chat import browser, card_site, expect, page, shot  # noqa: F401 - fixtures


def test_the_crisis_card_is_an_alert_with_call_links(card_site, page):  # noqa: F811
    page.goto(card_site + "/")
    expect(page.get_by_role("button", name="看卡片")).to_be_visible(timeout=15_000)
    page.get_by_label("输入您的问题").fill("/crisis")
    page.get_by_label("输入您的问题").press("Enter")
    alert = page.get_by_role("alert", name="先保证您的安全")
    expect(alert).to_be_visible(timeout=15_000)
    expect(alert.get_by_role("link", name="报警电话 110")).to_have_attribute("href", "tel:110")
    expect(alert.get_by_role("link", name="全国妇联妇女维权公益服务热线 12338")).to_have_attribute("href", "tel:12338")
    expect(alert).not_to_contain_text("不应出现")
    expect(alert.get_by_role("link", name="人身安全保护令怎么申请")).to_have_attribute(
        "href", "/guide/protection-order-apply")
    box = alert.get_by_role("link", name="报警电话 110").bounding_box()
    assert box["height"] >= 44  # a large touch target
    assert page.dialogs == []
    shot(page, "20-crisis-card")
