"""Shared metadata and column types. Tables are SQLAlchemy Core tables: rows, not ORM objects,
flow through the platform (reads are plain selects; see docs/architecture.md, "Counting")."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.types import UserDefinedType

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class Ltree(UserDefinedType):
    """PostgreSQL ``ltree``: a unit's path of stable ids, e.g. ``1.7.42``. Read back as text."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "ltree"

    def bind_expression(self, bindvalue):  # type: ignore[no-untyped-def]
        return sa.cast(bindvalue, self)


# Let reflection (Alembic's comparison) recognise the type.
ischema_names["ltree"] = Ltree


def created_at() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
