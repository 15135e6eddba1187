// Voice input through the 同声传译 (WechatSI) plugin: only when turned on in config.js, with a switch for the
// user, and text input always there.
const test = require("node:test");
const assert = require("node:assert/strict");
const { FIXTURES, config, installWx, load, settle, text } = require("./harness.js");

function chatRoutes() {
  return { request: (pathname) => (pathname.endsWith("/login") ? FIXTURES.login
    : pathname.endsWith("/config") ? FIXTURES.config : FIXTURES.greet) };
}

test("voice is off by default: no voice button, text input only", async () => {
  installWx(chatRoutes());
  const page = load("pages/chat/chat");
  await page.instance.onLoad({});
  await settle();
  assert.equal(page.data.voiceAvailable, false);
  assert.equal(page.querySelector(".voice-toggle"), undefined);
  assert.equal(page.querySelector(".talk"), undefined);
  assert.ok(page.querySelector(".input"));
});

// The chat page with voice turned on in config.js and a stand-in for the plugin's recognition manager.
async function chatWithVoice(t, manager) {
  global.requirePlugin = (name) => (name === "WechatSI" ? { getRecordRecognitionManager: () => manager } : null);
  config.voiceInput = true;
  t.after(() => { config.voiceInput = false; delete global.requirePlugin; });
  installWx(chatRoutes());
  const page = load("pages/chat/chat");
  await page.instance.onLoad({});
  await settle();
  return page;
}

test("turned on: recognised speech fills the input, which the user can still correct and send", async (t) => {
  const started = [];
  const manager = { start: (options) => started.push(options), stop() { this.onStop({ result: "立案需要什么材料。" }); } };
  const page = await chatWithVoice(t, manager);
  assert.equal(page.data.voiceOn, true);
  page.querySelector(".talk").dispatchEvent("tap");
  await settle();
  assert.deepEqual(started, [{ duration: 30000, lang: "zh_CN" }]);
  assert.ok(text(page).includes("说完了"));
  page.querySelector(".talk").dispatchEvent("tap");
  await settle();
  assert.equal(page.data.draft, "立案需要什么材料");
  assert.equal(page.data.listening, false);
  page.querySelector(".voice-toggle").dispatchEvent("tap"); // the user's switch: back to text only
  await settle();
  assert.equal(page.querySelector(".talk"), undefined);
  assert.equal(global.wx.getStorageSync("court:prefs").voice, false);
});

test("a recognition error says so and keeps text input", async (t) => {
  const manager = { start() { setTimeout(() => this.onError({ retcode: -30003, msg: "未识别到语音" })); }, stop() {} };
  const page = await chatWithVoice(t, manager);
  page.querySelector(".talk").dispatchEvent("tap");
  await settle();
  assert.ok(text(page).includes("没听清，请再说一次，或者直接打字"));
  assert.equal(page.data.listening, false);
});
