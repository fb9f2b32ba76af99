"""Named targets (计划落到每个发展对象): a branch's places of a period placed on named development
targets, and the names backing its forecast (migration 0021).

``named_targets`` holds one row per (period, recruit): the branch that named the recruit,
whether the recruit holds one of the branch's places (``placed``) and whether the recruit backs
the branch's forecast (``forecast``). The database derives, in the writing transaction, the
branch's ``unit_quotas.named_total`` (its places on names, held within its available places by
a CHECK constraint) and ``placement_tallies``: per (period, unit) from the school down to the
branch, the places on names and the names without a place in the subtree.
"""

from __future__ import annotations

import sqlalchemy as sa

from .base import Ltree, metadata

named_targets = sa.Table(
    "named_targets",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("period_id", sa.BigInteger, sa.ForeignKey("plan_periods.id"), nullable=False),
    sa.Column("recruit_id", sa.BigInteger, sa.ForeignKey("recruits.id"), nullable=False),
    # The branch that named the recruit; its path copied for row-level security.
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger, nullable=False),
    sa.Column("placed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("forecast", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("named_by", sa.BigInteger),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    # A recruit holds one place per period (and is named by one branch).
    sa.UniqueConstraint("period_id", "recruit_id"),
    sa.CheckConstraint("placed OR forecast", name="something"),
    sa.Index("ix_named_targets_period_id_unit_id", "period_id", "unit_id"),
    sa.Index("ix_named_targets_recruit_id", "recruit_id"),
    sa.Index("ix_named_targets_unit_path_gist", "unit_path", postgresql_using="gist"),
)

#: The figures of ``placement_tallies``, in order.
PLACEMENT_FIGURES = ("placed", "unplaced")

placement_tallies = sa.Table(
    "placement_tallies",
    metadata,
    sa.Column("period_id", sa.BigInteger, sa.ForeignKey("plan_periods.id"), primary_key=True),
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger, nullable=False),
    # Places placed on names in the subtree (those consumed by an admission included).
    sa.Column("placed", sa.Integer, nullable=False, server_default="0"),
    # Names backing a forecast in the subtree that hold no place.
    sa.Column("unplaced", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_placement_tallies_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index(
        "ix_placement_tallies_period_id_schools",
        "period_id",
        "school_id",
        postgresql_where=sa.text("unit_id = school_id"),
    ),
)
