"""Fixtures for end-to-end tests: one real stack for the whole session (see tests/support/stack.py)."""

import uuid

import pytest

from tests.support.stack import RASA_VENV, ROOT, Stack, free_port, started

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
