"""The unit tree: commission → school → unit committees (any depth) → branch."""

from __future__ import annotations

import sqlalchemy as sa

from .base import Ltree, created_at, metadata

UNIT_KINDS = ("commission", "school", "committee", "branch")

units = sa.Table(
    "units",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("code", sa.Text, nullable=True),
    sa.Column("parent_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=True),
    # Derived from parent_id by the units_derive trigger; never written by the app directly.
    sa.Column("path", Ltree, nullable=False),
    # The school the unit belongs to (itself for a school); NULL above schools.
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # GB/T 2260 province code of a commission: selects the province's procedure overlays.
    sa.Column("region_code", sa.Text, nullable=True),
    created_at(),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint(f"kind in {UNIT_KINDS!r}", name="kind"),
    sa.CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    sa.UniqueConstraint("path"),
    sa.UniqueConstraint("code"),
    sa.Index("ix_units_path_gist", "path", postgresql_using="gist"),
    sa.Index("ix_units_parent_id", "parent_id"),
    sa.Index("ix_units_school_id", "school_id"),
)
