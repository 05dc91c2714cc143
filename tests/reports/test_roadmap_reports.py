"""`hub report roadmap` on the roadmap world of ``tests/views/test_roadmap.py``, checked
against what the GraphQL API answers for the same data (today is 2026-04-01)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import ApiConfig
from hub.contract.records import DateSource, DeclaredHealth, Level, StatusCategory
from hub.reports.documents import ROADMAP_QUERY
from hub.reports.terminal import roadmap_summary
from schema import create_schema, get_context, schema
from schema.extensions import api_extensions
from tests.schema.test_roadmap import run as api_roadmap
from tests.views.test_roadmap import TODAY, build_world, load, work_item

AS_OF = ("--as-of", TODAY.isoformat())
NASTY = '=HYPERLINK("http://evil") | pipes\nand *stars* <b>bold</b> back\\slash'
HEALTH = {
    "On track": "ON_TRACK",
    "At risk": "AT_RISK",
    "Off track": "OFF_TRACK",
    "Done": "DONE",
    "No dates": "NO_DATES",
}


async def add_nasty_epic(sessions: async_sessionmaker[AsyncSession]) -> None:
    """An epic under no initiative whose title is a formula, with pipes, a line break,
    emphasis, HTML and a backslash."""
    async with sessions() as session, session.begin():
        session.add(
            work_item(
                "github:77",
                Level.EPIC,
                StatusCategory.IN_PROGRESS,
                key="acme/pay#77",
                title=NASTY,
                start_date=date(2026, 3, 1),
                target_date=date(2026, 6, 1),
            )
        )


def api_lanes(roadmap: dict[str, Any]) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Lane titles, and each epic's key, health, counts and target date, as the API has them."""
    return [
        (
            lane["title"],
            [
                (
                    epic["item"]["key"],
                    epic["health"],
                    epic["progress"]["done"] if epic["progress"]["ratio"] is not None else None,
                    epic["progress"]["total"] if epic["progress"]["ratio"] is not None else None,
                    epic["item"]["targetDate"],
                )
                for epic in lane["epics"]
            ],
        )
        for lane in roadmap["lanes"]
    ]


def api_lanes_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    lanes: list[dict[str, Any]] = data["roadmap"]["lanes"]
    return lanes


# Markdown, read back ---------------------------------------------------------------------


