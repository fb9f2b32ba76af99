"""Plans: periods, the append-only quota ledger and the balances derived from it."""

from __future__ import annotations

import sqlalchemy as sa

from .base import Ltree, created_at, metadata

DIMENSIONS = ("total", "students", "staff", "high_knowledge")
PERIOD_KINDS = ("calendar_year", "half_year", "statistical_year", "custom")
PERIOD_STATES = ("draft", "issued", "closed")
MOVEMENT_KINDS = ("issue", "supplement", "allocate", "transfer", "return", "reserve")
INDICATORS = ("youth_35", "college_educated", "women", "ethnic_minority", "professional_technical")


def _units_fk(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.BigInteger, sa.ForeignKey("units.id"), nullable=nullable)


def _period_fk() -> sa.Column:
    return sa.Column("period_id", sa.BigInteger, sa.ForeignKey("plan_periods.id"), nullable=False)


def _amounts() -> list[sa.Column]:
    return [
        sa.Column("total", sa.Integer, nullable=False),
        *(
            sa.Column(d, sa.Integer, nullable=False, server_default="0")
            for d in DIMENSIONS
            if d != "total"
        ),
    ]


plan_periods = sa.Table(
    "plan_periods",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    _units_fk("commission_id"),
    sa.Column("commission_path", Ltree, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=False),
    sa.Column("report_due_on", sa.Date, nullable=False),
    sa.Column("state", sa.Text, nullable=False, server_default="draft"),
    created_at(),
    sa.UniqueConstraint("commission_id", "name"),
    sa.Index("ix_plan_periods_commission_path_gist", "commission_path", postgresql_using="gist"),
)

dispatch_rounds = sa.Table(
    "dispatch_rounds",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    _period_fk(),
    _units_fk("unit_id"),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("document_no", sa.Text),
    sa.Column("created_by", sa.BigInteger),
    created_at(),
    sa.Index("ix_dispatch_rounds_unit_path_gist", "unit_path", postgresql_using="gist"),
)

quota_movements = sa.Table(
    "quota_movements",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    _period_fk(),
    sa.Column("kind", sa.Text, nullable=False),
    _units_fk("from_unit_id"),
    _units_fk("to_unit_id"),
    sa.Column("from_path", Ltree, nullable=False),
    sa.Column("to_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger),
    *_amounts(),
    sa.Column("document_no", sa.Text),
    sa.Column("document_date", sa.Date),
    sa.Column("reason", sa.Text),
    sa.Column("round_id", sa.BigInteger, sa.ForeignKey("dispatch_rounds.id")),
    sa.Column("actor_user_id", sa.BigInteger),
    created_at(),
    sa.Index("ix_quota_movements_period_id_from_unit_id", "period_id", "from_unit_id"),
    sa.Index("ix_quota_movements_period_id_to_unit_id", "period_id", "to_unit_id"),
    sa.Index("ix_quota_movements_from_path_gist", "from_path", postgresql_using="gist"),
    sa.Index("ix_quota_movements_to_path_gist", "to_path", postgresql_using="gist"),
)

FIGURES = ("received", "handed", "reserve", "forecast")

unit_quotas = sa.Table(
    "unit_quotas",
    metadata,
    sa.Column("period_id", sa.BigInteger, sa.ForeignKey("plan_periods.id"), primary_key=True),
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("unit_kind", sa.Text, nullable=False),
    sa.Column("school_id", sa.BigInteger),
    *(
        sa.Column(f"{figure}_{d}", sa.Integer, nullable=False, server_default="0")
        for figure in FIGURES
        for d in DIMENSIONS
    ),
    sa.Column("forecast_remark", sa.Text),
    sa.Column("forecast_at", sa.DateTime(timezone=True)),
    # Places on named development targets (migration 0021, kept by the database).
    sa.Column("named_total", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_unit_quotas_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index("ix_unit_quotas_unit_id", "unit_id"),
)

forecast_submissions = sa.Table(
    "forecast_submissions",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    _period_fk(),
    _units_fk("unit_id"),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger),
    *_amounts(),
    sa.Column("remark", sa.Text),
    sa.Column("submitted_by", sa.BigInteger),
    created_at(),
    sa.Index("ix_forecast_submissions_period_id_unit_id", "period_id", "unit_id", "id"),
    sa.Index("ix_forecast_submissions_unit_path_gist", "unit_path", postgresql_using="gist"),
)

structural_targets = sa.Table(
    "structural_targets",
    metadata,
    sa.Column("period_id", sa.BigInteger, sa.ForeignKey("plan_periods.id"), primary_key=True),
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger),
    sa.Column("indicator", sa.Text, primary_key=True),
    sa.Column("min_count", sa.Integer),
    sa.Column("min_share_percent", sa.Numeric(5, 2)),
    sa.Column("set_by_movement_id", sa.BigInteger, sa.ForeignKey("quota_movements.id")),
    sa.Index("ix_structural_targets_unit_path_gist", "unit_path", postgresql_using="gist"),
)

linkage_rules = sa.Table(
    "linkage_rules",
    metadata,
    sa.Column("commission_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("commission_path", Ltree, nullable=False),
    sa.Column("full_completion_rate", sa.Numeric(5, 4), nullable=False, server_default="0.95"),
    sa.Column("low_completion_rate", sa.Numeric(5, 4), nullable=False, server_default="0.80"),
    sa.Column("growth_when_full", sa.Numeric(5, 4), nullable=False, server_default="1.10"),
    sa.Column("growth_when_partial", sa.Numeric(5, 4), nullable=False, server_default="1.00"),
    sa.Column("growth_when_low", sa.Numeric(5, 4), nullable=False, server_default="0.90"),
    sa.Column("cap_ratio_of_actual", sa.Numeric(5, 4), nullable=False, server_default="1.20"),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)
