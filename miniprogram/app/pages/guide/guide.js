// A procedure-guide entry, rendered natively from GET {serviceBase}/api/kb/entries/{id}
// ({id, title, category, short_answer, details, basis: [{law, article, quote, text}], related, checked, url}).
const session = require("../../utils/session.js");

// The guide's details are light Markdown: headings, "- " lists, **bold**. Shown as plain paragraphs.
function paragraphs(details) {
  return String(details || "").split(/\n+/).map((line) => line.replace(/^#+\s*|\*\*/g, "").replace(/^[-*]\s+/, "· ").trim())
    .filter(Boolean);
}

Component({
  data: { state: "loading", entry: null, paragraphs: [], basis: [], message: "", large: false },
  methods: {
    async onLoad(query) {
      this.entryId = query && query.id;
      this.setData({ large: !!(wx.getStorageSync("court:prefs") || {}).large });
      await this.load();
    },
    async load() {
      if (!this.entryId) {
        this.setData({ state: "error", message: "没有指定要看的指南。" });
        return;
      }
      this.setData({ state: "loading" });
      try {
        const entry = await session.fetchJson(`/api/kb/entries/${encodeURIComponent(this.entryId)}`);
        const basis = (entry.basis || []).map((b) => ({
          name: `《${String(b.law || "").replace(/[《》]/g, "")}》${b.article || ""}`, text: b.text || b.quote || "" }));
        this.setData({ state: "ready", entry, paragraphs: paragraphs(entry.details), basis });
        wx.setNavigationBarTitle({ title: entry.title || "办事指南" });
      } catch (error) {
        this.setData({ state: "error", message: error.status === 404 ? "这条指南已经不在了，请回到对话重新提问。"
          : error.message || "暂时打不开，请稍后再试。" });
      }
    },
    openRelated(event) {
      wx.navigateTo({ url: `/pages/guide/guide?id=${encodeURIComponent(event.currentTarget.dataset.id)}` });
    },
  },
});
