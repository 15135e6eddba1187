// The connector's messages -> what the chat page shows. Pure functions (no wx.*), so they are easy to test.
// Everything is shown as text: WXML's {{ }} never interprets markup, and no rich-text node is ever built from bot data.

let counter = 0;
const newId = (prefix) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

const WEEKDAYS = ["日", "一", "二", "三", "四", "五", "六"];

// "2026-12-09T09:00:00+08:00" -> "2026年12月9日 周三 09:00". The time is already the court's (the service center
// sends court-local times with their offset), so the parts are read as written, whatever the phone's time zone.
function formatStart(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(String(value || ""));
  if (!match) return String(value || "");
  const [, year, month, day, hour, minute] = match;
  const weekday = WEEKDAYS[new Date(Date.UTC(+year, +month - 1, +day)).getUTCDay()];
  return `${+year}年${+month}月${+day}日 周${weekday} ${hour}:${minute}`;
}

const PHONE = /^[0-9+\-]{3,20}$/;

// Crisis cards (the safety module's card type: {"type": "crisis", "kind", "urgent", "title",
// "numbers": [{"key", "number", "name"}], "guide_entry"?}): their numbers, also under the other usual names.
function crisisPhones(card) {
  const lists = [card.numbers, card.phones, card.hotlines, card.contacts].filter(Array.isArray);
  const phones = [];
  lists.forEach((list) => list.forEach((item) => {
    const entry = typeof item === "string" ? { label: item, number: item }
      : item && typeof item === "object" ? { label: item.name || item.label || item.title || "",
        number: String(item.number || item.phone || item.tel || "") } : null;
    if (!entry) return;
    entry.number = entry.number.replace(/\s/g, "");
    if (PHONE.test(entry.number)) phones.push({ label: String(entry.label || entry.number), number: entry.number });
  }));
  if (typeof card.phone === "string" && PHONE.test(card.phone)) phones.push({ label: card.phone, number: card.phone });
  return phones;
}

function text(value) {
  return typeof value === "string" ? value : "";
}

// One connector message -> one item of the message list (null: nothing to show).
function toItem(message) {
  if (!message || typeof message !== "object") return null;
  const id = newId("b");
  switch (message.type) {
    case "text":
      return text(message.text) ? { id, from: "bot", kind: "text", text: message.text } : null;
    case "quick_replies": {
      const items = (Array.isArray(message.items) ? message.items : [])
        .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
        .map((b) => ({ title: b.title, payload: b.payload }));
      return items.length ? { id, from: "bot", kind: "choices", items } : null;
    }
    case "link_card":
      if (message.kind === "guide") {
        return { id, from: "bot", kind: "guide", title: text(message.title) || "办事指南",
          entryId: text(message.entry_id), url: text(message.url),
          basis: (Array.isArray(message.basis) ? message.basis : []).filter((b) => typeof b === "string") };
      }
      if (message.kind === "risk_report") {
        return { id, from: "bot", kind: "risk", title: "诉讼风险自测报告", reportId: text(message.report_id),
          level: text(message.level), url: text(message.url) };
      }
      return { id, from: "bot", kind: "unknown", text: [text(message.title), text(message.description)]
        .filter(Boolean).join("\n") };
    case "booking_confirmation":
      return { id, from: "bot", kind: "booking", reference: text(message.reference),
        service: text(message.service_name) || text(message.service), start: formatStart(message.start),
        place: text(message.place), bring: (Array.isArray(message.bring) ? message.bring : []).map(String),
        subscribed: false };
    case "handoff":
      return { id, from: "bot", kind: "handoff", phone: PHONE.test(String(message.phone || "")) ? message.phone : "12368" };
    case "crisis":
      return { id, from: "bot", kind: "crisis", title: text(message.title) || "请马上寻求帮助",
        text: text(message.text) || text(message.message), phones: crisisPhones(message),
        urgent: message.urgent !== false, entryId: text(message.guide_entry) };
    case "phone_request":
      return { id, from: "bot", kind: "phone_request", done: false };
    case "image":
      return null; // links to pictures open nowhere useful in a chat for older users; the text says it all
    default: {
      // A card this version does not know: its words as text, never its markup.
      const words = [text(message.title), text(message.text), text(message.message), text(message.description)]
        .filter(Boolean).join("\n");
      return words ? { id, from: "bot", kind: "unknown", text: words } : null;
    }
  }
}

function toItems(messages) {
  return (Array.isArray(messages) ? messages : []).map(toItem).filter(Boolean);
}

function userItem(textValue) {
  return { id: newId("u"), from: "user", kind: "text", text: String(textValue) };
}

function noticeItem(textValue) {
  return { id: newId("n"), from: "notice", kind: "notice", text: String(textValue) };
}

module.exports = { toItem, toItems, userItem, noticeItem, formatStart, crisisPhones };
