"""The roadmap as CSV for a spreadsheet: a header, then for each lane its initiative (when
grouped by initiative, so that empty initiatives still show) and one row per epic. The last
columns say where each date came from, what health the team declared, the milestones, and
how deep the lane's initiative nests (0 at the top).

Numbers stay numbers (ratios from 0 to 1, blank when there is nothing to count). A text cell
that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) is
prefixed with an apostrophe: titles come from anyone who can open an issue.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from hub.reports.text import date_origin, milestone_text

COLUMNS = (
    "lane",
    "key",
    "title",
    "url",
    "source",
    "level",
    "status",
    "status_category",
    "start_date",
    "target_date",
    "done",
    "total",
    "progress",
    "estimate_done",
    "estimate_total",
    "estimate_progress",
    "health",
    "slipping_blockers",
    "start_date_source",
    "target_date_source",
    "declared_health",
    "declared_health_at",
    "health_disagrees",
    "milestones",
    "lane_depth",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render_roadmap(data: dict[str, Any]) -> str:
    """RFC 4180 CSV (CRLF line ends), as spreadsheets expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(_rows(data["roadmap"]))
    return buffer.getvalue()


def _rows(roadmap: dict[str, Any]) -> Iterator[list[object]]:
    for lane in roadmap["lanes"]:
        if lane["initiative"] is not None:
            yield _row(
                lane,
                lane["initiative"],
                lane["progress"],
                (lane["health"], lane["initiativeHealthDisagrees"]),
                [],
            )
        for epic in lane["epics"]:
            yield _row(
                lane,
                epic["item"],
                epic["progress"],
                (epic["health"], epic["healthDisagrees"]),
                epic["slippingBlockers"],
            )


def _row(
    lane: dict[str, Any],
    item: dict[str, Any],
    progress: dict[str, Any],
    health: tuple[str, bool],
    slipping: list[dict[str, Any]],
) -> list[object]:
    declared = item["declaredHealth"] or {}
    return [
        _text(lane["title"]),
        _text(item["key"]),
        _text(item["title"]),
        _text(item["url"]),
        _text(item["source"]["name"]),
        item["level"],
        _text(item["status"]),
        item["statusCategory"],
        item["startDate"] or "",
        item["targetDate"] or "",
        progress["done"],
        progress["total"],
        _number(progress["ratio"]),
        _number(progress["estimateDone"]),
        _number(progress["estimateTotal"]),
        _number(progress["estimateRatio"]),
        health[0],
        _text(" ".join(blocker["key"] for blocker in slipping)),
        _text(date_origin(item["startDateSource"])),
        _text(date_origin(item["targetDateSource"])),
        declared.get("status") or "",
        declared.get("at") or "",
        "yes" if health[1] else "",
        _text("; ".join(milestone_text(m) for m in item["milestones"])),
        lane["depth"],
    ]


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _number(value: float | None) -> str:
    """Plain decimals, never exponents: ``12``, ``0.5714``."""
    if value is None:
        return ""
    return f"{value:.4f}".rstrip("0").rstrip(".")
