"""JSON bodies of tracker responses, and pages of items read one item at a time.

``parse_json`` reads a whole body. A page of items is read differently: ``decode`` reads the
body into a msgspec type whose item list is ``msgspec.Raw``, each item's own JSON text,
located but not parsed, and ``element`` parses one item right before it is mapped. The item's
text is then stored as its raw payload as it came, instead of being serialized again, and only
one item's parsed objects are alive at a time instead of a whole page's, so they are still in
the CPU cache when mapped (the gain measured: docs/benchmarks.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
import orjson

from hub.contract.records import raw_json

T = TypeVar("T")

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(content: bytes, text: Callable[[], str]) -> Any:
    """A body as JSON: orjson for UTF-8, the fast path, else ``text()`` decoded.

    orjson also refuses a lone surrogate escape (``"\\ud83d"``, left where a text was cut in the
    middle of an emoji); the json module reads it, and every lone surrogate then becomes
    U+FFFD, so that each string of a payload can be written as UTF-8 and hashed.
    """
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return without_lone_surrogates(json.loads(text()))


def decode(content: bytes, decoder: msgspec.json.Decoder[T], text: Callable[[], str]) -> T:
    """A body read by ``decoder``. msgspec refuses what ``parse_json`` repairs (lone surrogate
    escapes, another encoding): such a body is read with it and written again for ``decoder``.
    Raises ``msgspec.ValidationError`` for a body of another shape, ``ValueError`` for one that
    is not JSON."""
    try:
        return decoder.decode(content)
    except msgspec.ValidationError:
        raise
    except msgspec.DecodeError:
        return decoder.decode(orjson.dumps(parse_json(content, text)))


def element(raw: msgspec.Raw) -> tuple[Any, bytes]:
    """One item of a page that ``decode`` read: its parsed value and its raw payload, the
    tracker's own text where the database takes it as it is (PostgreSQL refuses ``\\u0000``
    in JSON), else written anew by ``raw_json``. Text that is not UTF-8 gets U+FFFD."""
    text = bytes(raw)
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        value = without_lone_surrogates(json.loads(text.decode(errors="replace")))
        return value, raw_json(value)
    return value, (raw_json(value) if b"\\u0000" in text else text)


def without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {without_lone_surrogates(k): without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_lone_surrogates(v) for v in value]
    return value
