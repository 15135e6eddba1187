// The mini-program's entry. All state lives in utils/session.js (token, history, preferences), so pages and
// tests need no getApp().
App({});
