"""The sync engine: connector batches in, transactions of upserts and cursors out, one SyncRun
per sync."""

from hub.sync.engine import SyncEngine
from hub.sync.report import SyncReport

__all__ = ["SyncEngine", "SyncReport"]
