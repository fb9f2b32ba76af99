"""Reconciliation reports of 12371 imports (migration 0015)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA, JSONB

from .base import Ltree, created_at, metadata

reconciliation_reports = sa.Table(
    "reconciliation_reports",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    # For display only: never used as a path.
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("file_sha256", BYTEA, nullable=False),
    sa.Column("file_bytes", sa.BigInteger, nullable=False),
    sa.Column("stages", ARRAY(sa.Text), nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("matched", sa.Integer, nullable=False, server_default="0"),
    sa.Column("conflicting", sa.Integer, nullable=False, server_default="0"),
    sa.Column("only_12371", sa.Integer, nullable=False, server_default="0"),
    sa.Column("only_here", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.Text, nullable=False, server_default="open"),
    sa.Column("created_by", sa.BigInteger, sa.ForeignKey("users.id")),
    created_at(),
    sa.Column("applied_by", sa.BigInteger, sa.ForeignKey("users.id")),
    sa.Column("applied_at", sa.DateTime(timezone=True)),
    sa.Column("evidence_sha256", BYTEA),
    sa.CheckConstraint("status IN ('open', 'applied')", name="ck_reconciliation_reports_status"),
    sa.CheckConstraint(
        "(status = 'open') = (applied_at IS NULL)", name="ck_reconciliation_reports_applied"
    ),
    sa.Index("ix_reconciliation_reports_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index("ix_reconciliation_reports_school_id_id", "school_id", "id"),
)

reconciliation_entries = sa.Table(
    "reconciliation_entries",
    metadata,
    sa.Column(
        "report_id",
        sa.BigInteger,
        sa.ForeignKey("reconciliation_reports.id"),
        primary_key=True,
    ),
    sa.Column("ordinal", sa.Integer, primary_key=True),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("recruit_id", sa.BigInteger, sa.ForeignKey("recruits.id")),
    sa.Column("sheet", sa.Text),
    sa.Column("row_number", sa.Integer),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("id_number_masked", sa.Text, nullable=False),
    sa.Column("id_number_enc", BYTEA),
    sa.Column("id_number_lookup", BYTEA),
    sa.Column("phone_enc", BYTEA),
    # [{"item", "here", "theirs"}]: the cells as the export writes them, phones masked.
    sa.Column("conflicts", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    # The 12371 row's values (no ID number, no phone), as applying a decision reads them.
    sa.Column("theirs", JSONB),
    sa.Column("decision", sa.Text),
    sa.Column("decided_fields", ARRAY(sa.Text)),
    sa.Column("outcome", JSONB),
    sa.CheckConstraint(
        "kind IN ('matched', 'conflicting', 'only_12371', 'only_here')",
        name="ck_reconciliation_entries_kind",
    ),
    sa.CheckConstraint(
        "decision IN ('take_theirs', 'keep_ours', 'create_here')",
        name="ck_reconciliation_entries_decision",
    ),
    sa.CheckConstraint(
        "(kind = 'only_12371') = (recruit_id IS NULL)", name="ck_reconciliation_entries_here"
    ),
    sa.Index("ix_reconciliation_entries_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index("ix_reconciliation_entries_report_id_kind", "report_id", "kind", "ordinal"),
    sa.Index(
        "ix_reconciliation_entries_recruit_id",
        "recruit_id",
        postgresql_where=sa.text("recruit_id IS NOT NULL"),
    ),
)
