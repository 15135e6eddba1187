"""The service-quality figures' vocabulary, and how a Rasa event stream becomes anonymous analytics records.

Both runtimes use this: the Rasa event broker (analytics_broker/) turns tracker events into records, the service
center validates and stores them (service_center/analytics/). A record never holds text, names, numbers or
conversation ids: only channel, kind, entry id (a guide entry, a booking service, a dispute type), outcome,
a number (e.g. lead days) and the time.
"""

from __future__ import annotations

# Rasa input channel names -> the channel the dashboard shows.
CHANNELS = {"socketio": "web", "hotline_12368": "hotline", "wechat": "wechat", "rest": "api"}
DASHBOARD_CHANNELS = {"web": "网页", "hotline": "12368热线", "wechat": "微信小程序", "api": "接口/测试"}

# kind -> the outcomes it may have
KINDS: dict[str, frozenset[str]] = {
    "conversation": frozenset({"started"}),
    "turn": frozenset({"answered", "clarified", "unanswered", "handoff", "out_of_scope", "other"}),
    "feedback": frozenset({"helpful", "unhelpful"}),
    "booking": frozenset({"created", "changed", "cancelled", "checked_in", "no_show"}),
    "risk_assessment": frozenset({"低", "中", "高"}),
    "risk_booking": frozenset({"booked"}),  # a self-test that led to a booking (entry id: the dispute type)
    "hotline_transfer": frozenset({"dialled", "no_human", "answered", "failed"}),
    "callback": frozenset({"requested", "done", "cancelled"}),
    "review": frozenset({"attached", "needs_entry", "dismissed"}),
}
OUTCOME_NAMES = {
    "answered": "已解答", "clarified": "追问澄清", "unanswered": "未能解答", "handoff": "转人工",
    "out_of_scope": "不属法院业务", "other": "其他（预约、自测、问候等）",
}

# guide_outcome slot values (actions/guide.py) -> turn outcome
GUIDE_OUTCOMES = {"answer": "answered", "basis": "answered", "clarify": "clarified", "reject": "unanswered",
                  "unavailable": "unanswered"}
HANDOFF_ACTION = "action_human_handoff"
OUT_OF_SCOPE_ACTION = "action_out_of_scope"
NOT_A_TURN_INTENTS = frozenset({"restart", "session_start"})


def channel_of(input_channel: str | None) -> str:
    return CHANNELS.get(input_channel or "", "api" if not input_channel else input_channel[:20])


class TurnTracker:
    """Fed one Rasa tracker event at a time (as an event broker receives them), returns the records it completes.

    A turn runs from a user event to the next action_listen; its outcome is the strongest thing that happened in
    between (handoff > out of scope > the guide's outcome > other). A conversation starts at session_started and
    takes the channel of its first message. State is per sender and dropped when the turn ends."""

    def __init__(self) -> None:
        self.turns: dict[str, dict] = {}
        self.starting: set[str] = set()

    def feed(self, event: dict) -> list[dict]:
        sender, kind = str(event.get("sender_id", "")), event.get("event")
        at = event.get("timestamp")
        if kind == "session_started":
            self.starting.add(sender)
            return []
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            text = event.get("text") or ""
            if intent in NOT_A_TURN_INTENTS or text.startswith("/restart"):
                return []
            channel = channel_of(event.get("input_channel"))
            records = []
            if sender in self.starting:
                self.starting.discard(sender)
                records.append(record("conversation", channel, "started", at=at))
            self.turns[sender] = {"channel": channel, "outcome": "other", "entry_id": None, "at": at}
            return records
        turn = self.turns.get(sender)
        if turn is None:
            return []
        if kind == "slot":
            name, value = event.get("name"), event.get("value")
            if name == "guide_outcome" and value in GUIDE_OUTCOMES and turn["outcome"] in ("other", "clarified"):
                turn["outcome"] = GUIDE_OUTCOMES[value]
            elif name == "guide_context" and isinstance(value, str):
                turn["entry_id"] = value[:80]
            return []
        if kind == "action":
            name = event.get("name")
            if name == HANDOFF_ACTION:
                turn["outcome"] = "handoff"
            elif name == OUT_OF_SCOPE_ACTION and turn["outcome"] != "handoff":
                turn["outcome"] = "out_of_scope"
            elif name == "action_listen":
                del self.turns[sender]
                entry = turn["entry_id"] if turn["outcome"] == "answered" else None
                return [record("turn", turn["channel"], turn["outcome"], entry_id=entry, at=turn["at"])]
        return []


def record(kind: str, channel: str | None, outcome: str, entry_id: str | None = None, value: float | None = None,
           at: float | None = None) -> dict:
    """One analytics record as the ingest API takes it (at: unix seconds; None means now)."""
    return {"kind": kind, "channel": channel, "outcome": outcome, "entry_id": entry_id, "value": value, "at": at}
