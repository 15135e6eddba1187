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
      this.open("guide", this.data.item.entryId);
    },
    openReport() {
      this.open("risk", this.data.item.reportId);
    },
    // The native page when the card names its entry or report; otherwise its web address, copied.
    open(page, id) {
      if (id) wx.navigateTo({ url: `/pages/${page}/${page}?id=${encodeURIComponent(id)}` });
      else if (this.data.item.url) wx.setClipboardData({ data: this.data.item.url });
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
