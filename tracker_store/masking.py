"""A SQL tracker store that never writes a phone number, an ID number or a booking name in clear.

Rasa keeps every event of a conversation: the user's texts, their metadata (the hotline's caller id), and every
slot value. This store is Rasa's SQLTrackerStore with one change: each event is masked as it is written.
- phone and ID numbers in any text, entity or slot value: 138****5678;
- the caller id and any verified phone in metadata: masked, and the connector's identity signature dropped
  (actions read identities from the message being handled, which never comes from the store);
- the booking name: the slot and the user's answer to "怎么称呼" keep only the family name (王*).
What a booking needs stays at the service center (actions/booking.py sends it there within the same turn), so a
conversation continues normally after a restart. Conversations themselves are deleted after
RETENTION_CONVERSATIONS_DAYS by `make purge`. A SQLite file is created readable by its owner only (0600).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from court_common.masking import mask_name, mask_phone, mask_text
from court_common.trust import SIGNATURE_KEY

log = logging.getLogger(__name__)

NAME_SLOTS = {"booking_name"}
PHONE_FIELDS = ("caller_phone", "verified_phone")


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_mask_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _mask_value(item) for key, item in value.items()}
    return value


def mask_event(data: dict, requested_slot: str | None) -> dict:
    """One event's dict (Event.as_dict()) as it may be stored."""
    kind = data.get("event")
    if kind == "user":
        answering_name = requested_slot in NAME_SLOTS
        mask = mask_name if answering_name else mask_text
        if isinstance(data.get("text"), str):
            data["text"] = mask(data["text"])
        parse = data.get("parse_data")
        if isinstance(parse, dict):
            if isinstance(parse.get("text"), str):
                parse["text"] = mask(parse["text"])
            for entity in parse.get("entities") or []:
                if isinstance(entity, dict):
                    entity["value"] = _mask_value(entity.get("value"))
        metadata = data.get("metadata")
        if isinstance(metadata, dict):
            metadata.pop(SIGNATURE_KEY, None)
            for field in PHONE_FIELDS:
                if metadata.get(field):
                    metadata[field] = mask_phone(str(metadata[field]))
    elif kind == "slot":
        if data.get("name") in NAME_SLOTS and isinstance(data.get("value"), str):
            data["value"] = mask_name(data["value"])
        else:
            data["value"] = _mask_value(data.get("value"))
    elif kind == "bot" and isinstance(data.get("text"), str):
        data["text"] = mask_text(data["text"])
    return data


def _private_file(path: str | None) -> None:
    if not path or path == ":memory:":
        return
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    if not file.exists():
        os.close(os.open(file, os.O_CREAT | os.O_WRONLY, 0o600))
    for candidate in (file, file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm"),
                      file.with_name(file.name + "-journal")):
        if candidate.exists():
            candidate.chmod(0o600)


class MaskingSQLTrackerStore(SQLTrackerStore):
    """Configured in endpoints*.yml as `type: tracker_store.masking.MaskingSQLTrackerStore` (same settings as
    Rasa's `type: SQL`)."""

    def __init__(self, domain=None, dialect: str = "sqlite", **kwargs: Any) -> None:
        if dialect == "sqlite":
            _private_file(kwargs.get("db"))
        super().__init__(domain, dialect, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's SQLTrackerStore.save, with each new event masked (and the event broker left as Rasa has it)."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            # as Rasa's _additional_events: the tracker holds this session's events, the first `stored` are saved
            stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            requested: str | None = None  # requested_slot at each event, followed from the session's start
            for index, event in enumerate(tracker.events):
                data = event.as_dict()
                if index >= stored:
                    masked = mask_event(data, requested)
                    parse = masked.get("parse_data") or {}
                    session.add(self.SQLEvent(
                        sender_id=tracker.sender_id, type_name=event.type_name, timestamp=masked.get("timestamp"),
                        intent_name=(parse.get("intent") or {}).get("name"), action_name=masked.get("name"),
                        data=json.dumps(masked)))
                if data.get("event") == "slot" and data.get("name") == "requested_slot":
                    requested = data.get("value")
                elif data.get("event") == "active_loop" and not data.get("name"):
                    requested = None
            session.commit()
