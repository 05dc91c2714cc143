"""The sync engine: connector pages in, batched upserts and cursors out, one SyncRun per sync."""

from hub.sync.engine import SyncEngine
from hub.sync.report import SyncReport

__all__ = ["SyncEngine", "SyncReport"]
