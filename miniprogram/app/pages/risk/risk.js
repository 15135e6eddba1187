// A risk self-test report, rendered natively from GET {serviceBase}/api/risk/assessments/{id}
// ({id, level, dispute_name, summary, findings: [{title, severity_name, finding, recommendation, basis}],
//   fees: {available, summary, note}, recommendation, disclaimer, ...}).
const session = require("../../utils/session.js");

Component({
  data: { state: "loading", report: null, message: "", large: false },
  methods: {
    async onLoad(query) {
      this.reportId = query && query.id;
      this.setData({ large: !!(wx.getStorageSync("court:prefs") || {}).large });
      await this.load();
    },
    async load() {
      if (!this.reportId) {
        this.setData({ state: "error", message: "没有指定要看的报告。" });
        return;
      }
      this.setData({ state: "loading" });
      try {
        const report = await session.fetchJson(`/api/risk/assessments/${encodeURIComponent(this.reportId)}`);
        const recommendation = report.recommendation;
        this.setData({ state: "ready", report, recommendationText: typeof recommendation === "string"
          ? recommendation : (recommendation && (recommendation.text || recommendation.summary)) || "" });
      } catch (error) {
        this.setData({ state: "error", message: error.status === 404 ? "没有找到这份报告，请核对报告编号。"
          : error.message || "暂时打不开，请稍后再试。" });
      }
    },
  },
});
