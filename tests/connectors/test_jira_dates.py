"""Where a Jira issue's dates come from: Plans fields, Start/Due date, sprints, fix versions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from connectors.jira.fields import SPRINT_TYPE, TARGET_END_TYPE, TARGET_START_TYPE
from connectors.jira.mapping import CustomFields, find_custom_fields, map_issue, requested_fields
from connectors.payload import MappingError
from hub.contract.config import SourceConfig
from hub.contract.errors import ConfigError
from hub.contract.records import DateSource
from tests.connectors.test_jira_mapping import BASE, issue

START, END, SPRINT = "customfield_10231", "customfield_10087", "customfield_10342"
SITE_FIELDS: list[dict[str, Any]] = [
    {"id": "duedate", "name": "Due date", "custom": False, "schema": {"type": "date"}},
    {
        "id": "customfield_10015",
        "name": "Start date",
        "custom": True,
        "schema": {
            "type": "date",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:datepicker",
            "customId": 10015,
        },
    },
    {
        "id": SPRINT,
        "name": "Sprint",
        "custom": True,
        "schema": {"type": "array", "items": "json", "custom": SPRINT_TYPE, "customId": 10342},
    },
    {
        "id": START,
        "name": "Target start",
        "custom": True,
        "schema": {"type": "date", "custom": TARGET_START_TYPE, "customId": 10231},
    },
    {
        "id": END,
        "name": "Target end",
        "custom": True,
        "schema": {"type": "date", "custom": TARGET_END_TYPE, "customId": 10087},
    },
]
SITE = find_custom_fields(SITE_FIELDS)


def sprint(sprint_id: int, state: str, start: str | None, end: str | None) -> dict[str, Any]:
    """One entry of the Sprint field as search returns it."""
    entry: dict[str, Any] = {
        "id": sprint_id,
        "name": f"PAY Sprint {sprint_id}",
        "state": state,
        "boardId": 3,
        "goal": "",
    }
    if start:
        entry["startDate"] = start
    if end:
        entry["endDate"] = end
    if state == "closed":
        entry["completeDate"] = end
    return entry


def version(name: str, day: str | None, *, released: bool = False, archived: bool = False) -> Any:
    entry: dict[str, Any] = {
        "self": f"{BASE}/rest/api/3/version/1{name[-1]}",
        "id": f"1{name[-1]}",
        "name": name,
        "archived": archived,
        "released": released,
    }
    if day:
        entry["releaseDate"] = day
    return entry


def undated(**fields: Any) -> dict[str, Any]:
    """The Story of the mapping tests without its Start and Due dates, plus ``fields``."""
    return issue(duedate=None, customfield_10015=None, **fields)


def origins(payload: dict[str, Any], dates: tuple[str, ...] = ("plans", "fields", "sprint")):
    record = map_issue(payload, base=BASE, custom=SITE, dates=dates)
    return (
        (record.start_date, record.start_date_source, record.start_date_field),
        (record.target_date, record.target_date_source, record.target_date_field),
    )


def test_plans_and_sprint_fields_are_found_by_their_type_whatever_their_ids() -> None:
    assert (SITE.target_start, SITE.target_end, SITE.sprint) == (START, END, SPRINT)
    assert SITE.start_date == "customfield_10015"
    renamed = [{**f, "name": f"Zielende {i}"} for i, f in enumerate(SITE_FIELDS)]
    assert find_custom_fields(renamed).target_end == END


def test_a_search_asks_for_the_fields_its_dates_read() -> None:
    default = requested_fields(SITE)
    assert {START, END, SPRINT, "duedate", "customfield_10015"} <= set(default)
    assert "fixVersions" not in default
    only_releases = requested_fields(SITE, ("release",))
    assert "fixVersions" in only_releases
    assert not {START, END, SPRINT} & set(only_releases)


def test_plans_target_dates_come_first_and_name_their_field() -> None:
    payload = issue(**{START: "2026-10-05", END: "2026-12-18"})
    assert origins(payload) == (
        (date(2026, 10, 5), DateSource.FIELD, "Target start"),
        (date(2026, 12, 18), DateSource.FIELD, "Target end"),
    )


def test_start_and_due_date_when_plans_has_none() -> None:
    assert origins(issue()) == (
        (date(2021, 2, 1), DateSource.FIELD, "Start date"),
        (date(2021, 3, 31), DateSource.FIELD, "Due date"),
    )


def test_the_open_sprint_gives_both_dates_and_its_name() -> None:
    sprints = [
        sprint(7, "closed", "2026-09-07T08:00:00.000Z", "2026-09-21T08:00:00.000Z"),
        sprint(8, "active", "2026-09-21T08:00:00.000Z", "2026-10-05T08:00:00.000Z"),
    ]
    assert origins(undated(**{SPRINT: sprints})) == (
        (date(2026, 9, 21), DateSource.SPRINT, "PAY Sprint 8"),
        (date(2026, 10, 5), DateSource.SPRINT, "PAY Sprint 8"),
    )


def test_without_an_open_sprint_the_last_closed_one_counts() -> None:
    sprints = [
        sprint(9, "closed", "2026-10-05T08:00:00.000Z", "2026-10-19T08:00:00.000Z"),
        sprint(7, "closed", "2026-09-07T08:00:00.000Z", "2026-09-21T08:00:00.000Z"),
    ]
    start, target = origins(undated(**{SPRINT: sprints}))
    assert (start[2], target[0]) == ("PAY Sprint 9", date(2026, 10, 19))


def test_a_future_sprint_without_dates_gives_none() -> None:
    assert origins(undated(**{SPRINT: [sprint(10, "future", None, None)]})) == (
        (None, None, None),
        (None, None, None),
    )


def test_each_date_takes_the_first_source_that_has_it() -> None:
    sprints = [sprint(8, "active", "2026-09-21T08:00:00.000Z", "2026-10-05T08:00:00.000Z")]
    payload = undated(**{END: "2026-12-18", SPRINT: sprints})
    assert origins(payload) == (
        (date(2026, 9, 21), DateSource.SPRINT, "PAY Sprint 8"),
        (date(2026, 12, 18), DateSource.FIELD, "Target end"),
    )
    sprint_first = origins(issue(**{END: "2026-12-18", SPRINT: sprints}), ("sprint", "plans"))
    assert sprint_first[1] == (date(2026, 10, 5), DateSource.SPRINT, "PAY Sprint 8")


def test_a_release_gives_a_target_from_the_earliest_unreleased_fix_version() -> None:
    versions = [
        version("v3", "2027-02-01"),
        version("v2", "2026-11-30"),
        version("v1", "2026-08-01", released=True),
        version("v0", "2026-01-01", archived=True),
        version("v4", None),
    ]
    start, target = origins(undated(fixVersions=versions), ("release",))
    assert start == (None, None, None)
    assert target == (date(2026, 11, 30), DateSource.RELEASE, "v2")
    shipped = [
        version("v1", "2026-08-01", released=True),
        version("v5", "2026-09-01", released=True),
    ]
    assert origins(undated(fixVersions=shipped), ("release",))[1][2] == "v5"


def test_the_default_order_leaves_releases_out() -> None:
    payload = undated(fixVersions=[version("v2", "2026-11-30")])
    assert origins(payload)[1] == (None, None, None)


@pytest.mark.parametrize(
    "fields",
    [
        {START: "soon"},
        {SPRINT: {"id": 1}},
        {SPRINT: [sprint(8, "active", "yesterday", "2026-10-05T08:00:00.000Z")]},
    ],
)
def test_a_garbled_date_source_is_a_mapping_error(fields: dict[str, Any]) -> None:
    with pytest.raises(MappingError, match="PAY-42"):
        map_issue(undated(**fields), base=BASE, custom=SITE)


def test_a_site_without_plans_maps_as_before() -> None:
    custom = CustomFields(start_date="customfield_10015")
    record = map_issue(issue(**{END: "2026-12-18"}), base=BASE, custom=custom)
    assert (record.target_date, record.target_date_field) == (date(2021, 3, 31), "Due date")


def test_the_dates_key_names_known_sources_only() -> None:
    common: dict[str, Any] = {
        "name": "jira",
        "kind": "jira",
        "base_url": BASE,
        "projects": ["PAY"],
        "token_env": "JIRA_TOKEN",
    }
    assert SourceConfig(**common).dates == ("plans", "fields", "sprint")
    assert SourceConfig(**common, dates=["release", "sprint"]).dates == ("release", "sprint")
    for bad in (["milestone"], []):
        with pytest.raises((ValueError, ConfigError)):
            SourceConfig(**common, dates=bad)
