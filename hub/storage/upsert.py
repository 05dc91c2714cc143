"""Bulk ``INSERT ... ON CONFLICT`` for SQLite and PostgreSQL, at driver level.

A sync writes thousands of rows per transaction. Through SQLAlchemy's compiler every row of an
executemany is rendered, bound and type-processed one parameter at a time; here the statement
of each (table, columns, conflict rule) is built once per dialect and the rows go to the driver
as plain values: on SQLite to ``executemany``; on PostgreSQL as one JSON document, a list of
rows that the statement unpacks with ``jsonb_array_elements`` and casts column by column (one
statement, one round trip, prepared once). orjson writes that document in C, where asyncpg
checked and encoded every element of one array per column (``unnest``) in Python-level code,
at a higher cost in hub CPU. Values are first converted by the columns' own bind processors,
so what is stored is exactly what SQLAlchemy would store; a JSON column also takes
``bytes``, a document already serialized, which is written as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import orjson
from sqlalchemy import JSON, Dialect, Table
from sqlalchemy.ext.asyncio import AsyncSession

from hub.storage.models import Base

Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    processors: tuple[tuple[int, Processor], ...]
    """(position, bind processor) of the columns whose values the driver cannot take as they are."""
    json_columns: tuple[int, ...] = ()
    """Positions of JSON columns (PostgreSQL, where rows travel as one JSON document)."""


async def upsert(
    session: AsyncSession,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str] | None = None,
) -> None:
    """Insert ``rows`` in one go; on a ``key`` conflict overwrite ``update`` columns.

    ``update=None`` overwrites every column but the key; an empty ``update`` keeps the old row.
    Every row has the columns of the first.
    """
    if not rows:
        return
    columns = tuple(rows[0])
    connection = await session.connection()
    statement = _statement(
        cast(Table, model.__table__),
        columns,
        tuple(key),
        None if update is None else tuple(update),
        connection.dialect,
    )
    # Column by column: one bind processor call per value, no per-row bookkeeping.
    values = [[row[column] for row in rows] for column in columns]
    for position, process in statement.processors:
        if position in statement.json_columns:
            values[position] = [_json_text(value, process) for value in values[position]]
        else:
            values[position] = [process(value) for value in values[position]]
    if connection.dialect.name == "postgresql":
        # JSON text is embedded as a value rather than a string, in a one-element list, so
        # that a JSON null stays apart from SQL NULL (``None``).
        for position in statement.json_columns:
            values[position] = [_json_cell(text) for text in values[position]]
        document = orjson.dumps(list(zip(*values, strict=True)))
        await connection.exec_driver_sql(statement.sql, (document,))
    else:
        for position in statement.json_columns:
            values[position] = [_decoded(text) for text in values[position]]
        await connection.exec_driver_sql(statement.sql, list(zip(*values, strict=True)))


def _json_text(value: Any, process: Processor) -> str | bytes | None:
    """``bytes`` are a document already serialized as UTF-8 JSON (an item's raw payload):
    written as they are, where the processor would serialize the value."""
    return value if isinstance(value, bytes) else process(value)


def _json_cell(text: str | bytes | None) -> list[orjson.Fragment] | None:
    return None if text is None else [orjson.Fragment(text)]


def _decoded(text: str | bytes | None) -> str | None:
    return text.decode() if isinstance(text, bytes) else text


@lru_cache(maxsize=128)
def _statement(
    table: Table,
    columns: tuple[str, ...],
    key: tuple[str, ...],
    update: tuple[str, ...] | None,
    dialect: Dialect,
) -> _Statement:
    if dialect.name not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"no upsert for the {dialect.name} dialect")
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    types = [table.c[column].type.dialect_impl(dialect) for column in columns]
    json_columns = tuple(n for n, t in enumerate(types) if isinstance(t, JSON))
    if dialect.paramstyle == "qmark":
        values = "VALUES (" + ", ".join("?" for _ in columns) + ")"
    elif dialect.paramstyle == "numeric_dollar":
        cells = (
            f"r -> {n} -> 0" if n in json_columns else f"(r ->> {n})::{t.compile(dialect)}"
            for n, t in enumerate(types)
        )
        # Bytes, as orjson wrote them: a text or jsonb parameter would be decoded to a str
        # and encoded again, both in the hub, for a document of megabytes.
        document = "convert_from($1::bytea, 'UTF8')::jsonb"
        values = f"SELECT {', '.join(cells)} FROM jsonb_array_elements({document}) AS r"
    else:
        raise NotImplementedError(f"no upsert for the {dialect.paramstyle} parameter style")
    overwrite = [c for c in columns if c not in key] if update is None else list(update)
    assignments = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in overwrite)
    conflict = f"ON CONFLICT ({', '.join(quote(c) for c in key)}) DO "
    conflict += f"UPDATE SET {assignments}" if overwrite else "NOTHING"
    processors = []
    for position, column_type in enumerate(types):
        process = column_type.bind_processor(dialect)
        if process is not None:
            processors.append((position, process))
    return _Statement(
        f"INSERT INTO {quote(table.name)} ({names}) {values} {conflict}",
        tuple(processors),
        json_columns,
    )
