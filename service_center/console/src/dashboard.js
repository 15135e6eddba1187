// 质效看板: filters, headline figures, one ECharts chart per table, each with its table and a CSV download.
import * as echarts from "echarts/core";
import {BarChart, LineChart} from "echarts/charts";
import {GridComponent, LegendComponent, TooltipComponent} from "echarts/components";
import {CanvasRenderer} from "echarts/renderers";

import {api, query} from "./api.js";
import {addDays, announce, courtToday, dataTable, h, percent} from "./dom.js";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

// How each table is drawn: chart type, which columns are series, stacked or not. Rate columns are not drawn
// (they are in the table); x is the first column.
const CHARTS = {
  conversations_by_day: {type: "line"},
  turns_by_hour: {type: "bar", stack: true},
  outcomes_by_day: {type: "bar", stack: true},
  satisfaction_by_day: {type: "bar"},
  top_entries: {type: "hbar", x: 1, series: [2]},
  negative_entries: {type: "hbar", x: 1, series: [2, 3]},
  top_unanswered: {type: "hbar", x: 0, series: [1]},
  bookings_by_day: {type: "bar", stack: true},
  booking_rates: {type: "bar", series: [1, 2, 3, 4]},
  risk_by_type: {type: "bar", stack: true, series: [1, 2, 3, 5], unstacked: [5]},  // levels stacked, bookings beside
  hotline_by_day: {type: "line"},
  callbacks_pending: {type: "bar"},
  review_by_day: {type: "bar", stack: true, series: [1, 2, 3]},
};
const HEADLINES = [
  ["conversations", "会话"], ["turns", "对话轮次"], ["answered", "已解答"], ["unanswered", "未能解答"],
  ["unanswered_rate", "未解答率", percent], ["handoffs", "转人工"], ["satisfaction", "满意率", percent],
  ["bookings", "新增预约"], ["no_shows", "未到"], ["risk_assessments", "风险自测"],
  ["risk_led_to_booking", "自测后预约"], ["hotline_calls", "热线来电"],
  ["callbacks_pending", "待回电"], ["questions_reviewed", "已处理未答问题"],
];
const charts = [];

function seriesColumns(table, spec) {
  if (spec.series) return spec.series;
  return table.columns.map((c, i) => i).filter((i) => i > 0 && !/rate|satisfaction/.test(table.columns[i]));
}

function chartOption(table, spec) {
  const x = spec.x || 0;
  const rows = spec.type === "hbar" ? [...table.rows].reverse() : table.rows;
  const categories = rows.map((r) => r[x]);
  const series = seriesColumns(table, spec).map((i) => ({
    name: table.labels[i], type: spec.type === "hbar" ? "bar" : spec.type, data: rows.map((r) => r[i] ?? 0),
    stack: spec.stack && !(spec.unstacked || []).includes(i) ? "total" : undefined,
    smooth: false, showSymbol: rows.length < 40,
  }));
  const category = {type: "category", data: categories, axisLabel: {color: "#333"}};
  const value = {type: "value", minInterval: 1, axisLabel: {color: "#333"}};
  return {
    animation: false,
    textStyle: {fontFamily: "system-ui, 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"},
    tooltip: {trigger: "axis"},
    legend: {top: 0, textStyle: {color: "#222"}},
    grid: {left: spec.type === "hbar" ? 160 : 48, right: 24, top: 40, bottom: 32, containLabel: false},
    xAxis: spec.type === "hbar" ? value : category,
    yAxis: spec.type === "hbar" ? category : value,
    series,
  };
}

function describe(table) {
  const total = (i) => table.rows.reduce((sum, r) => sum + (Number(r[i]) || 0), 0);
  const parts = seriesColumns(table, CHARTS[table.id] || {}).slice(0, 4).map((i) => `${table.labels[i]}合计${total(i)}`);
  return `图表：${table.title}。${parts.join("，")}。完整数字见下方数据表。`;
}

function chartSection(table, params) {
  const spec = CHARTS[table.id] || {type: "bar"};
  const canvas = h("div", {class: "chart", role: "img", "aria-label": describe(table)});
  const csv = `/api/staff/dashboard/tables/${table.id}.csv?${query(params)}`;
  const section = h("section", {class: "panel chart-panel", "aria-labelledby": `t-${table.id}`, "data-table": table.id},
    h("h3", {id: `t-${table.id}`}, table.title),
    canvas,
    h("details", {},
      h("summary", {}, "查看数据表（图表的文字版）"),
      dataTable(table.title, table.labels, table.rows,
                (v, i) => (/rate|satisfaction|capacity_used/.test(table.columns[i]) ? percent(v) : v ?? "—"))),
    h("p", {}, h("a", {href: csv, download: "", class: "csv"}, `下载“${table.title}”CSV`)));
  return {section, draw() {
    const chart = echarts.init(canvas, null, {renderer: "canvas"});
    chart.setOption(chartOption(table, spec));
    charts.push(chart);
  }};
}

export async function renderDashboard(container) {
  const until = courtToday();
  const form = h("form", {class: "filters", "aria-label": "看板筛选"},
    h("label", {}, "开始日期 ", h("input", {type: "date", name: "since", value: addDays(until, -29), required: true})),
    h("label", {}, "结束日期 ", h("input", {type: "date", name: "until", value: until, required: true})),
    h("label", {}, "渠道 ", h("select", {name: "channel"},
      h("option", {value: ""}, "全部渠道"), h("option", {value: "web"}, "网页"),
      h("option", {value: "hotline"}, "12368热线"), h("option", {value: "wechat"}, "微信小程序"),
      h("option", {value: "api"}, "接口/测试"))),
    h("button", {type: "submit", class: "primary"}, "查看"));
  const headline = h("section", {class: "headline", "aria-labelledby": "headline-title"},
    h("h3", {id: "headline-title"}, "主要数字"));
  const grid = h("div", {class: "charts"});
  container.append(h("h2", {}, "质效看板"), form, headline, grid);

  async function load() {
    const params = Object.fromEntries(new FormData(form).entries());
    announce("正在加载看板数据……");
    let data;
    try {
      data = await api(`/api/staff/dashboard/tables?${query(params)}`);
    } catch (e) { announce(e.message, true); return; }
    charts.splice(0).forEach((c) => c.dispose());
    const s = data.summary;
    headline.replaceChildren(h("h3", {id: "headline-title"}, `主要数字（${s.since} 至 ${s.until}）`),
      h("dl", {class: "figures"}, HEADLINES.map(([key, label, fmt]) =>
        h("div", {class: "figure", "data-key": key}, h("dt", {}, label), h("dd", {}, fmt ? fmt(s[key]) : s[key])))));
    const sections = data.tables.map((t) => chartSection(t, params));
    grid.replaceChildren(...sections.map((x) => x.section));
    sections.forEach((x) => x.draw());
    announce(`看板已更新：${s.since} 至 ${s.until}，会话 ${s.conversations}，新增预约 ${s.bookings}。`);
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  await load();
}
