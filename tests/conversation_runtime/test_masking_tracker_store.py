"""issue 12, row 8: conversations are stored without phone numbers, ID numbers or booking names in clear, in a
file only its owner can read, and Rasa still reads them back (the real SQLTrackerStore on a real SQLite file)."""

import asyncio
import json
import sqlite3
import stat

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from court_common.trust import sign_identity
from tracker_store.masking import MaskingSQLTrackerStore

DOMAIN = Domain.from_yaml("""
version: "3.1"
slots:
  booking_name: {type: text, mappings: [{type: custom}]}
  booking_phone: {type: text, mappings: [{type: custom}]}
""")


def test_phone_numbers_and_names_never_reach_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERNAL_SECRET", "test-internal-secret-0123456789abcdef")
    path = tmp_path / "tracker.db"
    store = MaskingSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    identity = sign_identity({"channel": "hotline_12368", "caller_phone": "+8613812345678", "user_key": "tel-1"})
    tracker = DialogueStateTracker.from_events("CA123", [
        ActionExecuted("action_listen"),
        UserUttered("我的手机是13912345678，身份证220721199001011234", {"name": "inform"}, metadata=identity),
        SlotSet("booking_phone", "13912345678"),
        SlotSet("requested_slot", "booking_name"),
        BotUttered("请问预约人怎么称呼？"),
        ActionExecuted("action_listen"),
        UserUttered("王芳", {"name": "inform"}),
        SlotSet("booking_name", "王芳"),
        SlotSet("requested_slot", None),
    ], slots=DOMAIN.slots)
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("13700001111 再问一下", {"name": "inform"}))
    asyncio.run(store.save(tracker))

    rows = sqlite3.connect(path).execute("SELECT data FROM events").fetchall()
    raw = "\n".join(json.dumps(json.loads(data), ensure_ascii=False) for (data,) in rows)
    for secret in ("13812345678", "13912345678", "13700001111", "220721199001011234", "王芳",
                   "identity_sig"):
        assert secret not in raw
    assert "139****5678" in raw and "138****5678" in raw and "王*" in raw and "137****1111" in raw
    again = asyncio.run(store.retrieve("CA123"))
    assert again.get_slot("booking_name") == "王*" and again.get_slot("booking_phone") == "139****5678"
    assert len(again.events) == len(tracker.events)
