"""Webhook deliveries: recorded before they are answered (``deliveries``), applied after by
re-reading the items they name (``applier``)."""

from hub.sync.webhooks.applier import WebhookApplier
from hub.sync.webhooks.deliveries import record_delivery

__all__ = ["WebhookApplier", "record_delivery"]
