"""Nested initiatives in the roadmap report and the terminal summary: each sub-initiative
under its parent, one level deeper (the world of ``tests/views/test_nested_roadmap.py``)."""

from __future__ import annotations

import csv
import io

from hub.reports.terminal import roadmap_summary
from tests.reports.conftest import Invoke
from tests.views.test_nested_roadmap import build_nested
from tests.views.test_roadmap import TODAY, load


async def test_the_markdown_report_nests_sub_initiatives_as_subsections(
    sessions, hub_report: Invoke
) -> None:
    await build_nested(sessions)
    result = await hub_report("roadmap", "--as-of", TODAY.isoformat())

    assert result.exit_code == 0, result.output
    headings = [line for line in result.output.splitlines() if line.startswith("#")]
    assert headings[1:] == [
        "## Platform 2027",
        "### Payments",
        "### Title of INI-1",
        "#### Title of INI-2",
    ]
    assert "No epics of its own." in result.output and "No epics yet." not in result.output


async def test_the_terminal_summary_indents_sub_initiatives(sessions) -> None:
    await build_nested(sessions)
    lines = roadmap_summary(await load(sessions)).splitlines()

    indents = {
        key: len(line) - len(line.lstrip())
        for line in lines
        for key in ("THEME-1", "pay ", "INI-1", "INI-2", "EP-A", "EP-B")
        if line.lstrip().startswith(key)
    }
    assert indents == {"THEME-1": 0, "pay ": 2, "INI-1": 2, "INI-2": 4, "EP-A": 4, "EP-B": 6}


async def test_the_csv_report_gives_each_row_its_lane_depth(sessions, hub_report: Invoke) -> None:
    await build_nested(sessions)
    result = await hub_report("roadmap", "--as-of", TODAY.isoformat(), "--format", "csv")

    assert result.exit_code == 0, result.output
    rows = csv.DictReader(io.StringIO(result.stdout, newline=""))
    depths = {row["key"]: row["lane_depth"] for row in rows if row["level"] == "INITIATIVE"}
    assert depths == {"THEME-1": "0", "pay": "1", "INI-1": "1", "INI-2": "2"}
