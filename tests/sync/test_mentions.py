from __future__ import annotations

import random

import pytest

from hub.sync.mentions import Mention, Relation, _scan, find_mentions

B, BY, L = Relation.BLOCKS, Relation.BLOCKED_BY, Relation.LINK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Blocked by ENG-12 and PAY-3, see also acme/search#4",
            [("ENG-12", BY), ("PAY-3", BY), ("acme/search#4", L)],
        ),
        ("This blocks https://github.com/Acme/Identity/issues/9.", [("acme/identity#9", B)]),
        (
            "depends on https://linear.app/acme/issue/ENG-7/fix-it; unrelated PLAT-1",
            [("ENG-7", BY), ("PLAT-1", L)],
        ),
        ("See https://acme.atlassian.net/browse/PAY-9 which is blocking us", [("PAY-9", L)]),
        ("waiting for INFRA-2", [("INFRA-2", BY)]),
        ("mentions PAY-1 first, then is blocked by PAY-1", [("PAY-1", BY)]),
        ("lowercase pay-1 and x/y/z#3 and PAY-12345678 are not references", []),
        ("", []),
    ],
)
def test_references_and_their_relation(text: str, expected: list[tuple[str, Relation]]) -> None:
    assert find_mentions(text) == [Mention(key, relation) for key, relation in expected]


def test_huge_text_with_odd_unicode_is_scanned_without_error() -> None:
    text = ("é🙂\u200b" * 50_000) + " blocked by ENG-1"
    assert find_mentions(text) == [Mention("ENG-1", BY)]


def test_the_quick_check_never_hides_a_reference() -> None:
    fragments = [
        "PAY-12", "ENG-7", "acme/api#34", "#5", "-9", "PAY", "12", "-", "#", "http", ":/", "://",
        "https://acme.atlassian.net/browse/PAY-1", "https://github.com/a/b/issues/3",
        "https://linear.app/acme/issue/ENG-4/title", "blocked by", "blocks", "and", " ", ",",
        "2026-01-05", "x", "\n",
    ]  # fmt: skip
    chooser = random.Random(7)
    texts = ["".join(chooser.choices(fragments, k=chooser.randint(0, 8))) for _ in range(3000)]
    for text in texts:
        assert find_mentions(text) == _scan(text)
    assert sum(1 for text in texts if _scan(text)) > 1000
