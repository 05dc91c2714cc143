"""What one sync did, as it goes and when it ends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from connectors.base import Skipped
from connectors.http.stats import RequestStats
from hub.contract.records import RunStatus
from hub.sync.links import MentionCounts
from hub.sync.store import StoreCounts

MAX_SKIPS_LISTED = 50
MAX_SKIPS_KEPT = 1000


@dataclass(slots=True)
class SyncReport:
    source: str
    status: RunStatus = RunStatus.RUNNING
    full: bool = False
    stream: str | None = None
    counts: StoreCounts = field(default_factory=StoreCounts)
    batches: int = 0
    """Batches the connector yielded; each holds one or more of the tracker's pages."""
    deleted: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    """The first ``MAX_SKIPS_KEPT`` items skipped; ``skipped_count`` counts them all."""
    skipped_count: int = 0
    requests: int = 0
    retries: int = 0
    stats: RequestStats | None = field(default=None, repr=False)
    """The connector's live request counters, read while a batch is still being fetched."""
    error: str | None = None
    seconds: float = 0.0
    mentions: MentionCounts | None = None

    @property
    def waiting_until(self) -> float | None:
        """Epoch time a rate-limit or retry wait ends, while the connector waits."""
        return self.stats.waiting_until if self.stats is not None else None

    def skip(self, items: Sequence[Skipped]) -> None:
        """Note skipped items, keeping a bounded number: memory stays flat however many."""
        self.skipped_count += len(items)
        room = MAX_SKIPS_KEPT - len(self.skipped)
        if room > 0:
            self.skipped.extend(items[:room])

    @property
    def ok(self) -> bool:
        return self.status is RunStatus.SUCCEEDED

    def summary(self) -> str:
        c = self.counts
        line = (
            f"{self.source}: {self.status} in {self.seconds:.1f}s — {c.fetched} fetched, "
            f"{c.created} created, {c.updated} updated, {c.unchanged} unchanged, "
            f"{self.deleted} deleted, {self.skipped_count} skipped; "
            f"{self.requests} requests, {self.retries} retries"
        )
        if self.mentions is not None:
            line += (
                f"; cross-tool mentions: {self.mentions.dependencies} dependencies, "
                f"{self.mentions.links} links"
            )
        if self.skipped:
            line += "\n  " + (self.skipped_text() or "").replace("\n", "\n  ")
        return f"{line}\n  error: {self.error}" if self.error else line

    def skipped_text(self) -> str | None:
        """Skipped items go on the run so that someone can fix them in the tracker."""
        if not self.skipped:
            return None
        lines = [f"{s.key}: {s.reason}" for s in self.skipped[:MAX_SKIPS_LISTED]]
        if self.skipped_count > MAX_SKIPS_LISTED:
            lines.append(f"… and {self.skipped_count - MAX_SKIPS_LISTED} more")
        return "skipped items:\n" + "\n".join(lines)
