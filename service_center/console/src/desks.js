// 预约台 (filing windows and mediation rooms) and 回电登记 (12368 agents): large, keyboard-first lists.
import {api, query} from "./api.js";
import {addDays, announce, courtToday, h} from "./dom.js";

const SERVICE_NAMES = {mediation: "诉前调解", filing: "立案", cross_region_filing: "跨域立案",
                       judicial_confirmation: "司法确认"};
const STATUS = {booked: "已预约", cancelled: "已取消", checked_in: "已签到", no_show: "未到场"};

export async function renderBookings(container, me) {
  const services = me.booking_services || Object.keys(SERVICE_NAMES);
  let day = courtToday();
  const dayInput = h("input", {type: "date", id: "desk-day", value: day});
  const serviceSelect = h("select", {id: "desk-service"},
    services.length > 1 ? h("option", {value: ""}, "本窗口全部服务") : null,
    services.map((s) => h("option", {value: s}, SERVICE_NAMES[s] || s)));
  const list = h("div", {id: "desk-list"});
  const upcoming = h("div", {id: "desk-upcoming"});
  const csv = h("a", {class: "csv", download: ""}, "导出当天CSV");
  container.append(
    h("h2", {}, "预约台"),
    h("form", {class: "filters", "aria-label": "选择日期和服务", onsubmit: (e) => { e.preventDefault(); load(); }},
      h("button", {type: "button", onclick: () => shift(-1)}, "前一天"),
      h("label", {for: "desk-day"}, "日期 "), dayInput,
      h("button", {type: "button", onclick: () => shift(1)}, "后一天"),
      h("label", {for: "desk-service"}, "服务 "), serviceSelect,
      h("button", {type: "submit", class: "primary"}, "刷新"), csv),
    list, h("h3", {}, "未来7天预约数"), upcoming);

  function shift(n) { dayInput.value = addDays(dayInput.value, n); load(); }

  async function act(booking, path, body) {
    try {
      await api(`/api/staff/bookings/${encodeURIComponent(booking.reference)}/${path}`, {method: "POST", body});
      announce(`预约 ${booking.reference} 已${{"check-in": "签到", "no-show": "记为未到", cancel: "取消"}[path]}。`);
      await load(booking.reference);
    } catch (e) { announce(e.message, true); }
  }

  function cancelForm(booking, cell) {
    const reason = h("input", {type: "text", required: true, maxlength: 200, "aria-label": `取消 ${booking.reference} 的原因`,
                               placeholder: "取消原因（会告知当事人）"});
    const form = h("form", {class: "inline", onsubmit: (e) => { e.preventDefault(); act(booking, "cancel", {reason: reason.value}); }},
      reason, h("button", {type: "submit", class: "danger"}, "确认取消"),
      h("button", {type: "button", onclick: () => load(booking.reference)}, "返回"));
    cell.replaceChildren(form);
    reason.focus();
  }

  function row(b) {
    const actions = h("td", {class: "actions"});
    if (b.status === "booked") {
      actions.append(
        h("button", {class: "big primary", onclick: () => act(b, "check-in"), "aria-label": `签到：${b.label} ${b.name}`}, "签到"),
        h("button", {class: "big", onclick: () => act(b, "no-show"), "aria-label": `未到：${b.label} ${b.name}`}, "未到"),
        h("button", {class: "big danger", onclick: () => cancelForm(b, actions), "aria-label": `取消：${b.label} ${b.name}`}, "取消"));
    }
    return h("tr", {class: `status-${b.status}`, "data-reference": b.reference},
      h("th", {scope: "row"}, b.label), h("td", {}, b.reference), h("td", {}, b.service_name), h("td", {}, b.name),
      h("td", {}, b.phone), h("td", {}, b.description || ""), h("td", {}, STATUS[b.status] || b.status,
        b.cancel_reason ? `（${b.cancel_reason}）` : ""), actions);
  }

  async function load(focusReference) {
    day = dayInput.value || courtToday();
    const params = {day, service: serviceSelect.value};
    csv.href = `/api/staff/bookings?${query({...params, format: "csv"})}`;
    try {
      const data = await api(`/api/staff/bookings?${query(params)}`);
      list.replaceChildren(h("table", {class: "data desk"},
        h("caption", {}, `${day} 的预约（${data.count} 个）`),
        h("thead", {}, h("tr", {}, ["时间", "预约号", "服务", "姓名", "电话", "事由", "状态", "办理"].map((t) => h("th", {scope: "col"}, t)))),
        h("tbody", {}, data.bookings.length ? data.bookings.map(row) : h("tr", {}, h("td", {colspan: 8}, "这一天没有预约")))));
      const target = focusReference && list.querySelector(`tr[data-reference="${focusReference}"] th`);
      if (target) { target.tabIndex = -1; target.focus(); }
    } catch (e) { announce(e.message, true); }
    loadUpcoming();
  }

  async function loadUpcoming() {
    const days = Array.from({length: 7}, (_, i) => addDays(courtToday(), i));
    try {
      const lists = await Promise.all(days.map((d) => api(`/api/staff/bookings?${query({day: d, status: "booked"})}`)));
      upcoming.replaceChildren(h("table", {class: "data"}, h("caption", {}, "未来7天仍有效的预约（按服务）"),
        h("thead", {}, h("tr", {}, h("th", {scope: "col"}, "日期"), services.map((s) => h("th", {scope: "col"}, SERVICE_NAMES[s] || s)))),
        h("tbody", {}, lists.map((l, i) => h("tr", {}, h("th", {scope: "row"}, days[i]),
          services.map((s) => h("td", {}, l.bookings.filter((b) => b.service === s).length)))))));
    } catch (e) { announce(e.message, true); }
  }
  await load();
}

export async function renderCallbacks(container) {
  const list = h("div", {id: "callback-list"});
  container.append(h("h2", {}, "回电登记"),
    h("p", {}, "来电人在无人接听或非工作时间登记的回电请求，按登记先后排列。回电后记录结果。"), list);

  async function finish(callback, status, note) {
    try {
      await api(`/api/staff/hotline/callbacks/${callback.id}`, {method: "PATCH", body: {status, note: note || null}});
      announce(`回电登记 ${callback.id} 已${status === "done" ? "完成" : "取消"}。`);
      await load();
    } catch (e) { announce(e.message, true); }
  }

  async function load() {
    try {
      const items = await api("/api/staff/hotline/callbacks?status=pending");
      list.replaceChildren(h("table", {class: "data desk"}, h("caption", {}, `待回电 ${items.length} 个`),
        h("thead", {}, h("tr", {}, ["登记时间", "号码", "原因", "回电结果", "办理"].map((t) => h("th", {scope: "col"}, t)))),
        h("tbody", {}, items.length ? items.map((c) => {
          const note = h("input", {type: "text", maxlength: 500, "aria-label": `回电 ${c.phone_masked} 的结果`, placeholder: "如：已解答、无人接听"});
          return h("tr", {"data-callback": c.id},
            h("th", {scope: "row"}, new Date(c.created_at).toLocaleString("zh-CN", {timeZone: "Asia/Shanghai"})),
            h("td", {}, h("a", {href: `tel:${c.phone}`}, c.phone)), h("td", {}, c.reason), h("td", {}, note),
            h("td", {class: "actions"},
              h("button", {class: "big primary", onclick: () => finish(c, "done", note.value)}, "已回电"),
              h("button", {class: "big", onclick: () => finish(c, "cancelled", note.value)}, "不再回电")));
        }) : h("tr", {}, h("td", {colspan: 5}, "没有待回电的登记")))));
    } catch (e) { announce(e.message, true); }
  }
  await load();
}
