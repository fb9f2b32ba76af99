"""What the operators' checks found, for every replica's metrics (migration 0017)."""

from __future__ import annotations

import sqlalchemy as sa

from .base import metadata

# The last `partyplan tallies verify` of each family of tallies: counts of every school
# together, no tenant's data (server/observability/checks.py).
tally_checks = sa.Table(
    "tally_checks",
    metadata,
    sa.Column("tallies", sa.Text, primary_key=True),
    sa.Column("differences", sa.Integer, nullable=False),
    sa.Column(
        "checked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.CheckConstraint("tallies IN ('rollups', 'warnings')", name="tallies"),
    sa.CheckConstraint("differences >= 0", name="differences"),
)
