// The chat page and its message component, in miniprogram-simulate, fed the real connector's recorded answers.
const test = require("node:test");
const assert = require("node:assert/strict");
const { FIXTURES, installWx, load, settle, text } = require("./harness.js");

const answer = (name) => ({ statusCode: FIXTURES[name].statusCode, data: FIXTURES[name].data,
  header: FIXTURES[name].header });

// A connector that answers each message from the recorded turn chosen by `turns[message]`.
function connector(turns, extra = {}) {
  const seen = [];
  const routes = {
    request(pathname, method, data, header) {
      seen.push({ pathname, method, data, header });
      if (extra[pathname]) return extra[pathname](data, header);
      if (pathname.endsWith("/login")) return answer("login");
      if (pathname.endsWith("/config")) return answer("config");
      if (pathname.endsWith("/webhook")) return answer(turns[data.message] || "greet");
      if (pathname.endsWith("/phone")) return answer("phone_verified");
      if (pathname.endsWith("/subscriptions")) return answer("subscribed");
      return { statusCode: 404, data: { error: { message: "找不到请求的地址" } } };
    },
    subscribe: (ids) => Object.fromEntries(ids.map((id) => [id, "accept"])),
  };
  return { routes, seen };
}

async function openChat(turns, extra) {
  const { routes, seen } = connector(turns, extra);
  const wx = installWx(routes);
  const page = load("pages/chat/chat");
  await page.instance.onLoad({});
  await settle();
  return { page, wx, seen, routes };
}

async function say(page, words) {
  page.instance.onInput({ detail: { value: words } });
  await page.instance.onSend();
  await settle();
}

function messages(page) {
  return page.querySelectorAll(".message");
}

test("logs in with wx.login, keeps the token and shows the greeting with its menu", async () => {
  const { page, wx, seen } = await openChat({});
  assert.equal(wx.calls.filter((c) => c.name === "login").length, 1);
  const stored = global.wx.getStorageSync("court:token");
  assert.equal(stored.token, FIXTURES.login.data.token);
  assert.ok(stored.expiresAt > Date.now());
  const greet = seen.find((r) => r.pathname.endsWith("/webhook"));
  assert.equal(greet.data.message, "/greet");
  assert.equal(greet.header.Authorization, `Bearer ${FIXTURES.login.data.token}`);
  const shown = text(page);
  const menu = FIXTURES.greet.data.messages.find((m) => m.type === "quick_replies");
  for (const item of menu.items) assert.ok(shown.includes(item.title), item.title);
  assert.ok(shown.includes(FIXTURES.greet.data.messages.find((m) => m.type === "text").text.slice(0, 10)));
});

test("a choice button sends its payload and shows its title; older choices are spent", async () => {
  const { page, seen } = await openChat({ "/ask_capabilities": "greet" });
  const menu = messages(page).find((m) => m.querySelector(".choice"));
  const first = FIXTURES.greet.data.messages.find((m) => m.type === "quick_replies").items[0];
  menu.querySelector(".choice").dispatchEvent("tap");
  await settle();
  assert.equal(seen.filter((r) => r.pathname.endsWith("/webhook")).pop().data.message, first.payload);
  assert.ok(page.data.items.some((item) => item.from === "user" && item.text === first.title));
  assert.ok(page.data.lastChoices > 0);
  const all = messages(page).filter((m) => m.querySelector(".choice"));
  assert.equal(all[0].instance.data.active, false); // the first menu is spent
  assert.equal(all[all.length - 1].instance.data.active, true);
});

test("a guide answer shows its basis and 详细说明 opens the native guide page", async () => {
  const { page, wx } = await openChat({ 立案需要带什么材料: "guide_answer" });
  await say(page, "立案需要带什么材料");
  const card = FIXTURES.guide_answer.data.messages.find((m) => m.type === "link_card");
  const guide = messages(page).find((m) => m.querySelector(".guide-open"));
  const shown = text(guide); // the card itself (the text bubbles above also name the basis)
  assert.ok(shown.includes(card.title) && shown.includes("依据：") && shown.includes("详细说明"));
  for (const law of card.basis) assert.ok(shown.includes(law), law);
  guide.querySelector(".guide-open").dispatchEvent("tap");
  await settle();
  const opened = wx.calls.find((c) => c.name === "navigateTo");
  assert.equal(opened.options.url, `/pages/guide/guide?id=${encodeURIComponent(card.entry_id)}`);
});

test("a risk report card opens the native report page", async () => {
  const { page, wx } = await openChat({ 2: "risk_report" });
  await say(page, "2");
  const card = FIXTURES.risk_report.data.messages.find((m) => m.type === "link_card");
  const shown = text(messages(page).find((m) => m.querySelector(".report-open")));
  assert.ok(shown.includes("诉讼风险自测报告") && shown.includes(card.report_id) && shown.includes(`风险等级：${card.level}`));
  messages(page).find((m) => m.querySelector(".report-open")).querySelector(".report-open").dispatchEvent("tap");
  await settle();
  assert.equal(wx.calls.find((c) => c.name === "navigateTo").options.url, `/pages/risk/risk?id=${card.report_id}`);
});

