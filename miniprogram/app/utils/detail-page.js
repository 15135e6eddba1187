// What the guide and report pages share: the id from the page's query, the JSON fetched from the service center,
// and the loading / error / ready states (with 重试). A page gives `source(id)` (the path), `show(json)` and
// `texts()` ({missing, notFound}).
const session = require("./session.js");

module.exports = Behavior({
  data: { state: "loading", message: "", large: false },
  methods: {
    async onLoad(query) {
      this.itemId = query && query.id;
      this.setData({ large: !!(wx.getStorageSync("court:prefs") || {}).large });
      await this.load();
    },
    async load() {
      if (!this.itemId) {
        this.setData({ state: "error", message: this.texts().missing });
        return;
      }
      this.setData({ state: "loading" });
      try {
        this.show(await session.fetchJson(this.source(encodeURIComponent(this.itemId))));
      } catch (error) {
        this.setData({ state: "error", message: error.status === 404 ? this.texts().notFound
          : error.message || "暂时打不开，请稍后再试。" });
      }
    },
  },
});
