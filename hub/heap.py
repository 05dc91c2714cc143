"""Garbage collection in a long-lived hub process.

A sync allocates millions of short-lived containers (parsed JSON, records, rows), and an API
answer of a few hundred items thousands, so CPython collects often; every collection of its
oldest generation walks every tracked object of the process, including the ~100k that the
hub's modules, classes and schema made at start-up and that live as long as the process
does. Moving those out of the collector's reach once (``gc.freeze``) took garbage collection
from about a fifth of a sync's CPU time to a tenth, and a dependency graph of 378 nodes
from 180-370 ms per request to 72-84 ms. The first sync or the server's start does it.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_long_lived_objects() -> None:
    """Once per process: collect what is garbage now, then freeze everything still alive."""
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    _frozen = True
