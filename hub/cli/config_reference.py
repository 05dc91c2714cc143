"""docs/configuration.md, rendered from the config model: every key's type, default, example
and description come from the pydantic fields, so the page cannot fall behind the code."""

from __future__ import annotations

import enum
import types
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Le
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from hub.contract.config import (
    MIN_EVERY,
    ApiConfig,
    ComponentConfig,
    HubConfig,
    InitiativeConfig,
    ProjectRef,
    SourceConfig,
)

REGENERATE = "hub config docs -o docs/configuration.md"

TABLES: tuple[tuple[str, type[BaseModel]], ...] = (
    ("Top level", HubConfig),
    ("`[api]`", ApiConfig),
    ("`[[sources]]`", SourceConfig),
    ("`projects_v2` entries of a GitHub source", ProjectRef),
    ("`[[components]]`", ComponentConfig),
    ("`[[initiatives]]`", InitiativeConfig),
)
_NESTED: dict[type[BaseModel], str] = {
    ApiConfig: "table",
    SourceConfig: "array of tables",
    ComponentConfig: "array of tables",
    InitiativeConfig: "array of tables",
    ProjectRef: "array of tables",
}

_MIN_EVERY = f"{int(MIN_EVERY.total_seconds() // 60)}m"
HEADER = f"""\
# Configuration

<!-- Generated from the config model, hub/contract/config.py; do not edit by hand.
     Regenerate with `{REGENERATE}` after changing a field, and commit
     the result: a test fails when this file and the model disagree. -->

The hub reads one TOML file: `--config FILE`, else `$HUB_CONFIG`, else `hub.toml` in the
working directory (a missing default file means nothing is configured; a missing named file
is an error). `HUB_DATABASE_URL` overrides `database_url`. Secrets never go in the file: a
source names the environment variables that hold them (`token_env`, `email_env`), and they
are read only when that source is synced, so commands that sync nothing need none.

A mistake fails every command with one line naming the file, the entry and the key; values
that may hold a secret (`base_url`, `database_url`) are never echoed.

Durations are a whole number and a unit, `90s`, `15m`, `6h` or `1d`, at most `366d`. A
source's `every` is at least `{_MIN_EVERY}`: syncing more often would spend the tracker's
rate limit on polling.
"""


def render_reference() -> str:
    """The whole page, as committed in docs/configuration.md."""
    parts = [HEADER]
    for title, model in TABLES:
        parts.append(f"\n## {title}\n\n{_one_line(model.__doc__ or '')}\n\n")
        parts.append("| key | type | default | example | description |\n")
        parts.append("|---|---|---|---|---|\n")
        parts.extend(_row(name, field) for name, field in _fields(model))
    return "".join(parts)


def _fields(model: type[BaseModel]) -> Iterator[tuple[str, FieldInfo]]:
    """The keys a file may hold: secrets set by the hub itself are left out."""
    for name, field in model.model_fields.items():
        if not field.exclude:
            yield name, field


def _row(name: str, field: FieldInfo) -> str:
    cells = (
        f"`{name}`",
        _type(field.annotation) + _bounds(field),
        "required" if field.is_required() else _default(field),
        _example(field),
        _one_line(field.description or ""),
    )
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |\n"


def _type(annotation: Any) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _type(args[0])
    if origin in (Union, types.UnionType):
        kept = [arg for arg in args if arg is not type(None)]
        return " or ".join(_type(arg) for arg in kept)
    if origin is Literal:
        return "one of " + ", ".join(f"`{arg}`" for arg in args)
    if origin is tuple and args[0] in _NESTED:
        return _NESTED[args[0]]
    if origin is tuple:
        return f"array of {_type(args[0])}s"
    if origin is dict:
        return f"table of {_type(args[0])} → {_type(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "one of " + ", ".join(f"`{member.value}`" for member in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _NESTED.get(annotation, "table")
    names = {str: "string", bool: "boolean", int: "integer", float: "number"}
    names |= {timedelta: "duration", date: "date"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _bounds(field: FieldInfo) -> str:
    low = next((m.ge for m in field.metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in field.metadata if isinstance(m, Le)), None)
    if low is None and high is None:
        return ""
    if high is None:
        return f", ≥ {low}"
    return f", {low if low is not None else ''}–{high}"


def _default(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, BaseModel):
        return "see below"
    return f"`{toml(value)}`"


def _example(field: FieldInfo) -> str:
    if not field.examples:
        return ""
    is_date = date in (field.annotation, *get_args(field.annotation))
    return f"`{toml(field.examples[0], as_date=is_date)}`"


def toml(value: Any, *, as_date: bool = False) -> str:
    """``value`` as it is written in the file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return toml(value.value)
    if isinstance(value, timedelta):
        return toml(duration(value))
    if isinstance(value, date) or (as_date and isinstance(value, str)):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml(item) for item in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml(k)} = {toml(v)}" for k, v in value.items()) + " }"
    return str(value)


def duration(value: timedelta) -> str:
    """A timedelta in the largest unit that holds it whole: ``15m``, ``1d``."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _one_line(text: str) -> str:
    return " ".join(text.split())