test("the handoff card dials 12368 with wx.makePhoneCall", async () => {
  const { page, wx } = await openChat({ 转人工: "handoff" });
  await say(page, "转人工");
  const card = messages(page).find((m) => m.querySelector(".call"));
  assert.ok(text(page).includes("拨打 12368 诉讼服务热线"));
  card.querySelector(".call").dispatchEvent("tap");
  await settle();
  assert.equal(wx.calls.find((c) => c.name === "makePhoneCall").options.phoneNumber, "12368");
});

test("booking: the WeChat phone button, then the confirmation card and the reminder subscription", async () => {
  const { page, wx, seen } = await openChat({ 王芳: "phone_request", 邻里纠纷: "booking_confirmation" });
  await say(page, "王芳");
  assert.ok(text(page).includes("使用微信手机号"));
  const request = messages(page).find((m) => m.querySelector(".use-wechat-phone"));
  request.querySelector(".use-wechat-phone").dispatchEvent("getphonenumber", { detail: { code: "phone-code-1",
    errMsg: "getPhoneNumber:ok" } });
  await settle();
  const exchange = seen.find((r) => r.pathname.endsWith("/phone"));
  assert.deepEqual(exchange.data, { code: "phone-code-1" });
  const affirm = seen.filter((r) => r.pathname.endsWith("/webhook")).pop();
  assert.equal(affirm.data.message, "/affirm");
  // the new token (carrying the verified phone, signed by the server) is kept and used from now on
  assert.equal(affirm.header.Authorization, `Bearer ${FIXTURES.phone_verified.data.token}`);
  assert.equal(global.wx.getStorageSync("court:token").token, FIXTURES.phone_verified.data.token);
  assert.ok(text(page).includes(`使用微信手机号 ${FIXTURES.phone_verified.data.phone_masked}`));
  assert.ok(text(page).includes("已使用微信手机号"));

  await say(page, "邻里纠纷");
  const card = FIXTURES.booking_confirmation.data.messages.find((m) => m.type === "booking_confirmation");
  let shown = text(messages(page).find((m) => m.querySelector(".subscribe")));
  assert.ok(shown.includes("预约成功") && shown.includes(card.reference) && shown.includes(card.service_name));
  assert.match(shown, /时间：\d{4}年\d{1,2}月\d{1,2}日 周[一二三四五六日] \d{2}:\d{2}/);
  for (const thing of card.bring) assert.ok(shown.includes(thing), thing);
  const booking = messages(page).find((m) => m.querySelector(".subscribe"));
  booking.querySelector(".subscribe").dispatchEvent("tap");
  await settle();
  const asked = wx.calls.find((c) => c.name === "requestSubscribeMessage");
  assert.deepEqual(asked.options.tmplIds, [FIXTURES.config.data.reminder_template_id]);
  const recorded = seen.find((r) => r.pathname.endsWith("/subscriptions"));
  assert.deepEqual(recorded.data, { reference: card.reference, template_id: FIXTURES.config.data.reminder_template_id });
  shown = text(page);
  assert.ok(shown.includes("预约前一天会收到微信提醒"));
});

test("a refused phone authorisation asks for the number to be typed", async () => {
  const { page, seen } = await openChat({ 王芳: "phone_request" });
  await say(page, "王芳");
  const request = messages(page).find((m) => m.querySelector(".use-wechat-phone"));
  request.querySelector(".use-wechat-phone").dispatchEvent("getphonenumber", {
    detail: { errMsg: "getPhoneNumber:fail user deny" } });
  await settle();
  assert.ok(text(page).includes("请直接输入11位手机号"));
  assert.ok(!seen.some((r) => r.pathname.endsWith("/phone")));
});

test("an expired login logs in again and repeats the message; the conversation stays", async () => {
  let expiredOnce = false;
  const { page, wx, seen } = await openChat({ 立案需要带什么材料: "guide_answer" }, {
    "/webhooks/wechat/webhook": (data) => {
      if (data.message === "立案需要带什么材料" && !expiredOnce) {
        expiredOnce = true;
        return answer("token_expired");
      }
      return answer(data.message === "/greet" ? "greet" : "guide_answer");
    },
  });
  const before = page.data.items.length;
  await say(page, "立案需要带什么材料");
  assert.equal(wx.calls.filter((c) => c.name === "login").length, 2);
  const asked = seen.filter((r) => r.pathname.endsWith("/webhook") && r.data.message === "立案需要带什么材料");
  assert.equal(asked.length, 2);
  assert.equal(page.data.status, "ok");
  assert.ok(page.data.items.length > before + 1);
  assert.ok(text(page).includes(FIXTURES.greet.data.messages.find((m) => m.type === "text").text.slice(0, 10)));
});

