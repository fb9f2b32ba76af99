"""Users, roles (sets of permissions kept as data) and role bindings (a role at a unit)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from .base import Ltree, created_at, metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("display_name", sa.Text, nullable=False),
    # The unit the account belongs to; its path (copied, kept in step by unit moves) scopes it.
    sa.Column("home_unit_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("home_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    created_at(),
    # 'person', or 'service': the account an OAuth2 service client acts as (never signs in).
    sa.Column("kind", sa.Text, nullable=False, server_default=sa.text("'person'")),
    sa.CheckConstraint("kind IN ('person', 'service')", name="kind"),
    sa.UniqueConstraint("username"),
    sa.Index("ix_users_home_path_gist", "home_path", postgresql_using="gist"),
)

roles = sa.Table(
    "roles",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("title_zh", sa.Text, nullable=False),
    # Higher rank may grant lower ranks; a granter never grants above its own role.
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("permissions", ARRAY(sa.Text), nullable=False),
    # Unit kinds the role may be bound at (e.g. commission roles only at the commission).
    sa.Column("bindable_kinds", ARRAY(sa.Text), nullable=False),
)

role_bindings = sa.Table(
    "role_bindings",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("role", sa.Text, sa.ForeignKey("roles.name"), nullable=False),
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=True),
    sa.Column("granted_by", sa.BigInteger, sa.ForeignKey("users.id"), nullable=True),
    created_at(),
    sa.UniqueConstraint("user_id", "role", "unit_id"),
    sa.Index("ix_role_bindings_unit_path_gist", "unit_path", postgresql_using="gist"),
)

# One Argon2id hash per account (migration 0011). The service role reads and writes it only
# within its scope; signing in goes through SECURITY DEFINER functions (resolvers/access).
user_credentials = sa.Table(
    "user_credentials",
    metadata,
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    # An initial or reset password: it must be changed at the next sign-in.
    sa.Column("must_change", sa.Boolean, nullable=False),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("failures", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
)

# Failed sign-ins per source address; no right of the service role (definer functions only).
sign_in_sources = sa.Table(
    "sign_in_sources",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("address"),
)
