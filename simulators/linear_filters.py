"""Linear's filter inputs (``IssueFilter``, ``ProjectFilter``, ...) evaluated over world rows.

A filter is a dict of field -> comparator (``{gt: ..}``), nested entity filter (``team: {key:
{eq: ..}}``, with ``null``), collection filter (``some``/``every``) or ``and``/``or`` lists.
Date operands take ISO times or ISO durations (``-P2W``) relative to the world's clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulators.world_common import DAY_MS

_DURATION = re.compile(r"^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


class FilterError(ValueError):
    """A filter operand Linear would refuse."""


def parse_time(value: str, now_ms: int) -> int:
    """Epoch ms of an ISO date-time, date, or duration added to ``now_ms``."""
    match = _DURATION.match(value)
    if match and any(match.groups()[1:]):
        sign, weeks, days, hours, minutes, seconds = match.groups()
        parts = (int(weeks or 0) * 7 * DAY_MS, int(days or 0) * DAY_MS, int(hours or 0) * 3_600_000)
        delta = sum(parts) + int(minutes or 0) * 60_000 + int(seconds or 0) * 1000
        return now_ms - delta if sign else now_ms + delta
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise FilterError(f"Invalid date-time or duration: {value}") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.now().astimezone().tzinfo).astimezone()
    return int(parsed.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class Scalar:
    """A comparator field; ``time`` operands are converted to ms first."""

    get: Callable[[Any], Any]
    time: bool = False


@dataclass(frozen=True, slots=True)
class Entity:
    """A nested (nullable) entity filter over the fields of ``spec``."""

    get: Callable[[Any], Any]
    spec: Callable[[], FilterSpec]


@dataclass(frozen=True, slots=True)
class Collection:
    """A ``some``/``every`` filter over a list of entities."""

    get: Callable[[Any], list[Any]]
    spec: Callable[[], FilterSpec]


FilterSpec = Mapping[str, Scalar | Entity | Collection]


def _compare(condition: Mapping[str, Any], value: Any, convert: Callable[[Any], Any]) -> bool:
    for op, operand in condition.items():
        if operand is None:
            continue
        if op == "null":
            ok = (value is None) == bool(operand)
        elif value is None:
            ok = op in ("neq", "nin")
        elif op == "eq":
            ok = value == convert(operand)
        elif op == "neq":
            ok = value != convert(operand)
        elif op == "in":
            ok = value in {convert(item) for item in operand}
        elif op == "nin":
            ok = value not in {convert(item) for item in operand}
        elif op == "gt":
            ok = value > convert(operand)
        elif op == "gte":
            ok = value >= convert(operand)
        elif op == "lt":
            ok = value < convert(operand)
        elif op == "lte":
            ok = value <= convert(operand)
        else:
            raise FilterError(f"Unsupported comparator: {op}")
        if not ok:
            return False
    return True


def matches(item: Any, condition: Mapping[str, Any] | None, spec: FilterSpec, now_ms: int) -> bool:
    """Whether ``item`` satisfies ``condition`` under ``spec`` (all keys must hold)."""
    if not condition:
        return True
    for name, sub in condition.items():
        if sub is None:
            continue
        if name == "and":
            if not all(matches(item, part, spec, now_ms) for part in sub):
                return False
            continue
        if name == "or":
            if not any(matches(item, part, spec, now_ms) for part in sub):
                return False
            continue
        if name == "null":
            continue
        field = spec.get(name)
        if field is None:
            raise FilterError(f"Filtering on {name} is not supported by the simulator")
        if not _matches_field(item, field, sub, now_ms):
            return False
    return True


def _matches_field(item: Any, field: Scalar | Entity | Collection, sub: Any, now_ms: int) -> bool:
    if isinstance(field, Scalar):

        def convert(operand: Any) -> Any:
            return parse_time(operand, now_ms) if field.time else operand

        return _compare(sub, field.get(item), convert)
    if isinstance(field, Entity):
        target = field.get(item)
        if sub.get("null") is not None and (target is None) != bool(sub["null"]):
            return False
        return target is not None and matches(target, sub, field.spec(), now_ms)
    targets = field.get(item)
    nested = field.spec()
    for key, part in sub.items():
        if part is None:
            continue
        if key == "some" and not any(matches(t, part, nested, now_ms) for t in targets):
            return False
        if key == "every" and not all(matches(t, part, nested, now_ms) for t in targets):
            return False
        if key in ("and", "or"):
            results = [_matches_field(item, field, p, now_ms) for p in part]
            if not (all(results) if key == "and" else any(results)):
                return False
        if key not in ("some", "every", "and", "or"):
            raise FilterError(f"Filtering collections on {key} is not supported by the simulator")
    return True


def bounds(condition: Mapping[str, Any] | None, now_ms: int) -> tuple[int | None, int | None]:
    """The (low, high) ms window a top-level date comparator allows, both inclusive."""
    if not condition:
        return None, None
    low = high = None
    if condition.get("gt") is not None:
        low = parse_time(condition["gt"], now_ms) + 1
    if condition.get("gte") is not None:
        low = max(low or 0, parse_time(condition["gte"], now_ms))
    if condition.get("lt") is not None:
        high = parse_time(condition["lt"], now_ms) - 1
    if condition.get("lte") is not None:
        value = parse_time(condition["lte"], now_ms)
        high = value if high is None else min(high, value)
    return low, high
