"""The doors' tables (migration 0012): OAuth2 clients, the grants issued to them with their
codes and refresh tokens, revoked access-token ids, sign-in sessions, trusted documents.

Codes, refresh tokens, session ids and client secrets are stored as SHA-256 digests only.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA

from .base import Ltree, metadata

_TS = sa.DateTime(timezone=True)

oauth_clients = sa.Table(
    "oauth_clients",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("client_id", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    # 'front_end' (public: code + PKCE) or 'service' (confidential: client credentials).
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("secret_hash", BYTEA, nullable=True),
    sa.Column("redirect_uris", ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'")),
    sa.Column("allowed_origins", ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'")),
    sa.Column("allowed_scopes", ARRAY(sa.Text), nullable=False),
    sa.Column("unit_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("school_id", sa.BigInteger, sa.ForeignKey("units.id"), nullable=True),
    sa.Column("service_user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("trusted_documents_only", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("cost_budget", sa.Integer, nullable=False),
    sa.Column("requests_per_minute", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_by", sa.BigInteger, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("created_at", _TS, nullable=False, server_default=sa.func.now()),
    sa.Column("secret_set_at", _TS, nullable=True),
    sa.Column("disabled_at", _TS, nullable=True),
    sa.CheckConstraint("kind IN ('front_end', 'service')", name="kind"),
    sa.CheckConstraint("cost_budget > 0", name="cost_budget"),
    sa.CheckConstraint("requests_per_minute > 0", name="rate"),
    sa.CheckConstraint(
        "(kind = 'service') = (secret_hash IS NOT NULL)"
        " AND (kind = 'service') = (service_user_id IS NOT NULL)",
        name="kind_parts",
    ),
    sa.UniqueConstraint("client_id"),
    sa.Index("ix_oauth_clients_unit_path_gist", "unit_path", postgresql_using="gist"),
)

# One authorization: the family of its code, access tokens (claim ``gid``) and refresh tokens.
oauth_grants = sa.Table(
    "oauth_grants",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("client_pk", sa.BigInteger, sa.ForeignKey("oauth_clients.id"), nullable=False),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("expires_at", _TS, nullable=False),
    sa.Column("revoked_at", _TS, nullable=True),
    sa.Column("revoked_reason", sa.Text, nullable=True),
    sa.Index("ix_oauth_grants_user_id", "user_id"),
)

oauth_codes = sa.Table(
    "oauth_codes",
    metadata,
    sa.Column("code_hash", BYTEA, primary_key=True),
    sa.Column("grant_id", sa.BigInteger, sa.ForeignKey("oauth_grants.id"), nullable=False),
    sa.Column("redirect_uri", sa.Text, nullable=False),
    sa.Column("code_challenge", sa.Text, nullable=False),
    sa.Column("code_challenge_method", sa.Text, nullable=False),
    sa.Column("nonce", sa.Text, nullable=True),
    sa.Column("expires_at", _TS, nullable=False),
    sa.Column("used_at", _TS, nullable=True),
    sa.CheckConstraint("code_challenge_method = 'S256'", name="method"),
    sa.Index("ix_oauth_codes_grant_id", "grant_id"),
)

oauth_refresh_tokens = sa.Table(
    "oauth_refresh_tokens",
    metadata,
    sa.Column("token_hash", BYTEA, primary_key=True),
    sa.Column("grant_id", sa.BigInteger, sa.ForeignKey("oauth_grants.id"), nullable=False),
    sa.Column("issued_at", _TS, nullable=False),
    sa.Column("expires_at", _TS, nullable=False),
    # Exchanged (rotated) or revoked: presenting it again is reuse, which revokes the grant.
    sa.Column("spent_at", _TS, nullable=True),
    sa.Index("ix_oauth_refresh_tokens_grant_id", "grant_id"),
)

# Revoked access-token ids (RFC 7009), kept until the token would have expired.
oauth_revoked_tokens = sa.Table(
    "oauth_revoked_tokens",
    metadata,
    sa.Column("jti", sa.Text, primary_key=True),
    sa.Column("expires_at", _TS, nullable=False),
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id_hash", BYTEA, primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("last_seen_at", _TS, nullable=False),
    sa.Column("expires_at", _TS, nullable=False),
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("ended_at", _TS, nullable=True),
    sa.Index("ix_web_sessions_user_id", "user_id"),
)

trusted_documents = sa.Table(
    "trusted_documents",
    metadata,
    sa.Column("client_pk", sa.BigInteger, sa.ForeignKey("oauth_clients.id"), primary_key=True),
    # "sha256:" + the lower-case hex digest of the document's UTF-8 text.
    sa.Column("document_id", sa.Text, primary_key=True),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("registered_by", sa.BigInteger, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("registered_at", _TS, nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("document_id ~ '^sha256:[0-9a-f]{64}$'", name="id"),
)