def cells(line: str) -> list[str]:
    """The cells of a table row, split on pipes that are not escaped."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def markdown_lanes(text: str) -> list[tuple[str, list[tuple[Any, ...]]]]:
    lanes = []
    for section in text.split("\n## ")[1:]:
        title, *lines = section.splitlines()
        rows = [cells(line) for line in lines if line.startswith("| ")][2:]
        epics = []
        for key, _title, _source, _status, _start, target, progress, health in rows:
            link = re.fullmatch(r"\[(.+)\]\(<(.+)>\)", key)
            assert link is not None, key
            counts = re.fullmatch(r"(\d+)/(\d+) \(\d+%\)", progress)
            done, total = (int(counts[1]), int(counts[2])) if counts else (None, None)
            label = health.split(" ", 1)[1].split(" · ")[0]
            epics.append(
                (unescape(link[1]), HEALTH[label], done, total, None if target == "–" else target)
            )
        lanes.append((unescape(title), epics))
    return lanes


async def test_markdown_lanes_match_the_api(sessions, hub_report) -> None:
    await build_world(sessions)
    result = await hub_report("roadmap", *AS_OF)
    assert result.exit_code == 0, result.output
    api = await api_roadmap(sessions)
    assert markdown_lanes(result.stdout) == api_lanes(api)
    lanes = [title for title, _ in api_lanes(api)]
    assert lanes == ["Payments v2", "Title of INI-9", "No initiative"]
    text = result.stdout
    assert text.startswith("# Roadmap by initiative\n\nAs of 2026-04-01: 7 epics.")
    summary = api["summary"]
    counts = [summary[name] for name in ("onTrack", "atRisk", "offTrack", "done", "noDates")]
    assert "| " + " | ".join(map(str, counts)) + " |" in text
    assert "[EP-ON](<https://jira.example/EP-ON>)" in text
    # the initiative's own line, and what holds EP-BLOCKED back
    assert "progress 4/7 (57%) · 🟡 At risk" in text
    assert "waits on [acme/pay\\#9](<https://github.example/acme/pay#9>) (due 2026-10-15)" in text
    assert "## Title of INI-9\n\n**Initiative** [INI-9](<https://jira.example/INI-9>)" in text
    assert "No epics yet." in text


async def test_markdown_keeps_a_nasty_title_in_its_cell(sessions, hub_report) -> None:
    await build_world(sessions)
    await add_nasty_epic(sessions)
    result = await hub_report("roadmap", *AS_OF, "--group-by", "source")
    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.stdout.splitlines() if "acme/pay\\#77" in line]
    title = cells(row)[1]
    assert len(cells(row)) == 8
    assert unescape(title) == " ".join(NASTY.split())
    assert "<b>" not in row and "*stars*" not in row
    assert markdown_lanes(result.stdout) == api_lanes(await api_roadmap(sessions, groupBy="SOURCE"))


# CSV --------------------------------------------------------------------------------------


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


async def test_csv_has_a_row_per_initiative_and_epic(sessions, hub_report, tmp_path) -> None:
    await build_world(sessions)
    await add_nasty_epic(sessions)
    output = tmp_path / "roadmap.csv"
    result = await hub_report("roadmap", *AS_OF, "--format", "csv", "--output", str(output))
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"report written to {output}" in result.output
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbflane,key,title,url,") and b"\r\n" in raw
    rows = csv_rows(raw.decode("utf-8-sig"))

    api = await api_roadmap(sessions)
    expected = []
    for lane in api["lanes"]:
        if lane["initiative"] is not None:
            progress = lane["progress"]
            expected.append(
                (lane["title"], lane["initiative"]["key"], "INITIATIVE", lane["health"])
                + (progress["done"], progress["total"])
            )
        for epic in lane["epics"]:
            expected.append(
                (lane["title"], epic["item"]["key"], "EPIC", epic["health"])
                + (epic["progress"]["done"], epic["progress"]["total"])
            )
    got = [
        (row["lane"], row["key"], row["level"], row["health"], int(row["done"]), int(row["total"]))
        for row in rows
    ]
    assert got == expected
    assert len(rows) == 2 + 8  # two initiatives, seven epics and the nasty one

    by_key = {row["key"]: row for row in rows}
    assert by_key["pay-v2"]["progress"] == "0.5714" and by_key["pay-v2"]["estimate_total"] == "12"
    on = by_key["EP-ON"]
    assert (on["start_date"], on["target_date"], on["status_category"]) == (
        "2026-01-01",
        "2026-07-01",
        "IN_PROGRESS",
    )
    assert (on["done"], on["total"], on["estimate_done"], on["estimate_total"]) == (
        "2",
        "4",
        "5",
        "10",
    )
    assert by_key["EP-BLOCKED"]["slipping_blockers"] == "acme/pay#9"
    assert by_key["acme/pay#3"]["progress"] == "" and by_key["acme/pay#3"]["target_date"] == ""
    # a title a spreadsheet would run as a formula is kept as text, line break and all
    assert by_key["acme/pay#77"]["title"] == "'" + NASTY


async def test_csv_by_quarter_in_a_date_range(sessions, hub_report) -> None:
    await build_world(sessions)
    args = ("--group-by", "quarter", "--from", "2026-04-01", "--format", "csv")
    result = await hub_report("roadmap", *AS_OF, *args)
    assert result.exit_code == 0, result.output
    rows = [(row["lane"], row["key"]) for row in csv_rows(result.stdout)]
    assert rows == [
        ("Q2 2026", "acme/pay#2"),
        ("Q2 2026", "EP-PACE"),
        ("Q3 2026", "EP-ON"),
        ("Q3 2026", "EP-BLOCKED"),
        ("No date", "acme/pay#3"),
    ]


# JSON -------------------------------------------------------------------------------------


async def test_json_is_the_api_answer(sessions, hub_report) -> None:
    await build_world(sessions)
    args = ("--group-by", "component", "--source", "github", "--source", "jira")
    result = await hub_report("roadmap", *AS_OF, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)

    context = dataclasses.replace(get_context(sessions), today=TODAY)
    variables = {"groupBy": "COMPONENT", "filter": {"sources": ["github", "jira"]}}
    api = await schema.execute(ROADMAP_QUERY, variable_values=variables, context_value=context)
    assert api.errors is None
    assert report == api.data
    lanes = [
        (lane["key"], [e["item"]["key"] for e in lane["epics"]]) for lane in api_lanes_of(report)
    ]
    assert lanes == [
        ("identity", ["acme/pay#1", "EP-PACE"]),
        ("payments", ["acme/pay#1", "EP-ON"]),
        (None, ["EP-DONE", "acme/pay#2", "EP-BLOCKED", "acme/pay#3"]),
    ]


async def test_the_filters_reach_the_query(sessions, hub_report) -> None:
    await build_world(sessions)
    result = await hub_report(
        "roadmap", *AS_OF, "--format", "json", "--initiative", "pay-v2", "--component", "payments"
    )
    assert result.exit_code == 0, result.output
    (lane,) = api_lanes_of(json.loads(result.stdout))
    assert lane["key"] == "pay-v2"
    assert [epic["item"]["key"] for epic in lane["epics"]] == ["acme/pay#1", "EP-ON"]


async def test_the_roadmap_document_passes_the_api_limits(sessions) -> None:
    """The /roadmap page may send the same document to the API, limits and all."""
    await build_world(sessions)
    limited = create_schema(extensions=api_extensions(ApiConfig()))
    context = dataclasses.replace(get_context(sessions), today=TODAY)
    result = await limited.execute(
        ROADMAP_QUERY, variable_values={"groupBy": "INITIATIVE"}, context_value=context
    )
    assert result.errors is None


# Derived dates and declared health --------------------------------------------------------


async def add_planned_epics(sessions: async_sessionmaker[AsyncSession]) -> None:
    """An epic dated by nobody but its issues, and one whose team says it is on track while
    its target date has passed."""
    async with sessions() as session, session.begin():
        session.add_all(
            [
                work_item(
                    "github:50",
                    Level.EPIC,
                    StatusCategory.IN_PROGRESS,
                    key="acme/pay#50",
                    milestones=[
                        {"id": "m1", "name": "Beta | *one*", "target_date": "2026-05-15"}
                        | {"status": "done", "progress": 1.0, "sort_order": 1.0},
                        {"id": "m2", "name": "GA", "target_date": None}
                        | {"status": "unstarted", "progress": None, "sort_order": 2.0},
                    ],
                ),
                work_item(
                    "github:51",
                    Level.ISSUE,
                    StatusCategory.TODO,
                    "github:50",
                    key="acme/pay#51",
                    start_date=date(2026, 5, 4),
                    target_date=date(2026, 8, 14),
                ),
                work_item(
                    "github:60",
                    Level.EPIC,
                    StatusCategory.IN_PROGRESS,
                    key="acme/pay#60",
                    target_date=date(2026, 3, 1),
                    target_date_source=DateSource.PROJECT_FIELD,
                    target_date_field="Target date",
                    declared_health=DeclaredHealth.ON_TRACK,
                    declared_health_at=datetime(2026, 3, 30, 9, 0, tzinfo=UTC),
                    declared_health_by="octocat",
                ),
            ]
        )


async def test_reports_mark_derived_dates_and_show_both_healths(sessions, hub_report) -> None:
    await build_world(sessions)
    await add_planned_epics(sessions)
    markdown = await hub_report("roadmap", *AS_OF)
    assert markdown.exit_code == 0, markdown.output
    table = [line for line in markdown.stdout.splitlines() if line.startswith("| [acme")]
    rows = {cells(line)[0]: cells(line) for line in table}
    derived = rows["[acme/pay\\#50](<https://github.example/acme/pay#50>)"]
    assert derived[4:6] == ["≈2026-05-04", "≈2026-08-14"]
    late = rows["[acme/pay\\#60](<https://github.example/acme/pay#60>)"]
    assert late[5] == "2026-03-01"  # declared: no mark
    assert late[7] == "🔴 Off track · team: On track (2026-03-30) ⚠"
    assert "Dates marked ≈ are derived from the children" in markdown.stdout
    assert (
        "- [acme/pay\\#50](<https://github.example/acme/pay#50>): "
        "Beta \\| \\*one\\* 2026-05-15 (done, 100%) · GA (unstarted)"
    ) in markdown.stdout.splitlines()

    spreadsheet = await hub_report("roadmap", *AS_OF, "--format", "csv")
    by_key = {row["key"]: row for row in csv_rows(spreadsheet.stdout)}
    assert by_key["acme/pay#50"]["target_date_source"] == "derived from children"
    assert by_key["acme/pay#60"]["target_date_source"] == 'project field "Target date"'
    assert by_key["acme/pay#60"]["declared_health"] == "ON_TRACK"
    assert by_key["acme/pay#60"]["declared_health_at"].startswith("2026-03-30T09:00")
    assert (
        by_key["acme/pay#50"]["milestones"]
        == "Beta | *one* 2026-05-15 (done, 100%); GA (unstarted)"
    )
    assert (by_key["acme/pay#60"]["health_disagrees"], by_key["EP-ON"]["health_disagrees"]) == (
        "yes",
        "",
    )


async def test_the_terminal_summary_marks_derived_dates_and_the_declared_health(
    sessions,
) -> None:
    await build_world(sessions)
    await add_planned_epics(sessions)
    lines = roadmap_summary(await load(sessions), max_epics=20).splitlines()
    (derived,) = [line for line in lines if "acme/pay#50" in line]
    (late,) = [line for line in lines if "acme/pay#60" in line]
    assert "≈2026-08-14" in derived
    assert "2026-03-01" in late and "≈" not in late
    assert late.endswith("off track (team: on track ⚠)")
