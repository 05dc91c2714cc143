"""Writing a finished report: whole or not at all.

A file is written beside its destination and renamed over it, so a failure (or a reader
opening it meanwhile) never sees half a report, and an earlier report survives a failed run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def encoded(text: str, *, byte_order_mark: bool = False) -> bytes:
    """UTF-8; a character that cannot be encoded (a lone surrogate) becomes ``?``."""
    data = text.encode("utf-8", errors="replace")
    return b"\xef\xbb\xbf" + data if byte_order_mark else data


def write_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; a report is not
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
