// The web chat page: Preact + htm on top of Rasa's socket.io channel.
// Safety: every piece of bot text is rendered as text (Preact escapes strings; no innerHTML anywhere);
// links become <a> only for http(s) URLs on the hosts the server allows.
import { h, render } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import htm from "htm";
import { io } from "socket.io-client";

const html = htm.bind(h);
const config = JSON.parse(document.getElementById("chat-config").textContent);
const STORE_KEY = "court-chat:v1";
const PREFS_KEY = "court-chat:prefs";
const MAX_KEPT = 200;

// ---------- storage: the page keeps its own copy of the conversation (see docs/web_and_wechat.md) ----------
function loadStore() {
  try {
    const stored = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
    if (stored && Array.isArray(stored.messages)) return stored;
  } catch (_) { /* unreadable storage: start afresh */ }
  return { sessionId: null, greeted: false, messages: [] };
}
function saveStore(store) {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify({ ...store, messages: store.messages.slice(-MAX_KEPT) }));
  } catch (_) { /* private mode or full: the chat still works, only without history */ }
}
function loadPrefs() {
  try { return JSON.parse(localStorage.getItem(PREFS_KEY) || "{}"); } catch (_) { return {}; }
}

// ---------- links ----------
const allowedHosts = new Set(config.linkHosts || []);
export function safeUrl(raw) {
  try {
    const url = new URL(String(raw), window.location.href);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    if (!allowedHosts.has(url.host) && !allowedHosts.has(url.hostname)) return null;
    return url.href;
  } catch (_) { return null; }
}
const URL_IN_TEXT = /(https?:\/\/[^\s，。；、！？）】"'<>]+)/g;

function Linkified({ text }) {
  const parts = String(text).split(URL_IN_TEXT);
  return parts.map((part, i) => {
    if (i % 2 === 0) return part;
    const href = safeUrl(part);
    return href ? html`<a href=${href} target="_blank" rel="noopener noreferrer">${part}</a>` : part;
  });
}

// ---------- turning bot_uttered payloads into messages ----------
let counter = 0;
const newId = () => `${Date.now().toString(36)}-${(counter++).toString(36)}`;

export function fromBot(data) {
  const message = { id: newId(), from: "bot" };
  if (!data || typeof data !== "object") return null;
  if (typeof data.text === "string") message.text = data.text;
  const buttons = data.quick_replies || data.buttons;
  if (Array.isArray(buttons)) {
    message.buttons = buttons
      .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
      .map((b) => ({ title: b.title, payload: b.payload }));
  }
  // Our socket.io connector sends custom payloads as {"custom": {...}}; accept a bare card too.
  const custom = data.custom || (data.type || data.handoff ? data : null);
  if (custom && typeof custom === "object") message.card = custom;
  if (data.attachment && data.attachment.type === "image" && data.attachment.payload) {
    message.image = data.attachment.payload.src;
  }
  if (!message.text && !message.card && !message.buttons && !message.image) return null;
  return message;
}

function formatTime(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  // Appointments are at the court, so its time zone, whatever the phone's setting.
  return date.toLocaleString("zh-CN", { timeZone: config.timeZone || "Asia/Shanghai", year: "numeric",
    month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false });
}

// ---------- cards ----------
function GuideCard({ card, message, onFeedback, askedInChat }) {
  const href = safeUrl(card.url);
  const basis = Array.isArray(card.basis) ? card.basis : [];
  return html`<div class="card" role="group" aria-label="办事指南">
    <div class="card-title">${card.title || "办事指南"}</div>
    ${basis.length > 0 && html`<div class="card-row"><span class="label">依据：</span>${basis
      .map((b) => `${b.law ? `《${String(b.law).replace(/[《》]/g, "")}》` : ""}${b.article || ""}`).join("；")}</div>`}
    ${href && html`<a class="card-link" href=${href} target="_blank" rel="noopener noreferrer">查看完整指南</a>`}
    ${card.entry_id && !askedInChat && html`<div class="feedback">
      ${message.feedback
        ? html`<span class="feedback-done" role="status">${message.feedback}</span>`
        : html`<span class="label">这个回答有帮助吗？</span>
          <button type="button" onClick=${() => onFeedback(message, true)}>有帮助</button>
          <button type="button" onClick=${() => onFeedback(message, false)}>没帮助</button>`}
    </div>`}
  </div>`;
}

// Booking service codes (see actions/booking.py SERVICES) -> what a person reads.
const SERVICE_NAMES = { mediation: "诉前调解", filing: "立案", cross_region_filing: "跨域立案",
  judicial_confirmation: "司法确认" };

function BookingCard({ card }) {
  const bring = Array.isArray(card.bring) ? card.bring : [];
  return html`<div class="card card-ok" role="group" aria-label="预约确认">
    <div class="card-title">预约成功</div>
    <dl>
      <dt>预约号</dt><dd class="reference">${card.reference}</dd>
      ${card.service && html`<dt>事项</dt><dd>${SERVICE_NAMES[card.service] || card.service}</dd>`}
      ${card.start && html`<dt>时间</dt><dd>${formatTime(card.start)}</dd>`}
      ${card.place && html`<dt>地点</dt><dd>${card.place}</dd>`}
    </dl>
    ${bring.length > 0 && html`<div class="card-row"><span class="label">请携带：</span>
      <ul>${bring.map((item) => html`<li>${item}</li>`)}</ul></div>`}
  </div>`;
}

function RiskCard({ card }) {
  const href = safeUrl(card.url);
  return html`<div class="card" role="group" aria-label="风险自测报告">
    <div class="card-title">诉讼风险自测报告</div>
    <dl>
      ${card.id && html`<dt>报告编号</dt><dd class="reference">${card.id}</dd>`}
      ${card.level && html`<dt>风险等级</dt><dd>${card.level}</dd>`}
    </dl>
    ${href && html`<a class="card-link" href=${href} target="_blank" rel="noopener noreferrer">查看完整报告</a>`}
  </div>`;
}

function HandoffCard() {
  return html`<div class="card card-handoff" role="group" aria-label="转人工">
    <div class="card-title">人工服务</div>
    <a class="card-link" href="tel:12368">拨打 12368 诉讼服务热线</a>
  </div>`;
}

// A crisis (danger, suicidal crisis, threat, medical emergency; docs/safety.md): an alert that screen readers
// announce at once, with each help line as a large tel: link. Only digits reach a tel: URL.
function CrisisCard({ card }) {
  const numbers = (Array.isArray(card.numbers) ? card.numbers : [])
    .filter((n) => n && /^[0-9+-]{3,20}$/.test(String(n.number)));
  const guide = typeof card.guide_entry === "string" && /^[a-z0-9-]+$/.test(card.guide_entry) ? card.guide_entry : null;
  return html`<div class="card card-crisis" role="alert" aria-label=${card.title || "紧急求助"}>
    <div class="card-title">${card.title || "您的安全最重要"}</div>
    <ul class="crisis-numbers">
      ${numbers.map((n) => html`<li><a class="crisis-number" href=${`tel:${n.number}`}>
        <span class="crisis-name">${n.name}</span> <strong>${n.number}</strong></a></li>`)}
    </ul>
    ${guide && html`<a class="card-link" href=${`/guide/${guide}`} target="_blank" rel="noopener noreferrer">人身安全保护令怎么申请</a>`}
  </div>`;
}

function Card({ card, message, onFeedback, askedInChat }) {
  if (card.type === "crisis") return html`<${CrisisCard} card=${card} />`;
  if (card.type === "guide_answer") {
    return html`<${GuideCard} card=${card} message=${message} onFeedback=${onFeedback} askedInChat=${askedInChat} />`;
  }
  if (card.type === "booking_confirmation") return html`<${BookingCard} card=${card} />`;
  if (card.type === "risk_report") return html`<${RiskCard} card=${card} />`;
  if (card.handoff) return html`<${HandoffCard} />`;
  return null; // unknown cards are optional extras: the text already says everything
}

// ---------- one message ----------
function Message({ message, active, askedInChat, onButton, onFeedback, onResend }) {
  if (message.from === "notice") {
    return html`<li class="msg notice" role="note">
      <span>${message.text}</span>
      ${message.resend && html` <button type="button" onClick=${() => onResend(message)}>重新发送</button>`}
    </li>`;
  }
  const who = message.from === "user" ? "我" : "助手";
  const image = message.image && safeUrl(message.image);
  return html`<li class=${`msg ${message.from}`}>
    <span class="sr-only">${who}：</span>
    ${message.text && html`<div class="bubble"><${Linkified} text=${message.text} /></div>`}
    ${image && html`<a class="card-link" href=${image} target="_blank" rel="noopener noreferrer">查看图片</a>`}
    ${message.card && html`<${Card} card=${message.card} message=${message} onFeedback=${onFeedback}
      askedInChat=${askedInChat} />`}
    ${message.buttons && message.buttons.length > 0 && html`<div class="quick-replies" role="group" aria-label="可选回复">
      ${message.buttons.map((b) => html`<button type="button" class="quick" disabled=${!active}
        onClick=${() => onButton(b)}>${b.title}</button>`)}
    </div>`}
  </li>`;
}

// ---------- the app ----------
const REPLY_TIMEOUT_MS = config.replyTimeoutMs || 25000;

function App() {
  const [store, setStore] = useState(loadStore);
  const [status, setStatus] = useState("connecting"); // connecting | online | offline
  const [typing, setTyping] = useState(false);
  const [draft, setDraft] = useState("");
  const [large, setLarge] = useState(!!loadPrefs().large);
  const storeRef = useRef(store);
  const socketRef = useRef(null);
  const replyTimer = useRef(null);
  const lastSent = useRef(null);
  const listEnd = useRef(null);
  const input = useRef(null);

  const update = (change) => {
    const next = { ...storeRef.current, ...change(storeRef.current) };
    storeRef.current = next;
    saveStore(next);
    setStore(next);
  };
  const append = (message) => update((s) => ({ messages: [...s.messages, message] }));

  const clearReplyTimer = () => { clearTimeout(replyTimer.current); replyTimer.current = null; };

  const emitMessage = (payload, shown) => {
    const socket = socketRef.current;
    const sessionId = storeRef.current.sessionId;
    if (!socket || !socket.connected || !sessionId) { setStatus("offline"); return false; }
    if (shown) append({ id: newId(), from: "user", text: shown });
    socket.emit("user_uttered", { message: payload, session_id: sessionId });
    lastSent.current = { payload, shown };
    setTyping(true);
    clearReplyTimer();
    replyTimer.current = setTimeout(() => {
      setTyping(false);
      append({ id: newId(), from: "notice", text: "暂时没有收到回复，请稍后重试。", resend: { payload, shown: null } });
    }, REPLY_TIMEOUT_MS);
    return true;
  };

  const greet = () => {
    if (!storeRef.current.greeted && emitMessage("/greet", null)) update(() => ({ greeted: true }));
  };

  useEffect(() => {
    const socket = io(config.rasaUrl, {
      path: config.socketPath || "/socket.io",
      // Keep trying (every 5 s at most) while the banner shows: a restarting Rasa server takes about a minute to
      // load its model, and the page must come back by itself when it is up again.
      reconnectionAttempts: Infinity,
      reconnectionDelayMax: 5000,
      timeout: 8000,
    });
    socketRef.current = socket;
    socket.on("connect", () => {
      socket.emit("session_request", { session_id: storeRef.current.sessionId });
    });
    socket.on("session_confirm", (sessionId) => {
      const id = typeof sessionId === "string" ? sessionId : sessionId && sessionId.session_id;
      if (id && id !== storeRef.current.sessionId) update(() => ({ sessionId: id }));
      setStatus("online");
      greet();
    });
    socket.on("bot_uttered", (data) => {
      const message = fromBot(data);
      clearReplyTimer();
      setTyping(false);
      if (message) append(message);
    });
    socket.on("connect_error", () => setStatus("offline"));
    socket.on("disconnect", () => setStatus("offline"));
    return () => socket.close();
  }, []);

  useEffect(() => {
    if (listEnd.current) listEnd.current.scrollIntoView({ block: "end" });
  }, [store.messages.length, typing]);

  // Layout effect: the larger text is applied in the same frame as the pressed button, never a frame later.
  useLayoutEffect(() => {
    document.documentElement.classList.toggle("large-text", large);
    try { localStorage.setItem(PREFS_KEY, JSON.stringify({ large })); } catch (_) { /* ignore */ }
  }, [large]);

  const retry = () => {
    setStatus("connecting");
    const socket = socketRef.current;
    socket.disconnect();
    socket.connect();
  };

  const onSubmit = (event) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    if (emitMessage(text.slice(0, 1000), text.slice(0, 1000))) setDraft("");
    if (input.current) input.current.focus();
  };

  const onButton = (button) => {
    emitMessage(button.payload, button.title);
    // The clicked button is now spent (disabled): give keyboard users the input back. Not on touch screens,
    // where focusing the input would pop up the keyboard.
    if (input.current && !window.matchMedia("(pointer: coarse)").matches) input.current.focus();
  };
  const onResend = (notice) => {
    update((s) => ({ messages: s.messages.filter((m) => m.id !== notice.id) }));
    emitMessage(notice.resend.payload, notice.resend.shown);
  };

  const onFeedback = async (message, helpful) => {
    const messages = storeRef.current.messages;
    const index = messages.findIndex((m) => m.id === message.id);
    const question = messages.slice(0, index).reverse().find((m) => m.from === "user");
    const mark = (feedback) => update((s) => ({
      messages: s.messages.map((m) => (m.id === message.id ? { ...m, feedback } : m)),
    }));
    try {
      const response = await fetch(config.feedbackUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ entry_id: message.card.entry_id, question: question ? question.text.slice(0, 500) : "",
          helpful, channel: "socketio" }),
      });
      mark(response.ok ? "谢谢您的反馈！" : "反馈没有提交成功，请稍后再试。");
    } catch (_) {
      mark("反馈没有提交成功，请稍后再试。");
    }
  };

  const newConversation = () => {
    clearReplyTimer();
    setTyping(false);
    update(() => ({ sessionId: null, greeted: false, messages: [] }));
    const socket = socketRef.current;
    setStatus("connecting");
    if (socket && socket.connected) socket.emit("session_request", { session_id: null });
    else retry();
  };

  const messages = store.messages;
  let lastBot = -1;
  messages.forEach((m, i) => { if (m.from === "bot" && m.buttons && m.buttons.length) lastBot = i; });
  const lastUser = messages.map((m) => m.from).lastIndexOf("user");
  const online = status === "online";
  // When the conversation itself asks "有帮助吗" with buttons in the same turn (the guide action does), the card
  // does not ask again: one question, answered through the conversation.
  const askedInChat = new Set();
  messages.forEach((m, i) => {
    if (!m.card || m.card.type !== "guide_answer") return;
    for (let j = i + 1; j < messages.length && messages[j].from !== "user"; j += 1) {
      if ((messages[j].buttons || []).some((b) => b.payload.startsWith("/feedback_"))) askedInChat.add(m.id);
    }
  });

  return html`<div class="chat">
    <header class="chat-header">
      <h1>${config.title}</h1>
      <div class="tools">
        <button type="button" onClick=${() => emitMessage("/ask_capabilities", "我能办什么")} disabled=${!online}
          aria-label="显示功能菜单">菜单</button>
        <button type="button" aria-pressed=${large ? "true" : "false"} onClick=${() => setLarge(!large)}>大字</button>
        <button type="button" onClick=${newConversation}>新对话</button>
      </div>
    </header>
    ${status === "offline" && html`<div class="banner error" role="alert">
      <span>暂时连不上服务器，请检查网络后重试。急事请拨打 12368 诉讼服务热线。</span>
      <button type="button" class="retry" onClick=${retry}>重试</button>
    </div>`}
    ${status === "connecting" && html`<div class="banner" role="status">正在连接…</div>`}
    <ol class="messages" role="log" aria-live="polite" aria-label="对话记录">
      ${messages.map((m, i) => html`<${Message} key=${m.id} message=${m}
        active=${online && i === lastBot && i > lastUser} askedInChat=${askedInChat.has(m.id)} onButton=${onButton}
        onFeedback=${onFeedback} onResend=${onResend} />`)}
      ${typing && html`<li class="msg bot typing" role="status" aria-label="助手正在输入">
        <span class="dot"></span><span class="dot"></span><span class="dot"></span></li>`}
      <li ref=${listEnd} aria-hidden="true" class="end"></li>
    </ol>
    <form class="composer" onSubmit=${onSubmit}>
      <label for="chat-input" class="sr-only">输入您的问题</label>
      <input id="chat-input" ref=${input} type="text" autocomplete="off" maxlength="1000"
        placeholder="请输入您的问题，例如：立案需要什么材料" value=${draft}
        onInput=${(e) => setDraft(e.currentTarget.value)} />
      <button type="submit" class="send" disabled=${!online || !draft.trim()}>发送</button>
    </form>
    <p class="disclaimer">智能助手的回答仅供参考，不代表法院的正式意见。</p>
  </div>`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
