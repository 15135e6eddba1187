"""WeChat mini-program accounts on the service center: the verified phone (phonenumber.getPhoneNumber), the 订阅消息
subscriptions and the reminders sent with subscribeMessage.send. The connector (connectors/wechat.py) calls the
internal endpoints here; the mini-program never does."""
