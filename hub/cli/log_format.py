"""Log lines as JSON, for ``hub serve --log-format json``: one object a line, for a log
collector to read without parsing text.

Only the shape changes: the messages are the ones the text format writes, redacted where
they are built (connectors, engine, scheduler), so no secret appears that the text would not
show either.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

LOG_FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message"}``, with ``exception`` (the traceback's text)
    and ``stack`` when the record carries them."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False)


def use_log_format(log_format: str) -> None:
    """Every handler of the root logger writes ``log_format`` ("text" leaves them as set)."""
    if log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
