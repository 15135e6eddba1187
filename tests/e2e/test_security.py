"""issue 12 against the real stack, as an outsider would try it: forged REST metadata, a 1 MB message while another
user chats, forged action-server calls, a REST message without sender, CORS from another site, and the tracker
store holding no phone number in clear."""

import json
import socket
import sqlite3
import threading
import time

import httpx


def test_forged_rest_metadata_is_nobodys_identity(stack, sender):
    """Row 1: a REST client claiming a hotline caller's number gets neither the caller's bookings nor the number."""
    victim = "13900007777"
    reference = httpx.post(f"{stack.service_url}/api/booking/appointments", headers={
        **stack.internal_headers(), "Idempotency-Key": sender}, json={
        "service": "mediation", "start": _first_slot(stack), "name": "受害人",
        "phone_verification": stack.verified_phone(victim), "user_key": "tel-victim", "channel": "hotline_12368"},
        timeout=10).json()["reference"]
    forged = {"caller_phone": "+86" + victim, "user_key": "tel-victim", "channel": "hotline_12368",
              "identity_sig": "0" * 64}
    reply = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=30, json={
        "sender": sender, "message": "查一下我的预约", "metadata": forged, "input_channel": "hotline_12368"}).json()
    text = stack.texts(reply)
    assert " ".join(reference) not in text and reference not in text
    assert "预约号" in text  # asked for the reference, as any anonymous user is
    booking = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=30, json={
        "sender": sender + "-b", "message": "我想预约调解", "metadata": forged}).json()
    assert "7777" not in stack.texts(booking)


def _first_slot(stack) -> str:
    return httpx.get(f"{stack.service_url}/api/booking/slots", params={"service": "mediation"},
                     timeout=10).json()["slots"][0]["start"]


def test_a_huge_message_is_answered_politely_and_stalls_nobody(stack, sender):
    """Row 2: 1 MB on the REST channel; another user chatting at the same time is answered promptly."""
    other: dict = {}

    def chat() -> None:
        time.sleep(0.2)
        started = time.monotonic()
        other["reply"] = stack.say(sender + "-other", "你好")
        other["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=chat)
    thread.start()
    started = time.monotonic()
    reply = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=60,
                       json={"sender": sender, "message": "我" * 1_000_000})
    huge_seconds = time.monotonic() - started
    thread.join(60)
    assert reply.status_code == 200 and "太长" in stack.texts(reply.json())
    assert huge_seconds < 5 and other["seconds"] < 5 and other["reply"]


def test_rest_without_sender_or_with_garbage_is_refused(stack):
    """Row 12: no shared conversation "default"; a body that is not JSON is a 400 with a Chinese message."""
    missing = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"message": "你好"}, timeout=10)
    assert missing.status_code == 400 and "sender" in missing.json()["error"]["message"]
    garbage = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", content=b"\xff{", timeout=10,
                         headers={"Content-Type": "application/json"})
    assert garbage.status_code == 400 and garbage.json()["error"]["message"]


def test_the_action_server_answers_only_rasa(stack):
    """Row 4: a forged action call (here: send the guide by SMS to a stranger) is refused without the secret, and
    the server listens on loopback only."""
    forged = {"next_action": "action_send_guide_sms", "sender_id": "x", "version": "3.6.2", "domain": {},
              "tracker": {"sender_id": "x", "slots": {"guide_context": "filing"}, "latest_message": {
                  "text": "发短信", "metadata": {"caller_phone": "+8613900008888"}}, "events": [],
                  "latest_action_name": "action_listen", "active_loop": {}, "paused": False,
                  "followup_action": None}}
    refused = httpx.post(f"{stack.actions_url}/webhook", json=forged, timeout=10)
    assert refused.status_code == 403
    wrong = httpx.post(f"{stack.actions_url}/webhook", json=forged, timeout=10,
                       headers={"X-Internal-Token": "not-the-secret-0000000000000000000"})
    assert wrong.status_code == 403
    assert httpx.get(f"{stack.actions_url}/actions", timeout=10).status_code == 403
    assert httpx.get(f"{stack.actions_url}/health", timeout=10).status_code == 200
    outside = _outside_address()
    if outside:
        with socket.socket() as probe:
            probe.settimeout(2)
            assert probe.connect_ex((outside, stack.actions_port)) != 0  # bound to 127.0.0.1 only


