// Two panels that other parts of the system feed: safety alerts (a litigant in danger or crisis; docs/safety.md) and
// the system's state (each supervised process and its crashes, and years whose holiday arrangement is provisional).
import {api, query} from "./api.js";
import {announce, dataTable, h} from "./dom.js";

const CHANNELS = {rest: "网页接口", socketio: "网页", hotline_12368: "12368热线", wechat: "微信小程序"};
const when = (iso) => new Date(iso).toLocaleString("zh-CN", {timeZone: "Asia/Shanghai"});

export async function renderSafety(container) {
  const list = h("div", {id: "safety-list"});
  container.append(h("h2", {}, "安全提醒"),
    h("p", {}, "当事人表示有危险、想轻生、要伤害他人或急病时，助手已先给出求助电话；这里列出尚未确认的提醒，紧急的在前。" +
      "原话只在“伤害他人”的提醒中保留。确认前请按值班规定处理（如回拨、报告）。"), list);

  async function acknowledge(event, note) {
    try {
      await api(`/api/staff/safety/events/${event.id}`, {method: "PATCH", body: {status: "acknowledged", note: note || null}});
      announce(`安全提醒 ${event.id} 已确认。`);
      await load();
    } catch (e) { announce(e.message, true); }
  }

  async function load() {
    try {
      const items = await api(`/api/staff/safety/events?${query({status: "open"})}`);
      list.replaceChildren(h("table", {class: "data desk"}, h("caption", {}, `未确认的安全提醒 ${items.length} 条`),
        h("thead", {}, h("tr", {}, ["时间", "类别", "渠道", "会话", "原话", "处理说明", "确认"].map((t) => h("th", {scope: "col"}, t)))),
        h("tbody", {}, items.length ? items.map((event) => {
          const note = h("input", {type: "text", maxlength: 500, "aria-label": `安全提醒 ${event.id} 的处理说明`});
          return h("tr", {"data-safety": event.id, class: event.urgent ? "urgent" : null},
            h("th", {scope: "row"}, when(event.created_at)),
            h("td", {}, (event.urgent ? "紧急：" : "") + event.kind_name), h("td", {}, CHANNELS[event.channel] || event.channel),
            h("td", {}, event.conversation_ref.slice(0, 13)), h("td", {}, event.text || "—"), h("td", {}, note),
            h("td", {class: "actions"}, h("button", {class: "big primary", onclick: () => acknowledge(event, note.value)}, "已处理")));
        }) : h("tr", {}, h("td", {colspan: 7}, "没有未确认的安全提醒")))));
    } catch (e) { announce(e.message, true); }
  }
  await load();
}

export async function renderSystem(container) {
  const body = h("div", {id: "system-state"});
  container.append(h("h2", {}, "运行状况"), body);
  try {
    const response = await fetch("/health", {headers: {Accept: "application/json"}});
    const health = await response.json();  // 503 still carries the same body
    const checks = Object.entries(health.checks || {}).map(([name, c]) => [name, c.status]);
    const processes = Object.entries((health.supervision || {}).processes || {})
      .map(([name, p]) => [name, p.state || "—", p.crashes ?? 0]);
    body.replaceChildren(
      h("p", {}, health.status === "ok" ? "各部分运行正常。" : "有部分未正常运行，请查看下表。"),
      ...(health.warnings || []).map((w) => h("p", {class: "warning", role: "note"}, w)),
      dataTable("各部分状态", ["部分", "状态"], checks),
      dataTable("进程与崩溃次数（make run 下由 supervisord 自动重启）", ["进程", "状态", "崩溃次数"], processes));
  } catch (e) { announce("读取运行状况失败，请稍后重试", true); }
}
