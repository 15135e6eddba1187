"""TwiML for Twilio's "primary handler fails" URL: when Rasa itself cannot answer a 12368 call, the caller still
hears an apology and is transferred to the staffed line (or told when to call again). Signed like every webhook.

`router` is served by its own small process (fallback_app.py, the URL to give Twilio) and, for set-ups that
already point Twilio at the service center, by the service center too."""

from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from service_center.config import Settings, get_settings

APOLOGY = "抱歉，智能助手暂时无法服务。"
TRANSFER = "正在为您转接人工服务，请稍候。"
NO_TRANSFER = "请稍后再拨打幺二三六八，或在工作时间到法院诉讼服务中心咨询。再见。"
NOBODY = "抱歉，工作人员暂时无法接听，请稍后再拨。再见。"


async def signed_form(request: Request, settings: Settings) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", errors="replace")
    params: dict[str, str] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        params.setdefault(key, value)
    if not settings.hotline_validate_signature:
        return params
    url = str(request.url)
    if settings.hotline_public_url:
        query = f"?{request.url.query}" if request.url.query else ""
        url = settings.hotline_public_url.rstrip("/") + request.url.path + query
    signature = request.headers.get("X-Twilio-Signature", "")
    token = settings.hotline_twilio_auth_token
    if not (token and signature and RequestValidator(token).validate(url, params, signature)):
        raise HTTPException(status_code=403, detail="签名无效")
    return params


def fallback_twiml(settings: Settings, dial_status: str | None) -> str:
    twiml = VoiceResponse()
    voice = {"voice": settings.hotline_voice, "language": settings.hotline_say_language}
    if dial_status is not None:  # we already tried the staffed line
        if dial_status in ("no-answer", "busy", "failed", "canceled"):
            twiml.say(NOBODY, **voice)
        twiml.hangup()
        return str(twiml)
    if settings.hotline_transfer_number:
        twiml.say(APOLOGY + TRANSFER, **voice)
        twiml.dial(settings.hotline_transfer_number, action="fallback?after=dial", method="POST", timeout=25)
    else:
        twiml.say(APOLOGY + NO_TRANSFER, **voice)
        twiml.hangup()
    return str(twiml)


router = APIRouter(tags=["hotline"])


@router.post("/api/hotline/fallback", summary="Twilio 备用处理地址：Rasa 无法应答时致歉并转人工（TwiML）",
             response_class=Response)
async def fallback(request: Request, settings: Settings = Depends(get_settings)) -> Response:
    params = await signed_form(request, settings)
    dial_status = params.get("DialCallStatus") if request.query_params.get("after") == "dial" else None
    return Response(fallback_twiml(settings, dial_status), media_type="text/xml")
