// Every WXSS and WXML file compiles with WeChat's own compilers (wcsc, wcc from miniprogram-compiler), as WeChat
// DevTools would compile them before an upload: e.g. a class name with Chinese characters is refused by wcsc.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { APP } = require("./harness.js");

const BIN = path.join(path.dirname(require.resolve("miniprogram-compiler")), "bin", "linux");

function files(extension) {
  const found = [];
  const walk = (folder) => fs.readdirSync(folder, { withFileTypes: true }).forEach((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith(extension)) found.push(path.relative(APP, full));
  });
  walk(APP);
  return found;
}

function run(tool, args) {
  const binary = path.join(BIN, tool);
  fs.chmodSync(binary, 0o755); // npm does not keep the executable bit of these files
  return spawnSync(binary, args, { cwd: APP, maxBuffer: 16 * 1024 * 1024 });
}

test("every WXSS file compiles with wcsc, without refused selectors", { skip: process.platform !== "linux" }, () => {
  const styles = files(".wxss").filter((file) => file !== "app.wxss");
  const result = run("wcsc", ["-db", "-pc", String(styles.length), ...styles, "app.wxss"]);
  assert.equal(result.status, 0, result.stderr.toString());
  assert.doesNotMatch(result.stdout.toString(), /not allowed|unexpected/);
});

test("every WXML file compiles with wcc", { skip: process.platform !== "linux" }, () => {
  const templates = files(".wxml");
  assert.ok(templates.length >= 4);
  const result = run("wcc", ["-d", ...templates]);
  assert.equal(result.status, 0, result.stderr.toString());
});
