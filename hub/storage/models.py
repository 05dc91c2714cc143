"""The unified model's tables.

Items are keyed by their hub id (``source:external_id``). ``parent_id`` and the ends of a
dependency are hub ids without foreign keys on purpose: a tracker may name a parent or a
blocker that arrives in a later batch, or that the hub cannot see; such links are kept and
simply resolve to nothing until the item shows up.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from hub.contract.records import DateSource, DeclaredHealth, Level, Provenance, StatusCategory
from hub.storage.types import JSONDocument, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSONDocument}


def _enum(cls: type) -> Enum:
    return Enum(cls, native_enum=False, length=16, validate_strings=True)


class Source(Base):
    """A configured tracker connection, as last seen in the config file."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    base_url: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime]
    mapping_fingerprint: Mapped[str | None] = mapped_column(String(32))
    """The hub rules its items were last stored with; a change forces a full sync."""
    reconciled_at: Mapped[datetime | None]
    """When deletions were last reconciled, by a census or a full sync; the first sync of the
    source sets it, as it lists everything and has nothing to tombstone."""


class WorkItem(Base):
    __tablename__ = "work_items"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(200), index=True)
    url: Mapped[str] = mapped_column(String(1024))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[Level] = mapped_column(_enum(Level))
    status_name: Mapped[str] = mapped_column(String(128))
    status_category: Mapped[StatusCategory] = mapped_column(_enum(StatusCategory))
    parent_id: Mapped[str | None] = mapped_column(String(200), index=True)
    """The parent shown: a person's initiative assignment, else ``synced_parent_id``."""
    synced_parent_id: Mapped[str | None] = mapped_column(String(200))
    """The parent the last sync gave: the tracker's, or the hub rules' initiative."""
    start_date: Mapped[date | None] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date)
    start_date_source: Mapped[DateSource | None] = mapped_column(_enum(DateSource))
    """Where ``start_date`` came from; set whenever it is (a derived date is never stored)."""
    start_date_field: Mapped[str | None] = mapped_column(String(200))
    """The name of the field, sprint, iteration... it was read from, when the tracker has one."""
    target_date_source: Mapped[DateSource | None] = mapped_column(_enum(DateSource))
    target_date_field: Mapped[str | None] = mapped_column(String(200))
    declared_health: Mapped[DeclaredHealth | None] = mapped_column(_enum(DeclaredHealth))
    """The team's latest status update; the hub's own judgement is computed when read."""
    declared_health_at: Mapped[datetime | None]
    declared_health_by: Mapped[str | None] = mapped_column(String(200))
    declared_health_note: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    assignee_id: Mapped[str | None] = mapped_column(String(200))
    labels: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONDocument, default=list, server_default=text("'[]'")
    )
    """An epic's dated checkpoints: ``{id, name, target_date, status, progress, sort_order}``
    each, as ``hub.contract.records.MilestoneRecord`` holds them (the date ISO)."""
    estimate: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    raw: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    content_hash: Mapped[str] = mapped_column(String(32))
    synced_at: Mapped[datetime]
    seen_run: Mapped[int | None] = mapped_column(Integer)
    """The last full sync or census that saw the item; reconciliation tombstones the rest."""

    source: Mapped[Source] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_work_items_source_external", "source_id", "external_id", unique=True),
        Index("ix_work_items_level_key", "level", "key"),
        Index("ix_work_items_lower_key", func.lower(key)),
    )


class Component(Base):
    """A platform component of the hub's catalog."""

    __tablename__ = "components"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    owner: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class ItemComponent(Base):
    __tablename__ = "item_components"

    item_id: Mapped[str] = mapped_column(
        ForeignKey("work_items.id", ondelete="CASCADE"), primary_key=True
    )
    component_id: Mapped[int] = mapped_column(
        ForeignKey("components.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Dependency(Base):
    """``blocker_id`` blocks ``blocked_id``; one row per provenance."""

    __tablename__ = "dependencies"

    blocker_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    blocked_id: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    provenance: Mapped[Provenance] = mapped_column(_enum(Provenance), primary_key=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), index=True
    )
    """The source whose sync asserted it; null for manual dependencies."""
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ItemMention(Base):
    """A reference to a tracker key found in an item's text, as written; resolved to items
    (dependencies or links) after every sync that changed something, so that it may name an
    item synced later."""

    __tablename__ = "item_mentions"

    item_id: Mapped[str] = mapped_column(
        ForeignKey("work_items.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    """Lower case, compared with the lower-cased keys of items."""
    relation: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))


class PendingRebuild(Base):
    """Data derived from many items that a change made stale, such as resolved mentions: the
    change and its row commit together, and the rebuild deletes the row, so a sync killed in
    between still has the rebuild done by the next one."""

    __tablename__ = "pending_rebuilds"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)


class ItemLink(Base):
    """``from_id`` mentions ``to_id`` in its title or body, without saying that either blocks."""

    __tablename__ = "item_links"

    from_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    to_id: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class WebhookDelivery(Base):
    """A verified webhook delivery, recorded before it is answered and applied after.

    Only what the delivery asks the hub to re-read is kept (``refs``, ``deleted``), never its
    body: the tracker's current state wins over an event's, and a body can be megabytes.
    """

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    delivery_id: Mapped[str] = mapped_column(String(200))
    """The tracker's id of the delivery; a redelivery reuses it."""
    event: Mapped[str] = mapped_column(String(100))
    """The tracker's event name, with its action: ``issues.edited``, ``jira:issue_updated``."""
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    """``pending``, ``applied``, ``failed`` (out of attempts) or ``ignored`` (nothing to do)."""
    refs: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    """External ids or keys of the items to read again from the tracker."""
    deleted: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    """External ids of items the tracker says are deleted; re-read, and tombstoned if gone."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    applied_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    """Why the last attempt failed, redacted of the source's secrets."""

    __table_args__ = (
        Index("ix_webhook_deliveries_source_delivery", "source_id", "delivery_id", unique=True),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_source_received", "source_id", "received_at"),
    )


class SyncCursor(Base):
    """Where the next sync of one stream of a source starts; written in the transaction that
    stores the batches it follows."""

    __tablename__ = "sync_cursors"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    stream: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class InitiativeAssignment(Base):
    """A person placed an epic under an initiative; it outranks tracker parents and rules
    and survives every re-sync."""

    __tablename__ = "initiative_assignments"

    item_id: Mapped[str] = mapped_column(
        ForeignKey("work_items.id", ondelete="CASCADE"), primary_key=True
    )
    initiative_id: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A credential for the GraphQL API; only a digest of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(8))
    """``read`` (queries) or ``write`` (queries and mutations)."""
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
