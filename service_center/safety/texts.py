"""The help-line SMS a 12368 caller may ask for after a crisis reply, composed here from the reviewed wording
(knowledge_base/safety_texts.yml `sms`) and the court's numbers (court_profile.yml `safety.numbers`)."""

from functools import lru_cache
from pathlib import Path

import yaml

from court_common import safety
from service_center.court.profile import load_profile

TEXTS_PATH = Path(__file__).resolve().parents[2] / "knowledge_base" / "safety_texts.yml"


@lru_cache
def _sms_template() -> str:
    with open(TEXTS_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["sms"]


def numbers_sms(kind: str) -> str | None:
    """The SMS listing the numbers of a crisis kind, or None for an unknown kind."""
    if kind not in safety.KINDS:
        return None
    profile = load_profile()
    table = safety.numbers_table((profile.get("safety") or {}).get("numbers"))
    keys = [key for key in safety.numbers_for([kind]) if key in table]
    lines = "；".join(f"{table[key]['name']}{table[key]['number']}" for key in keys)
    return _sms_template().format(court=profile["court"]["short_name"], lines=lines, police=table["police"]["number"])
