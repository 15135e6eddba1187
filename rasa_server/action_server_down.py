"""When the action server cannot be reached (down, restarting, or answering 5xx), the person is never left
without a reply.

What Rasa 3.6 does by itself: `RemoteAction.run` raises, `MessageProcessor._run_action` logs a stack trace, drops
the action's events and goes on predicting as if it had run, so the turn usually ends with no message at all and a
form can be left holding an unvalidated answer. Here instead, for the whole turn:

- every custom action call that fails that way (including a form's `validate_*` and `action_ask_*` calls) is
  recorded and returns no events, without a stack trace;
- when the action the policies chose is done, the person gets one apology with the way to a person (the
  `{"handoff": true}` card the connectors already understand: the phone line transfers the call or offers a
  callback, web and WeChat show the 12368 card), the turn's changes are undone (slots and the active form are
  set back to what they were before the message) and the bot listens again;
- so once the action server is back, the person says the same thing again and the conversation, a booking form
  included, goes on from where it was.

A 400 from the action server is Rasa's own "action rejected" path and is left alone.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActiveLoop, BotUttered, FollowupAction, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

log = logging.getLogger(__name__)

HOTLINE_CHANNEL = "hotline_12368"
APOLOGY = "抱歉，系统暂时出了点问题，您刚才的话没能处理。"
KEPT = "您已经填写的内容都还保留着，"
SAY_AGAIN = "请过一会儿再说一遍。"
WHERE_PEOPLE_ARE = ("需要人工帮助，可以拨打12368诉讼服务热线，或在工作时间到法院诉讼服务中心窗口咨询"
                    "（具体时间请以法院公告为准）。")
# Set by the wrapped _run_action for the length of one action; holds the names of the calls that failed.
_failed_calls: ContextVar[list[str] | None] = ContextVar("failed_action_server_calls", default=None)

_original_remote_run = RemoteAction.run
_original_run_action = MessageProcessor._run_action


def action_server_failure(exc: BaseException) -> BaseException | None:
    """The connection error, timeout or 5xx behind an exception from RemoteAction.run; None for anything else
    (a 400 rejection, a bug in Rasa)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ActionExecutionRejection):
            return None
        if isinstance(current, (aiohttp.ClientError, asyncio.TimeoutError)):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def apology(channel: str | None, in_form: bool) -> BotUttered:
    # on the phone the connector goes on to a transfer, or to the callback menu outside staffed hours
    text = APOLOGY if channel == HOTLINE_CHANNEL else APOLOGY + (KEPT if in_form else "") + SAY_AGAIN + WHERE_PEOPLE_ARE
    return BotUttered(text, data={"custom": {"handoff": True}}, metadata={"action_server_down": True})


async def _guarded_remote_run(self: RemoteAction, output_channel, nlg, tracker, domain) -> list:
    try:
        return await _original_remote_run(self, output_channel, nlg, tracker, domain)
    except Exception as exc:
        failed, cause = _failed_calls.get(), action_server_failure(exc)
        if failed is None or cause is None:
            raise
        failed.append(self.name())
        log.warning("action server unreachable for %s (%s)", self.name(), type(cause).__name__)
        return []


def state_before_latest_message(tracker: DialogueStateTracker, domain) -> DialogueStateTracker:
    """The conversation as it was when the person's latest message arrived (slots, active form)."""
    events = list(tracker.events)
    latest = max((i for i, e in enumerate(events) if isinstance(e, UserUttered)), default=len(events))
    return DialogueStateTracker.from_events(tracker.sender_id, events[:latest], slots=domain.slots)


def undo_events(tracker: DialogueStateTracker, before: DialogueStateTracker) -> list:
    """SlotSet / ActiveLoop events that put slots and the active form back as they were in `before`.

    Not UserUtteranceReverted: inside a form, Rasa's applied_events folds the form's turns together, so a revert
    would also undo the message that started the form."""
    events: list = [SlotSet(name, before.slots[name].value) for name, slot in tracker.slots.items()
                    if name in before.slots and slot.value != before.slots[name].value]
    if tracker.active_loop_name != before.active_loop_name:
        events.append(ActiveLoop(before.active_loop_name))
    return events


async def _run_action_or_apologise(self: MessageProcessor, action, tracker, output_channel, nlg, prediction):
    failed: list[str] = []
    token = _failed_calls.set(failed)
    try:
        keep_predicting = await _original_run_action(self, action, tracker, output_channel, nlg, prediction)
    finally:
        _failed_calls.reset(token)
    if not failed:
        return keep_predicting
    before = state_before_latest_message(tracker, self.domain)
    said = apology(tracker.get_latest_input_channel(), in_form=bool(before.active_loop_name))
    for event in [*undo_events(tracker, before), said, FollowupAction(ACTION_LISTEN_NAME)]:
        tracker.update(event, self.domain)
    await self.execute_side_effects([said], tracker, output_channel)
    log.warning("apologised for %s and undid the turn: the person can say it again once the action server is back",
                ", ".join(dict.fromkeys(failed)))
    return True  # the FollowupAction makes the next action action_listen


def install() -> None:
    """Idempotent: wraps RemoteAction.run and MessageProcessor._run_action once."""
    if RemoteAction.run is not _guarded_remote_run:
        RemoteAction.run = _guarded_remote_run
    if MessageProcessor._run_action is not _run_action_or_apologise:
        MessageProcessor._run_action = _run_action_or_apologise
