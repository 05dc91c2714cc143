"""An item's content hash changes with everything the hub stores about it, and only then."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, timedelta

import pytest

from hub.contract.records import (
    DateSource,
    DeclaredHealth,
    HealthUpdate,
    ItemRecord,
    Level,
    MilestoneRecord,
    PersonRecord,
    StatusCategory,
    raw_json,
)
from hub.sync.store import content_hash
from tests.sync.fakes import T0, ItemChanges, item

CHANGES: list[ItemChanges] = [
    {"external_id": "99"},
    {"key": "PAY-99"},
    {"url": "https://jira.example/browse/PAY-99"},
    {"title": "Item 1 "},
    {"level": Level.EPIC},
    {"status_name": "Done"},
    {"status_category": StatusCategory.DONE},
    {"created_at": T0 + timedelta(microseconds=1)},
    {"updated_at": T0},
    {"body": "text"},
    {"parent_external_id": "2"},
    {"start_date": date(2026, 1, 1)},
    {"target_date": date(2026, 1, 2)},
    {"completed_at": T0},
    {"assignee": PersonRecord("u-1", "Ada")},
    {"labels": ("a",)},
    {"estimate": 0.5},
    {"components": ("api",)},
    {"blocks": ("2",)},
    {"blocked_by": ("3",)},
    {"deleted": True},
    {"start_date_source": DateSource.SPRINT},
    {"start_date_field": "Sprint"},
    {"target_date_source": DateSource.PROJECT_FIELD},
    {"target_date_field": "Target date"},
    {"declared_health": HealthUpdate(DeclaredHealth.AT_RISK)},
    {"milestones": (MilestoneRecord("m-1", "Beta"),)},
    {"raw": raw_json({"id": "1"})},
]
"""One change of each field, each to a value unlike the record's."""


def test_every_field_of_a_record_is_covered() -> None:
    names = {f.name for f in fields(ItemRecord)}
    changed = [name for change in CHANGES for name in change]
    assert len(changed) == len(set(changed)) == len(CHANGES)  # one field each, none twice
    assert set(changed) == names
    assert set(ItemChanges.__annotations__) == names


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: next(iter(change)))
def test_a_change_to_any_field_changes_the_hash(change: ItemChanges) -> None:
    record = item(1, blocks=("4",), labels=("b",))
    assert content_hash(replace(record, **change)) != content_hash(record)


def test_equal_records_and_rules_give_equal_hashes_and_new_rules_another() -> None:
    assert content_hash(item(1), "rules-a") == content_hash(item(1), "rules-a")
    assert content_hash(item(1), "rules-a") != content_hash(item(1), "rules-b")
    # A person's fields and the order of tuples count too.
    # So do a status update's fields.
    said = HealthUpdate(DeclaredHealth.ON_TRACK, T0, "ada", "fine")
    assert content_hash(item(1, declared_health=said)) != content_hash(
        item(1, declared_health=replace(said, note="late"))
    )
    assert content_hash(item(1, assignee=PersonRecord("u-1", "Ada"))) != content_hash(
        item(1, assignee=PersonRecord("u-1", "Ada L."))
    )
    assert content_hash(item(1, labels=("a", "b"))) != content_hash(item(1, labels=("b", "a")))
