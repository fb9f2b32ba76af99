"""Data calls (数据征集) and the units' responses (migration 0020)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from .base import Ltree, created_at, metadata

data_calls = sa.Table(
    "data_calls",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    # The issuer: a commission or a school.
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id")),
    # The issuer's name as sent (those it was sent to may not read the issuer's unit).
    sa.Column("issuer_name", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("form", JSONB, nullable=False),
    sa.Column("remind_working_days", sa.Integer),
    sa.Column("created_by", sa.BigInteger, sa.ForeignKey("users.id")),
    created_at(),
    sa.Column("closed_by", sa.BigInteger, sa.ForeignKey("users.id")),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("jsonb_typeof(form) = 'array'", name="form"),
    sa.CheckConstraint("remind_working_days BETWEEN 0 AND 60", name="remind"),
    sa.CheckConstraint("(closed_at IS NULL) = (closed_by IS NULL)", name="closed"),
    sa.Index("ix_data_calls_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index("ix_data_calls_due_on", "due_on", postgresql_where=sa.text("closed_at IS NULL")),
)

data_call_responses = sa.Table(
    "data_call_responses",
    metadata,
    sa.Column("call_id", sa.BigInteger, sa.ForeignKey("data_calls.id"), primary_key=True),
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id")),
    # None until the unit answers; then an object keyed by the form's field keys.
    sa.Column("answers", JSONB),
    sa.Column("answered_by", sa.BigInteger, sa.ForeignKey("users.id")),
    sa.Column("answered_at", sa.DateTime(timezone=True)),
    sa.Column("revised_at", sa.DateTime(timezone=True)),
    sa.Column("revisions", sa.Integer, nullable=False, server_default="0"),
    sa.CheckConstraint(
        "(answers IS NULL) = (answered_at IS NULL)"
        " AND (answers IS NULL OR jsonb_typeof(answers) = 'object')",
        name="answered",
    ),
    sa.Index("ix_data_call_responses_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index("ix_data_call_responses_unit_id", "unit_id"),
)