test("a login that keeps failing shows 重新登录, and the conversation is kept", async () => {
  const { page, routes } = await openChat({});
  const kept = page.data.items.length;
  routes.loginCode = () => null; // wx.login fails from now on
  global.wx.removeStorageSync("court:token");
  routes.request = (pathname) => (pathname.endsWith("/login") ? answer("login") : answer("token_expired"));
  await say(page, "你好");
  assert.equal(page.data.status, "offline"); // wx.login's own failure: no network
  routes.loginCode = undefined;
  await page.instance.relogin();
  await settle();
  assert.equal(page.data.status, "login");
  assert.ok(text(page).includes("重新登录") && text(page).includes("对话记录都还在"));
  assert.ok(page.data.items.length >= kept);
});

test("429: the rate-limit banner counts down and sending waits", async () => {
  const { page } = await openChat({ 你好: "rate_limited" });
  await say(page, "你好");
  assert.equal(page.data.status, "limited");
  assert.equal(page.data.waitSeconds, FIXTURES.rate_limited.data.error.details.retry_after);
  assert.ok(text(page).includes(FIXTURES.rate_limited.data.error.message));
  assert.ok(text(page).includes("秒后可以继续发送"));
  assert.equal(page.querySelector(".send").dom.getAttribute("disabled") !== null || page.data.status === "limited", true);
  assert.equal(await page.instance.send("再来", "再来"), false);
  page.instance.onUnload();
});

test("offline: a clear banner with 重试, which sends the message again", async () => {
  let online = false;
  const { page, seen } = await openChat({}, {
    "/webhooks/wechat/webhook": (data) => (data.message === "/greet" || online ? answer("greet") : null),
  });
  await say(page, "请问立案");
  assert.equal(page.data.status, "offline");
  assert.ok(text(page).includes("网络连不上") && text(page).includes("12368"));
  online = true;
  page.querySelector(".retry").dispatchEvent("tap");
  await settle();
  assert.equal(page.data.status, "ok");
  assert.equal(seen.filter((r) => r.pathname.endsWith("/webhook") && r.data.message === "请问立案").length, 2);
});

test("大字 mode enlarges the page and every message, and is remembered", async () => {
  const { page } = await openChat({});
  assert.ok(!page.querySelector(".page").dom.className.includes("large"));
  page.querySelector(".large-toggle").dispatchEvent("tap");
  await settle();
  assert.ok(page.querySelector(".page").dom.className.includes("large"));
  assert.ok(messages(page).every((m) => m.instance.data.large));
  assert.equal(global.wx.getStorageSync("court:prefs").large, true);
  const again = load("pages/chat/chat");
  await again.instance.onLoad({});
  await settle();
  assert.equal(again.data.large, true);
});

test("the history survives a restart of the mini-program without greeting again", async () => {
  const { page, seen } = await openChat({});
  const shown = page.data.items.length;
  const again = load("pages/chat/chat");
  await again.instance.onLoad({});
  await settle();
  assert.equal(again.data.items.length, shown);
  assert.equal(seen.filter((r) => r.pathname.endsWith("/webhook")).length, 1);
});

test("a token about to expire is renewed before the message goes out", async () => {
  const { page, wx, seen } = await openChat({ 你好: "greet" });
  const stored = global.wx.getStorageSync("court:token");
  global.wx.setStorageSync("court:token", Object.assign({}, stored, { token: "old", expiresAt: Date.now() + 30 * 1000 }));
  await say(page, "你好");
  assert.equal(wx.calls.filter((c) => c.name === "login").length, 2);
  const sent = seen.filter((r) => r.pathname.endsWith("/webhook")).pop();
  assert.equal(sent.header.Authorization, `Bearer ${FIXTURES.login.data.token}`);
  assert.ok(global.wx.getStorageSync("court:token").expiresAt > Date.now() + 3600 * 1000);
});

test("offline at the start: the banner, and 重试 logs in and greets", async () => {
  let online = false;
  const { routes, seen } = connector({});
  const plain = routes.request;
  routes.request = (...args) => (online ? plain(...args) : null);
  installWx(routes);
  const page = load("pages/chat/chat");
  await page.instance.onLoad({});
  await settle();
  assert.equal(page.data.status, "offline");
  online = true;
  page.querySelector(".retry").dispatchEvent("tap");
  await settle();
  assert.equal(page.data.status, "ok");
  assert.ok(seen.some((r) => r.pathname.endsWith("/webhook") && r.data.message === "/greet"));
  assert.ok(page.data.items.some((item) => item.kind === "choices"));
});

test("offline at the start: the reminder button still appears once a booking arrives", async () => {
  let configReachable = false;
  const { page } = await openChat({ 邻里纠纷: "booking_confirmation" }, {
    "/webhooks/wechat/config": () => (configReachable ? answer("config") : null),
  });
  assert.equal(page.data.templateId, "");
  configReachable = true;
  await say(page, "邻里纠纷");
  assert.equal(page.data.templateId, FIXTURES.config.data.reminder_template_id);
  assert.ok(page.querySelectorAll(".message").some((m) => m.querySelector(".subscribe")));
});
