from __future__ import annotations

import pytest

from hub.sync.mentions import Mention, Relation, find_mentions

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
