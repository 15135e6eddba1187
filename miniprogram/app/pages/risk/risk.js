// A risk self-test report, rendered natively from GET {serviceBase}/api/risk/assessments/{id}
// ({id, level, dispute_name, summary, findings: [{title, severity_name, finding, recommendation, basis}],
//   fees: {available, summary, note}, recommendation: {text, ...}, disclaimer, ...}).
const detailPage = require("../../utils/detail-page.js");

Component({
  behaviors: [detailPage],
  data: { report: null, recommendationText: "" },
  methods: {
    texts: () => ({ missing: "没有指定要看的报告。", notFound: "没有找到这份报告，请核对报告编号。" }),
    source: (id) => `/api/risk/assessments/${id}`,
    show(report) {
      const recommendation = report.recommendation;
      this.setData({ state: "ready", report, recommendationText: typeof recommendation === "string"
        ? recommendation : (recommendation && (recommendation.text || recommendation.summary)) || "" });
    },
  },
});
