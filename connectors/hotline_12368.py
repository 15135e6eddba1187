"""12368 litigation-service hotline: a Rasa input channel for Twilio Voice, in Mandarin.

Registered in credentials.yml as `connectors.hotline_12368.Hotline12368Input`; its name is `hotline_12368`, so
Twilio's voice webhook is POST /webhooks/hotline_12368/webhook (form-encoded, answered with TwiML). Other routes:
  POST /webhooks/hotline_12368/collect       a reply that was not ready within the deadline (after a holding phrase)
  POST /webhooks/hotline_12368/dial-status   <Dial>/<Enqueue> action: DialCallStatus / QueueResult of a transfer
  POST /webhooks/hotline_12368/status        the call's status callback (set it in the Twilio console)
Every POST must carry a valid X-Twilio-Signature (TWILIO_AUTH_TOKEN) for the public URL, else 403 and nothing
is touched; only HOTLINE_VALIDATE_SIGNATURE=false turns the check off (local trials). See docs/hotline.md.

The dialogue stays in Rasa (sender = CallSid). The connector only adds what a phone needs and Rasa cannot know:
the greeting and keypad menu, digits mapped to the buttons just spoken, silence counting, the transfer to a
person (or a callback request outside staffed hours), SMS of details, and a holding phrase when the bot is slow.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import aiohttp
import yaml
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from connectors.voice_text import (
    SpokenTurn,
    compose,
    digit_string,
    listed_choices,
    numbered_choices,
    slow_pieces,
    speakable,
)
from court_common import safety
from court_common.limits import MAX_MESSAGE_CHARS
from court_common.trust import configured_secret, internal_headers, sign_identity

log = logging.getLogger(__name__)

CHANNEL = "hotline_12368"
ROOT = Path(__file__).resolve().parent.parent
PROFILE_PATH = ROOT / "knowledge_base" / "court_profile.yml"
JIEBA_DICT = ROOT / "bot" / "jieba_dict" / "court_terms.txt"

GREETING = "您好，这里是12368诉讼服务热线智能助手。"
MENU_PROMPT = "请说出您的问题，或按1咨询诉讼程序、按2诉讼风险自测、按3预约调解或立案、按0转人工。"
# The keypad conventions of Chinese hotlines, announced once, in the greeting (issue 17).
KEYS_PROMPT = "通话中，重听请按星号键，返回上一步请按井号键。"
MAIN_MENU = [
    {"title": "咨询诉讼程序", "payload": "/ask_procedure"},
    {"title": "诉讼风险自测", "payload": "/start_risk_assessment"},
    {"title": "预约调解或立案", "payload": "/book_appointment"},
]
HANDOFF_PAYLOAD = "/human_handoff"
# Repair keys: rendered into the repair intents; what they do is decided in Rasa (bot/core/repair_rules.yml).
REPEAT_KEY, BACK_KEY = "*", "#"
REPEAT_PAYLOAD, BACK_PAYLOAD = "/repeat", "/go_back"
SLOW_RATE = "slow"  # SSML <prosody rate> for a repeat said slowly (Amazon Polly voices support it in <Say>)
SLOW_BREAK = "400ms"
HANDOFF_WORDS = ("转人工", "人工服务", "人工客服", "找人工", "接人工", "要人工", "真人")
GOODBYE_PAYLOAD_WORDS = ("再见",)
TERMINAL_CALL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
FAILED_DIAL_STATUSES = {"no-answer", "busy", "failed", "canceled"}
FAILED_QUEUE_RESULTS = {"leave", "queue-full", "error", "system-error", "redirected-from"}
# A bot text asking for a number: let the caller type several digits and finish with #.
ASKS_FOR_DIGITS = re.compile(r"号码|手机|电话|后四位|后4位|数字|编号|预约号|验证码|金额|多少钱|身份证")
SPOKEN_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "幺": 1}
# After a crisis reply outside staffed hours: "yes" to the SMS of the help-line numbers (key 1), or "no".
CRISIS_SMS_YES = re.compile(r"需要|要|好|发|可以|行|嗯|是|对")
CRISIS_SMS_NO = re.compile(r"不(需要|要|用)|别发|算了")
STATE_TTL = 2 * 3600


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() not in ("false", "0", "no", "off")


def load_profile(path: Path = PROFILE_PATH) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle) or {}
    except OSError:
        log.warning("court profile %s not readable; hotline uses defaults", path)
        return {}


def domain_hints(path: Path = JIEBA_DICT, limit: int = 100) -> list[str]:
    """Recognition hints for <Gather>: the court's domain words (the Jieba user dictionary)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    words = [line.split()[0] for line in lines if line.strip() and not line.startswith("#")]
    return list(dict.fromkeys(words))[:limit]


