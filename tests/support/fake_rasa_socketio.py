"""A stand-in for Rasa's socket.io channel that answers with every card shape, so the page's rendering can be
tested before the guide, risk and booking flows exist. Same events and payload shapes as
connectors/web_socketio.py (python-socketio 5, run with the conversation runtime's Python).

    .venv-rasa/bin/python -m tests.support.fake_rasa_socketio PORT LINK_BASE
"""

import sys
import uuid

import socketio
from aiohttp import web

sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
LINK_BASE = "http://127.0.0.1"


def replies(text: str) -> list[dict]:
    if text == "/greet":
        return [{"text": "您好，这里是测试用的假助手。"},
                {"text": "请选择：", "quick_replies": [
                    {"content_type": "text", "title": "看卡片", "payload": "/cards"},
                    {"content_type": "text", "title": "看危险内容", "payload": "/hostile"},
                    {"content_type": "text", "title": "看指南", "payload": "/guide"}]}]
    if text == "/cards":
        return [
            {"text": "立案一般需要起诉状和身份证明。详见 " + LINK_BASE + "/guide/filing-materials"},
            {"custom": {"type": "guide_answer", "entry_id": "filing-materials", "title": "立案需要的材料",
                        "url": LINK_BASE + "/guide/filing-materials",
                        "basis": [{"law": "中华人民共和国民事诉讼法", "article": "第一百二十二条"}]}},
            {"text": "已为您预约。"},
            {"custom": {"type": "booking_confirmation", "reference": "B7K2Q", "service": "mediation",
                        "start": "2026-12-01T09:00:00+08:00", "place": "请以法院公告为准",
                        "bring": ["身份证原件", "起诉状"]}},
            {"text": "风险自测已完成。"},
            {"custom": {"type": "risk_report", "id": "R7Q4", "level": "中", "url": LINK_BASE + "/risk/R7Q4"}},
            {"text": "好的，为您转人工。"},
            {"custom": {"handoff": True}},
        ]
    if text == "/guide":  # what the guide action sends: the card, then the feedback question with buttons
        return [
            {"text": "起诉一般交起诉状和身份证明。"},
            {"custom": {"type": "guide_answer", "entry_id": "filing-materials", "title": "立案需要的材料",
                        "url": LINK_BASE + "/guide/filing-materials", "basis": []}},
            {"text": "这个回答对您有帮助吗？", "quick_replies": [
                {"content_type": "text", "title": "有帮助", "payload": "/feedback_helpful"},
                {"content_type": "text", "title": "没帮助", "payload": "/feedback_unhelpful"}]},
        ]
    if text == "/crisis":  # what action_crisis_response sends for danger (docs/safety.md)
        return [
            {"text": "您的安全最要紧。有人打您、威胁您，请拨打110报警。"},
            {"custom": {"type": "crisis", "kind": "danger", "kinds": ["danger"], "urgent": True,
                        "title": "先保证您的安全", "guide_entry": "protection-order-apply",
                        "numbers": [{"key": "police", "number": "110", "name": "报警电话"},
                                    {"key": "women", "number": "12338", "name": "全国妇联妇女维权公益服务热线"},
                                    {"key": "bad", "number": "javascript:alert(5)", "name": "不应出现"}]}},
        ]
    if text == "/hostile":
        return [
            {"text": "<img src=x onerror=alert(1)> <b>粗体</b> javascript:alert(2)"},
            {"text": "外部链接 https://evil.example/phish 不应可点击"},
            {"custom": {"type": "guide_answer", "entry_id": "x", "title": "<script>alert(3)</script>",
                        "url": "javascript:alert(4)"}},
        ]
    return [{"text": "收到：" + text}]


@sio.on("session_request")
async def session_request(sid, data):
    session_id = (data or {}).get("session_id") or uuid.uuid4().hex
    await sio.enter_room(sid, session_id)
    await sio.emit("session_confirm", session_id, room=sid)


@sio.on("user_uttered")
async def user_uttered(sid, data):
    for reply in replies(data.get("message", "")):
        await sio.emit("bot_uttered", reply, room=data.get("session_id") or sid)


def main() -> None:
    global LINK_BASE
    port, LINK_BASE = int(sys.argv[1]), sys.argv[2].rstrip("/")
    app = web.Application()
    sio.attach(app)
    web.run_app(app, host="127.0.0.1", port=port, print=None, shutdown_timeout=1)


if __name__ == "__main__":
    main()
