"""What the connector tests share: stand-ins for time and a respx router that refuses the network.

``FakeSleep`` records each wait instead of sleeping and moves its ``FakeClock`` past it, so
that code reading that clock after a wait sees the time it waited for.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx


class FakeClock:
    """Epoch seconds that move only when a test (or a ``FakeSleep``) moves them."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeSleep:
    """Records each wait and moves ``clock`` past it."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = FakeClock(0.0) if clock is None else clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.now += seconds


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    """A router every request must match: none leaves for the network."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        yield router


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()
