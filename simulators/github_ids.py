"""GitHub's global node ids and timestamp form, shared by the world and its projects."""

from __future__ import annotations

import base64
import struct
from datetime import UTC, datetime


def iso(seconds: int | None) -> str | None:
    """GitHub's timestamp form: UTC, whole seconds, ``Z`` suffix."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(prefix: str, *ids: int) -> str:
    """A GitHub-style global id: the prefix, then base64url of a msgpack ``[0, *ids]`` array."""
    packed = bytes([0x90 + len(ids) + 1, 0]) + b"".join(struct.pack(">BI", 0xCE, i) for i in ids)
    return f"{prefix}_{base64.urlsafe_b64encode(packed).decode().rstrip('=')}"


def decode_node_id(value: str) -> tuple[str, tuple[int, ...]] | None:
    """The prefix and database ids inside a global id, or None when it is not one of ours."""
    prefix, _, encoded = value.partition("_")
    try:
        packed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        return None
    count = len(packed) - 2
    if not prefix or count <= 0 or count % 5 or packed[:2] != bytes([0x91 + count // 5, 0]):
        return None
    parts = [struct.unpack(">BI", packed[2 + 5 * k : 7 + 5 * k]) for k in range(count // 5)]
    if any(marker != 0xCE for marker, _ in parts):
        return None
    return prefix, tuple(number for _, number in parts)