def parse_hours(spec: str) -> list[tuple[str, str]]:
    """'08:30-11:30,13:30-16:30' -> [('08:30','11:30'), ('13:30','16:30')]."""
    spans = []
    for part in spec.split(","):
        start, _, end = part.strip().partition("-")
        if start and end:
            spans.append((start.strip(), end.strip()))
    return spans


@dataclass
class HotlineSettings:
    """Everything configurable, from the environment (credentials.yml entries override)."""

    auth_token: str = ""
    validate_signature: bool = True
    public_url: str = ""  # e.g. https://court.example.cn (the base Twilio calls); empty: the request's own URL
    gather_language: str = "cmn-Hans-CN"  # Twilio speech recognition: Chinese, Mandarin (Simplified, China)
    say_language: str = "cmn-CN"
    voice: str = "Polly.Zhiyu-Neural"
    speech_model: str = ""  # empty: Twilio chooses the provider/model for the language
    gather_timeout: int = 6
    max_reprompts: int = 2
    reply_deadline: float = 8.0
    max_holds: int = 3
    transfer_number: str = ""
    transfer_queue: str = ""
    transfer_caller_id: str = ""
    dial_timeout: int = 25
    staffed_hours: list[tuple[str, str]] | None = None  # None: always staffed
    staffed_weekdays_only: bool = True
    staffed_hours_confirmed: bool = False
    timezone: str = "Asia/Shanghai"
    service_url: str = "http://127.0.0.1:8000"
    # HMAC key of callers' user keys: a secret from configuration (HOTLINE_USER_KEY_SALT); with none, the channel
    # refuses to start outside COURT_ENV=development (a known salt would let anyone derive a caller's key).
    user_key_salt: str = ""
    text_limit: int = 180
    min_confidence: float = 0.0
    hints: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None, profile: dict[str, Any] | None = None) -> HotlineSettings:
        env = os.environ
        profile = load_profile() if profile is None else profile
        hotline = profile.get("hotline", {}) or {}
        transfer = hotline.get("transfer_number") or {}
        staffed = hotline.get("staffed_hours") or {}
        settings = cls(
            auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            validate_signature=_env_bool("HOTLINE_VALIDATE_SIGNATURE", True),
            public_url=env.get("HOTLINE_PUBLIC_URL", "").rstrip("/"),
            gather_language=env.get("HOTLINE_GATHER_LANGUAGE", cls.gather_language),
            say_language=env.get("HOTLINE_SAY_LANGUAGE", cls.say_language),
            voice=env.get("HOTLINE_VOICE", cls.voice),
            speech_model=env.get("HOTLINE_SPEECH_MODEL", ""),
            gather_timeout=int(env.get("HOTLINE_GATHER_TIMEOUT", cls.gather_timeout)),
            max_reprompts=int(env.get("HOTLINE_MAX_REPROMPTS", cls.max_reprompts)),
            reply_deadline=float(env.get("HOTLINE_REPLY_DEADLINE", cls.reply_deadline)),
            max_holds=int(env.get("HOTLINE_MAX_HOLDS", cls.max_holds)),
            # a number in the profile is used only once the court confirmed it
            transfer_number=env.get("HOTLINE_TRANSFER_NUMBER")
            or (str(transfer.get("value")) if transfer.get("confirmed") and transfer.get("value") else ""),
            transfer_queue=env.get("HOTLINE_TRANSFER_QUEUE", ""),
            transfer_caller_id=env.get("HOTLINE_TRANSFER_CALLER_ID", ""),
            dial_timeout=int(env.get("HOTLINE_DIAL_TIMEOUT", cls.dial_timeout)),
            staffed_weekdays_only=bool(staffed.get("weekdays_only", True)),
            staffed_hours_confirmed=bool(staffed.get("confirmed", False)),
            timezone=(profile.get("booking") or {}).get("timezone", cls.timezone),
            service_url=env.get("SERVICE_URL", f"http://127.0.0.1:{env.get('SERVICE_PORT', '8000')}").rstrip("/"),
            user_key_salt=configured_secret("HOTLINE_USER_KEY_SALT", env) or "",
            text_limit=int(env.get("HOTLINE_TEXT_LIMIT", cls.text_limit)),
            min_confidence=float(env.get("HOTLINE_MIN_CONFIDENCE", cls.min_confidence)),
        )
        hours_spec = env.get("HOTLINE_STAFFED_HOURS")
        if hours_spec is not None:
            settings.staffed_hours = None if hours_spec.strip().lower() == "always" else parse_hours(hours_spec)
            settings.staffed_weekdays_only = _env_bool("HOTLINE_STAFFED_WEEKDAYS_ONLY", True)
            settings.staffed_hours_confirmed = True  # the operator set them
        else:
            spans = staffed.get("value") or []
            settings.staffed_hours = [(span["start"], span["end"]) for span in spans] or []
        extra = [w.strip() for w in env.get("HOTLINE_HINTS", "").split(",") if w.strip()]
        settings.hints = list(dict.fromkeys(["转人工", "人工服务", *extra, *domain_hints()]))
        for key, value in (overrides or {}).items():  # credentials.yml: plain settings only, never secrets
            current = getattr(settings, key, None)
            if value is None or key in ("auth_token", "user_key_salt") or not isinstance(current, (str, int, float)):
                continue
            if isinstance(current, bool):
                value = str(value).strip().lower() not in ("false", "0", "no", "off")
            setattr(settings, key, type(current)(value))
        return settings


