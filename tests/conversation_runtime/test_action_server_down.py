"""rasa_server/action_server_down.py with Rasa's own classes: which failures it answers, a real RemoteAction
against a port nobody listens on, and how a failed turn is undone. The whole path through a running Rasa server
(web, phone, booking form kept) is tests/e2e/test_process_crashes.py."""

import asyncio
import socket

import aiohttp
import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from rasa_server import action_server_down as down

DOMAIN = Domain.load("domain")


def connection_refused() -> RasaException:
    """As RemoteAction.run raises it: a new RasaException inside `except ClientConnectionError` (__context__)."""
    try:
        try:
            raise aiohttp.ClientConnectionError("refused")
        except aiohttp.ClientConnectionError:
            raise RasaException("Couldn't connect")  # noqa: B904 - Rasa's own way, reproduced
    except RasaException as exc:
        return exc


def test_which_failures_are_the_action_servers():
    assert isinstance(down.action_server_failure(connection_refused()), aiohttp.ClientConnectionError)
    server_error = RasaException("Failed")
    server_error.__cause__ = aiohttp.ClientResponseError(None, (), status=502)
    assert down.action_server_failure(server_error).status == 502
    assert isinstance(down.action_server_failure(asyncio.TimeoutError()), asyncio.TimeoutError)
    assert down.action_server_failure(ActionExecutionRejection("validate_booking_form")) is None
    assert down.action_server_failure(ValueError("a bug")) is None


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/webhook"


def test_a_real_remote_action_against_a_dead_action_server():
    down.install()
    down.install()  # idempotent
    action = RemoteAction("action_answer_from_guide", EndpointConfig(closed_port_url()))
    tracker = DialogueStateTracker.from_events("t1", [ActionExecuted("action_listen"), UserUttered("诉讼费怎么交")],
                                               slots=DOMAIN.slots)
    args = (CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(DOMAIN.responses), tracker, DOMAIN)

    with pytest.raises(RasaException):  # outside a processor's turn Rasa's behaviour is unchanged
        asyncio.run(action.run(*args))

    async def within_a_turn():
        failed: list[str] = []
        token = down._failed_calls.set(failed)
        try:
            return await action.run(*args), failed
        finally:
            down._failed_calls.reset(token)

    events, failed = asyncio.run(within_a_turn())
    assert events == [] and failed == ["action_answer_from_guide"]


def booking_turn(activated_now: bool) -> DialogueStateTracker:
    start = [ActionExecuted("action_listen"), UserUttered("我想预约调解")]
    form = [ActionExecuted("booking_form"), ActiveLoop("booking_form"), SlotSet("requested_slot", "booking_day")]
    if activated_now:  # the failing turn is the one that started the form
        events = [*start, *form]
    else:  # the form asked for the day; the answer's turn fails
        events = [*start, *form, ActionExecuted("action_listen"), UserUttered("下周三上午"),
                  SlotSet("booking_day", "下周三上午"), ActionExecuted("booking_form")]
    return DialogueStateTracker.from_events("t1", events, slots=DOMAIN.slots)


def test_a_failed_answer_inside_the_form_is_undone_and_the_form_kept():
    tracker = booking_turn(activated_now=False)
    before = down.state_before_latest_message(tracker, DOMAIN)
    assert before.active_loop_name == "booking_form" and before.get_slot("booking_day") is None
    assert down.undo_events(tracker, before) == [SlotSet("booking_day", None)]
    said = down.apology("rest", in_form=True)
    assert "保留" in said.text and "12368" in said.text and said.data["custom"] == {"handoff": True}


def test_a_form_started_in_the_failed_turn_is_left_again():
    tracker = booking_turn(activated_now=True)
    before = down.state_before_latest_message(tracker, DOMAIN)
    undo = down.undo_events(tracker, before)
    assert SlotSet("requested_slot", None) in undo and undo[-1] == ActiveLoop(None)
    phone = down.apology("hotline_12368", in_form=False)
    assert phone.text == down.APOLOGY  # the connector says the rest: transfer, or the callback menu
