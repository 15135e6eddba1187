// Cards the connector passes through without knowing them (e.g. "crisis", added by another module), and
// hostile or broken data: always shown as text, numbers only as digits.
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { APP, installWx, load, settle, text } = require("./harness.js");

const cards = require(path.join(APP, "utils", "cards.js"));

test("a crisis card is shown first-class with tap-to-call numbers", async () => {
  // The safety module's card shape (actions/safety.py on its branch): numbers as {key, number, name}.
  const crisis = { type: "crisis", kind: "danger", kinds: ["danger"], urgent: true, follow_up: false,
    title: "您的安全最重要", text: "如果您有危险，请马上拨打下面的电话。", guide_entry: "protection-order",
    numbers: [{ key: "police", name: "报警", number: "110" }, { key: "mental_health", name: "心理援助热线", number: "12356" }],
    phones: ["12338", { name: "坏", number: "javascript:alert(1)" }] };
  const wx = installWx({ request: (pathname) => (pathname.endsWith("/login") ? { statusCode: 200, data: { token: "t", expires_in: 7200 } }
    : pathname.endsWith("/config") ? { statusCode: 200, data: { reminder_template_id: null } }
      : { statusCode: 200, data: { messages: [crisis, { type: "text", text: "我们在这里。" }] } }) });
  const page = load("pages/chat/chat");
  await page.instance.onLoad({});
  await settle();
  const shown = text(page);
  assert.ok(shown.includes("您的安全最重要") && shown.includes("如果您有危险"));
  const card = page.querySelectorAll(".message").find((m) => m.querySelector(".crisis-call"));
  const buttons = card.querySelectorAll(".crisis-call");
  assert.equal(buttons.length, 3);
  buttons[1].dispatchEvent("tap");
  await settle();
  assert.deepEqual(wx.calls.filter((c) => c.name === "makePhoneCall").map((c) => c.options.phoneNumber), ["12356"]);
  assert.ok(text(card).includes("拨打 心理援助热线 12356") && text(card).includes("拨打 12338"));
  assert.ok(card.querySelector(".card-crisis").dom.className.includes("urgent"));
  card.querySelector(".guide-open").dispatchEvent("tap");
  await settle();
  assert.equal(wx.calls.find((c) => c.name === "navigateTo").options.url, "/pages/guide/guide?id=protection-order");
});

test("crisis numbers: names and numbers in any of the usual shapes; no non-numbers", () => {
  assert.deepEqual(cards.crisisPhones({ hotlines: [{ label: "心理援助热线", phone: "12356" }], phone: "110" }),
    [{ label: "心理援助热线", number: "12356" }, { label: "110", number: "110" }]);
  assert.deepEqual(cards.crisisPhones({ phones: ["tel:110", { number: "<b>1</b>" }] }), []);
});

test("unknown card types become plain text; markup stays text", () => {
  const item = cards.toItem({ type: "court_notice", title: "<b>公告</b>", text: "周五下午<script>x</script>不办公" });
  assert.equal(item.kind, "unknown");
  assert.equal(item.text, "<b>公告</b>\n周五下午<script>x</script>不办公");
  assert.equal(cards.toItem({ type: "mystery" }), null);
  assert.equal(cards.toItem(null), null);
  assert.deepEqual(cards.toItems([{ type: "quick_replies", items: [{ title: 1 }, { title: "好", payload: "/ok" }] }])
    .map((i) => i.items), [[{ title: "好", payload: "/ok" }]]);
});

test("booking times are the court's, whatever the phone's time zone", () => {
  assert.equal(cards.formatStart("2026-12-09T09:00:00+08:00"), "2026年12月9日 周三 09:00");
  assert.equal(cards.formatStart("not a time"), "not a time");
});
