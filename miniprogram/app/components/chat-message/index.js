// One message of the chat: a bubble, a set of choices or a card. Choices and card buttons are reported to the
// page (events "reply", "phone", "subscribe"); guide and report pages open natively; phone numbers are dialled
// with wx.makePhoneCall.
Component({
  properties: {
    item: { type: Object, value: {} },
    active: { type: Boolean, value: false }, // only the newest choices can be tapped
    reminders: { type: Boolean, value: false }, // a reminder template is configured
    large: { type: Boolean, value: false }, // 大字 (适老化): larger text and buttons
  },
  methods: {
    onChoice(event) {
      const { payload, title } = event.currentTarget.dataset;
      if (this.data.active) this.triggerEvent("reply", { payload, title });
    },
    openGuide() {
      const { entryId, url } = this.data.item;
      if (entryId) {
        wx.navigateTo({ url: `/pages/guide/guide?id=${encodeURIComponent(entryId)}` });
      } else if (url) {
        wx.setClipboardData({ data: url });
      }
    },
    openReport() {
      const { reportId, url } = this.data.item;
      if (reportId) {
        wx.navigateTo({ url: `/pages/risk/risk?id=${encodeURIComponent(reportId)}` });
      } else if (url) {
        wx.setClipboardData({ data: url });
      }
    },
    call(event) {
      wx.makePhoneCall({ phoneNumber: String(event.currentTarget.dataset.number), fail() {} });
    },
    onPhoneNumber(event) {
      this.triggerEvent("phone", { code: event.detail && event.detail.code, errMsg: event.detail && event.detail.errMsg,
        itemId: this.data.item.id });
    },
    onSubscribe() {
      this.triggerEvent("subscribe", { reference: this.data.item.reference, itemId: this.data.item.id });
    },
  },
});