def _outside_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_cors_does_not_echo_any_origin(stack):
    """Row 12: another site's page may not read Rasa's answers with the user's credentials."""
    evil = httpx.options(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=10, headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert evil.headers.get("access-control-allow-origin") not in ("*", "http://evil.example")
    page = httpx.options(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=10, headers={
        "Origin": stack.service_url, "Access-Control-Request-Method": "POST"})
    assert page.headers.get("access-control-allow-origin") == stack.service_url


def test_the_tracker_store_keeps_no_phone_number(stack, sender):
    """Row 8: a number said in the conversation is stored masked, and so is a name given in free text."""
    stack.say(sender, "我的电话是13912345678，帮我看看")
    stack.say(sender, "我叫欧阳明月，想问问离婚要交多少钱")
    rows = sqlite3.connect(stack.workdir / "tracker.db").execute(
        "SELECT data FROM events WHERE sender_id = ?", (sender,)).fetchall()
    stored = "\n".join(json.dumps(json.loads(data), ensure_ascii=False) for (data,) in rows)
    assert rows and "13912345678" not in stored and "139****5678" in stored
    assert "明月" not in stored and "欧***" in stored


def test_a_huge_web_chat_message_is_answered_politely_and_stalls_nobody(stack, sender):
    """Row 2 on the web page's own channel (socket.io), as a script would bypass the page's input limit: 5,000
    characters get the polite reply; a 2 MB frame loses its connection, not the server; another user is answered
    promptly meanwhile, and the refused session can reconnect and go on."""
    import asyncio
    import contextlib
    import uuid

    import socketio

    async def connect(session_id: str, replies: asyncio.Queue) -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)
        confirmed = asyncio.get_running_loop().create_future()
        client.on("bot_uttered", replies.put_nowait)
        client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
        await client.connect(stack.rasa_url, transports=["websocket"], wait_timeout=10)
        await client.emit("session_request", {"session_id": session_id})
        assert await asyncio.wait_for(confirmed, 10) == session_id
        return client

    async def scenario() -> dict:
        session_id, replies = uuid.uuid4().hex, asyncio.Queue()
        client = await connect(session_id, replies)
        await client.emit("user_uttered", {"message": "我" * 5000, "session_id": session_id})
        long_reply = await asyncio.wait_for(replies.get(), 10)
        other = asyncio.create_task(asyncio.to_thread(stack.say, sender + "-other", "你好"))
        started = time.monotonic()
        # the server may close the socket while the frame is still being sent
        with contextlib.suppress(socketio.exceptions.SocketIOError):
            await client.emit("user_uttered", {"message": "我" * 700_000, "session_id": session_id})
        other_reply = await asyncio.wait_for(other, 20)
        other_seconds = time.monotonic() - started
        for _ in range(50):  # engine.io closes the connection that sent the oversized frame
            if not client.connected:
                break
            await asyncio.sleep(0.1)
        dropped = not client.connected
        await client.disconnect()
        again_replies = asyncio.Queue()
        again = await connect(session_id, again_replies)
        await again.emit("user_uttered", {"message": "你好", "session_id": session_id})
        hello = await asyncio.wait_for(again_replies.get(), 20)
        await again.disconnect()
        return {"long": long_reply, "other": other_reply, "other_seconds": other_seconds, "dropped": dropped,
                "hello": hello}

    seen = asyncio.run(scenario())
    assert "太长" in seen["long"]["text"]
    assert seen["dropped"]
    assert seen["other"] and seen["other_seconds"] < 5
    assert seen["hello"].get("text") and "太长" not in seen["hello"]["text"]
