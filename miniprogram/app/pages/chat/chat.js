// The chat page (built with Component(), which WeChat supports for pages and miniprogram-simulate can load).
// States shown to the user: offline (retry), login failed (log in again, the conversation stays), rate limited
// (wait N seconds), each as a banner with one clear action.
const session = require("../../utils/session.js");
const cards = require("../../utils/cards.js");
const config = require("../../config.js");

const HISTORY_KEY = "court:history";
const PREFS_KEY = "court:prefs";
const MAX_KEPT = 150;

function loadHistory() {
  const stored = wx.getStorageSync(HISTORY_KEY);
  return Array.isArray(stored) ? stored : [];
}

function voicePlugin() {
  try {
    return typeof requirePlugin === "function" ? requirePlugin("WechatSI") : null;
  } catch (error) {
    return null; // plugin not added to this AppID: text input only
  }
}

Component({
  data: {
    items: [],
    draft: "",
    sending: false,
    status: "ok", // ok | offline | login | limited
    banner: "",
    waitSeconds: 0,
    large: false,
    voiceOn: false,
    voiceAvailable: false,
    listening: false,
    templateId: "",
    lastChoices: -1,
    lastId: "",
  },
  methods: {
    async onLoad() {
      const prefs = wx.getStorageSync(PREFS_KEY) || {};
      this.pending = null; // the turn to repeat after offline / login trouble
      this.setItems(loadHistory());
      this.setData({ large: !!prefs.large, voiceAvailable: !!config.voiceInput && !!voicePlugin(),
        voiceOn: !!config.voiceInput && prefs.voice !== false && !!voicePlugin() });
      await this.loadSettings();
      if (!this.data.items.length) await this.send("/greet", null); // the greeting and the four-job menu
    },
    // The reminder template id comes from the server; asked again when a booking arrives without it (offline
    // at the start), so the 提醒 button appears once the server is reachable.
    async loadSettings() {
      const settings = await session.clientConfig();
      if (settings && settings.reminder_template_id) this.setData({ templateId: settings.reminder_template_id });
    },
    onUnload() {
      clearInterval(this.countdown);
    },

    // ---------- the list ----------
    setItems(items) {
      const kept = items.slice(-MAX_KEPT);
      let lastChoices = -1;
      let lastUser = -1;
      kept.forEach((item, index) => {
        if (item.kind === "choices") lastChoices = index;
        if (item.from === "user") lastUser = index;
      });
      this.setData({ items: kept, lastChoices: lastChoices > lastUser ? lastChoices : -1,
        lastId: kept.length ? kept[kept.length - 1].id : "" });
      wx.setStorageSync(HISTORY_KEY, kept.filter((item) => item.kind !== "notice"));
    },
    append(newItems) {
      this.setItems(this.data.items.concat(newItems));
    },
    updateItem(id, change) {
      this.setItems(this.data.items.map((item) => (item.id === id ? Object.assign({}, item, change) : item)));
    },

    // ---------- sending ----------
    async send(payload, shown) {
      if (this.data.sending || this.data.status === "limited") return false;
      if (shown) this.append([cards.userItem(shown)]);
      this.pending = { payload };
      this.setData({ sending: true });
      try {
        const messages = await session.say(payload);
        this.pending = null;
        this.setData({ status: "ok", banner: "" });
        const items = cards.toItems(messages);
        this.append(items);
        if (!this.data.templateId && items.some((item) => item.kind === "booking")) await this.loadSettings();
        return true;
      } catch (error) {
        this.fail(error);
        return false;
      } finally {
        this.setData({ sending: false });
      }
    },
    fail(error) {
      if (error.kind === "offline") {
        this.setData({ status: "offline", banner: error.message });
      } else if (error.kind === "login") {
        this.setData({ status: "login", banner: "登录没有成功，请点“重新登录”。对话记录都还在。" });
      } else if (error.kind === "rate_limited") {
        this.limit(error.retryAfter, error.message);
      } else {
        this.pending = null;
        this.append([cards.noticeItem(error.message)]);
      }
    },
    limit(seconds, message) {
      clearInterval(this.countdown);
      this.setData({ status: "limited", waitSeconds: seconds, banner: message });
      this.countdown = setInterval(() => {
        const left = this.data.waitSeconds - 1;
        if (left > 0) {
          this.setData({ waitSeconds: left });
        } else {
          clearInterval(this.countdown);
          this.setData({ status: "ok", waitSeconds: 0, banner: "" });
        }
      }, 1000);
    },
    async retry() {
      const pending = this.pending;
      this.setData({ status: "ok", banner: "" });
      if (pending) await this.send(pending.payload, null);
    },
    async relogin() {
      session.forgetToken();
      try {
        await session.login();
      } catch (error) {
        this.fail(error);
        return;
      }
      await this.retry();
    },
    onInput(event) {
      this.setData({ draft: event.detail.value });
    },
    async onSend() {
      const text = this.data.draft.trim();
      if (!text) return;
      this.setData({ draft: "" });
      await this.send(text.slice(0, 1000), text.slice(0, 1000));
    },
    async onReply(event) {
      await this.send(event.detail.payload, event.detail.title);
    },
    async onMenu() {
      await this.send("/ask_capabilities", "我能办什么");
    },

    // ---------- the WeChat-verified phone ----------
    async onPhone(event) {
      const { code, itemId } = event.detail;
      if (!code) {
        this.append([cards.noticeItem("没有获得微信手机号，请直接输入11位手机号。")]);
        return;
      }
      try {
        const result = await session.verifyPhone(code);
        this.updateItem(itemId, { done: true });
        await this.send("/affirm", `使用微信手机号 ${result.phone_masked}`);
      } catch (error) {
        this.fail(error);
      }
    },

    // ---------- 订阅消息: the day-before reminder ----------
    onSubscribe(event) {
      const { reference, itemId } = event.detail;
      const templateId = this.data.templateId;
      wx.requestSubscribeMessage({
        tmplIds: [templateId],
        success: async (result) => {
          if (result[templateId] !== "accept") {
            this.append([cards.noticeItem("没有开启微信提醒。预约短信照常发送。")]);
            return;
          }
          try {
            await session.subscribe(reference, templateId);
            this.updateItem(itemId, { subscribed: true });
          } catch (error) {
            this.fail(error);
          }
        },
        fail: () => this.append([cards.noticeItem("微信提醒暂时无法开启，预约短信照常发送。")]),
      });
    },

    // ---------- 大字 and voice ----------
    toggleLarge() {
      const large = !this.data.large;
      this.setData({ large });
      wx.setStorageSync(PREFS_KEY, Object.assign({}, wx.getStorageSync(PREFS_KEY) || {}, { large }));
    },
    toggleVoice() {
      const voiceOn = !this.data.voiceOn;
      this.setData({ voiceOn, listening: false });
      wx.setStorageSync(PREFS_KEY, Object.assign({}, wx.getStorageSync(PREFS_KEY) || {}, { voice: voiceOn }));
    },
    toggleListening() {
      const plugin = voicePlugin();
      if (!plugin) return;
      if (!this.recognizer) {
        this.recognizer = plugin.getRecordRecognitionManager();
        this.recognizer.onStop = (result) => {
          this.setData({ listening: false });
          if (result && result.result) this.setData({ draft: result.result.replace(/[。.]$/, "") });
        };
        this.recognizer.onError = () => {
          this.setData({ listening: false });
          this.append([cards.noticeItem("没听清，请再说一次，或者直接打字。")]);
        };
      }
      if (this.data.listening) {
        this.recognizer.stop();
      } else {
        this.setData({ listening: true });
        this.recognizer.start({ duration: 30000, lang: "zh_CN" });
      }
    },
  },
});
