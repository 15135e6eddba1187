// A DOM for miniprogram-simulate (jsdom) and a fake `wx` whose network answers come from the real connector's
// recorded answers (tests/fixtures/connector.json, written by tests/e2e/test_wechat_miniprogram.py).
const path = require("node:path");
const fs = require("node:fs");
const { JSDOM } = require("jsdom");

const dom = new JSDOM("<!doctype html><html><head></head><body></body></html>", { url: "https://servicewechat.com/" });
for (const key of ["window", "document", "navigator", "Node", "Element", "HTMLElement", "Event", "CustomEvent",
  "MutationObserver", "getComputedStyle", "requestAnimationFrame"]) {
  if (dom.window[key] !== undefined) global[key] = key === "window" ? dom.window : dom.window[key];
}
global.requestAnimationFrame = global.requestAnimationFrame || ((callback) => setTimeout(callback, 0));

const simulate = require("miniprogram-simulate");

const APP = path.join(__dirname, "..", "app");
const FIXTURES = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "connector.json"), "utf8"));
const config = require(path.join(APP, "config.js"));
config.connectorBase = "https://assistant.test/webhooks/wechat";
config.serviceBase = "https://service.test";

// The fake wx: storage in a Map, calls recorded, requests answered by `routes` (a function per test).
function installWx(routes) {
  const storage = new Map();
  const calls = [];
  const record = (name, options) => calls.push({ name, options });
  global.wx = {
    getStorageSync: (key) => (storage.has(key) ? JSON.parse(storage.get(key)) : ""),
    setStorageSync: (key, value) => storage.set(key, JSON.stringify(value)),
    removeStorageSync: (key) => storage.delete(key),
    login(options) {
      record("login", options);
      const code = routes.loginCode ? routes.loginCode() : `ok-test_${calls.length}`;
      setTimeout(() => (code ? options.success({ code, errMsg: "login:ok" }) : options.fail({ errMsg: "login:fail" })));
    },
    request(options) {
      record("request", options);
      const url = new URL(options.url);
      setTimeout(() => {
        const answer = routes.request(url.pathname, options.method || "GET", options.data, options.header || {});
        if (!answer) options.fail({ errMsg: "request:fail timeout" });
        else options.success({ statusCode: answer.statusCode, data: answer.data, header: answer.header || {} });
      });
    },
    navigateTo: (options) => record("navigateTo", options),
    makePhoneCall: (options) => record("makePhoneCall", options),
    setClipboardData: (options) => record("setClipboardData", options),
    setNavigationBarTitle: (options) => record("setNavigationBarTitle", options),
    requestSubscribeMessage(options) {
      record("requestSubscribeMessage", options);
      const answer = routes.subscribe ? routes.subscribe(options.tmplIds) : {};
      setTimeout(() => options.success(Object.assign({ errMsg: "requestSubscribeMessage:ok" }, answer)));
    },
  };
  return { storage, calls };
}

// WXML compiled by WeChat's own compiler (wcc, shipped in miniprogram-compiler), as DevTools would.
function load(page) {
  const id = simulate.load(path.join(APP, page), { rootPath: APP, compiler: "official" });
  const component = simulate.render(id);
  component.attach(document.createElement("parent-wrapper"));
  return component;
}

// Until the page has no request in flight (every fake answer is a setTimeout).
async function settle(rounds = 20) {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
}

function text(component) {
  return component.dom.textContent.replace(/\s+/g, " ");
}

module.exports = { simulate, FIXTURES, APP, config, installWx, load, settle, text };
