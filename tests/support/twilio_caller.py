"""A simulated Twilio Voice caller: posts the form bodies Twilio posts, signed with the real RequestValidator,
and follows the TwiML it gets back (Say / Gather / Redirect / Dial / Hangup), parsed with xml.etree.

    caller = TwilioCaller(rasa_url, auth_token)
    reply = caller.start()                 # the incoming call
    reply = caller.press("1")              # keypad, as <Gather> posts Digits to its action
    reply = caller.speak("立案需要什么材料")  # speech, as <Gather> posts SpeechResult + Confidence
    reply = caller.silence()               # nobody spoke: Twilio follows the <Redirect>
    reply = caller.follow_redirect()       # a holding phrase: Twilio follows its <Redirect>
    caller.dial_result("no-answer")        # the <Dial> ended: Twilio posts DialCallStatus to its action
    caller.hang_up()                       # the status callback with CallStatus=completed
"""

from __future__ import annotations

import random
import string
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx
from twilio.request_validator import RequestValidator

WEBHOOK_PATH = "/webhooks/hotline_12368/webhook"
STATUS_PATH = "/webhooks/hotline_12368/status"


def sid(prefix: str) -> str:
    return prefix + "".join(random.choices("0123456789abcdef", k=32))


@dataclass
class TwiML:
    """One parsed TwiML answer."""

    status: int
    xml: str
    verbs: list[ET.Element] = field(default_factory=list)

    @classmethod
    def parse(cls, status: int, body: str) -> TwiML:
        if status != 200:
            return cls(status, body, [])
        root = ET.fromstring(body.encode())  # noqa: S314 - TwiML from our own server under test
        assert root.tag == "Response", body
        return cls(status, body, list(root))

    def all(self, tag: str) -> list[ET.Element]:
        found = []
        for verb in self.verbs:
            if verb.tag == tag:
                found.append(verb)
            found.extend(child for child in verb if child.tag == tag)
        return found

    @property
    def said(self) -> str:
        """Everything Twilio would speak, in order (including inside <Gather>)."""
        return "".join("".join(say.itertext()) for say in self.all("Say"))  # SSML pieces included

    @property
    def gather(self) -> ET.Element | None:
        return next((verb for verb in self.verbs if verb.tag == "Gather"), None)

    @property
    def redirect(self) -> str | None:
        verb = next((verb for verb in self.verbs if verb.tag == "Redirect"), None)
        return verb.text.strip() if verb is not None and verb.text else None

    @property
    def dial(self) -> ET.Element | None:
        return next((verb for verb in self.verbs if verb.tag in ("Dial", "Enqueue")), None)

    @property
    def hangup(self) -> bool:
        return any(verb.tag == "Hangup" for verb in self.verbs)

    @property
    def ends_call(self) -> bool:
        """No verb that keeps the call with us: Twilio hangs up after the last verb."""
        return self.hangup or (self.gather is None and self.redirect is None and self.dial is None)


class TwilioCaller:
    """One phone call, from one caller number, against the Rasa server at `rasa_url`."""

    def __init__(self, rasa_url: str, auth_token: str, caller: str | None = None, to: str = "+8612368",
                 timeout: float = 20):
        self.base = rasa_url.rstrip("/")
        self.validator = RequestValidator(auth_token)
        self.call_sid = sid("CA")
        self.account_sid = sid("AC")
        self.caller = caller or "+86138" + "".join(random.choices(string.digits, k=8))
        self.to = to
        self.timeout = timeout
        self.last: TwiML | None = None
        self.transcript: list[tuple[str, str]] = []  # (who, what)
        self.latencies_ms: list[float] = []
        self.client = httpx.Client(timeout=timeout)

    # -- the protocol
    def params(self, call_status: str = "in-progress", **extra: str) -> dict[str, str]:
        """The fields Twilio sends with every voice webhook request."""
        base = {
            "AccountSid": self.account_sid, "ApiVersion": "2010-04-01", "CallSid": self.call_sid,
            "CallStatus": call_status, "Called": self.to, "CalledCity": "", "CalledCountry": "CN",
            "CalledState": "", "CalledZip": "", "Caller": self.caller, "CallerCity": "", "CallerCountry": "CN",
            "CallerState": "", "CallerZip": "", "Direction": "inbound", "From": self.caller, "FromCity": "",
            "FromCountry": "CN", "FromState": "", "FromZip": "", "To": self.to, "ToCity": "", "ToCountry": "CN",
            "ToState": "", "ToZip": "",
        }
        base.update(extra)
        return base

    def sign(self, url: str, params: dict[str, str]) -> str:
        return self.validator.compute_signature(url, params)

    def post(self, url: str, params: dict[str, str], signature: str | None = None) -> TwiML:
        url = urljoin(self.base + WEBHOOK_PATH, url)
        headers = {"X-Twilio-Signature": signature if signature is not None else self.sign(url, params),
                   "User-Agent": "TwilioProxy/1.1", "I-Twilio-Idempotency-Token": sid("")}
        started = time.perf_counter()
        reply = self.client.post(url, data=params, headers=headers)
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.last = TwiML.parse(reply.status_code, reply.text)
        if self.last.status == 200 and self.last.said:
            self.transcript.append(("bot", self.last.said))
        return self.last

    # -- what a caller does
    def start(self) -> TwiML:
        return self.post(self.base + WEBHOOK_PATH, self.params("ringing"))

    def _gather_action(self) -> str:
        gather = self.last.gather if self.last else None
        assert gather is not None, f"no <Gather> to answer: {self.last.xml if self.last else None}"
        return gather.get("action") or self.base + WEBHOOK_PATH

    def press(self, digits: str) -> TwiML:
        self.transcript.append(("caller", f"[{digits}]"))
        return self.post(self._gather_action(), self.params(Digits=digits, FinishedOnKey=""))

    def speak(self, text: str, confidence: float = 0.92) -> TwiML:
        self.transcript.append(("caller", text))
        return self.post(self._gather_action(), self.params(SpeechResult=text, Confidence=f"{confidence:.8f}"))

    def silence(self) -> TwiML:
        """The <Gather> timed out with no input: Twilio goes on to the <Redirect>."""
        return self.follow_redirect()

    def follow_redirect(self) -> TwiML:
        """Twilio plays what comes before the <Redirect> first: <Pause> lengths are waited (at most 2 s)."""
        assert self.last is not None and self.last.redirect, f"no <Redirect>: {self.last.xml if self.last else None}"
        paused = sum(int(pause.get("length", "1")) for pause in self.last.all("Pause"))
        if paused:
            time.sleep(min(paused, 2))
        return self.post(self.last.redirect, self.params())

    def dial_result(self, dial_status: str, duration: int = 0) -> TwiML:
        dial = self.last.dial if self.last else None
        assert dial is not None and dial.get("action"), "no <Dial action=...> to report on"
        extra = {"DialCallStatus": dial_status, "DialCallSid": sid("CA")}
        if dial_status == "completed":
            extra["DialCallDuration"] = str(duration)
        return self.post(dial.get("action"), self.params(**extra))

    def hang_up(self, duration: int = 30) -> TwiML:
        params = self.params("completed", CallDuration=str(duration), Timestamp=time.strftime(
            "%a, %d %b %Y %H:%M:%S +0000", time.gmtime()), CallbackSource="call-progress-events", SequenceNumber="0")
        return self.post(self.base + STATUS_PATH, params)

    def close(self) -> None:
        self.client.close()
