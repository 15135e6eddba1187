"""issue 12, row 9: every failure of the service center reaches the actions as ServiceUnavailable (a polite
"service unavailable" with a handoff offer), never an exception that silences the bot mid-form. Against a real
local HTTP server: a timeout, a proxy's HTML error page, a 5xx, a 200 that is not JSON, nobody listening."""

import asyncio
import socket

import aiohttp
import pytest
from aiohttp import web
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import booking, service_api


async def _serve(handler):
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}"


async def slow(_request):
    await asyncio.sleep(2)
    return web.json_response({})


async def proxy_error(_request):
    return web.Response(status=502, text="<html><body>502 Bad Gateway</body></html>", content_type="text/html")


async def server_error(_request):
    return web.json_response({"error": {"message": "x"}}, status=500)


async def not_json(_request):
    return web.Response(status=200, text="<html>maintenance</html>", content_type="text/html")


async def refused_in_chinese(_request):
    return web.json_response({"error": {"code": "invalid_request", "message": "请求参数不正确"}}, status=422)


@pytest.mark.parametrize("handler", [slow, proxy_error, server_error, not_json])
def test_every_failure_is_service_unavailable(monkeypatch, handler):
    async def scenario():
        runner, url = await _serve(handler)
        monkeypatch.setattr(service_api, "SERVICE_URL", url)
        monkeypatch.setattr(service_api, "TIMEOUT", aiohttp.ClientTimeout(total=0.5))
        try:
            with pytest.raises(service_api.ServiceUnavailable):
                await service_api.get("/api/booking/slots", service="mediation")
        finally:
            await runner.cleanup()

    asyncio.run(scenario())


def test_nobody_listening_is_service_unavailable(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(service_api, "SERVICE_URL", f"http://127.0.0.1:{port}")
    with pytest.raises(service_api.ServiceUnavailable):
        asyncio.run(service_api.post("/api/booking/lookup", {"reference": "123456"}))


def test_a_refusal_keeps_its_chinese_message(monkeypatch):
    async def scenario():
        runner, url = await _serve(refused_in_chinese)
        monkeypatch.setattr(service_api, "SERVICE_URL", url)
        try:
            with pytest.raises(service_api.ServiceError) as refused:
                await service_api.post("/api/booking/parse-day", {"text": "x"})
            assert refused.value.status == 422 and refused.value.message == "请求参数不正确"
        finally:
            await runner.cleanup()

    asyncio.run(scenario())


def test_a_slow_service_center_mid_form_gets_a_polite_answer_and_a_person(monkeypatch):
    async def scenario():
        runner, url = await _serve(slow)
        monkeypatch.setattr(service_api, "SERVICE_URL", url)
        monkeypatch.setattr(service_api, "TIMEOUT", aiohttp.ClientTimeout(total=0.5))
        dispatcher = CollectingDispatcher()
        tracker = Tracker("s", {"booking_service": "mediation"}, {"text": "明天上午", "intent": {"name": "inform"}},
                          [], False, None, {"name": "booking_form"}, "action_listen")
        try:
            result = await booking.ValidateBookingForm().validate_booking_day("明天上午", dispatcher, tracker, {})
        finally:
            await runner.cleanup()
        return result, dispatcher.messages

    result, messages = asyncio.run(scenario())
    assert result == {"booking_day": None}
    assert "暂时连不上" in messages[0]["text"] and messages[0]["buttons"][0]["payload"] == "/human_handoff"
