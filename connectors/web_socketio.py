"""Rasa's socket.io channel for the web chat page, with three fixes over the built-in one (Rasa 3.6.21):

- session persistence: the built-in calls `sio.enter_room(...)` without `await` (a coroutine in python-socketio
  5.x), so the browser never joins its session's room and no reply arrives (rasa issue 13027).
- custom payloads: the built-in output calls `sio.emit(event, **json_message)`, so a card such as
  {"type": "guide_answer", ...} or {"handoff": true} becomes keyword arguments of emit() and fails with a
  TypeError (rasa issue 3823: the built-in expects {"data": ...}). Here every custom payload is sent as
  {"custom": {...}}, the same shape the REST channel uses.
- metadata: the browser's own metadata never carries an identity (court_common/trust.py strips it); each message
  carries {"channel": "socketio", "user_key": <hash of the session id>} signed like the other connectors', so
  actions can key bookings to the browser session without seeing the raw id.
- a message over MAX_MESSAGE_CHARS is answered politely here and never reaches the NLU; a frame over
  MAX_FRAME_BYTES (far above 1000 characters, even escaped as \\uXXXX) is dropped by engine.io with its connection, so
  nobody can make the server read megabytes (engine.io's own default is 1 MB).

The channel keeps the name "socketio" (tracker.get_latest_input_channel() == "socketio"), the events
session_request / session_confirm / user_uttered / bot_uttered and session persistence by room.
"""

import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from court_common.limits import MAX_MESSAGE_CHARS, TOO_LONG_REPLY, too_long
from court_common.trust import sign_identity, strip_identity

logger = logging.getLogger(__name__)

__all__ = ["MAX_FRAME_BYTES", "MAX_MESSAGE_CHARS", "WebSocketIOInput", "user_key_for"]

MAX_FRAME_BYTES = 64 * 1024


def user_key_for(session_id: str) -> str:
    return "web_" + hashlib.sha256(f"socketio:{session_id}".encode()).hexdigest()[:32]


class WebSocketIOOutput(SocketIOOutput):
    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WebSocketIOInput(SocketIOInput):
    """Registered in credentials.yml as `connectors.web_socketio.WebSocketIOInput`."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> WebSocketIOOutput | None:
        if self.sio is None:
            return None
        return WebSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=MAX_FRAME_BYTES)
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            if not self.jwt_key:
                return True
            token = (auth or {}).get("token")
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not 8 <= len(session_id) <= 64:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                # Awaited: with python-socketio 5.x enter_room is a coroutine, and Rasa 3.6's own channel
                # forgets the await, so replies never reach the room (rasa issue 13027).
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: dict) -> None:
            if not isinstance(data, dict):
                return
            output_channel = WebSocketIOOutput(sio, self.bot_message_evt)
            if self.session_persistence:
                sender_id = data.get("session_id")
                if not isinstance(sender_id, str) or not sender_id:
                    logger.warning("socket.io message without a session_id ignored; send session_request first")
                    return
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            # The browser may add harmless hints, but never decides its own channel or user key.
            metadata = {**strip_identity(metadata),
                        **sign_identity({"channel": "socketio", "user_key": user_key_for(sender_id)})}
            text = data.get("message", "")
            text = text if isinstance(text, str) else ""
            if too_long(text):
                await output_channel.send_text_message(sender_id, TOO_LONG_REPLY)
                return
            await on_new_message(UserMessage(text, output_channel, sender_id, input_channel=self.name(),
                                             metadata=metadata))

        return socketio_webhook
