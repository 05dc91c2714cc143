"""Records as connectors hand them to the sync engine."""

from __future__ import annotations

import orjson

from hub.contract.records import raw_json


def test_a_payload_loses_its_nul_characters_and_nothing_else() -> None:
    document = raw_json({"a\x00": ["b\x00c", {"d": "\\u0000 stays as text"}], "n": 1})
    assert document == b'{"a":["bc",{"d":"\\\\u0000 stays as text"}],"n":1}'
    assert raw_json({"plain": "\\u0000"}) == b'{"plain":"\\\\u0000"}'


def test_a_payload_orjson_cannot_write_is_still_serialized() -> None:
    payload = {1: "int key", "big": 2**70, "when": object()}
    assert set(orjson.loads(raw_json(payload))) == {"1", "big", "when"}