@dataclass
class CallState:
    """What the connector remembers about one call (keyed by CallSid); the dialogue itself is in Rasa."""

    call_sid: str
    caller: str = ""
    buttons: list[dict[str, Any]] = field(default_factory=list)
    prompt: str = ""  # the last thing asked, repeated when the caller is silent
    multi_digit: bool = False
    silence: int = 0
    holds: int = 0
    local_menu: str | None = None  # "no_human": callback / booking / continue
    local_prompt: bool = False  # the last prompt was the connector's own (greeting, no-person menu, SMS sent)
    local_repeats: int = 0  # "*" on the connector's own prompt, in a row
    crisis: str | None = None  # the kind of a crisis answered in this call (danger, suicide, medical, threat)
    crisis_numbers: list[dict[str, Any]] = field(default_factory=list)
    crisis_sms_sent: bool = False
    menu_before: str | None = None  # the local menu before the turn now running (a spoken repeat restores it)
    pending: asyncio.Task | None = None
    touched: float = field(default_factory=time.monotonic)


AskFn = Callable[[CallState, str], Awaitable[list[dict[str, Any]]]]
RecallFn = Callable[[str], Awaitable[list[dict[str, Any]]]]


class Hotline:
    """The call logic, independent of Sanic: each method takes Twilio's form fields and returns TwiML."""

    def __init__(self, settings: HotlineSettings, ask: AskFn, now: Callable[[], datetime] | None = None,
                 recall: RecallFn | None = None):
        self.settings = settings
        self.ask = ask
        self.recall = recall  # the buttons of the call's last bot message, from the shared tracker store
        self.calls: dict[str, CallState] = {}
        self._now = now or (lambda: datetime.now(ZoneInfo(settings.timezone)))
        self._urls: dict[str, str] = {}
        self._pending_counts: set[asyncio.Task] = set()  # analytics posts in flight (kept so they are not collected)

    # ------------------------------------------------------------ helpers
    def user_key(self, caller: str) -> str:
        digest = hmac.new(self.settings.user_key_salt.encode(), caller.encode(), hashlib.sha256).hexdigest()
        return f"tel-{digest[:24]}"

    def metadata(self, call: CallState) -> dict[str, Any]:
        """The caller id is signed by Twilio (every request's X-Twilio-Signature is checked), so the connector
        vouches for it: a signed identity (court_common/trust.py) that actions trust, unlike client metadata."""
        return {**sign_identity({"channel": CHANNEL, "user_key": self.user_key(call.caller),
                                 "caller_phone": call.caller}), "call_sid": call.call_sid}

    def _call(self, params: dict[str, str]) -> CallState:
        self._purge()
        sid = params.get("CallSid", "")
        call = self.calls.get(sid)
        if call is None:
            call = self.calls[sid] = CallState(call_sid=sid, caller=params.get("From", ""))
        call.touched = time.monotonic()
        return call

    def _purge(self) -> None:
        cutoff = time.monotonic() - STATE_TTL
        for sid in [sid for sid, call in self.calls.items() if call.touched < cutoff]:
            self.calls.pop(sid, None)

    def _say(self, node: Any, text: str) -> None:
        node.say(text, voice=self.settings.voice, language=self.settings.say_language)

    def _say_slowly(self, node: Any, text: str) -> None:
        """A repeat said again: slower, in short pieces with a pause after each (SSML inside <Say>)."""
        say = node.say(voice=self.settings.voice, language=self.settings.say_language)
        for piece in slow_pieces(text):
            say.prosody(piece, rate=SLOW_RATE)
            say.break_(time=SLOW_BREAK)

    def _gather(self, twiml: VoiceResponse, base: str, call: CallState, text: str, local: bool | None = True,
                slow: bool = False) -> str:
        """Speak inside a <Gather> (the caller may interrupt), then <Redirect> so silence comes back to us.
        `local`: the text is the connector's own (not a Rasa turn), so a "*" on it is answered here."""
        call.prompt = text
        if local is not None:
            call.local_prompt = local
        options: dict[str, Any] = {
            "input": "speech dtmf", "action": f"{base}/webhook", "method": "POST",
            "language": self.settings.gather_language, "speech_timeout": "auto",
            "timeout": self.settings.gather_timeout, "action_on_empty_result": False,
            "barge_in": True,  # the caller may speak or press a key while the prompt is still playing
        }
        if self.settings.hints:
            options["hints"] = ",".join(self.settings.hints)
        if self.settings.speech_model:
            options["speech_model"] = self.settings.speech_model
        if call.multi_digit:
            options["finish_on_key"] = "#"
        else:  # one key; "#" is then a key of its own (back), not the end of the input
            options["num_digits"] = 1
            options["finish_on_key"] = ""
        gather = twiml.gather(**options)
        if slow:
            self._say_slowly(gather, text)
        else:
            self._say(gather, text)
        # The silence count travels in the (signed) URL too, so it holds even if this process lost the call.
        twiml.redirect(f"{base}/webhook?event=silence&n={call.silence + 1}", method="POST")
        return str(twiml)

    def _prompt(self, base: str, call: CallState, text: str, local: bool | None = True, slow: bool = False) -> str:
        return self._gather(VoiceResponse(), base, call, text, local, slow)

    def _goodbye(self, text: str) -> str:
        twiml = VoiceResponse()
        self._say(twiml, text)
        twiml.hangup()
        return str(twiml)

    def human_available(self) -> bool:
        """A transfer target is configured and now is within staffed hours (weekdays only unless told)."""
        if not (self.settings.transfer_number or self.settings.transfer_queue):
            return False
        if self.settings.staffed_hours is None:
            return True
        now = self._now()
        if self.settings.staffed_weekdays_only and now.weekday() >= 5:
            return False
        hhmm = now.strftime("%H:%M")
        return any(start <= hhmm < end for start, end in self.settings.staffed_hours)

    def _staffed_hours_text(self) -> str:
        """Staffed hours are stated only when confirmed (court profile) or set by the operator (environment)."""
        hours = self.settings.staffed_hours
        if not hours or not self.settings.staffed_hours_confirmed:
            return "人工服务时间请以法院公告为准"
        spans = "，".join(f"{start}到{end}" for start, end in hours)
        days = "工作日" if self.settings.staffed_weekdays_only else "每天"
        return f"人工服务时间为{days}{spans}"

    # ------------------------------------------------------------ the webhook: start, speech, keys, silence
    async def webhook(self, params: dict[str, str], base: str, event: str | None = None,
                      silences: int = 0) -> str:
        known = params.get("CallSid", "") in self.calls
        call = self._call(params)
        digits = (params.get("Digits") or "").strip()[:40]
        speech = (params.get("SpeechResult") or "").strip()[:MAX_MESSAGE_CHARS]
        if event == "silence" or (known and not digits and not speech):
            return await self._silence(call, base, silences)
        if not digits and not speech:
            call.buttons, call.multi_digit = list(MAIN_MENU), False
            return self._prompt(base, call, speakable(GREETING + MENU_PROMPT + KEYS_PROMPT))
        if not known and self.recall:
            # this process never saw the call (another server, or a restart): the keys still mean what was said
            try:
                call.buttons = await self.recall(call.call_sid)
            except Exception:
                log.warning("could not read the last buttons of a call from the tracker store")
        call.silence = 0
        if digits:
            return await self._keys(call, base, digits)
        call.local_repeats = 0
        return await self._speech(call, base, speech, params.get("Confidence"))

    async def _keys(self, call: CallState, base: str, digits: str) -> str:
        if digits.rstrip("#") == REPEAT_KEY:
            if call.local_prompt:  # the connector's own prompt (greeting, no-person menu): said again here
                call.local_repeats += 1
                return self._prompt(base, call, call.prompt, slow=call.local_repeats >= 2)
            return await self._turn(call, base, REPEAT_PAYLOAD)
        call.local_repeats = 0
        if digits == BACK_KEY:
            return await self._turn(call, base, BACK_PAYLOAD)
        digits = digits.rstrip("#")
        if call.local_menu == "no_human" and len(digits) == 1:
            return await self._no_human_choice(call, base, digits)
        if call.local_menu == "crisis_sms" and digits == "1":
            return await self._send_crisis_sms(call, base)
        if digits == "0":
            return await self._turn(call, base, HANDOFF_PAYLOAD)
        if call.multi_digit:  # the bot asked for a number: the keys are the answer
            return await self._turn(call, base, re.sub(r"[^0-9]", "", digits) or digits)
        if len(digits) == 1 and digits.isdigit():
            choices = call.buttons or MAIN_MENU
            index = int(digits)
            if 1 <= index <= len(choices):
                return await self._turn(call, base, choices[index - 1]["payload"])
            return self._prompt(base, call, "没有这个选项。" + call.prompt, local=None)
        return await self._turn(call, base, re.sub(r"[^0-9]", "", digits) or digits)

    async def _speech(self, call: CallState, base: str, speech: str, confidence: str | None) -> str:
        text = speech.lstrip("/").strip().rstrip("。.!！?？")
        if safety.detect(text):
            # Safety first: before the confidence check, the local menus and the handoff words (docs/safety.md)
            return await self._turn(call, base, text)
        if call.local_menu == "crisis_sms":
            if CRISIS_SMS_NO.search(text):
                call.local_menu = None
                return self._prompt(base, call, "好的，不发短信。我还在，您可以继续跟我说。")
            if CRISIS_SMS_YES.search(text):
                return await self._send_crisis_sms(call, base)
        try:
            too_unsure = 0 < float(confidence or 0) < self.settings.min_confidence
        except ValueError:
            too_unsure = False
        if too_unsure:
            return self._prompt(base, call, "抱歉，没有听清楚，请再说一遍。" + call.prompt, local=None)
        if any(word in text for word in HANDOFF_WORDS):
            return await self._turn(call, base, HANDOFF_PAYLOAD)
        if call.local_menu == "no_human":
            if "回电" in text or "回个电话" in text:
                return await self._no_human_choice(call, base, "1")
            if "预约" in text:
                return await self._no_human_choice(call, base, "2")
        choice = self._spoken_choice(call, text)
        if choice:
            return await self._turn(call, base, choice)
        return await self._turn(call, base, text)

    @staticmethod
    def _spoken_choice(call: CallState, text: str) -> str | None:
        """'1' / '一' / '第一个' / the exact button title -> that button's payload."""
        if not call.buttons:
            return None
        plain = re.sub(r"[\s，。,.]", "", text)
        plain = re.sub(r"^(?:我选|选|按|第)|(?:个|项|号)$", "", plain)
        index = int(plain) if plain.isdigit() else SPOKEN_NUMBERS.get(plain)
        if index and 1 <= index <= len(call.buttons):
            return call.buttons[index - 1]["payload"]
        for button in call.buttons:
            if plain and plain == re.sub(r"[\s，。,.]", "", button.get("title", "")):
                return button["payload"]
        return None

    async def _silence(self, call: CallState, base: str, silences: int = 0) -> str:
        call.silence = max(call.silence + 1, silences)
        if call.silence <= self.settings.max_reprompts:
            prompt = call.prompt or speakable(MENU_PROMPT)
            twiml = VoiceResponse()
            self._say(twiml, "您还在吗？")
            return self._gather(twiml, base, call, prompt, local=None)
        # Never loop: after the reprompts, a person if one is there, else goodbye.
        call.silence = 0
        if self.human_available():
            return await self._turn(call, base, HANDOFF_PAYLOAD)
        if call.crisis:
            urgent = self._read_numbers(call.crisis_numbers[:1])
            return self._goodbye(f"您好像没有再说话。如果有危险，请马上拨打{urgent}需要时请随时再打过来。")
        return self._goodbye(speakable(
            f"您好像一直没有说话，本次通话先到这里。{self._staffed_hours_text()}，需要时欢迎再拨打12368。再见。"))

    # ------------------------------------------------------------ one turn through Rasa, with a deadline
    async def _turn(self, call: CallState, base: str, text: str) -> str:
        call.menu_before, call.local_menu = call.local_menu, None
        if call.pending and not call.pending.done():
            # a reply is still being prepared: keep holding rather than queueing a second turn
            return self._holding(base, "还在为您查询，请稍候。")
        task = asyncio.ensure_future(self.ask(call, text))
        done, _ = await asyncio.wait({task}, timeout=self.settings.reply_deadline)
        if task in done:
            return self._render_result(call, base, task)
        call.pending, call.holds = task, 0
        log.info("hotline reply slower than %.1fs; holding", self.settings.reply_deadline)
        return self._holding(base, "请稍等，正在为您查询。")

    def _holding(self, base: str, phrase: str) -> str:
        twiml = VoiceResponse()
        self._say(twiml, phrase)
        twiml.pause(length=1)
        twiml.redirect(f"{base}/collect", method="POST")
        return str(twiml)

    async def collect(self, params: dict[str, str], base: str) -> str:
        call = self._call(params)
        task = call.pending
        if task is None:
            return self._prompt(base, call, call.prompt or speakable(MENU_PROMPT), local=None)
        done, _ = await asyncio.wait({task}, timeout=self.settings.reply_deadline)
        if task in done:
            call.pending = None
            return self._render_result(call, base, task)
        call.holds += 1
        if call.holds >= self.settings.max_holds:
            task.cancel()
            call.pending = None
            return self._failure(call, base)
        return self._holding(base, "还在为您查询，请稍候。")

    def _render_result(self, call: CallState, base: str, task: asyncio.Task) -> str:
        try:
            messages = task.result()
        except Exception:
            log.exception("hotline turn failed for a call")
            return self._failure(call, base)
        return self.render(call, base, compose(messages, self.settings.text_limit))

    def _failure(self, call: CallState, base: str) -> str:
        return self._handoff(call, base, apology="抱歉，系统暂时出了点问题。")

    def render(self, call: CallState, base: str, turn: SpokenTurn) -> str:
        crisis = next((card for card in turn.cards if card.get("type") == safety.CARD_TYPE), None)
        if crisis:
            return self._crisis(call, base, turn.text, crisis)
        if turn.handoff:
            return self._handoff(call, base, said=turn.text)
        slow = turn.repeat >= 2
        if turn.repeat and call.local_prompt and call.prompt:
            # "再说一遍" right after the connector's own prompt (greeting, no-person menu): that prompt again
            call.local_menu = call.menu_before
            return self._prompt(base, call, call.prompt, slow=slow)
        if not turn.text and not turn.buttons:
            # the bot said nothing: Rasa could not run an action (action server down) or failed
            return self._failure(call, base)
        text = turn.text
        call.buttons = turn.buttons
        if turn.buttons:
            titles = [b.get("title", "") for b in turn.buttons]
            text += listed_choices(turn.text, titles) or numbered_choices(titles)
        if turn.trimmed:
            text += "如需详细了解，可以说转人工。"
        if not turn.buttons and any(word in turn.text for word in GOODBYE_PAYLOAD_WORDS):
            self.calls.pop(call.call_sid, None)
            return self._goodbye(text)
        call.multi_digit = not turn.buttons and bool(ASKS_FOR_DIGITS.search(turn.text))
        if call.multi_digit:
            text += "用按键输入的，请以井号键结束。"
        return self._prompt(base, call, text, local=False, slow=slow)

    # ------------------------------------------------------------ a crisis: a person at once, else the numbers
    def _crisis(self, call: CallState, base: str, said: str, card: dict[str, Any]) -> str:
        """Staffed: the care words, the most urgent number, and a transfer at once. Otherwise the numbers read
        slowly, twice, and an SMS of them offered. Never a menu (docs/safety.md)."""
        call.crisis = str(card.get("kind") or safety.SUICIDE)
        call.crisis_numbers = [n for n in card.get("numbers") or [] if isinstance(n, dict) and n.get("number")]
        call.buttons, call.multi_digit, call.local_menu = [], False, None
        if self.human_available():
            urgent = self._read_numbers(call.crisis_numbers[:1])
            return self._handoff(call, base, said=f"{said}{urgent}现在为您转接工作人员，请不要挂机。")
        return self._crisis_numbers(call, base, said)

    @staticmethod
    def _read_numbers(numbers: list[dict[str, Any]]) -> str:
        """报警电话，幺，幺，零。 — digit by digit with a pause between digits, so they can be written down."""
        return "".join(f"{n.get('name', '')}，{'，'.join(digit_string(d) for d in str(n['number']))}。"
                       for n in numbers)

    def _crisis_numbers(self, call: CallState, base: str, lead: str) -> str:
        numbers = self._read_numbers(call.crisis_numbers)
        text = f"{lead}请记一下这些号码：{numbers}再说一遍：{numbers}"
        if call.caller and not call.crisis_sms_sent:
            call.local_menu = "crisis_sms"
            text += "需要我把这些号码发短信到您现在这部手机上吗？需要请说需要，或者按1。"
        else:
            text += "我还在，您可以继续跟我说。"
        return self._prompt(base, call, text)

    async def _send_crisis_sms(self, call: CallState, base: str) -> str:
        call.local_menu = None
        ok = await self._post("/api/notifications/sms",
                              {"to": call.caller, "kind": "safety_numbers", "ref": call.crisis or safety.SUICIDE},
                              self.user_key(call.caller))
        call.crisis_sms_sent = call.crisis_sms_sent or ok
        text = "好的，短信已经发出，请注意查收。" if ok else "抱歉，短信暂时没有发送成功，请记一下刚才的号码。"
        return self._prompt(base, call, text + "我还在，您可以继续跟我说。")

    # ------------------------------------------------------------ a person: transfer, or callback outside hours
    def _handoff(self, call: CallState, base: str, said: str = "", apology: str = "") -> str:
        twiml = VoiceResponse()
        if self.human_available():
            self._count_transfer("dialled")
            self._say(twiml, apology + (said or "正在为您转接人工服务，请稍候。"))
            if self.settings.transfer_queue:
                twiml.enqueue(self.settings.transfer_queue, action=f"{base}/dial-status", method="POST")
            else:
                options: dict[str, Any] = {"action": f"{base}/dial-status", "method": "POST",
                                           "timeout": self.settings.dial_timeout}
                if self.settings.transfer_caller_id:
                    options["caller_id"] = self.settings.transfer_caller_id
                twiml.dial(self.settings.transfer_number, **options)
            return str(twiml)
        self._count_transfer("no_human")
        reason = ("现在不是人工服务时间" if self.settings.transfer_number or self.settings.transfer_queue
                  else "人工服务暂时无法接通")
        lead = speakable(f"{apology}抱歉，{reason}，{self._staffed_hours_text()}。")
        return self._no_human_menu(call, base, twiml, lead)

    def _no_human_menu(self, call: CallState, base: str, twiml: VoiceResponse, lead: str) -> str:
        call.local_menu, call.buttons, call.multi_digit = "no_human", [], False
        self._say(twiml, lead)
        return self._gather(twiml, base, call, speakable(
            "需要工作人员在工作时间给您回电，请按1；预约调解或立案，请按2；继续向我咨询，请按3。"))

    async def _no_human_choice(self, call: CallState, base: str, digit: str) -> str:
        call.local_menu = None
        if digit == "1":
            ok = await self.request_callback(call)
            text = ("好的，已为您登记回电，工作人员会在工作时间给您回电。还有别的需要吗？" if ok
                    else "抱歉，回电登记暂时没有成功，请在工作时间再拨打12368。还有别的需要吗？")
            call.buttons = []
            return self._prompt(base, call, speakable(text + MENU_PROMPT))
        if digit == "2":
            return await self._turn(call, base, "/book_appointment")
        if digit == "3":
            call.buttons = list(MAIN_MENU)
            return self._prompt(base, call, speakable("好的，" + MENU_PROMPT))
        if digit == "0":
            return self._no_human_menu(call, base, VoiceResponse(), "抱歉，现在没有工作人员可以接听。")
        return self._no_human_menu(call, base, VoiceResponse(), "没有这个选项。")

    async def dial_status(self, params: dict[str, str], base: str) -> str:
        call = self._call(params)
        status = params.get("DialCallStatus") or ""
        queue = params.get("QueueResult") or ""
        if status in FAILED_DIAL_STATUSES or queue in FAILED_QUEUE_RESULTS:
            log.info("hotline transfer not answered: %s", status or queue)
            self._count_transfer("failed")
            if call.crisis:  # never the callback menu for a person in crisis: the numbers, read slowly
                return self._crisis_numbers(call, base, "抱歉，工作人员暂时没有接听。")
            return self._no_human_menu(call, base, VoiceResponse(), "抱歉，工作人员暂时无法接听。")
        # the person hung up after talking: end the call politely
        self._count_transfer("answered")
        self.calls.pop(call.call_sid, None)
        return self._goodbye("感谢您的来电，再见。")

    async def status(self, params: dict[str, str]) -> bool:
        """Status callback: a finished call ends its conversation (returns True when it restarted it)."""
        if params.get("CallStatus") not in TERMINAL_CALL_STATUSES:
            return False
        sid = params.get("CallSid", "")
        call = self.calls.pop(sid, None) or CallState(call_sid=sid, caller=params.get("From", ""))
        if call.pending and not call.pending.done():
            try:
                await asyncio.wait_for(asyncio.shield(call.pending), timeout=self.settings.reply_deadline)
            except Exception:  # the call is over either way
                call.pending.cancel()
        try:
            await asyncio.wait_for(self.ask(call, "/restart"), timeout=10)
        except Exception:
            log.warning("could not restart the conversation of a finished call")
            return False
        return True

    # ------------------------------------------------------------ outside services
    async def request_callback(self, call: CallState) -> bool:
        body = {"phone": call.caller, "user_key": self.user_key(call.caller), "call_sid": call.call_sid,
                "reason": "no_human_available"}
        return await self._post("/api/hotline/callbacks", body, self.user_key(call.caller))

    def _count_transfer(self, outcome: str) -> None:
        """One anonymous dashboard record (POST /api/analytics/events), sent without holding up the call."""
        headers = {"Authorization": f"Bearer {os.environ['ANALYTICS_INGEST_TOKEN']}"} \
            if os.environ.get("ANALYTICS_INGEST_TOKEN") else {}
        body = {"events": [{"kind": "hotline_transfer", "outcome": outcome, "channel": "hotline_12368"}]}

        async def send() -> None:
            try:
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
                    await session.post(self.settings.service_url + "/api/analytics/events", json=body,
                                       headers=headers)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.warning("hotline transfer not counted: %s", type(exc).__name__)

        try:
            task = asyncio.get_running_loop().create_task(send())
        except RuntimeError:  # no loop (a unit test calling the sync part): nothing to count into
            return
        self._pending_counts.add(task)
        task.add_done_callback(self._pending_counts.discard)

    async def _post(self, path: str, body: dict[str, Any], client: str) -> bool:
        """An internal call; `client` (the caller's user key) is whom the service center's per-client limits count."""
        try:
            timeout = aiohttp.ClientTimeout(total=5)
            async with aiohttp.ClientSession(timeout=timeout) as session, session.post(
                self.settings.service_url + path, json=body, headers={**internal_headers(), "X-Client-Key": client}
            ) as reply:
                if reply.status >= 400:
                    log.warning("service center refused %s: %s", path, reply.status)
                return reply.status < 400
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning("service center unreachable for %s: %s", path, type(exc).__name__)
            return False


