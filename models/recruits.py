"""Recruits: the person (PII encrypted), the recorded steps (append-only), derived findings."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA, JSONB

from .base import Ltree, created_at, metadata

recruits = sa.Table(
    "recruits",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("branch_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("gender", sa.Text, nullable=False),
    sa.Column("ethnicity", sa.Text, nullable=False),
    sa.Column("birth_date", sa.Date, nullable=False),
    sa.Column("id_number_enc", BYTEA, nullable=False),
    sa.Column("id_number_hash", BYTEA, nullable=False),
    sa.Column("id_number_masked", sa.Text, nullable=False),
    sa.Column("phone_enc", BYTEA),
    sa.Column("phone_masked", sa.Text),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("education", sa.Text, nullable=False),
    sa.Column("professional_title", sa.Text),
    sa.Column("high_knowledge", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("talent_programme", sa.Text),
    sa.Column("code_12371", sa.Text),
    # Derived from recruit_steps in the writing transaction (never typed in).
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("stage_since", sa.Date, nullable=False),
    sa.Column("next_step", sa.Text),
    sa.Column("next_due_on", sa.Date),
    sa.Column("open_findings", sa.Integer, nullable=False, server_default="0"),
    sa.Column("approved_on", sa.Date),
    sa.Column("exempt", sa.Boolean, nullable=False, server_default=sa.false()),
    # Milestones: the date the recruit entered each stage (approved_on: probationary).
    sa.Column("applied_on", sa.Date, nullable=False),
    sa.Column("activist_on", sa.Date),
    sa.Column("target_on", sa.Date),
    sa.Column("converted_on", sa.Date),
    sa.Column("cancelled_on", sa.Date),
    # Where the admission was approved (the branch at step 17, its path and school): set with
    # approved_on and never moved by a transfer; admissions count there (migrations/tallies.py).
    sa.Column("admitted_branch_id", sa.BigInteger, sa.ForeignKey("units.id")),
    sa.Column("admitted_path", Ltree),
    sa.Column("admitted_school_id", sa.BigInteger, sa.ForeignKey("units.id")),
    # The earliest admission the rules still allow (rules/earliest.py, migration 0022): from the
    # recorded steps, the last day today may reach and still lead to it, the steps left (bits).
    sa.Column("admission_earliest_on", sa.Date),
    sa.Column("admission_possible_until", sa.Date),
    sa.Column("admission_steps_left", sa.Integer),
    # Set when the admission is annulled (admission_annulments, migration 0024), never cleared:
    # an annulled admission counts nowhere (migrations/tallies.py).
    sa.Column("annulled_on", sa.Date),
    created_at(),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint(
        "(approved_on IS NULL AND admitted_branch_id IS NULL AND admitted_path IS NULL"
        " AND admitted_school_id IS NULL)"
        " OR (approved_on IS NOT NULL AND admitted_school_id IS NOT NULL"
        " AND subpath(admitted_path, -1)::text = admitted_branch_id::text)",
        name="admission_place",
    ),
    sa.UniqueConstraint("id_number_hash"),
    sa.UniqueConstraint("code_12371"),
    sa.Index("ix_recruits_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index(
        "ix_recruits_admitted_path_gist",
        "admitted_path",
        postgresql_using="gist",
        postgresql_where=sa.text("admitted_path IS NOT NULL"),
    ),
    sa.Index(
        "ix_recruits_admission_ahead",
        "unit_path",
        postgresql_using="gist",
        postgresql_where=sa.text("admission_earliest_on IS NOT NULL"),
    ),
    sa.Index("ix_recruits_branch_id_stage", "branch_id", "stage"),
    sa.Index("ix_recruits_school_id_id", "school_id", "id"),
    sa.Index(
        "ix_recruits_next_due_on",
        "next_due_on",
        postgresql_where=sa.text("next_due_on IS NOT NULL"),
    ),
)

recruit_steps = sa.Table(
    "recruit_steps",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("recruit_id", sa.BigInteger, sa.ForeignKey("recruits.id"), nullable=False),
    sa.Column("school_id", sa.BigInteger, nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("step_code", sa.Text, nullable=False),
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("data", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("rule_version", sa.Text, nullable=False),
    sa.Column("actor_user_id", sa.BigInteger),
    sa.Column("supersedes_id", sa.BigInteger, sa.ForeignKey("recruit_steps.id")),
    sa.Column("correction_reason", sa.Text),
    created_at(),
    sa.UniqueConstraint("supersedes_id"),
    sa.Index("ix_recruit_steps_recruit_id", "recruit_id", "id"),
    sa.Index("ix_recruit_steps_unit_path_gist", "unit_path", postgresql_using="gist"),
)

recruit_findings = sa.Table(
    "recruit_findings",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("recruit_id", sa.BigInteger, sa.ForeignKey("recruits.id"), nullable=False),
    sa.Column("school_id", sa.BigInteger, nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("rule_id", sa.Text, nullable=False),
    sa.Column("rule_version", sa.Text, nullable=False),
    sa.Column("article", sa.Text),
    sa.Column("severity", sa.Text, nullable=False),
    sa.Column("step_code", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("due_on", sa.Date),
    sa.Column("days_late", sa.Integer),
    created_at(),
    sa.Index("ix_recruit_findings_recruit_id", "recruit_id"),
    sa.Index("ix_recruit_findings_unit_path_gist", "unit_path", postgresql_using="gist"),
)

talent_filings = sa.Table(
    "talent_filings",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("recruit_id", sa.BigInteger, sa.ForeignKey("recruits.id"), nullable=False),
    sa.Column("school_id", sa.BigInteger, nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("programme", sa.Text, nullable=False),
    sa.Column("evidence_note", sa.Text),
    sa.Column("status", sa.Text, nullable=False, server_default="filed"),
    sa.Column("return_reason", sa.Text),
    sa.Column("filed_by", sa.BigInteger),
    sa.Column("reviewed_by", sa.BigInteger),
    sa.Column("reviewed_at", sa.DateTime(timezone=True)),
    # Where it was filed, by the commission's region when filed (migration 0024): "school" or
    # "commission" (who acknowledges it), and the bodies it goes to, as the notice names them.
    sa.Column("level", sa.Text, nullable=False, server_default="commission"),
    sa.Column("destinations", ARRAY(sa.Text), nullable=False),
    created_at(),
    sa.Index("ix_talent_filings_unit_path_gist", "unit_path", postgresql_using="gist"),
    sa.Index(
        "uq_talent_filings_recruit_id_active",
        "recruit_id",
        unique=True,
        postgresql_where=sa.text("status IN ('filed', 'acknowledged')"),
    ),
)

calendar_days = sa.Table(
    "calendar_days",
    metadata,
    sa.Column("commission_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("commission_path", Ltree, nullable=False),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
)

rule_overlays = sa.Table(
    "rule_overlays",
    metadata,
    sa.Column("commission_id", sa.BigInteger, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("commission_path", Ltree, nullable=False),
    sa.Column("overlay_id", sa.Text, primary_key=True),
    sa.Column("body", JSONB, nullable=False),
    sa.Column("updated_by", sa.BigInteger),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)
