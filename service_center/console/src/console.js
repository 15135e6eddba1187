// The staff console at /staff: log in, then the panels this role may use (hash links: #dashboard, #bookings ...).
import {api, ApiError, setCsrf} from "./api.js";
import {announce, h, setStatusRegion} from "./dom.js";
import {PANELS} from "./panels.js";

const root = document.getElementById("console");
let me = null;

function loginView(message) {
  const username = h("input", {id: "login-username", name: "username", autocomplete: "username", required: true});
  const password = h("input", {id: "login-password", name: "password", type: "password",
                               autocomplete: "current-password", required: true});
  const error = h("p", {id: "login-error", class: "error", role: "alert"}, message || "");
  const form = h("form", {class: "login panel", "aria-labelledby": "login-title"},
    h("h1", {id: "login-title"}, "诉讼服务中心 · 工作人员登录"),
    h("p", {}, h("label", {for: "login-username"}, "用户名"), username),
    h("p", {}, h("label", {for: "login-password"}, "密码"), password),
    error,
    h("button", {type: "submit", class: "primary big"}, "登录"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      me = await api("/api/staff/session", {method: "POST", body: {username: username.value, password: password.value}});
      setCsrf(me.csrf_token);
      appView();
    } catch (e) { error.textContent = e.message; password.value = ""; password.focus(); }
  });
  root.replaceChildren(h("main", {id: "main"}, form));
  username.focus();
}

function allowedPanels() {
  return PANELS.filter((p) => !p.capability || me.capabilities.includes(p.capability));
}

function appView() {
  const status = h("p", {id: "status", role: "status", "aria-live": "polite"});
  setStatusRegion(status);
  const nav = h("nav", {"aria-label": "控制台栏目"}, h("ul", {}, allowedPanels().map((p) =>
    h("li", {}, h("a", {href: `#${p.id}`, "data-panel": p.id}, p.title)))));
  const main = h("main", {id: "main", tabindex: "-1"});
  const logout = h("button", {type: "button", id: "logout", onclick: async () => {
    try { await api("/api/staff/session", {method: "DELETE"}); } catch (e) { /* the session may be gone already */ }
    me = null; setCsrf(null); location.hash = ""; loginView("您已退出登录。");
  }}, "退出登录");
  root.replaceChildren(
    h("a", {class: "skip", href: "#main"}, "跳到主要内容"),
    h("header", {class: "top"}, h("h1", {}, "诉讼服务中心 · 工作台"),
      h("p", {class: "who"}, `${me.display_name}（${me.role_name}）`), logout),
    nav, status, main);
  window.onhashchange = () => show(main, nav);
  show(main, nav);
}

async function show(main, nav) {
  const panels = allowedPanels();
  const panel = panels.find((p) => `#${p.id}` === location.hash) || panels[0];
  nav.querySelectorAll("a").forEach((a) => {
    if (a.dataset.panel === panel.id) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  document.title = `${panel.title} · 诉讼服务中心工作台`;
  main.replaceChildren();
  announce("");
  try {
    await panel.render(main, me);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { loginView("登录已过期，请重新登录。"); return; }
    announce(e.message, true);
  }
}

async function start() {
  try {
    me = await api("/api/staff/session");
    setCsrf(me.csrf_token);
    appView();
  } catch (e) {
    loginView(e instanceof ApiError && e.status === 401 ? "" : e.message);
  }
}
start();
