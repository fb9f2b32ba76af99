"""Annulled admissions (一律不予承认, migration 0024): final evidence, never changed."""

from __future__ import annotations

import sqlalchemy as sa

from .base import Ltree, created_at, metadata

admission_annulments = sa.Table(
    "admission_annulments",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("recruit_id", sa.BigInteger, sa.ForeignKey("recruits.id"), nullable=False),
    # Whom it was about, as recorded then (the list for the branch meeting names the person).
    sa.Column("recruit_name", sa.Text, nullable=False),
    # Where the admission was approved (the recruit's admitted_* columns when annulled): the
    # annulment is seen, listed and counted there, wherever the recruit is now.
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("branch_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("approved_on", sa.Date, nullable=False),
    sa.Column("annulled_on", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("document_no", sa.Text, nullable=False),
    # The unit whose authority annulled it (the school's committee, or the commission).
    sa.Column("decided_by_unit_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("annulled_by", sa.BigInteger, sa.ForeignKey("users.id")),
    created_at(),
    sa.UniqueConstraint("recruit_id"),
    sa.Index("ix_admission_annulments_unit_path_gist", "unit_path", postgresql_using="gist"),
)
