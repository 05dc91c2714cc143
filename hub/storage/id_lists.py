"""A list of ids as one bound parameter that a statement reads as a table.

One parameter whatever the length (no limit on bound parameters to hit), the same SQL text
for every length (the statement cache keeps working), and a small table the planner can
drive joins from: ``json_each`` on SQLite, ``unnest`` of an array on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection

import orjson
from sqlalchemy import String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import Subquery


def id_table(ids: Collection[str], dialect: str) -> Subquery:
    """A subquery with one column, ``id``, holding ``ids``."""
    if dialect == "postgresql":
        array = bindparam("ids", list(ids), type_=ARRAY(String), unique=True)
        rows = func.unnest(array).table_valued("id").render_derived()
        return select(rows.c.id).subquery()
    rows = func.json_each(
        bindparam("ids", orjson.dumps(list(ids)).decode(), unique=True)
    ).table_valued("value")
    return select(rows.c.value.label("id")).subquery()
