"""An item's content hash changes with everything the hub stores about it, and only then."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, timedelta

import pytest

from hub.contract.records import ItemRecord, Level, PersonRecord, StatusCategory, raw_json
from hub.sync.store import content_hash
from tests.sync.fakes import T0, item

CHANGES = {
    "external_id": "99",
    "key": "PAY-99",
    "url": "https://jira.example/browse/PAY-99",
    "title": "Item 1 ",
    "level": Level.EPIC,
    "status_name": "Done",
    "status_category": StatusCategory.DONE,
    "created_at": T0 + timedelta(microseconds=1),
    "updated_at": T0,
    "body": "text",
    "parent_external_id": "2",
    "start_date": date(2026, 1, 1),
    "target_date": date(2026, 1, 2),
    "completed_at": T0,
    "assignee": PersonRecord("u-1", "Ada"),
    "labels": ("a",),
    "estimate": 0.5,
    "components": ("api",),
    "blocks": ("2",),
    "blocked_by": ("3",),
    "deleted": True,
    "raw": raw_json({"id": "1"}),
}


def test_every_field_of_a_record_is_covered() -> None:
    assert {f.name for f in fields(ItemRecord)} == set(CHANGES)


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_change_to_any_field_changes_the_hash(name: str) -> None:
    record = item(1, blocks=("4",), labels=("b",))
    assert content_hash(replace(record, **{name: CHANGES[name]})) != content_hash(record)


def test_equal_records_and_rules_give_equal_hashes_and_new_rules_another() -> None:
    assert content_hash(item(1), "rules-a") == content_hash(item(1), "rules-a")
    assert content_hash(item(1), "rules-a") != content_hash(item(1), "rules-b")
    # A person's fields and the order of tuples count too.
    assert content_hash(item(1, assignee=PersonRecord("u-1", "Ada"))) != content_hash(
        item(1, assignee=PersonRecord("u-1", "Ada L."))
    )
    assert content_hash(item(1, labels=("a", "b"))) != content_hash(item(1, labels=("b", "a")))
