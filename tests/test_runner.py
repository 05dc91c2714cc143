"""The socket ``hub serve`` listens on."""

from __future__ import annotations

import pytest

from hub.contract.errors import HubError
from hub.runner import bind
from tests.sockets import accepted_nodelay


async def test_the_api_answers_without_nagle_delays() -> None:
    assert await accepted_nodelay(bind("127.0.0.1", 0)) == 1


def test_a_taken_port_is_an_error_naming_it() -> None:
    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        with pytest.raises(HubError, match=f"^port {port} on 127.0.0.1 is in use: "):
            bind("127.0.0.1", port)
    finally:
        taken.close()
