"""The payload readers every mapping shares: date-times, dates and numbers, strictly read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from connectors.payload import (
    MappingError,
    optional_datetime,
    optional_number,
    parse_date,
    parse_datetime,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-01-18T23:45:00.000+0000", datetime(2021, 1, 18, 23, 45, tzinfo=UTC)),
        ("2021-01-18T23:45:00Z", datetime(2021, 1, 18, 23, 45, tzinfo=UTC)),
        ("2021-01-18T23:45:00.000+00:00", datetime(2021, 1, 18, 23, 45, tzinfo=UTC)),
        (
            "2021-01-18T23:45:00.000-0800",
            datetime(2021, 1, 18, 23, 45, tzinfo=timezone(timedelta(hours=-8))),
        ),
        ("2024-11-29T10:00:00", datetime(2024, 11, 29, 10, tzinfo=UTC)),
    ],
    ids=["jira", "github", "offset", "negative-offset", "no-offset-is-utc"],
)
def test_parse_datetime_is_timezone_aware(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("value", [None, 1732877000, "yesterday", ""])
def test_parse_datetime_refuses_what_is_not_a_date_time(value: Any) -> None:
    with pytest.raises(MappingError, match="^updated: "):
        parse_datetime(value, "updated")


def test_optional_datetime_lets_null_through_and_reads_the_rest() -> None:
    assert optional_datetime(None, "closed_at") is None
    assert optional_datetime("2024-11-29T10:00:00Z", "closed_at") == datetime(
        2024, 11, 29, 10, tzinfo=UTC
    )
    with pytest.raises(MappingError, match="closed_at: not a date-time"):
        optional_datetime("soon", "closed_at")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("2024-12-20", date(2024, 12, 20)),
        ("2024-12-20T00:00:00.000+0000", date(2024, 12, 20)),
    ],
)
def test_parse_date_reads_the_leading_calendar_date(value: Any, expected: date | None) -> None:
    assert parse_date(value, "duedate") == expected


def test_parse_date_names_the_field_it_cannot_read() -> None:
    with pytest.raises(MappingError, match=r"fields.duedate: not a date: 'next week'"):
        parse_date("next week", "fields.duedate")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), (True, None), (3, 3.0), (2.5, 2.5), ("8", 8.0)],
)
def test_optional_number(value: Any, expected: float | None) -> None:
    assert optional_number(value, "estimate") == expected


@pytest.mark.parametrize("value", ["a lot", [1], {"value": 3}])
def test_optional_number_refuses_what_is_not_a_number(value: Any) -> None:
    with pytest.raises(MappingError, match="estimate: not a number"):
        optional_number(value, "estimate")
