"""Which of the fields we map one Jira site has: their ids differ from site to site."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.payload import MAPPINGS

START_DATE_NAMES = ("Start date",)
STORY_POINT_NAMES = ("Story point estimate", "Story Points")
"""Team-managed projects use the first name, company-managed ones often the second."""
TARGET_START_TYPE = "com.atlassian.jpo:jpo-custom-field-baseline-start"
TARGET_END_TYPE = "com.atlassian.jpo:jpo-custom-field-baseline-end"
SPRINT_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"
"""Plans and Sprint fields are found by ``schema.custom`` type: sites rename and translate them."""


@dataclass(frozen=True, slots=True)
class CustomFields:
    """Ids of the custom fields we map on one site, looked up by name or type."""

    start_date: str | None = None
    story_points: str | None = None
    target_start: str | None = None
    target_end: str | None = None
    sprint: str | None = None
    names: Mapping[str, str] = field(default_factory=dict, compare=False)
    """Field id to the site's name for it, named as where a date was read from."""

    @property
    def ids(self) -> tuple[str, ...]:
        found = (self.start_date, self.story_points, self.target_start, self.target_end)
        return tuple(i for i in (*found, self.sprint) if i)

    def name(self, field_id: str, usual: str) -> str:
        return self.names.get(field_id, usual)


def find_custom_fields(
    fields: Iterable[Mapping[str, Any]], *, start_date_names: Sequence[str] = START_DATE_NAMES
) -> CustomFields:
    """Pick our custom field ids from ``GET /rest/api/3/field``, preferring earlier names."""
    by_name: dict[str, str] = {}
    by_type: dict[str, str] = {}
    names: dict[str, str] = {}
    for entry in fields:
        name, field_id = entry.get("name"), entry.get("id")
        if not (isinstance(name, str) and isinstance(field_id, str)):
            continue
        by_name.setdefault(name.casefold(), field_id)
        names.setdefault(field_id, name)
        schema = entry.get("schema")
        kind = schema.get("custom") if isinstance(schema, MAPPINGS) else None
        if isinstance(kind, str):
            by_type.setdefault(kind, field_id)

    def first(wanted: Sequence[str]) -> str | None:
        return next((by_name[n.casefold()] for n in wanted if n.casefold() in by_name), None)

    ids = {
        "start_date": first(start_date_names),
        "story_points": first(STORY_POINT_NAMES),
        "target_start": by_type.get(TARGET_START_TYPE),
        "target_end": by_type.get(TARGET_END_TYPE),
        "sprint": by_type.get(SPRINT_TYPE),
    }
    return CustomFields(**ids, names={i: names[i] for i in ids.values() if i})
