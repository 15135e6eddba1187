// Where the mini-program talks to. Both addresses must be https and registered in the mini-program admin
// (mp.weixin.qq.com → 开发管理 → 开发设置 → 服务器域名 → request合法域名). See docs/web_and_wechat.md.
module.exports = {
  // The Rasa server's WeChat connector (connectors/wechat.py), e.g. "https://assistant.<court domain>/webhooks/wechat".
  connectorBase: "https://CHANGE-ME.invalid/webhooks/wechat",
  // The service center (guide entries, risk reports), e.g. "https://service.<court domain>".
  serviceBase: "https://CHANGE-ME.invalid",
  // Voice input through the 同声传译 (WechatSI) plugin: off unless the court turns it on here; the user can
  // still switch it off in the page. Text input always works.
  voiceInput: false,
  // Court phone numbers come from the server's messages; 12368 is the national litigation service hotline.
  hotline: "12368",
};
