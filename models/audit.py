"""Append-only, hash-chained audit log. One chain per school (per commission root above schools), so
concurrent writes in different schools never wait on each other."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BYTEA, JSONB

from .base import metadata

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("chain", sa.BigInteger, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("school_id", sa.BigInteger, nullable=True),
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("actor_user_id", sa.BigInteger, nullable=True),
    sa.Column("client_id", sa.Text, nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("operation", sa.Text, nullable=False),
    sa.Column("object_type", sa.Text, nullable=False),
    sa.Column("object_id", sa.BigInteger, nullable=False),
    sa.Column("before", JSONB, nullable=True),
    sa.Column("after", JSONB, nullable=True),
    sa.Column("prev_hash", BYTEA, nullable=False),
    sa.Column("hash", BYTEA, nullable=False),
    sa.UniqueConstraint("chain", "seq"),
    sa.Index("ix_audit_log_object", "object_type", "object_id", "id"),
)

audit_chain_heads = sa.Table(
    "audit_chain_heads",
    metadata,
    sa.Column("chain", sa.BigInteger, primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", BYTEA, nullable=False),
)
