"""A list of ids as one bound parameter: ``column IN (<ids>)`` (``among``) or a table of ids
to join (``id_table``), whatever the list's length.

An expanding ``IN`` list is rendered anew for each length (a placeholder per id) and, on
PostgreSQL, prepared anew by the server; it also meets the drivers' limits on parameters.
One array (PostgreSQL: ``= ANY``, ``unnest``) or one JSON list (SQLite: ``json_each``) keeps
the statement the same for every list: compiled and prepared once. As a table it is also
one the planner sizes right and drives joins from.

A statement prepared once is planned once, too: after a few runs PostgreSQL may settle on a
generic plan, made while the sync's tables were still nearly empty, and scan them whole ever
after. ``plan_per_batch`` makes the rest of the transaction plan each statement for its
parameters (planning these statements costs far less than one wrong plan).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    String,
    any_,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Subquery

from hub.storage.types import dumps


def among(
    dialect: str, column: SQLColumnExpression[str], ids: Collection[str]
) -> ColumnElement[bool]:
    """``column`` is one of ``ids``, for the ``dialect`` ("postgresql" or "sqlite")."""
    if dialect == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(String)))
    listed = func.json_each(bindparam(None, dumps(list(ids)), type_=String)).table_valued("value")
    return column.in_(select(listed.c.value))


async def plan_per_batch(connection: AsyncConnection) -> None:
    """Custom plans for the rest of this transaction (PostgreSQL; SQLite plans every time)."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def id_table(ids: Collection[str], dialect: str) -> Subquery:
    """A subquery with one column, ``id``, holding ``ids``."""
    if dialect == "postgresql":
        array = bindparam("ids", list(ids), type_=ARRAY(String), unique=True)
        rows = func.unnest(array).table_valued("id").render_derived()
        return select(rows.c.id).subquery()
    rows = func.json_each(bindparam("ids", dumps(list(ids)), unique=True)).table_valued("value")
    return select(rows.c.value.label("id")).subquery()
