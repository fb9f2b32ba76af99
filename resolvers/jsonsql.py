"""SQL expressions that build a GraphQL response's JSON in PostgreSQL, value for value as the
ordinary executor serializes it (the compiled documents, ``schema/compiled``).

Each helper gives the JSON value of one GraphQL leaf from a column:

* a global ID: ``base64("<Type>:<id>")``, standard alphabet, as relay's ``GlobalID`` (the line
  breaks PostgreSQL's ``encode`` puts every 76 characters removed);
* a cursor: ``urlsafe_base64("k:<key>")`` (``schema/pagination.encode_cursor``);
* an enum: the GraphQL name of the stored value, from the enum's own table of values;
* strings, integers, booleans and dates as ``json_build_object`` writes them: strings escaped as
  JSON, dates ISO 8601 (``YYYY-MM-DD``), exactly what ``date.isoformat`` gives for the years
  a record holds.

Names (a response key, a type name) are inlined as SQL literals only after checking that they
are GraphQL names (``[_A-Za-z][_0-9A-Za-z]*``): nothing a caller typed reaches the SQL text, and
the statement's text (and SQLAlchemy's cache key) depends only on the document."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*\Z")
#: json_build_object takes at most 100 arguments: 50 keys with their values.
MAX_KEYS = 50


def name_literal(name: str) -> sa.ColumnElement[str]:
    """``name`` (a GraphQL name) as an SQL string literal."""
    if not _NAME.match(name):
        raise ValueError(f"not a GraphQL name: {name!r}")
    return sa.literal_column(f"'{name}'", sa.Text)


def json_object(pairs: Sequence[tuple[str, sa.ColumnElement]]) -> sa.ColumnElement:
    """``json_build_object(key, value, …)`` in the order given (a response keeps the
    selection's order); at most :data:`MAX_KEYS` keys."""
    if len(pairs) > MAX_KEYS:
        raise ValueError(f"{len(pairs)} keys: json_build_object takes {MAX_KEYS}")
    arguments: list[sa.ColumnElement] = []
    for key, value in pairs:
        arguments += [name_literal(key), value]
    return sa.func.json_build_object(*arguments, type_=sa.JSON)


def _base64(text: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    return sa.func.encode(sa.func.convert_to(text, sa.literal_column("'UTF8'")), "base64")


def global_id(type_name: str, key: sa.ColumnElement) -> sa.ColumnElement[str]:
    """Relay's global ID of the ``type_name`` object with this key."""
    text = sa.literal_column(f"'{type_name}:'", sa.Text).op("||")(sa.cast(key, sa.Text))
    if not _NAME.match(type_name):
        raise ValueError(f"not a GraphQL name: {type_name!r}")
    return sa.func.translate(_base64(text), sa.literal_column("E'\\n'"), "")


def cursor(key: sa.ColumnElement) -> sa.ColumnElement[str]:
    """A keyset cursor: ``urlsafe_b64encode(b"k:<key>")``."""
    text = sa.literal_column("'k:'", sa.Text).op("||")(sa.cast(key, sa.Text))
    return sa.func.translate(_base64(text), sa.literal_column("E'+/\\n'"), "-_")


def timestamp(column: sa.ColumnElement) -> sa.ColumnElement[str]:
    """A ``timestamptz`` as ``datetime.isoformat`` writes the UTC value the driver returns:
    ``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00``, the fraction only when it is not zero."""
    utc = sa.func.timezone("UTC", column)
    fraction = sa.case(
        (sa.cast(sa.func.date_part("microseconds", column), sa.BigInteger) % 1000000 == 0, ""),
        else_=sa.func.to_char(utc, ".US"),
    )
    seconds = sa.func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS')
    return sa.case(
        (column.is_(None), sa.null()),
        else_=seconds.op("||")(fraction).op("||")("+00:00"),
    )


def enum_name(column: sa.ColumnElement, names: Mapping[str, str]) -> sa.ColumnElement[str]:
    """The GraphQL enum name of the stored value (``names``: stored value → name)."""
    for name in names.values():
        if not _NAME.match(name):
            raise ValueError(f"not a GraphQL name: {name!r}")
    return sa.case(
        *(
            (column == sa.literal_column(f"'{_sql_text(v)}'"), name_literal(n))
            for v, n in names.items()
        ),
        else_=sa.null(),
    )


def _sql_text(value: str) -> str:
    if not re.fullmatch(r"[_0-9A-Za-z]+", value):
        raise ValueError(f"not a plain enum value: {value!r}")
    return value


def json_array(element: sa.ColumnElement, order_by: Iterable[sa.ColumnElement]) -> sa.ColumnElement:
    """``coalesce(json_agg(element ORDER BY …), '[]')``: an empty list, never null."""
    return sa.func.coalesce(
        sa.func.json_agg(aggregate_order_by(element, *order_by)),
        sa.literal_column("'[]'::json"),
    )
