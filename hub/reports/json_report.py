"""Reports as JSON for tools: the query's ``data`` unchanged, so it is what the API answers."""

from __future__ import annotations

import json
from typing import Any


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
