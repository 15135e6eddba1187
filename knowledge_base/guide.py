"""Load and check the procedure guide: YAML files knowledge_base/guide/<category>.yml, each a list of entries.

Court-specific facts are never written into entries. They appear as placeholders ``{court.<dotted path>}`` whose
path is a key of knowledge_base/court_profile.yml, e.g. ``{court.contacts.address}`` or
``{court.windows.filing}``. ``render_details`` fills them from the profile: a confirmed value is shown as is,
an unconfirmed one as "请以法院公告为准" (or "value（请以法院公告为准）" when a working value exists).
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.schema import PLACEHOLDER, GuideEntry

GUIDE_DIR = Path(__file__).resolve().parent / "guide"
UNCONFIRMED = "请以法院公告为准"

log = logging.getLogger(__name__)


class GuideError(ValueError):
    """The guide files are malformed or inconsistent (duplicate ids, bad category, ...)."""


def guide_files(path: Path | str | None = None) -> list[Path]:
    root = Path(path) if path is not None else GUIDE_DIR
    if root.is_file():
        return [root]
    return sorted(root.glob("*.yml"))


def load_guide(path: Path | str | None = None, *, check_related: bool = False) -> list[GuideEntry]:
    """All entries of the guide, in file order (files sorted by name).

    Raises GuideError on invalid entries, duplicate ids or an entry whose category differs from its file name.
    With check_related=True every id in `related` must be a loaded entry (the tests enforce this).
    """
    entries: list[GuideEntry] = []
    problems: list[str] = []
    for file in guide_files(path):
        with open(file, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle) or []
        if not isinstance(raw, list):
            raise GuideError(f"{file.name}: expected a YAML list of entries")
        for index, item in enumerate(raw):
            try:
                entry = GuideEntry.model_validate(item)
            except Exception as exc:  # pydantic ValidationError: report all files at once
                ident = item.get("id", f"#{index}") if isinstance(item, dict) else f"#{index}"
                problems.append(f"{file.name} {ident}: {exc}")
                continue
            if entry.category != file.stem:
                problems.append(f"{file.name} {entry.id}: category {entry.category!r} differs from file name")
            entries.append(entry)
    duplicates = [ident for ident, count in Counter(e.id for e in entries).items() if count > 1]
    if duplicates:
        problems.append(f"duplicate ids: {', '.join(sorted(duplicates))}")
    if check_related:
        problems.extend(f"{ident}: unknown related id {rel}" for ident, rel in missing_related(entries))
    if problems:
        raise GuideError("\n".join(problems))
    return entries


def missing_related(entries: list[GuideEntry]) -> list[tuple[str, str]]:
    """(entry id, related id) pairs whose related id is not among the entries."""
    known = {e.id for e in entries}
    return [(e.id, rel) for e in entries for rel in e.related if rel not in known or rel == e.id]


def entries_by_id(entries: list[GuideEntry]) -> dict[str, GuideEntry]:
    return {e.id: e for e in entries}


def placeholders(text: str) -> list[str]:
    """Dotted profile paths used in a text, e.g. ['contacts.address'] for '{court.contacts.address}'."""
    return [match.group(0)[len("{court.") : -1] for match in PLACEHOLDER.finditer(text)]


def _lookup(dotted: str, profile: dict[str, Any]) -> Any:
    node: Any = profile
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


def profile_fact(dotted: str, profile: dict[str, Any]) -> str:
    """The text shown for one court fact: confirmed value, or the unconfirmed warning (never a guess)."""
    try:
        node = _lookup(dotted, profile)
    except KeyError:
        log.warning("court profile has no %s", dotted)
        return UNCONFIRMED
    if not isinstance(node, dict):
        return UNCONFIRMED if node is None else str(node)
    if "confirmed" not in node:
        return UNCONFIRMED
    value = node.get("value")
    if isinstance(value, list | dict):
        value = _format_value(value)
    if node["confirmed"] and value not in (None, ""):
        return str(value)
    return f"{value}（{UNCONFIRMED}）" if value not in (None, "") else UNCONFIRMED


def _format_value(value: list | dict) -> str:
    if isinstance(value, dict):
        return "，".join(f"{k} {_format_value(v) if isinstance(v, list | dict) else v}" for k, v in value.items())
    if all(isinstance(v, int | float) for v in value) and len(value) == 2:
        return f"{value[0]}至{value[1]}"
    return "、".join(_format_value(v) if isinstance(v, list | dict) else str(v) for v in value)


def render_text(text: str, profile: dict[str, Any]) -> str:
    """Replace every {court.<path>} placeholder by the fact from the profile."""
    return PLACEHOLDER.sub(lambda m: profile_fact(m.group(0)[len("{court.") : -1], profile), text)


def render_details(entry: GuideEntry, profile: dict[str, Any]) -> str:
    """The entry's details with court facts filled in from the court profile."""
    return render_text(entry.details, profile)


def load_court_profile(path: Path | str | None = None) -> dict[str, Any]:
    """The court profile as a dict (knowledge_base/court_profile.yml unless a path is given)."""
    target = Path(path) if path is not None else Path(__file__).resolve().parent / "court_profile.yml"
    with open(target, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def render_entry(entry: GuideEntry, profile: dict[str, Any]) -> dict[str, Any]:
    """The entry as a dict fit to show: short answer and details with court facts filled in."""
    data = entry.model_dump(mode="json")
    data["short_answer"] = render_text(entry.short_answer, profile)
    data["details"] = render_text(entry.details, profile)
    return data


def check(path: Path | str | None = None, profile: dict[str, Any] | None = None) -> list[str]:
    """Problems an author should fix before committing: unknown related ids, unknown profile keys, long answers."""
    entries = load_guide(path)
    profile = profile if profile is not None else load_court_profile()
    problems = [f"{ident}: related id {rel} is not written (yet)" for ident, rel in missing_related(entries)]
    for entry in entries:
        for dotted in placeholders(entry.details) + placeholders(entry.short_answer):
            try:
                _lookup(dotted, profile)
            except KeyError:
                problems.append(f"{entry.id}: placeholder {{court.{dotted}}} is not a court profile key")
        if len(entry.short_answer) > 80:
            problems.append(f"{entry.id}: short answer has {len(entry.short_answer)} characters (aim for <= 80)")
    return problems


def main(argv: list[str] | None = None) -> int:
    import argparse
    from collections import Counter as _Counter

    parser = argparse.ArgumentParser(description="Validate the procedure guide and print a summary.")
    parser.add_argument("path", nargs="?", default=None, help="guide folder or one file (default knowledge_base/guide)")
    args = parser.parse_args(argv)
    try:
        entries = load_guide(args.path)
    except GuideError as exc:
        print(exc)
        return 1
    for category, count in sorted(_Counter(e.category for e in entries).items()):
        print(f"{category:14} {count}")
    print(f"{'total':14} {len(entries)}")
    problems = check(args.path)
    for problem in problems:
        print("warning:", problem)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
