"""The school's roster of Party members (migration 0007): introducers and contact persons."""

from __future__ import annotations

import sqlalchemy as sa

from .base import Ltree, created_at, metadata

members = sa.Table(
    "members",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("branch_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    # The 12371 member code: unique within a school (a member who moves is on two rosters).
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("joined_on", sa.Date, nullable=False),
    sa.Column("full_on", sa.Date),
    sa.Column("left_on", sa.Date),
    # 留党察看 (migration 0025): from the decision; restored_on null while still under it.
    sa.Column("party_probation_from", sa.Date),
    sa.Column("party_probation_restored_on", sa.Date),
    sa.Column("source", sa.Text, nullable=False, server_default="manual"),
    created_at(),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("school_id", "code"),
    sa.CheckConstraint("source IN ('manual', '12371')", name="source"),
    sa.CheckConstraint("full_on IS NULL OR full_on >= joined_on", name="full_on"),
    sa.CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_on"),
    sa.CheckConstraint(
        "party_probation_restored_on IS NULL OR (party_probation_from IS NOT NULL"
        " AND party_probation_restored_on >= party_probation_from)",
        name="party_probation_restored_on",
    ),
    sa.Index("ix_members_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index("ix_members_school_id_id", "school_id", "id"),
)
