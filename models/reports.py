"""Execution reports (执行情况报告): a draft narrative, then a frozen snapshot once submitted."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from .base import Ltree, created_at, metadata

execution_reports = sa.Table(
    "execution_reports",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("period_id", sa.BigInteger, sa.ForeignKey("plan_periods.id"), nullable=False),
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger),
    sa.Column("status", sa.Text, nullable=False, server_default="draft"),
    sa.Column("narrative", sa.Text, nullable=False, server_default=""),
    sa.Column("snapshot", JSONB),
    sa.Column("content_hash", sa.Text),
    sa.Column("submitted_by", sa.BigInteger),
    sa.Column("submitted_at", sa.DateTime(timezone=True)),
    sa.Column("reviewed_by", sa.BigInteger),
    sa.Column("reviewed_at", sa.DateTime(timezone=True)),
    sa.Column("return_reason", sa.Text),
    created_at(),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("period_id", "unit_id"),
    sa.CheckConstraint(
        "status IN ('draft', 'submitted', 'acknowledged', 'returned')", name="status"
    ),
    sa.CheckConstraint(
        "status IN ('draft', 'returned') OR (snapshot IS NOT NULL AND content_hash IS NOT NULL)",
        name="frozen",
    ),
    sa.Index("ix_execution_reports_unit_path_gist", "unit_path", postgresql_using="gist"),
)