def twiml_response(body: str) -> HTTPResponse:
    return response.text(body, content_type="text/xml; charset=utf-8")


class Hotline12368Input(InputChannel):
    """The Rasa side: Sanic routes, signature check, and the bridge from a call turn to Rasa."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> Hotline12368Input:
        return cls(HotlineSettings.load(credentials or {}))

    def __init__(self, settings: HotlineSettings | None = None) -> None:
        self.settings = settings or HotlineSettings.load()
        if not self.settings.user_key_salt:
            raise ValueError("HOTLINE_USER_KEY_SALT must be set (a secret; only COURT_ENV=development has a stand-in)")
        if self.settings.validate_signature and not self.settings.auth_token:
            log.warning("TWILIO_AUTH_TOKEN is not set: every hotline request will be refused (403)")
        self.validator = RequestValidator(self.settings.auth_token)
        self.hotline: Hotline | None = None
        self._background: set[asyncio.Task] = set()
        self._agent: Any = None

    # -- helpers
    def public_url(self, request: Request) -> str:
        """The URL Twilio signed: HOTLINE_PUBLIC_URL + path + query when set (behind a proxy), else the request's."""
        if not self.settings.public_url:
            return request.url
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{self.settings.public_url}{request.path}{query}"

    def base_url(self, request: Request) -> str:
        url = self.public_url(request).split("?", 1)[0]
        return url.rsplit("/", 1)[0]

    @staticmethod
    def form(request: Request) -> dict[str, str]:
        """Twilio's form fields, blank ones included: Twilio signs them all (Sanic's request.form drops blanks)."""
        try:
            body = (request.body or b"").decode("utf-8")
        except UnicodeDecodeError:
            return {}
        params: dict[str, str] = {}
        for key, value in parse_qsl(body, keep_blank_values=True):
            params.setdefault(key, value)
        return params

    def signed(self, request: Request, params: dict[str, str]) -> bool:
        if not self.settings.validate_signature:
            return True
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.settings.auth_token:
            return False
        return self.validator.validate(self.public_url(request), params, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("hotline_12368_webhook", __name__)

        async def ask(call: CallState, text: str) -> list[dict[str, Any]]:
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(text, collector, call.call_sid, input_channel=CHANNEL,
                                             metadata=self.metadata(call)))
            return collector.messages

        async def recall(sender: str) -> list[dict[str, Any]]:
            agent = self._agent
            if agent is None or getattr(agent, "tracker_store", None) is None:
                return []
            tracker = await agent.tracker_store.retrieve(sender)
            for event in reversed(tracker.events if tracker else []):
                if getattr(event, "type_name", "") == "bot":
                    return [b for b in (event.data or {}).get("buttons") or [] if isinstance(b, dict)]
            return []

        hotline = self.hotline = Hotline(self.settings, ask, recall=recall)

        def twilio_signed(handler: Callable[[Request, dict[str, str]], Awaitable[HTTPResponse]]):
            """Every Twilio route: a missing or bad X-Twilio-Signature (or no CallSid) is refused with 403."""

            @functools.wraps(handler)
            async def gate(request: Request) -> HTTPResponse:
                params = self.form(request)
                if not self.signed(request, params):
                    log.warning("hotline request with a missing or bad X-Twilio-Signature refused")
                    return response.text("forbidden", status=403)
                if not params.get("CallSid"):
                    return response.text("forbidden", status=403)
                return await handler(request, params)

            return gate

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        @twilio_signed
        async def receive(request: Request, params: dict[str, str]) -> HTTPResponse:
            self._agent = getattr(request.app.ctx, "agent", None)
            event = request.args.get("event")
            count = request.args.get("n", "0")
            silences = int(count) if count.isdigit() else 0
            return twiml_response(await hotline.webhook(params, self.base_url(request), event, silences))

        @blueprint.route("/collect", methods=["POST"])
        @twilio_signed
        async def collect(request: Request, params: dict[str, str]) -> HTTPResponse:
            return twiml_response(await hotline.collect(params, self.base_url(request)))

        @blueprint.route("/dial-status", methods=["POST"])
        @twilio_signed
        async def dial_status(request: Request, params: dict[str, str]) -> HTTPResponse:
            return twiml_response(await hotline.dial_status(params, self.base_url(request)))

        @blueprint.route("/status", methods=["POST"])
        @twilio_signed
        async def status(request: Request, params: dict[str, str]) -> HTTPResponse:
            # The caller is gone: answer Twilio at once, end the conversation in the background.
            task = asyncio.ensure_future(hotline.status(params))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return twiml_response(str(VoiceResponse()))

        return blueprint

    def metadata(self, call: CallState) -> dict[str, Any]:
        assert self.hotline is not None
        return self.hotline.metadata(call)


__all__ = ["CHANNEL", "CallState", "Hotline", "Hotline12368Input", "HotlineSettings"]
