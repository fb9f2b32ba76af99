"""Roll-up tallies: per-(period, unit) sums over the unit's subtree, written by the database.

The trigger and functions installed from ``migrations/tallies.py`` keep them (what each figure
counts, and along which chain of units, is defined there); the service role only reads them. ``PERIOD_FIGURES`` and ``MONTH_FIGURES`` name the columns in order.
"""

from __future__ import annotations

import sqlalchemy as sa

from .base import Ltree, metadata

ADMISSION_FIGURES = (
    "admitted",
    "admitted_exempt",
    "women",
    "ethnic_minority",
    "youth_35",
    "college_educated",
    "students",
    "staff",
    "high_knowledge",
    "professional_technical",
)
PIPELINE_FIGURES = ("applicants", "activists", "development_targets", "probationary", "converted")
PERIOD_FIGURES = (*ADMISSION_FIGURES, *PIPELINE_FIGURES, "open_findings")
MONTH_FIGURES = (*ADMISSION_FIGURES, "converted")


def _figures(names: tuple[str, ...]) -> list[sa.Column]:
    return [sa.Column(n, sa.Integer, nullable=False, server_default="0") for n in names]


unit_tallies = sa.Table(
    "unit_tallies",
    metadata,
    sa.Column("period_id", sa.BigInteger, sa.ForeignKey("plan_periods.id"), primary_key=True),
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger, nullable=False),
    *_figures(PERIOD_FIGURES),
    sa.Index("ix_unit_tallies_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index(
        "ix_unit_tallies_period_id_schools",
        "period_id",
        "school_id",
        postgresql_where=sa.text("unit_id = school_id"),
    ),
)

unit_month_tallies = sa.Table(
    "unit_month_tallies",
    metadata,
    sa.Column("period_id", sa.BigInteger, sa.ForeignKey("plan_periods.id"), primary_key=True),
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger, nullable=False),
    *_figures(MONTH_FIGURES),
    sa.Index("ix_unit_month_tallies_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index(
        "ix_unit_month_tallies_period_id_schools",
        "period_id",
        "school_id",
        postgresql_where=sa.text("unit_id = school_id"),
    ),
)
