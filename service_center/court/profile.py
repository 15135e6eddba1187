"""The court profile (knowledge_base/court_profile.yml): court-specific facts, each marked confirmed or not."""

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from service_center.config import get_settings

UNCONFIRMED = "请以法院公告为准"


@lru_cache
def load_profile(path: Path | None = None) -> dict[str, Any]:
    with open(path or get_settings().court_profile_path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def lookup(dotted: str, profile: dict[str, Any] | None = None) -> Any:
    """The raw node at a dotted path such as 'contacts.address'; KeyError if absent."""
    node: Any = profile if profile is not None else load_profile()
    for part in dotted.split("."):
        node = node[part]
    return node


def fact(dotted: str, profile: dict[str, Any] | None = None) -> str:
    """A fact fit to show a litigant: its value if the court confirmed it, else a pointer to the notice.

    A value with a source but not confirmed is shown with the warning, e.g. "立案窗口（请以法院公告为准）".
    """
    node = lookup(dotted, profile)
    if not isinstance(node, dict) or "confirmed" not in node:
        return str(node)
    value = node.get("value")
    if node["confirmed"] and value is not None:
        return str(value)
    return f"{value}（{UNCONFIRMED}）" if value else UNCONFIRMED
