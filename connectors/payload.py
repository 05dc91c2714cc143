"""Reading tracker payloads: the checks every connector's mapping needs, in one place.

Mapping functions are pure and strict: a payload that lacks what the API promises raises
``MappingError``, which the connector turns into a skipped item with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

MAPPINGS = (dict, Mapping)
"""For ``isinstance``: same answer as ``Mapping`` alone, but parsed JSON (plain dicts) matches
the exact type at once instead of going through ``ABCMeta.__instancecheck__``, a Python call
that a mapping otherwise pays several times per item."""


class MappingError(ValueError):
    """A tracker payload that cannot be mapped; the message names the field."""


def parse_datetime(value: Any, name: str = "date-time") -> datetime:
    """An ISO date-time as trackers write it (``Z``, ``+00:00`` or Jira's ``+0000``); a value
    without an offset is read as UTC."""
    if not isinstance(value, str):
        raise MappingError(f"{name}: expected a date-time string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MappingError(f"{name}: not a date-time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def optional_datetime(value: Any, name: str) -> datetime | None:
    """``parse_datetime`` for a field that may be null."""
    return None if value is None else parse_datetime(value, name)


def parse_date(value: Any, name: str) -> date | None:
    """A calendar date (``yyyy-mm-dd``, or the date that starts a longer text), or None."""
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise MappingError(f"{name}: not a date: {value!r}") from None


def optional_number(value: Any, name: str) -> float | None:
    """A number (estimates, story points), or None; a boolean is no number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise MappingError(f"{name}: not a number: {value!r}") from None


def require_text(value: Any, name: str) -> str:
    """A non-empty identifier or name; numbers (ids some APIs send as ints) become text."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise MappingError(f"{name} is missing")
    return str(value)


def require_mapping(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, MAPPINGS):
        raise MappingError(f"{name} is missing")
    return value
