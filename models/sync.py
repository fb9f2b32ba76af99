"""Idempotent sync requests (migration 0014)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BYTEA, JSONB

from .base import Ltree, created_at, metadata

sync_requests = sa.Table(
    "sync_requests",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("client_id", sa.Text, nullable=False),
    sa.Column("idempotency_key", sa.Text, nullable=False),
    sa.Column("body_hash", BYTEA, nullable=False),
    # The first answer, returned as it was to every retry with the same key and body.
    sa.Column("answer", JSONB, nullable=False),
    created_at(),
    sa.UniqueConstraint("client_id", "school_id", "idempotency_key", name="uq_sync_requests_key"),
    sa.Index("ix_sync_requests_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index("ix_sync_requests_created_at", "created_at"),
)
