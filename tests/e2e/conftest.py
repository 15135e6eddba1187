"""Fixtures for end-to-end tests: one real stack for the whole session (see tests/support/stack.py)."""

import uuid

import pytest

from tests.support.stack import RASA_VENV, ROOT, TWILIO_AUTH_TOKEN, Stack, free_port, started
from tests.support.twilio_caller import TwilioCaller

__all__ = ["RASA_VENV", "ROOT", "Stack", "free_port", "started"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    running = started(Stack(tmp_path_factory.mktemp("stack")))
    yield running
    running.stop()


@pytest.fixture
def sender() -> str:
    """A new conversation id for each test."""
    return f"e2e-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def call(stack):
    """A new phone call to the stack's 12368 line, signed as Twilio signs."""
    caller = TwilioCaller(stack.rasa_url, TWILIO_AUTH_TOKEN)
    yield caller
    caller.close()
