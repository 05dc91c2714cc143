"""Garbage collection in a long-lived hub process.

A sync allocates millions of short-lived containers (parsed JSON, records, rows), and an API
answer of a few hundred items thousands, so CPython collects often; every collection of its
oldest generation walks every tracked object of the process, including the many that the
hub's modules, classes and schema made at start-up and that live as long as the process
does. Moving those out of the collector's reach once (``gc.freeze``) leaves it only the
objects of the work at hand to walk. The first sync or the server's start does it.

The same call raises the youngest generation's threshold from 700 to ``YOUNG_THRESHOLD``
allocations. A collection walks every young object still alive, and while a batch is parsed,
mapped and stored its objects are alive: at 700, a Jira or GitHub sync walked each of them in
several young collections and then again in the middle one. Much higher thresholds keep more
cyclic garbage, such as finished HTTP responses, alive. The figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000

_frozen = False


def freeze_long_lived_objects() -> None:
    """Once per process: collect what is garbage now, freeze everything still alive, and
    collect the youngest generation less often (a higher threshold set elsewhere is kept)."""
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    young, middle, oldest = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_THRESHOLD), middle, oldest)
    _frozen = True
