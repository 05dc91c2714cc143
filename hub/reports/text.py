"""Text from trackers made safe for any report: one line, printable, links to the web only.

Titles come from anyone who can open an issue, so every format starts from these helpers and
then adds its own escaping (Markdown, DOT, Mermaid).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, urlsplit

HEALTH_LABELS = {
    "ON_TRACK": "On track",
    "AT_RISK": "At risk",
    "OFF_TRACK": "Off track",
    "DONE": "Done",
    "NO_DATES": "No dates",
}
DECLARED_LABELS = {
    "ON_TRACK": "On track",
    "AT_RISK": "At risk",
    "OFF_TRACK": "Off track",
    "COMPLETE": "Complete",
    "INACTIVE": "Inactive",
}
"""What a team can say of its work in a status update (``DeclaredHealth``)."""
DERIVED_MARK = "≈"
"""Marks a date derived from an item's children: nobody declared it."""
DATE_SOURCES = {
    "FIELD": "field",
    "PROJECT_FIELD": "project field",
    "ITERATION": "iteration",
    "SPRINT": "sprint",
    "RELEASE": "release",
    "MILESTONE": "milestone",
    "CYCLE": "cycle",
    "CHILDREN": "derived from children",
    "MANUAL": "set in the hub",
}

_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
"""Controls, format characters (bidi overrides, zero-width joiners), surrogates, private and
unassigned code points, line and paragraph separators."""

_KEEP = {"\u200d"}
"""The zero-width joiner holds multi-part emoji together; it cannot reorder text."""


def one_line(text: str) -> str:
    """``text`` on one line: whitespace runs (newlines too) become one space, and characters
    that are invisible or reorder text (bidi overrides) are dropped."""
    kept = (
        " " if char.isspace() else char
        for char in text
        if char.isspace() or char in _KEEP or unicodedata.category(char) not in _INVISIBLE
    )
    return " ".join("".join(kept).split())


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def web_url(url: str | None) -> str | None:
    """An http(s) URL with spaces, quotes, brackets and other unsafe characters
    percent-encoded; None for anything else (``javascript:``, relative paths, garbage)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https"):
        return None
    return quote(url.strip(), safe="/:?#[]@!$&*+,;=%~-._")


def shown_date(day: str | None, origin: dict[str, str | None] | None, none: str) -> str:
    """A date as reports print it: derived ones marked with ``DERIVED_MARK``."""
    if day is None:
        return none
    return DERIVED_MARK + day if origin is not None and origin["source"] == "CHILDREN" else day


def date_origin(origin: dict[str, str | None] | None) -> str:
    """Where a date came from, in words: ``project field "Target date"``, ``sprint "S 12"``."""
    if origin is None:
        return ""
    words = DATE_SOURCES.get(str(origin["source"]), str(origin["source"]).lower())
    field = origin.get("field")
    return f'{words} "{one_line(field)}"' if field else words


def milestone_text(milestone: dict[str, object]) -> str:
    """``Beta 2027-02-01 (done, 100%)``: a milestone's name, date, status and progress."""
    name = one_line(str(milestone["name"]))
    day = f" {milestone['targetDate']}" if milestone["targetDate"] else ""
    details = [str(milestone["status"])] if milestone["status"] else []
    progress = milestone["progress"]
    if isinstance(progress, int | float):
        details.append(f"{progress:.0%}")
    return name + day + (f" ({', '.join(details)})" if details else "")
