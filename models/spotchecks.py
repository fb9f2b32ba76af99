"""Random spot checks of development targets (migration 0023): the commitment with its frozen
candidate list, and one record per drawn target with its findings and follow-up."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA, JSONB

from .base import Ltree, metadata


class Xid8(sa.types.UserDefinedType):
    """PostgreSQL ``xid8``: the transaction that wrote a check's commitment or its draw."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "xid8"


sa.dialects.postgresql.base.ischema_names["xid8"] = Xid8


def _user(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger, sa.ForeignKey("users.id"))


spot_checks = sa.Table(
    "spot_checks",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("commission_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("commission_path", Ltree, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("school_ids", ARRAY(sa.BigInteger)),
    sa.Column("per_school", sa.Integer),
    sa.Column("share", sa.Numeric(5, 4)),
    sa.Column("seed_sha256", BYTEA, nullable=False),
    sa.Column("list_sha256", BYTEA, nullable=False),
    sa.Column("candidate_count", sa.Integer, nullable=False),
    sa.Column("state", sa.Text, nullable=False, server_default="committed"),
    sa.Column("seed", sa.Text),
    _user("committed_by"),
    sa.Column(
        "committed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column(
        "committed_xid", Xid8, nullable=False, server_default=sa.text("pg_current_xact_id()")
    ),
    _user("drawn_by"),
    sa.Column("drawn_at", sa.DateTime(timezone=True)),
    sa.Column("drawn_xid", Xid8),
    sa.CheckConstraint(
        "(per_school IS NULL) <> (share IS NULL)"
        " AND (per_school IS NULL OR per_school >= 1)"
        " AND (share IS NULL OR (share > 0 AND share <= 1))",
        name="size",
    ),
    sa.CheckConstraint(
        "octet_length(seed_sha256) = 32 AND octet_length(list_sha256) = 32", name="hashes"
    ),
    sa.CheckConstraint("state IN ('committed', 'drawn')", name="state"),
    sa.CheckConstraint(
        "(state = 'committed') = (seed IS NULL)"
        " AND (state = 'committed') = (drawn_at IS NULL)"
        " AND (state = 'committed') = (drawn_xid IS NULL)",
        name="revealed",
    ),
    sa.Index("ix_spot_checks_commission_path_gist", "commission_path", postgresql_using="gist"),
    sa.Index("ix_spot_checks_commission_id_id", "commission_id", "id"),
)

spot_check_candidates = sa.Table(
    "spot_check_candidates",
    metadata,
    sa.Column("check_id", sa.BigInteger, sa.ForeignKey("spot_checks.id"), primary_key=True),
    sa.Column("ordinal", sa.Integer, primary_key=True),
    sa.Column("recruit_id", sa.BigInteger, sa.ForeignKey("recruits.id"), nullable=False),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("branch_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.UniqueConstraint("check_id", "recruit_id"),
    sa.Index("ix_spot_check_candidates_unit_path_gist", "unit_path", postgresql_using="gist"),
)

spot_check_records = sa.Table(
    "spot_check_records",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("check_id", sa.BigInteger, sa.ForeignKey("spot_checks.id"), nullable=False),
    sa.Column("ordinal", sa.Integer, nullable=False),
    sa.Column("recruit_id", sa.BigInteger, sa.ForeignKey("recruits.id"), nullable=False),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("branch_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("ticket", BYTEA, nullable=False),
    sa.Column("finding", sa.Text, nullable=False, server_default="pending"),
    sa.Column("step_code", sa.Text),
    sa.Column("rule_id", sa.Text),
    sa.Column("article", sa.Text),
    sa.Column("finding_note", sa.Text),
    _user("found_by"),
    sa.Column("found_at", sa.DateTime(timezone=True)),
    sa.Column("follow_up", sa.Text, nullable=False, server_default="none"),
    sa.Column("follow_up_note", sa.Text),
    _user("followed_up_by"),
    sa.Column("followed_up_at", sa.DateTime(timezone=True)),
    sa.Column("closing_note", sa.Text),
    _user("closed_by"),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("check_id", "ordinal"),
    sa.CheckConstraint("finding IN ('pending', 'no_issue', 'issue')", name="finding"),
    sa.CheckConstraint("follow_up IN ('none', 'open', 'followed_up', 'closed')", name="follow_up"),
    sa.CheckConstraint(
        "(finding = 'issue') = (step_code IS NOT NULL AND rule_id IS NOT NULL)", name="cited"
    ),
    sa.CheckConstraint("(finding = 'issue') = (follow_up <> 'none')", name="tracked"),
    sa.Index("ix_spot_check_records_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index("ix_spot_check_records_check_id_id", "check_id", "id"),
    sa.Index("ix_spot_check_records_school_id_id", "school_id", "id"),
)

#: A commission's thresholds for the allocation-quality flags (docs/allocation-quality.md):
#: the keys it changed; the others keep the documented defaults.
allocation_quality_rules = sa.Table(
    "allocation_quality_rules",
    metadata,
    sa.Column("commission_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("commission_path", Ltree, nullable=False),
    sa.Column("params", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("updated_by", sa.BigInteger),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)
