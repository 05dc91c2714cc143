"""GraphQL latency by operation: each operation timed from parsing to its result.

The extension runs first, so a document refused by a limit is timed too: a client's slow or
refused operations show under its own name. Names are bounded by ``HubMetrics``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from hub.sync.metrics import HubMetrics


class OperationTiming(SchemaExtension):
    """Observes each operation's seconds in ``metrics`` under its operation name."""

    def __init__(self, *, metrics: HubMetrics) -> None:
        self.metrics = metrics

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - started
            self.metrics.graphql_request(self.execution_context.operation_name, seconds)
