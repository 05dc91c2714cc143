"""The socket ``hub serve`` listens on."""

from __future__ import annotations

from hub.runner import bind
from tests.sockets import accepted_nodelay


async def test_the_api_answers_without_nagle_delays() -> None:
    assert await accepted_nodelay(bind("127.0.0.1", 0)) == 1


def test_a_taken_port_falls_back_to_a_free_one() -> None:
    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        other = bind("127.0.0.1", port)
        assert other.getsockname()[1] not in (0, port)
        other.close()
    finally:
        taken.close()
