"""The hub's Prometheus metrics: what syncs, webhooks and GraphQL requests did, in one registry.

Defined here, at the lowest layer that records them (the sync engine and the webhook applier);
the server records webhook receipts and GraphQL latency into the same object and exposes the
registry at ``/metrics``. Each ``HubMetrics`` has its own ``CollectorRegistry``, never the
client library's global one, so that a test (or a second app in one process) counts apart.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from hub.sync.report import SyncReport

MAX_OPERATION_NAME = 64
MAX_OPERATION_NAMES = 200
"""Distinct operation names kept as labels; later new ones, and longer ones, count as "other",
so that a client sending random names cannot grow the registry without bound."""
ANONYMOUS, OTHER = "anonymous", "other"

SYNC_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class OperationNames:
    """Bounds the label values of GraphQL operation names."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self.limit = limit
        self.seen: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self.seen:
            return name
        if len(name) > MAX_OPERATION_NAME or len(self.seen) >= self.limit:
            return OTHER
        self.seen.add(name)
        return name


class HubMetrics:
    """The metrics of one hub process, registered in ``registry``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.sync_runs = Counter(
            "hub_sync_runs",
            "Syncs finished, by source and status.",
            ["source", "status"],
            registry=r,
        )
        self.sync_seconds = Histogram(
            "hub_sync_duration_seconds",
            "Seconds one sync took, by source.",
            ["source"],
            buckets=SYNC_BUCKETS,
            registry=r,
        )
        self.sync_items = Counter(
            "hub_sync_items",
            "Items of syncs by source and what happened to them (fetched, created, updated, "
            "deleted).",
            ["source", "change"],
            registry=r,
        )
        self.tracker_requests = Counter(
            "hub_tracker_requests", "HTTP requests to trackers, by source.", ["source"], registry=r
        )
        self.tracker_retries = Counter(
            "hub_tracker_retries", "Retried tracker requests, by source.", ["source"], registry=r
        )
        self.tracker_wait_seconds = Counter(
            "hub_tracker_wait_seconds",
            "Seconds syncs spent in backoff and rate-limit waits, by source.",
            ["source"],
            registry=r,
        )
        self.webhook_deliveries = Counter(
            "hub_webhook_deliveries",
            "Webhook deliveries received, by source and outcome.",
            ["source", "outcome"],
            registry=r,
        )
        self.webhook_lag = Histogram(
            "hub_webhook_lag_seconds",
            "Seconds from a delivery's receipt to its items stored, by source.",
            ["source"],
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.webhook_queue = Gauge(
            "hub_webhook_queue_depth",
            "Webhook deliveries waiting to be applied (read at scrape time).",
            registry=r,
        )
        self.graphql_seconds = Histogram(
            "hub_graphql_request_duration_seconds",
            "Seconds a GraphQL operation took, by operation name.",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.operation_names = OperationNames()

    def sync_finished(self, report: SyncReport) -> None:
        """Count one finished sync from its report."""
        source = report.source
        self.sync_runs.labels(source, str(report.status)).inc()
        self.sync_seconds.labels(source).observe(report.seconds)
        counts = report.counts
        for change, number in (
            ("fetched", counts.fetched),
            ("created", counts.created),
            ("updated", counts.updated),
            ("deleted", report.deleted),
        ):
            self.sync_items.labels(source, change).inc(number)
        self.tracker_requests.labels(source).inc(report.requests)
        self.tracker_retries.labels(source).inc(report.retries)
        waited = report.stats.waited if report.stats is not None else 0.0
        self.tracker_wait_seconds.labels(source).inc(waited)

    def webhook_received(self, source: str, outcome: str) -> None:
        self.webhook_deliveries.labels(source, outcome).inc()

    def webhooks_applied(self, source: str, received: list[datetime], now: datetime) -> None:
        """Observe the lag of deliveries applied at ``now``."""
        for at in received:
            at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
            self.webhook_lag.labels(source).observe(max(0.0, (now - at).total_seconds()))

    def graphql_request(self, operation: str | None, seconds: float) -> None:
        self.graphql_seconds.labels(self.operation_names.label(operation)).observe(seconds)


HUB_METRICS = HubMetrics()
"""The process's metrics: what the engine, the applier and the app record into by default."""
