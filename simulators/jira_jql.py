"""The JQL subset the Jira simulator understands, parsed strictly so connector mistakes surface.

Grammar (keywords case-insensitive; values bare or quoted with ``"`` or ``'``)::

    query   := [where] [ORDER BY updated (ASC|DESC) [, (key|id) (ASC|DESC)]]
    where   := term (AND term)*
    term    := "(" where ")" | clause
    clause  := (project|key|issuekey|id|parent) "=" value
             | (project|key|issuekey|id|parent) IN "(" value ("," value)* ")"
             | (updated|updatedDate) (">="|">"|"<="|"<") moment
    moment  := epoch-milliseconds | "yyyy/MM/dd HH:mm" | "yyyy-MM-dd HH:mm"
             | yyyy/MM/dd | yyyy-MM-dd | "yyyy/MM/dd" | "yyyy-MM-dd"

As in Jira, a date-time is read in the searching account's time zone and every moment has minute
precision (epoch milliseconds are truncated to the minute). A query restricted by none of project,
key, id or parent is unbounded and refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn
from zoneinfo import ZoneInfo

_TOKEN = re.compile(
    r"""\s*(?:(?P<op>>=|<=|!=|[=<>(),])|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<word>[^\s=<>!(),"']+))"""
)
_DATE_FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")
_LIST_FIELDS = {
    "project": "project",
    "key": "key",
    "issuekey": "key",
    "id": "id",
    "parent": "parent",
}
_TIME_FIELDS = {"updated": "updated", "updateddate": "updated"}
MINUTE_MS = 60_000


class JqlError(ValueError):
    """The query is invalid or outside the supported subset; the message is Jira-like."""


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    quoted: bool = False

    @property
    def keyword(self) -> str:
        return "" if self.quoted else self.text.upper()


@dataclass(slots=True)
class JqlQuery:
    """A parsed query: every restriction must hold; values are upper-cased keys or ids."""

    projects: list[set[str]] = field(default_factory=list)
    keys: list[set[str]] = field(default_factory=list)
    parents: list[set[str]] = field(default_factory=list)
    updated: list[tuple[str, int]] = field(default_factory=list)
    descending: bool = False
    has_order_by: bool = False

    @property
    def bounded(self) -> bool:
        return bool(self.projects or self.keys or self.parents)

    @property
    def updated_from(self) -> int | None:
        """The earliest ``updated`` any match can have, to start a scan there."""
        lows = [ms + (1 if op == ">" else 0) for op, ms in self.updated if op in (">=", ">")]
        return max(lows) if lows else None

    def matches_time(self, updated_ms: int) -> bool:
        return all(_COMPARE[op](updated_ms, bound) for op, bound in self.updated)


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    ">=": lambda value, bound: value >= bound,
    ">": lambda value, bound: value > bound,
    "<=": lambda value, bound: value <= bound,
    "<": lambda value, bound: value < bound,
}


def parse_jql(jql: str, time_zone: str) -> JqlQuery:
    """Parse ``jql``; raise JqlError for anything outside the grammar or an unbounded query."""
    parser = _Parser(list(_tokenize(jql)), ZoneInfo(time_zone))
    query = parser.parse()
    if not query.bounded:
        raise JqlError(
            "Unbounded JQL queries are not allowed here. "
            "Please add a search restriction to your query."
        )
    return query


def _tokenize(jql: str) -> Iterator[Token]:
    position, end = 0, len(jql.rstrip())
    while position < end:
        match = _TOKEN.match(jql, position)
        if match is None:
            raise JqlError(
                f"Error in the JQL Query: the character '{jql[position]}' is a reserved "
                f"JQL character (at position {position})."
            )
        position = match.end()
        if match["dq"] is not None or match["sq"] is not None:
            yield Token(match["dq"] if match["dq"] is not None else match["sq"], quoted=True)
        else:
            yield Token(match["op"] or match["word"])


