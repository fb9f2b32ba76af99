"""The change feed's outbox (migration 0013)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.dialects.postgresql.base import ischema_names

from .base import Ltree, metadata


class Xid8(sa.types.UserDefinedType):
    """PostgreSQL's 64-bit transaction id (``pg_current_xact_id()``)."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "xid8"


# So that reflection (Alembic's comparison of the models with the database) knows the type.
ischema_names.setdefault("xid8", Xid8)

change_outbox = sa.Table(
    "change_outbox",
    metadata,
    sa.Column("seq", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("xid", Xid8, nullable=False, server_default=sa.text("pg_current_xact_id()")),
    sa.Column("at", TIMESTAMP(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("school_id", sa.BigInteger, nullable=False),
    # The changed object's unit when it changed; its path is a copy kept by unit moves.
    sa.Column("unit_id", sa.BigInteger, nullable=False),
    sa.Column("unit_path", Ltree, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("object_id", sa.BigInteger, nullable=False),
    sa.Column("operation", sa.Text, nullable=False),
    sa.Index("ix_change_outbox_xid_seq", "xid", "seq"),
    sa.Index("ix_change_outbox_school_id_xid_seq", "school_id", "xid", "seq"),
    sa.Index("ix_change_outbox_unit_path_gist", "unit_path", postgresql_using="gist"),
)

#: The last position pruning deleted (one row at most): a cursor before it is expired.
change_outbox_pruned = sa.Table(
    "change_outbox_pruned",
    metadata,
    sa.Column("id", sa.Boolean, primary_key=True, server_default=sa.true()),
    sa.Column("xid", Xid8, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("pruned_at", TIMESTAMP(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("id", name="one"),
)
