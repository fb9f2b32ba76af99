"""Attachments of recorded steps, their supersessions, the documents each step is expected to
carry (the commission's overlays) and the schools' storage quotas (migration 0019)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA

from .base import Ltree, created_at, metadata

attachments = sa.Table(
    "attachments",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("recruit_id", sa.BigInteger, sa.ForeignKey("recruits.id"), nullable=False),
    sa.Column("step_id", sa.BigInteger, sa.ForeignKey("recruit_steps.id"), nullable=False),
    sa.Column("school_id", sa.BigInteger, nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("charged_school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    # For display only: never used as a path (the bytes live under ``storage_key``).
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("content_type", sa.Text, nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("sha256", BYTEA, nullable=False),
    sa.Column("storage_key", sa.Text, nullable=False),
    sa.Column("uploaded_by", sa.BigInteger, sa.ForeignKey("users.id")),
    created_at(),
    sa.UniqueConstraint("storage_key"),
    sa.CheckConstraint("size_bytes > 0", name="ck_attachments_size"),
    sa.CheckConstraint("octet_length(sha256) = 32", name="ck_attachments_sha256"),
    sa.Index("ix_attachments_recruit_id", "recruit_id", "id"),
    sa.Index("ix_attachments_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index("ix_attachments_charged_school_id", "charged_school_id"),
)

attachment_supersessions = sa.Table(
    "attachment_supersessions",
    metadata,
    sa.Column("attachment_id", sa.BigInteger, sa.ForeignKey("attachments.id"), primary_key=True),
    sa.Column("recruit_id", sa.BigInteger, sa.ForeignKey("recruits.id"), nullable=False),
    sa.Column("school_id", sa.BigInteger, nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("replacement_id", sa.BigInteger, sa.ForeignKey("attachments.id")),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("superseded_by", sa.BigInteger, sa.ForeignKey("users.id")),
    created_at(),
    sa.UniqueConstraint("replacement_id"),
    sa.Index("ix_attachment_supersessions_recruit_id", "recruit_id"),
    sa.Index("ix_attachment_supersessions_unit_path_gist", "unit_path", postgresql_using="gist"),
)

document_expectations = sa.Table(
    "document_expectations",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("commission_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("commission_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id")),
    sa.Column("step_code", sa.Text, nullable=False),
    sa.Column("documents", ARRAY(sa.Text), nullable=False),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("updated_by", sa.BigInteger),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Index("ix_document_expectations_commission_id", "commission_id", "step_code"),
)

attachment_quotas = sa.Table(
    "attachment_quotas",
    metadata,
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("limit_bytes", sa.BigInteger, nullable=False),
    sa.Column("used_bytes", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("updated_by", sa.BigInteger),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.CheckConstraint("limit_bytes >= 0", name="ck_attachment_quotas_limit"),
    sa.Index("ix_attachment_quotas_unit_path_gist", "unit_path", postgresql_using="gist"),
)