class _Parser:
    def __init__(self, tokens: list[Token], zone: ZoneInfo) -> None:
        self.tokens = tokens
        self.position = 0
        self.zone = zone
        self.query = JqlQuery()

    def parse(self) -> JqlQuery:
        if self._peek_keyword() != "ORDER":
            self._where()
        if self._peek_keyword() == "ORDER":
            self._order_by()
        if self.position < len(self.tokens):
            self._fail("end of query")
        return self.query

    def _where(self) -> None:
        self._term()
        while self._peek_keyword() == "AND":
            self.position += 1
            self._term()
        if self._peek_keyword() == "OR":
            raise JqlError("OR is not supported by the simulator; combine restrictions with AND.")

    def _term(self) -> None:
        if self._peek_keyword() == "(":
            self.position += 1
            self._where()
            self._expect(")")
        else:
            self._clause()

    def _clause(self) -> None:
        name = self._next("a field name").text.lower()
        if name in _LIST_FIELDS:
            values = self._list_values()
            target = {
                "project": self.query.projects,
                "key": self.query.keys,
                "id": self.query.keys,
                "parent": self.query.parents,
            }[_LIST_FIELDS[name]]
            target.append(values)
        elif name in _TIME_FIELDS:
            operator = self._next("an operator").text
            if operator not in _COMPARE:
                self._fail("one of >=, >, <=, <", operator)
            self.query.updated.append((operator, self._moment()))
        else:
            raise JqlError(
                f"Field '{name}' does not exist or you do not have permission to view "
                "it (the simulator supports project, key, id, parent and updated)."
            )

    def _list_values(self) -> set[str]:
        operator = self._next("an operator")
        if operator.text == "=":
            return {self._value()}
        if operator.keyword != "IN":
            self._fail("'=' or 'in'", operator.text)
        self._expect("(")
        values = {self._value()}
        while self._peek_keyword() == ",":
            self.position += 1
            values.add(self._value())
        self._expect(")")
        return values

    def _value(self) -> str:
        token = self._next("a value")
        if not token.quoted and token.text in {"(", ")", ",", "=", "<", ">", ">=", "<=", "!="}:
            self._fail("a value", token.text)
        return token.text.upper()

    def _moment(self) -> int:
        token = self._next("a date")
        text = token.text.strip()
        if not token.quoted and text.isdigit():
            return int(text) // MINUTE_MS * MINUTE_MS
        for date_format in _DATE_FORMATS:
            try:
                local = datetime.strptime(text, date_format).replace(tzinfo=self.zone)
            except ValueError:
                continue
            return int(local.timestamp() * 1000)
        raise JqlError(
            f"Date value '{text}' for field 'updated' is invalid. Valid formats "
            "include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', "
            "'yyyy-MM-dd'."
        )

    def _order_by(self) -> None:
        self.position += 1
        if self._next("'by'").keyword != "BY":
            self._fail("'by'", self.tokens[self.position - 1].text)
        sort_field = self._next("a field to order by").text.lower()
        if sort_field not in _TIME_FIELDS:
            raise JqlError("The simulator orders only by updated (then key or id).")
        self.query.descending = self._direction() == "DESC"
        self.query.has_order_by = True
        if self._peek_keyword() == ",":
            self.position += 1
            if self._next("a field to order by").text.lower() not in ("key", "id", "issuekey"):
                raise JqlError("The simulator orders only by updated (then key or id).")
            self._direction()

    def _direction(self) -> str:
        if self._peek_keyword() in ("ASC", "DESC"):
            return self._next("a direction").keyword
        return "ASC"

    def _peek_keyword(self) -> str | None:
        if self.position < len(self.tokens):
            return self.tokens[self.position].keyword
        return None

    def _next(self, expected: str) -> Token:
        if self.position >= len(self.tokens):
            self._fail(expected, "the end of the query")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _expect(self, text: str) -> None:
        token = self._next(f"'{text}'")
        if token.quoted or token.text != text:
            self._fail(f"'{text}'", token.text)

    def _fail(self, expected: str, found: str | None = None) -> NoReturn:
        if found is None:
            found = self.tokens[self.position].text
        raise JqlError(f"Error in the JQL Query: Expecting {expected} but got '{found}'.")
