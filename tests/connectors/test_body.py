"""Pages read as raw item texts: what is stored as each item's raw payload, and bad bodies."""

from __future__ import annotations

import msgspec
import orjson
import pytest

from connectors.body import decode, element

ITEMS = msgspec.json.Decoder(list[msgspec.Raw])


def read(body: bytes) -> list[tuple[object, bytes]]:
    return [element(raw) for raw in decode(body, ITEMS, lambda: body.decode(errors="replace"))]


def test_an_item_is_stored_as_the_tracker_wrote_it() -> None:
    body = b'[{"title": "caf\xc3\xa9", "n": 1},  {"labels": [ "a" ]}]'
    assert read(body) == [
        ({"title": "café", "n": 1}, b'{"title": "caf\xc3\xa9", "n": 1}'),
        ({"labels": ["a"]}, b'{"labels": [ "a" ]}'),
    ]


def test_an_item_with_a_nul_escape_is_written_anew_without_it() -> None:
    [(value, raw)] = read(b'[{"body": "a\\u0000b", "ok": true}]')
    assert value == {"body": "a\x00b", "ok": True}
    assert orjson.loads(raw) == {"body": "ab", "ok": True}


def test_a_lone_surrogate_escape_becomes_a_replacement_character() -> None:
    """msgspec refuses the whole body; it is read as the json module reads it."""
    [(first, first_raw), (second, _)] = read(
        b'[{"title": "cut \\ud83d"}, {"pair": "\\ud83d\\ude00"}]'
    )
    assert (first, second) == ({"title": "cut \ufffd"}, {"pair": "😀"})
    assert orjson.loads(first_raw) == {"title": "cut \ufffd"}


def test_text_that_is_not_utf8_gets_replacement_characters() -> None:
    [(value, raw)] = read(b'[{"title": "a\xffb"}]')
    assert value == {"title": "a\ufffdb"}
    assert raw.decode() == '{"title":"a\ufffdb"}'


@pytest.mark.parametrize("body", [b'[{"a": 1}', b"[{]", b"<html>busy</html>", b""])
def test_a_body_that_is_not_json_is_a_value_error(body: bytes) -> None:
    with pytest.raises(ValueError) as caught:
        read(body)
    assert not isinstance(caught.value, msgspec.ValidationError)


def test_a_body_of_another_shape_is_a_validation_error() -> None:
    with pytest.raises(msgspec.ValidationError, match="Expected `array`"):
        read(b'{"message": "Not Found"}')
