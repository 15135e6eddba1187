// The guide and risk report pages, rendered natively from the service center's real (recorded) JSON.
const test = require("node:test");
const assert = require("node:assert/strict");
const { FIXTURES, installWx, load, settle, text } = require("./harness.js");

function service(answers) {
  const seen = [];
  installWx({ request(pathname) { seen.push(pathname); return answers(pathname); } });
  return seen;
}

test("a guide entry shows its answer, details and every legal basis", async () => {
  const entry = FIXTURES.guide_entry.data;
  const seen = service(() => ({ statusCode: 200, data: entry }));
  const page = load("pages/guide/guide");
  await page.instance.onLoad({ id: entry.id });
  await settle();
  assert.deepEqual(seen, [`/api/kb/entries/${entry.id}`]);
  const shown = text(page);
  assert.ok(shown.includes(entry.title) && shown.includes(entry.short_answer.slice(0, 20)));
  assert.ok(shown.includes("详细说明") && shown.includes("法律依据"));
  for (const basis of entry.basis) assert.ok(shown.includes(basis.article), basis.article);
  assert.ok(!shown.includes("**"));
});

test("a guide that is gone says so politely and offers 重试", async () => {
  service(() => ({ statusCode: 404, data: { error: { code: "not_found", message: "找不到这条指南" } } }));
  const page = load("pages/guide/guide");
  await page.instance.onLoad({ id: "no-such-entry" });
  await settle();
  assert.ok(text(page).includes("这条指南已经不在了"));
  assert.ok(page.querySelector(".retry"));
});

test("a risk report shows its level, findings, fees and disclaimer", async () => {
  const report = FIXTURES.risk_assessment.data;
  const seen = service(() => ({ statusCode: 200, data: report }));
  const page = load("pages/risk/risk");
  await page.instance.onLoad({ id: report.id });
  await settle();
  assert.deepEqual(seen, [`/api/risk/assessments/${report.id}`]);
  const shown = text(page);
  assert.ok(shown.includes(report.id) && shown.includes(`风险等级：${report.level}`));
  for (const finding of report.findings) assert.ok(shown.includes(finding.title), finding.title);
  assert.ok(shown.includes(report.recommendation.text));
  assert.ok(shown.includes(report.disclaimer.slice(0, 10)));
});

test("offline: the report page says it cannot open and can retry", async () => {
  let online = false;
  const report = FIXTURES.risk_assessment.data;
  service(() => (online ? { statusCode: 200, data: report } : null));
  const page = load("pages/risk/risk");
  await page.instance.onLoad({ id: report.id });
  await settle();
  assert.ok(text(page).includes("网络连不上"));
  online = true;
  page.querySelector(".retry").dispatchEvent("tap");
  await settle();
  assert.ok(text(page).includes(`风险等级：${report.level}`));
});
