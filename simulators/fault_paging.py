"""Paging faults, called from inside each simulator's listing code where only it knows the tokens.

``repeat_page_token`` models servers that hand back the cursor they were given (a client that
trusts it loops forever); ``mutate_while_paging`` models users editing issues while a sync pages
through an updated-ordered listing, so items jump past the client's position.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

from simulators.faults import Faults

T = TypeVar("T")


class PagingFaults:
    """The paging knobs of one app, with their own seeded generator and the app's fault counter."""

    def __init__(self, faults: Faults, injected: Counter[str]) -> None:
        self.faults = faults
        self.injected = injected
        self.rng = random.Random(f"paging:{faults.seed}")

    def next_token(self, given: str | None, fresh: str) -> str:
        """The token for the next page: ``fresh``, or the one the client sent when repeating."""
        if self.faults.repeat_page_token and given:
            self.injected["repeat_page_token"] += 1
            return given
        return fresh

    def page_served(self, items: Callable[[], Sequence[T]], touch: Callable[[T], object]) -> None:
        """Touch ``mutate_while_paging`` random ``items()`` so their updated time moves forward."""
        count = self.faults.mutate_while_paging
        if count <= 0:
            return
        pool = items()
        for item in self.rng.sample(pool, min(count, len(pool))):
            touch(item)
            self.injected["mutate_while_paging"] += 1
