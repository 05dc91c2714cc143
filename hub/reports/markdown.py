"""The roadmap as Markdown for a pull request or a wiki: summary counts, then a section per
lane with a table of its epics. Rendered from the ``Roadmap`` query's data, never the views."""

from __future__ import annotations

import re
from typing import Any

from hub.reports.text import (
    DECLARED_LABELS,
    HEALTH_LABELS,
    milestone_text,
    one_line,
    shown_date,
    web_url,
)

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
        "",
        "Dates marked ≈ are derived from the children; the others are declared. "
        "⚠ marks a health the team declared that the hub's reading contradicts.",
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
            f"{escape(initiative['status'])} · {_start(initiative)} → "
            f"{_target(initiative)} · progress {_progress(lane['progress'])} · "
            f"{_health(lane)}{_declared(initiative, lane['initiativeHealthDisagrees'])}"
        )
    if not lane["epics"]:
        none = "No epics of its own." if lane["epicCount"] else "No epics yet."
        return [heading, "", about, "", none]
    table = [_row(EPIC_COLUMNS), _row(("---",) * len(EPIC_COLUMNS))]
    table += [_row(_epic_cells(epic)) for epic in lane["epics"]]
    return [heading, "", about, "", *table, *_milestones(lane["epics"])]


def _milestones(epics: list[dict[str, Any]]) -> list[str]:
    """A list under the table: each epic's milestones, the dated checkpoints of its work."""
    lines = [
        f"- {_link(epic['item'])}: "
        + " · ".join(escape(milestone_text(m)) for m in epic["item"]["milestones"])
        for epic in epics
        if epic["item"]["milestones"]
    ]
    return ["", "Milestones:", "", *lines] if lines else []


def _epic_cells(epic: dict[str, Any]) -> tuple[str, ...]:
    item = epic["item"]
    return (
        _link(item),
        escape(item["title"]),
        escape(item["source"]["name"]),
        escape(item["status"]),
        _start(item),
        _target(item),
        _progress(epic["progress"]),
        _health(epic)
        + _declared(item, epic["healthDisagrees"])
        + _slipping(epic["slippingBlockers"]),
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


def _start(item: dict[str, Any]) -> str:
    return shown_date(item["startDate"], item["startDateSource"], NONE)


def _target(item: dict[str, Any]) -> str:
    return shown_date(item["targetDate"], item["targetDateSource"], NONE)


def _declared(item: dict[str, Any], disagrees: bool) -> str:
    """What the team declared, beside the computed health: `` · team: On track ⚠``."""
    declared = item["declaredHealth"]
    if declared is None:
        return ""
    said = f" · team: {DECLARED_LABELS[declared['status']]}"
    when = f" ({declared['at'][:10]})" if declared["at"] else ""
    return said + when + (" ⚠" if disagrees else "")


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
