// The simulated mini-program used as a new user would, against the REAL stack (connector, Rasa, actions, service
// center) and the fake WeChat API: run by tests/e2e/test_wechat_miniprogram.py with CONNECTOR_BASE, SERVICE_BASE,
// WECHAT_FAKE and USER set. wx.request is real HTTP; wx.login, getPhoneNumber and requestSubscribeMessage give
// codes the fake WeChat understands. Prints one JSON line with what the server side should now hold.
const assert = require("node:assert/strict");
const { installWx, config, load, settle, text } = require("../harness.js");

const user = process.env.USER_NAME;
config.connectorBase = process.env.CONNECTOR_BASE;
config.serviceBase = process.env.SERVICE_BASE;
let logins = 0;

const routes = {
  loginCode: () => `ok-${user}_${(logins += 1)}`,
  request: null, // replaced below: real HTTP
  subscribe: (ids) => Object.fromEntries(ids.map((id) => [id, "accept"])),
};
const wx = installWx(routes);

// Real HTTP behind wx.request (the harness calls routes.request synchronously, so it is replaced here).
global.wx.request = (options) => {
  wx.calls.push({ name: "request", options });
  fetch(options.url, { method: options.method || "GET", headers: options.header,
    body: options.method === "POST" ? JSON.stringify(options.data) : undefined })
    .then(async (response) => options.success({ statusCode: response.status, data: await response.json(),
      header: Object.fromEntries(response.headers) }))
    .catch(() => options.fail({ errMsg: "request:fail" }));
};
const plainSubscribe = global.wx.requestSubscribeMessage;
global.wx.requestSubscribeMessage = (options) => {
  // WeChat records the user's 允许 on its side: tell the fake, then answer the page as WeChat would.
  fetch(`${process.env.WECHAT_FAKE}/_test/subscribe`, { method: "POST",
    body: JSON.stringify({ openid: `o_${user}`, template_id: options.tmplIds[0] }) })
    .then(() => plainSubscribe(options));
};

// Waits (real network) until `check` holds.
async function until(check, what, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    await settle(5);
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function say(page, words) {
  const before = page.data.items.length;
  page.instance.onInput({ detail: { value: words } });
  await page.instance.onSend();
  await until(() => !page.data.sending && page.data.items.length > before + 1, `an answer to ${words}`);
}

const messages = (page) => page.querySelectorAll(".message");
const card = (page, selector) => messages(page).filter((m) => m.querySelector(selector)).pop();

async function tap(page, element) {
  const before = page.data.items.length;
  element.dispatchEvent("tap");
  await until(() => !page.data.sending && page.data.items.length > before, "the tap's answer");
}

(async () => {
  const page = load("pages/chat/chat");
  await page.instance.onLoad({});
  await until(() => page.data.items.some((i) => i.kind === "choices"), "the greeting menu");
  assert.ok(text(page).includes("预约调解或立案"));

  // a guide question: the card, and the native guide page from the real service center
  await say(page, "立案需要带什么材料");
  const guide = card(page, ".guide-open");
  assert.ok(text(guide).includes("依据："));
  guide.querySelector(".guide-open").dispatchEvent("tap");
  await settle();
  const url = wx.calls.filter((c) => c.name === "navigateTo").pop().options.url;
  const guidePage = load("pages/guide/guide");
  await guidePage.instance.onLoad({ id: decodeURIComponent(url.split("id=")[1]) });
  await until(() => guidePage.data.state === "ready", "the guide page");
  assert.ok(text(guidePage).includes("法律依据"));

  // a booking with the WeChat-verified phone
  await say(page, "我想预约调解");
  await say(page, "最近");
  await tap(page, card(page, ".choice").querySelector(".choice")); // the first offered time
  // Each question answered by what it asks, so this holds whichever order the booking form uses.
  const answered = [];
  for (let turn = 0; turn < 8 && !page.data.items.some((i) => i.kind === "booking"); turn += 1) {
    const last = page.data.items.slice(page.data.items.map((i) => i.from).lastIndexOf("user") + 1);
    const words = last.filter((i) => i.kind === "text").map((i) => i.text).join("\n");
    const request = last.find((i) => i.kind === "phone_request" && !i.done);
    if (request) {
      const phone = card(page, ".use-wechat-phone");
      const before = page.data.items.length;
      phone.querySelector(".use-wechat-phone").dispatchEvent("getphonenumber", {
        detail: { code: `phone-13912345678_${user}`, errMsg: "getPhoneNumber:ok" } });
      await until(() => !page.data.sending && page.data.items.length > before + 1, "the phone exchange");
      assert.ok(text(page).includes("使用微信手机号 139****5678"), text(page).slice(-300));
      answered.push("phone");
    } else if (/称呼|姓名/.test(words)) {
      await say(page, "王芳");
      answered.push("name");
    } else if (words.includes("什么事")) {
      await say(page, "邻里纠纷");
      answered.push("description");
    } else if (words.includes("请核对")) {
      assert.ok(words.includes("尾号5678"), words);
      const confirm = card(page, ".choice").querySelectorAll(".choice").find((b) => text(b).includes("确认"));
      await tap(page, confirm);
      answered.push("confirm");
    } else {
      throw new Error(`unexpected question after ${answered}: ${words}`);
    }
  }
  assert.deepEqual([...answered].sort(), ["confirm", "description", "name", "phone"]);
  const booking = card(page, ".subscribe");
  assert.ok(booking, text(page).slice(-400));
  const reference = page.data.items.filter((i) => i.kind === "booking").pop().reference;
  booking.querySelector(".subscribe").dispatchEvent("tap");
  await until(() => page.data.items.some((i) => i.kind === "booking" && i.subscribed), "the subscription");
  assert.ok(text(page).includes("预约前一天会收到微信提醒"));

  // an expired (here: unusable) token: logged in again, the conversation goes on and is still shown
  const shown = page.data.items.length;
  global.wx.setStorageSync("court:token", { token: "expired.token.value", expiresAt: Date.now() + 3600 * 1000 });
  await say(page, "查一下我的预约");
  assert.equal(page.data.status, "ok");
  assert.ok(page.data.items.length > shown);
  assert.ok(text(page).includes(reference.split("").join(" ")), text(page).slice(-300));

  process.stdout.write(`${JSON.stringify({ reference, logins, items: page.data.items.length })}\n`);
  page.instance.onUnload();
  process.exit(0);
})().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
