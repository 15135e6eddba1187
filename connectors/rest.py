"""Rasa's REST channel for scripts and tests, made safe to expose: registered in credentials.yml as
`connectors.rest.RestInput` in place of `rest:`, with the same name and URL (POST /webhooks/rest/webhook).

What it changes (Rasa 3.6.21's RestInput trusts the client with all of it):
- the client's `metadata` is kept only minus identity fields (user_key, caller_phone, verified_phone, ...): an
  anonymous channel never names who is speaking (court_common/trust.py);
- `input_channel` is always "rest" (a client could otherwise claim to be the hotline);
- a message without `sender` is refused (400), instead of every such client sharing the conversation "default";
- a message over MAX_MESSAGE_CHARS gets a polite reply and never reaches the NLU (1 MB stalled Rasa for 16–37 s);
- a body that is not a JSON object is a 400 with a Chinese message, never a 500.
"""

from __future__ import annotations

import json
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from court_common.limits import TOO_LONG_REPLY, too_long
from court_common.trust import strip_identity

log = logging.getLogger(__name__)
MAX_SENDER_CHARS = 128


def _json(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, dumps=lambda obj: json.dumps(obj, ensure_ascii=False))


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return _json({"error": {"code": code, "message": message, "details": None}}, status)


def _body(request: Request) -> dict | None:
    try:
        body = request.json
    except Exception:  # Sanic raises on a body that is not JSON
        return None
    return body if isinstance(body, dict) else None


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    async def _extract_sender(self, req: Request) -> str | None:
        sender = (_body(req) or {}).get("sender")
        return sender if isinstance(sender, str) and 0 < len(sender) <= MAX_SENDER_CHARS else None

    def _extract_message(self, req: Request) -> str | None:
        message = (_body(req) or {}).get("message")
        return message if isinstance(message, str) else None

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any]:
        return strip_identity((_body(request) or {}).get("metadata"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Rasa's two routes (GET / and POST /webhook, with ?stream=true), with the checks above first."""
        blueprint = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = _body(request)
            if body is None:
                return _error(400, "bad_request", '请求格式不正确：需要 JSON {"sender": "...", "message": "..."}。')
            sender = await self._extract_sender(request)
            if sender is None:
                return _error(400, "missing_sender",
                              f"请求缺少 sender（每个对话自己的编号，{MAX_SENDER_CHARS}个字符以内）。")
            text = self._extract_message(request)
            if text is None:
                return _error(400, "bad_request", "请求缺少 message（文字消息）。")
            if too_long(text):
                return _json([{"recipient_id": sender, "text": TOO_LONG_REPLY}])
            metadata = self.get_metadata(request)
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(self.stream_response(on_new_message, text, sender, self.name(), metadata),
                                       content_type="text/event-stream")
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                                 metadata=metadata))
            except CancelledError:
                log.error("REST message timed out")
            except Exception:
                log.exception("REST message failed")
            return _json(collector.messages)

        return blueprint
