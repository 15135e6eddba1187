// A procedure-guide entry, rendered natively from GET {serviceBase}/api/kb/entries/{id}
// ({id, title, category, short_answer, details, basis: [{law, article, quote, text}], related, checked, url}).
const detailPage = require("../../utils/detail-page.js");

// The guide's details are light Markdown: headings, "- " lists, **bold**. Shown as plain paragraphs.
function paragraphs(details) {
  return String(details || "").split(/\n+/).map((line) => line.replace(/^#+\s*|\*\*/g, "").replace(/^[-*]\s+/, "· ").trim())
    .filter(Boolean);
}

Component({
  behaviors: [detailPage],
  data: { entry: null, paragraphs: [], basis: [] },
  methods: {
    texts: () => ({ missing: "没有指定要看的指南。", notFound: "这条指南已经不在了，请回到对话重新提问。" }),
    source: (id) => `/api/kb/entries/${id}`,
    show(entry) {
      const basis = (entry.basis || []).map((b) => ({
        name: `《${String(b.law || "").replace(/[《》]/g, "")}》${b.article || ""}`, text: b.text || b.quote || "" }));
      this.setData({ state: "ready", entry, paragraphs: paragraphs(entry.details), basis });
      wx.setNavigationBarTitle({ title: entry.title || "办事指南" });
    },
    openRelated(event) {
      wx.navigateTo({ url: `/pages/guide/guide?id=${encodeURIComponent(event.currentTarget.dataset.id)}` });
    },
  },
});
