// A tiny element builder: h("button", {class: "big", onclick: fn}, "签到"). Text is always set as text, never HTML.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let status;
export function setStatusRegion(el) { status = el; }
// Polite announcements for screen readers (and a visible line for everyone).
export function announce(text, isError) {
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("error", Boolean(isError));
}

export function courtToday() {
  // The court keeps Beijing time whatever the browser's zone.
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

export function addDays(day, n) {
  const d = new Date(day + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function percent(value) {
  return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%";
}

export function dataTable(caption, labels, rows, format) {
  return h("table", {class: "data"},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, labels.map((l) => h("th", {scope: "col"}, l)))),
    h("tbody", {}, rows.length ? rows.map((row) => h("tr", {}, row.map((v, i) =>
      i === 0 ? h("th", {scope: "row"}, format ? format(v, i) : v) : h("td", {}, format ? format(v, i) : v))))
      : h("tr", {}, h("td", {colspan: labels.length}, "这段时间没有数据"))));
}
