"""Finding references to tracker items in free text: pure functions, no database.

Recognised references: Jira keys and Linear identifiers (``PAY-12``, ``ENG-7``), Jira browse
URLs, GitHub issue URLs and ``owner/repo#34``, and Linear issue URLs. A reference right after
"blocked by", "depends on", "waiting on" or "requires" means the referenced item blocks the
text's item; after "blocks" or "blocking" the text's item blocks it; any other reference is a
plain link. A phrase covers the list that follows it ("blocked by ENG-1, ENG-2 and PAY-3").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Relation(StrEnum):
    BLOCKED_BY = "blocked_by"
    BLOCKS = "blocks"
    LINK = "link"


@dataclass(frozen=True, slots=True)
class Mention:
    key: str
    """The tracker key as the hub stores it: ``PAY-12``, ``acme/payments-api#34``."""
    relation: Relation


_KEY = r"(?<![\w/-])(?P<key>[A-Z][A-Z0-9]{1,9}-\d{1,7})(?![\w-])"
_GITHUB_URL = (
    r"https?://[^\s/]+/(?P<gh_owner>[\w.-]+)/(?P<gh_repo>[\w.-]+)/issues/(?P<gh_number>\d+)"
)
_GITHUB_REF = r"(?<![\w/.-])(?P<ref_owner>[\w.-]+)/(?P<ref_repo>[\w.-]+)#(?P<ref_number>\d+)\b"
_LINEAR_URL = r"https?://linear\.app/[\w-]+/issue/(?P<linear_key>[A-Z][A-Z0-9]{1,9}-\d+)[^\s]*"
_JIRA_URL = r"https?://[^\s/]+/browse/(?P<jira_key>[A-Z][A-Z0-9]{1,9}-\d+)"
_PHRASE = (
    r"(?P<phrase>\b(?:is\s+)?(?:blocked\s+by|depends\s+on|dependent\s+on|waiting\s+(?:on|for)"
    r"|requires|blocks|blocking)\b)"
)
_SEPARATOR = re.compile(r"^(?:[\s,;:&()]|\band\b|\bor\b)*$", re.IGNORECASE)

_TOKENS = re.compile(
    "|".join((_LINEAR_URL, _JIRA_URL, _GITHUB_URL, _GITHUB_REF, _KEY, _PHRASE)), re.IGNORECASE
)
_KEY_SHAPE = re.compile(r"^[A-Z][A-Z0-9]{1,9}-\d+$")
_ANY_REFERENCE = re.compile(r"-\d|#\d|://")
"""What every reference contains (a key's ``-1``, a ref's ``#1``, a URL's ``://``): a text
without any has none, and is answered without the costly full scan (most texts are such)."""


def find_mentions(text: str) -> list[Mention]:
    """Every item reference in ``text`` with how it relates, in order, each key once.

    A key mentioned both plainly and in a blocking phrase keeps the blocking relation.
    """
    if not _ANY_REFERENCE.search(text):
        return []
    return _scan(text)


def _scan(text: str) -> list[Mention]:
    found: dict[str, Relation] = {}
    relation = Relation.LINK
    last_end = 0
    for match in _TOKENS.finditer(text):
        between = text[last_end : match.start()]
        if relation is not Relation.LINK and not _SEPARATOR.match(between):
            relation = Relation.LINK
        last_end = match.end()
        if match.group("phrase"):
            phrase = match.group("phrase").lower()
            relation = Relation.BLOCKS if phrase in ("blocks", "blocking") else Relation.BLOCKED_BY
            continue
        key = _key_of(match)
        if key is None:
            continue
        if found.get(key, Relation.LINK) is Relation.LINK:
            found[key] = relation
    return [Mention(key, relation) for key, relation in found.items()]


def _key_of(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    if groups["gh_number"]:
        return f"{groups['gh_owner']}/{groups['gh_repo']}#{groups['gh_number']}".lower()
    if groups["ref_number"]:
        return f"{groups['ref_owner']}/{groups['ref_repo']}#{groups['ref_number']}".lower()
    key = groups["linear_key"] or groups["jira_key"] or groups["key"]
    # IGNORECASE lets "blocked By" match; keys themselves must be upper case as trackers write them.
    return key if key and _KEY_SHAPE.match(key) else None
