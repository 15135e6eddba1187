// Talking to the connector: wx.login -> POST {connectorBase}/login -> our token (kept with wx.setStorageSync and
// renewed a minute before it expires); every call carries it; a 401 (expired or unknown token) logs in again and
// repeats the call once, so an expired login never loses the conversation (the server keys the conversation by
// the WeChat user, and the page keeps its own copy of the messages).
const config = require("../config.js");

const TOKEN_KEY = "court:token";
const RENEW_BEFORE_MS = 60 * 1000;

class ApiError extends Error {
  // kind: offline | login | rate_limited | refused | server
  constructor(kind, message, extra) {
    super(message);
    Object.assign(this, { kind }, extra || {});
  }
}

const OFFLINE = "网络连不上，请检查网络后重试。急事请拨打12368诉讼服务热线。";

function request(url, method, data, header) {
  return new Promise((resolve, reject) => {
    wx.request({
      url, method, data, header: Object.assign({ "Content-Type": "application/json" }, header || {}),
      timeout: 30000,
      success: resolve,
      fail: () => reject(new ApiError("offline", OFFLINE)),
    });
  });
}

function errorFrom(response) {
  const body = response.data && response.data.error ? response.data.error : {};
  const status = response.statusCode;
  if (status === 429) {
    const retryAfter = (body.details && body.details.retry_after) || 60;
    return new ApiError("rate_limited", body.message || "发送太频繁，请稍后再试。", { retryAfter, status });
  }
  if (status === 401) return new ApiError("login", body.message || "登录已失效，请重新登录。", { status });
  if (status >= 500) return new ApiError("server", body.message || "服务暂时出现问题，请稍后再试。", { status });
  return new ApiError("refused", body.message || "请求没有成功，请稍后再试。", { status, code: body.code });
}

function storedToken() {
  const stored = wx.getStorageSync(TOKEN_KEY);
  return stored && stored.token && stored.expiresAt - RENEW_BEFORE_MS > Date.now() ? stored : null;
}

function forgetToken() {
  wx.removeStorageSync(TOKEN_KEY);
}

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      timeout: 10000,
      success: (result) => (result.code ? resolve(result.code) : reject(new ApiError("login", "微信登录没有成功，请重试。"))),
      fail: () => reject(new ApiError("offline", OFFLINE)),
    });
  });
}

let pendingLogin = null;

// One login at a time, however many calls need it.
function login() {
  if (!pendingLogin) {
    pendingLogin = (async () => {
      const code = await wxLogin();
      const response = await request(`${config.connectorBase}/login`, "POST", { code });
      if (response.statusCode !== 200) throw errorFrom(response);
      const body = response.data;
      const stored = { token: body.token, expiresAt: Date.now() + body.expires_in * 1000,
        phoneMasked: body.phone_masked || null };
      wx.setStorageSync(TOKEN_KEY, stored);
      return stored;
    })().then((stored) => { pendingLogin = null; return stored; },
      (error) => { pendingLogin = null; throw error; });
  }
  return pendingLogin;
}

async function authorized(path, data) {
  let stored = storedToken() || (await login());
  let response = await request(`${config.connectorBase}${path}`, "POST", data,
    { Authorization: `Bearer ${stored.token}` });
  if (response.statusCode === 401) {
    forgetToken();
    stored = await login();
    response = await request(`${config.connectorBase}${path}`, "POST", data,
      { Authorization: `Bearer ${stored.token}` });
  }
  if (response.statusCode === 200 || response.statusCode === 201) return response.data;
  throw errorFrom(response);
}

// One turn: the bot's messages as the connector shapes them.
async function say(message) {
  const body = await authorized("/webhook", { message: String(message).slice(0, 1000) });
  return Array.isArray(body.messages) ? body.messages : [];
}

// The getPhoneNumber button's code: the server exchanges it at WeChat and answers with a new token that carries
// the verified phone (signed), so the booking can use it without the number being typed.
async function verifyPhone(code) {
  const body = await authorized("/phone", { code });
  if (body.token) {
    wx.setStorageSync(TOKEN_KEY, { token: body.token, expiresAt: Date.now() + body.expires_in * 1000,
      phoneMasked: body.phone_masked || null });
  }
  return body;
}

function subscribe(reference, templateId) {
  return authorized("/subscriptions", { reference, template_id: templateId });
}

// Public settings of the connector (the reminder template id); null when unreachable.
async function clientConfig() {
  try {
    const response = await request(`${config.connectorBase}/config`, "GET");
    return response.statusCode === 200 ? response.data : null;
  } catch (error) {
    return null;
  }
}

// The service center's public JSON (guide entries, risk reports).
async function fetchJson(path) {
  const response = await request(`${config.serviceBase}${path}`, "GET");
  if (response.statusCode === 200) return response.data;
  throw errorFrom(response);
}

module.exports = { ApiError, login, say, verifyPhone, subscribe, clientConfig, fetchJson, storedToken, forgetToken,
  TOKEN_KEY };
