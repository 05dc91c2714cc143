"""The roadmap as Markdown for a pull request or a wiki: summary counts, then a section per
lane with a table of its epics. Rendered from the ``Roadmap`` query's data, never the views."""

from __future__ import annotations

import re
from typing import Any

from hub.reports.text import HEALTH_LABELS, one_line, web_url

HEALTH_MARKS = {
    "ON_TRACK": "🟢",
    "AT_RISK": "🟡",
    "OFF_TRACK": "🔴",
    "DONE": "✅",
    "NO_DATES": "⚪",
}
GROUPINGS = {
    "INITIATIVE": "initiative",
    "COMPONENT": "component",
    "SOURCE": "source",
    "QUARTER": "quarter",
}
EPIC_COLUMNS = ("Epic", "Title", "Source", "Status", "Start", "Target", "Progress", "Health")
NONE = "–"

_MARKUP = re.compile(r"([\\`*_\[\]<>|~#&])")
"""Characters that would turn a title into emphasis, links, HTML or table cells."""


def render_roadmap(data: dict[str, Any]) -> str:
    roadmap = data["roadmap"]
    summary = roadmap["summary"]
    lines = [
        f"# Roadmap by {GROUPINGS[roadmap['groupBy']]}",
        "",
        f"As of {roadmap['asOf']}: {summary['epics']} epics.",
        "",
        "| 🟢 On track | 🟡 At risk | 🔴 Off track | ✅ Done | ⚪ No dates |",
        "|---:|---:|---:|---:|---:|",
        f"| {summary['onTrack']} | {summary['atRisk']} | {summary['offTrack']} "
        f"| {summary['done']} | {summary['noDates']} |",
    ]
    if not roadmap["lanes"]:
        lines += ["", "No epics match."]
    for lane in roadmap["lanes"]:
        lines += ["", *_lane(lane)]
    return "\n".join(lines) + "\n"


def _lane(lane: dict[str, Any]) -> list[str]:
    # A sub-initiative's lane is a subsection of its parent's, which comes right before it.
    heading = f"{'#' * min(2 + lane['depth'], 6)} {escape(lane['title'])}"
    initiative = lane["initiative"]
    if initiative is None:
        about = (
            f"{len(lane['epics'])} epics · progress {_progress(lane['progress'])} · "
            f"health {_health(lane)}"
        )
    else:
        about = (
            f"**Initiative** {_link(initiative)} · {escape(initiative['source']['name'])} · "
            f"{escape(initiative['status'])} · {_date(initiative['startDate'])} → "
            f"{_date(initiative['targetDate'])} · progress {_progress(lane['progress'])} · "
            f"{_health(lane)}"
        )
    if not lane["epics"]:
        none = "No epics of its own." if lane["epicCount"] else "No epics yet."
        return [heading, "", about, "", none]
    table = [_row(EPIC_COLUMNS), _row(("---",) * len(EPIC_COLUMNS))]
    table += [_row(_epic_cells(epic)) for epic in lane["epics"]]
    return [heading, "", about, "", *table]


def _epic_cells(epic: dict[str, Any]) -> tuple[str, ...]:
    item = epic["item"]
    return (
        _link(item),
        escape(item["title"]),
        escape(item["source"]["name"]),
        escape(item["status"]),
        _date(item["startDate"]),
        _date(item["targetDate"]),
        _progress(epic["progress"]),
        _health(epic) + _slipping(epic["slippingBlockers"]),
    )


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


def escape(text: str) -> str:
    """One line of plain text: no emphasis, links, HTML or cell breaks from a tracker's title."""
    return _MARKUP.sub(r"\\\1", one_line(text)) or NONE


def _link(item: dict[str, Any]) -> str:
    url = web_url(item["url"])
    key = escape(item["key"])
    return f"[{key}](<{url}>)" if url else key


def _date(value: str | None) -> str:
    return value or NONE


def _progress(progress: dict[str, Any]) -> str:
    if progress["ratio"] is None:
        return NONE
    return f"{progress['done']}/{progress['total']} ({progress['ratio']:.0%})"


def _health(entry: dict[str, Any]) -> str:
    return f"{HEALTH_MARKS[entry['health']]} {HEALTH_LABELS[entry['health']]}"


def _slipping(blockers: list[dict[str, Any]]) -> str:
    if not blockers:
        return ""
    waits = ", ".join(
        _link(blocker) + (f" (due {blocker['targetDate']})" if blocker["targetDate"] else "")
        for blocker in blockers
    )
    return f" · waits on {waits}"
