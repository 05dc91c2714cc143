from __future__ import annotations

import re
import socket
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.cli import main
from hub.demo import SEED, demo_rules, demo_socket, demo_sources, simulators
from hub.reports.documents import ROADMAP_QUERY, run_query
from hub.sync import SyncEngine
from simulators import DemoWorld, build_demo_world


def test_demo_syncs_three_trackers_and_prints_the_cross_tool_roadmap(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    result = CliRunner().invoke(
        main, ["demo", "--no-serve", "--items", "300", "--database", str(database)]
    )
    assert result.exit_code == 0, result.output
    for source in ("jira", "github", "linear"):
        assert f"{source}: succeeded" in result.output
    assert "payments-v2" in result.output and "Payments v2" in result.output
    assert "Dependencies across tools (blocker → blocked):" in result.output
    assert "[mention]" in result.output
    # a change made in the GitHub simulator reached the hub by its signed webhook
    assert re.search(r"Webhook: renamed \S+ in the GitHub simulator; GraphQL showed", result.output)
    assert database.exists()


def test_the_example_query_the_demo_prints_is_valid() -> None:
    from graphql import parse, validate

    from hub.demo import EXAMPLE_QUERY
    from schema import schema

    assert validate(schema._schema, parse(EXAMPLE_QUERY)) == []


# A day far from the trackers' reference time: the demo's plans follow the day it runs on.
SOME_DAY = date(2031, 2, 14)


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return build_demo_world(600, seed=SEED, today=SOME_DAY)


@pytest.fixture
async def roadmap(sessions: async_sessionmaker[AsyncSession], world: DemoWorld) -> dict[str, Any]:
    engine = SyncEngine(sessions, rules=demo_rules(world))
    with simulators(world) as urls:
        for source in demo_sources(urls, world):
            report = await engine.sync(source)
            assert report.ok, report.error
    data = await run_query(sessions, ROADMAP_QUERY, {"groupBy": "INITIATIVE"}, today=SOME_DAY)
    roadmap: dict[str, Any] = data["roadmap"]
    return roadmap


async def test_the_demo_roadmap_mixes_health_on_the_day_it_runs(roadmap: dict[str, Any]) -> None:
    summary = roadmap["summary"]
    epics = summary["epics"]
    assert epics >= 60
    assert 0 < summary["offTrack"] <= 0.2 * epics
    assert summary["noDates"] <= 0.1 * epics
    assert summary["onTrack"] > summary["offTrack"] and summary["atRisk"] > 0
    assert summary["done"] > 0
    assert roadmap["asOf"] == SOME_DAY.isoformat()
    hub_targets = {lane["key"]: lane["initiative"]["targetDate"] for lane in roadmap["lanes"][:2]}
    assert hub_targets == {"payments-v2": "2031-06-30", "identity-next": "2031-09-30"}


async def test_an_unchanged_demo_jira_resyncs_in_one_page(
    sessions: async_sessionmaker[AsyncSession], world: DemoWorld
) -> None:
    """The re-planned dates are edits spread over time, as a team makes them: an unchanged
    re-sync reads only the few items in its overlap window, not every re-planned epic."""
    engine = SyncEngine(sessions, rules=demo_rules(world))
    with simulators(world) as urls:
        (jira,) = [source for source in demo_sources(urls, world) if source.kind == "jira"]
        assert (await engine.sync(jira)).ok
        again = await engine.sync(jira)
    assert again.ok, again.error
    assert again.counts.fetched <= 10, again  # 39 when every edit shared one instant


def slug_of(title: str) -> str:
    return "-".join(title.lower().split())


async def test_initiative_keys_say_what_their_titles_say(roadmap: dict[str, Any]) -> None:
    """A key that is not a tracker's own (``PAY-3``) is the title's words: ``payments-v2`` is
    "Payments v2", ``initiative:fix-ledger-<id>`` is Linear's slug of "Fix ledger"."""
    named = 0
    for lane in roadmap["lanes"]:
        initiative = lane["initiative"]
        if initiative is None or re.fullmatch(r"[A-Z]+-\d+", initiative["key"]):
            continue
        key = initiative["key"].removeprefix("initiative:")
        if initiative["source"]["kind"] == "linear":
            key = re.sub(r"-[0-9a-f]{12}$", "", key)
        assert key == slug_of(initiative["title"]), initiative
        named += 1
    assert named >= 4


async def test_every_demo_component_has_an_owner(
    roadmap: dict[str, Any], sessions: async_sessionmaker[AsyncSession]
) -> None:
    components = (await run_query(sessions, "{ components { name owner } }", {}))["components"]
    assert len(components) >= 12
    assert [c["name"] for c in components if not c["owner"]] == []


def test_the_demo_serves_on_a_free_port_when_its_own_is_taken(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        with demo_socket(taken) as sock:
            assert sock.getsockname()[1] not in (taken, 0)
    assert f"port {taken} on 127.0.0.1 is in use" in capsys.readouterr().out
