// 账号与令牌: my personal API tokens; for 管理员 also the accounts and the staff audit log.
import {api} from "./api.js";
import {announce, h} from "./dom.js";

export async function renderAccounts(container, me) {
  const tokens = h("div", {id: "my-tokens"});
  const shown = h("p", {id: "new-token", class: "secret", "aria-live": "polite"});
  const tokenName = h("input", {type: "text", id: "token-name", required: true, maxlength: 60, value: "脚本"});
  let tokensChanged = async () => {};  // the 管理员's audit log below refreshes too
  container.append(h("h2", {}, "账号与令牌"),
    h("h3", {}, "我的个人令牌"),
    h("p", {}, "个人令牌供脚本调用工作人员接口（Authorization: Bearer …），以您本人和您的角色操作；只显示一次，不用时请撤销。"),
    h("form", {class: "filters", onsubmit: async (e) => {
      e.preventDefault();
      try {
        const t = await api("/api/staff/tokens", {method: "POST", body: {name: tokenName.value}});
        shown.textContent = `新令牌（只显示这一次）：${t.token}`;
        await loadTokens();
        await tokensChanged();
      } catch (err) { announce(err.message, true); }
    }}, h("label", {for: "token-name"}, "用途 "), tokenName, h("button", {type: "submit", class: "primary"}, "新建令牌")),
    shown, tokens);

  async function loadTokens() {
    const data = await api("/api/staff/tokens");
    tokens.replaceChildren(h("table", {class: "data"}, h("caption", {}, "我的令牌"),
      h("thead", {}, h("tr", {}, ["用途", "开头", "创建", "最近使用", "状态", ""].map((t) => h("th", {scope: "col"}, t)))),
      h("tbody", {}, data.tokens.map((t) => h("tr", {},
        h("th", {scope: "row"}, t.name), h("td", {}, t.prefix + "…"), h("td", {}, t.created_at.slice(0, 16)),
        h("td", {}, t.last_used_at ? t.last_used_at.slice(0, 16) : "—"), h("td", {}, t.revoked ? "已撤销" : "有效"),
        h("td", {}, t.revoked ? "" : h("button", {onclick: async () => {
          try { await api(`/api/staff/tokens/${t.id}`, {method: "DELETE"}); announce(`令牌“${t.name}”已撤销。`); await loadTokens(); await tokensChanged(); }
          catch (err) { announce(err.message, true); }
        }}, "撤销")))))));
  }
  await loadTokens();
  if (!me.capabilities.includes("accounts")) return;

  const users = h("div", {id: "users"});
  const audit = h("div", {id: "audit"});
  const roles = (await api("/api/staff/roles")).roles;
  const form = h("form", {class: "filters", "aria-label": "新建账号"},
    h("label", {}, "用户名 ", h("input", {name: "username", required: true, maxlength: 40, pattern: "[A-Za-z0-9_.\\-]+"})),
    h("label", {}, "姓名 ", h("input", {name: "display_name", maxlength: 40})),
    h("label", {}, "角色 ", h("select", {name: "role"}, roles.map((r) => h("option", {value: r.role}, r.name)))),
    h("label", {}, "初始密码 ", h("input", {name: "password", type: "password", required: true, minlength: 10, autocomplete: "new-password"})),
    h("button", {type: "submit", class: "primary"}, "新建账号"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api("/api/staff/users", {method: "POST", body: Object.fromEntries(new FormData(form).entries())});
      form.reset();
      announce("账号已创建。");
      await loadUsers();
    } catch (err) { announce(err.message, true); }
  });
  container.append(h("h3", {}, "账号（管理员）"), form, users,
    h("h3", {}, "角色与权限"), h("ul", {}, roles.map((r) => h("li", {}, `${r.name}：${r.capabilities.join("；")}`))),
    h("h3", {}, "操作记录（最近200条）"), audit);

  async function change(user, body, done) {
    try { await api(`/api/staff/users/${encodeURIComponent(user.username)}`, {method: "PATCH", body}); announce(done); await loadUsers(); }
    catch (err) { announce(err.message, true); }
  }
  async function loadUsers() {
    const data = await api("/api/staff/users");
    users.replaceChildren(h("table", {class: "data"}, h("caption", {}, "全部账号"),
      h("thead", {}, h("tr", {}, ["用户名", "姓名", "角色", "状态", "最近登录", ""].map((t) => h("th", {scope: "col"}, t)))),
      h("tbody", {}, data.users.map((u) => h("tr", {},
        h("th", {scope: "row"}, u.username), h("td", {}, u.display_name), h("td", {}, u.role_name),
        h("td", {}, !u.active ? "已停用" : u.locked_until ? `锁定至 ${u.locked_until.slice(0, 16)}` : "正常"),
        h("td", {}, u.last_login_at ? u.last_login_at.slice(0, 16) : "—"),
        h("td", {class: "actions"},
          u.locked_until ? h("button", {onclick: () => change(u, {unlock: true}, `${u.username} 已解锁。`)}, "解锁") : null,
          u.username === me.username ? null : h("button", {onclick: () => change(u, {active: !u.active},
            `${u.username} 已${u.active ? "停用" : "启用"}。`)}, u.active ? "停用" : "启用")))))));
    const log = await api("/api/staff/audit?limit=200");
    audit.replaceChildren(h("table", {class: "data"}, h("caption", {}, "操作记录"),
      h("thead", {}, h("tr", {}, ["时间（UTC）", "人员", "角色", "操作", "对象"].map((t) => h("th", {scope: "col"}, t)))),
      h("tbody", {}, log.audit.map((a) => h("tr", {}, h("th", {scope: "row"}, a.at.slice(0, 19)), h("td", {}, a.username),
        h("td", {}, a.role_name || "—"), h("td", {}, a.action), h("td", {}, a.target || ""))))));
  }
  tokensChanged = loadUsers;
  await loadUsers();
}
