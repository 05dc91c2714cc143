"""The webhook deliveries a source's tracker sent, beside ``syncRuns``: what arrived, when it
was applied, and why one failed."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from graphql import GraphQLError
from sqlalchemy import select

from hub.storage import models
from schema.context import Info
from schema.filter_checks import check_known

MAX_DELIVERIES = 100
DEFAULT_DELIVERIES = 20
MAX_ERROR_CHARS = 500
"""Errors are redacted when stored; the API still shows no more than this of one."""


@strawberry.enum(description="Where a webhook delivery stands.")
class DeliveryStatus(Enum):
    PENDING = "pending"
    APPLIED = "applied"
    FAILED = "failed"
    IGNORED = "ignored"


def shown_error(error: str | None) -> str | None:
    """At most ``MAX_ERROR_CHARS`` of a stored error, marked where it was cut."""
    if error is None or len(error) <= MAX_ERROR_CHARS:
        return error
    return error[: MAX_ERROR_CHARS - 1] + "…"


@strawberry.type(description="One verified webhook delivery and what the hub made of it.")
class WebhookDelivery:
    source: str = strawberry.field(description="The source's name.")
    event: str = strawberry.field(
        description="The tracker's event and action: `issues.edited`, `Issue.update`, "
        "`jira:issue_updated`."
    )
    delivery_id: str = strawberry.field(
        description="The tracker's id of the delivery; a redelivery reuses it."
    )
    received_at: datetime
    applied_at: datetime | None = strawberry.field(
        description="When the items it named were read again and stored; null until then."
    )
    status: DeliveryStatus = strawberry.field(
        description="PENDING: waiting to be applied or retried; APPLIED; FAILED: out of "
        "attempts (the scheduled sync catches up); IGNORED: nothing to do (a ping, an event "
        "the hub does not act on)."
    )
    attempts: int = strawberry.field(description="Attempts to apply it so far.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When a pending delivery is tried again; null when it is not waiting."
    )
    error: str | None = strawberry.field(
        description=f"Why the last attempt failed, redacted, at most {MAX_ERROR_CHARS} characters."
    )

    @classmethod
    def from_row(cls, row: models.WebhookDelivery, source: str) -> WebhookDelivery:
        return cls(
            source=source,
            event=row.event,
            delivery_id=row.delivery_id,
            received_at=row.received_at,
            applied_at=row.applied_at,
            status=DeliveryStatus(row.status),
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            error=shown_error(row.error),
        )


async def webhook_deliveries(
    info: Info, source: str | None = None, first: int = DEFAULT_DELIVERIES
) -> list[WebhookDelivery]:
    """Newest first, of one source or of all; an unknown source is an error."""
    if not 1 <= first <= MAX_DELIVERIES:
        raise GraphQLError(f"`first` must be between 1 and {MAX_DELIVERIES}, got {first}.")
    statement = select(models.WebhookDelivery, models.Source.name).join(
        models.Source, models.Source.id == models.WebhookDelivery.source_id
    )
    if source is None:
        # Ids grow in the order deliveries are recorded, on receipt: the primary key
        # orders them without sorting the whole table.
        statement = statement.order_by(models.WebhookDelivery.id.desc())
    else:
        await check_known(info, sources=(source,))
        statement = statement.where(models.Source.name == source).order_by(
            models.WebhookDelivery.received_at.desc(), models.WebhookDelivery.id.desc()
        )
    async with info.context.sessions() as session:
        rows = (await session.execute(statement.limit(first))).all()
    return [WebhookDelivery.from_row(row.WebhookDelivery, row.name) for row in rows]


@strawberry.type
class WebhookQuery:
    webhook_deliveries: list[WebhookDelivery] = strawberry.field(
        resolver=webhook_deliveries,
        description=f"Webhook deliveries, newest first; at most {MAX_DELIVERIES}.",
    )
