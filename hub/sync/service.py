"""What the API may ask of the process that runs syncs; ``Scheduler`` is the one there is."""

from __future__ import annotations

from typing import Protocol

from hub.sync.report import SyncReport


class SyncService(Protocol):
    def is_syncing(self, name: str) -> bool:
        """Whether a sync of the source is under way in this process."""
        ...

    async def run_now(self, name: str, *, full: bool = False) -> SyncReport:
        """Sync a configured source now; a report with status busy if one is under way."""
        ...
