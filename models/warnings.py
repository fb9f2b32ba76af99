"""Warnings (预警) raised by the scan, and the commission's rule parameters."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from .base import Ltree, metadata

WARNING_KINDS = (
    "slow_progress",
    "over_plan",
    "rushed",
    "long_term_none",
    "large_swing",
    "overdue_step",
    "missing_data",
    "report_overdue",
    "data_call_due",
    "data_call_overdue",
    "places_without_names",
    "names_without_places",
    "infeasible_quota",
)
_KINDS = ", ".join(f"'{k}'" for k in WARNING_KINDS)

warning_rules = sa.Table(
    "warning_rules",
    metadata,
    sa.Column("commission_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("commission_path", Ltree, nullable=False),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("params", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("updated_by", sa.BigInteger),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.CheckConstraint(f"kind IN ({_KINDS})", name="kind"),
)

warnings = sa.Table(
    "warnings",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("dedupe_key", sa.Text, nullable=False),
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger),
    sa.Column("period_id", sa.BigInteger, sa.ForeignKey("plan_periods.id")),
    sa.Column("recruit_id", sa.BigInteger, sa.ForeignKey("recruits.id")),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("evidence", JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="open"),
    sa.Column(
        "raised_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column("seen_on", sa.Date, nullable=False),
    sa.Column("acknowledged_by", sa.BigInteger),
    sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
    sa.Column("acknowledgement", sa.Text),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("kind", "dedupe_key"),
    sa.CheckConstraint(f"kind IN ({_KINDS})", name="kind"),
    sa.CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="status"),
    sa.Index("ix_warnings_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index("ix_warnings_status_kind", "status", "kind"),
    sa.Index("ix_warnings_school_id_id", "school_id", "id"),
)

#: Open warnings per (unit, period, kind), over the unit's subtree from the school down
#: (``period_id`` 0: the warnings tied to no period): written by the database alone (the
#: trigger of migration 0016), read by the roll-up's ``openWarnings``.
warning_tallies = sa.Table(
    "warning_tallies",
    metadata,
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("period_id", sa.BigInteger, primary_key=True, server_default="0"),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger),
    sa.Column("open_count", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_warning_tallies_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index(
        "ix_warning_tallies_period_id_school_id",
        "period_id",
        "school_id",
        postgresql_where=sa.text("unit_id = school_id"),
    ),
)
