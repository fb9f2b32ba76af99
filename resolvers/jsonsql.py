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
the statement's text (and SQLAlchemy's cache key) depends only on the document.

The JSON is written as text (:class:`JsonText`), objects and arrays by concatenation, not by
``json_build_object``/``json_agg``: those find each value's output function in the catalogue
for every value of every row, about a microsecond a value, which was most of the cost of a
province roll-up's 151 lines (``BENCHMARKS.md``). A value goes in as :func:`as_json` writes it:
an integer or a boolean by its cast to text, a string the platform made of safe characters
(an ID, a cursor, an enum's name) between quotes, anything else through ``to_json``, which
writes it exactly as ``json_build_object`` did. Only whitespace differs from before."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*\Z")


class JsonText(sa.types.TypeDecorator[str]):
    """SQL text that is already JSON (an object, an array, a literal), or null: written into a
    parent as it is, null as ``null``."""

    impl = sa.Text
    cache_ok = True


class JsonValue(JsonText):
    """JSON text that is never null (an object or an array built here, a literal)."""

    cache_ok = True


def json_name(name: str) -> sa.ColumnElement[str]:
    """``name`` (a GraphQL name: a type's, an enum value's) as a JSON string."""
    if not _NAME.match(name):
        raise ValueError(f"not a GraphQL name: {name!r}")
    return sa.literal_column(f"'\"{name}\"'", JsonValue)


_NULL = sa.literal_column("'null'", sa.Text)
#: GraphQL scalars whose SQL value is written by its cast to text (an integer, a boolean).
_CAST_SCALARS = frozenset({"Int", "Boolean"})


def as_json(value: sa.ColumnElement, scalar: str | None = None) -> sa.ColumnElement[str]:
    """``value`` as JSON text; null as ``null``. ``scalar``: the GraphQL scalar it answers,
    where the SQL type does not say (a column of a CTE named in text)."""
    if isinstance(value.type, JsonValue):
        return value
    if isinstance(value.type, JsonText):
        return sa.func.coalesce(value, _NULL, type_=JsonValue)
    if scalar in _CAST_SCALARS or isinstance(value.type, sa.Integer | sa.Boolean):
        return sa.func.coalesce(sa.cast(value, sa.Text), _NULL, type_=JsonValue)
    return sa.func.coalesce(sa.cast(sa.func.to_json(value), sa.Text), _NULL, type_=JsonValue)


def _quoted(text: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """A string of characters JSON needs no escape for, as a JSON string (null stays null)."""
    quote = sa.literal_column("'\"'", sa.Text)
    return sa.type_coerce(quote.op("||")(text).op("||")(quote), JsonText)


def json_object(pairs: Sequence[tuple[str, sa.ColumnElement]]) -> sa.ColumnElement:
    """The JSON object of ``pairs`` in the order given (a response keeps the selection's
    order), each value as :func:`as_json` writes it."""
    parts: list[str] = []
    values: list[sa.ColumnElement] = []
    for n, (key, value) in enumerate(pairs):
        if not _NAME.match(key):
            raise ValueError(f"not a GraphQL name: {key!r}")
        parts.append(("," if n else "{") + f'"{key}":')
        values.append(as_json(value))
    if not pairs:
        return sa.literal_column("'{}'", JsonValue)
    expression: sa.ColumnElement = sa.literal_column(f"'{parts[0]}'", sa.Text)
    for n, value in enumerate(values):
        if n:
            expression = expression.op("||")(sa.literal_column(f"'{parts[n]}'", sa.Text))
        expression = expression.op("||")(value)
    return sa.type_coerce(expression.op("||")(sa.literal_column("'}'", sa.Text)), JsonValue)


def _base64(text: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    return sa.func.encode(sa.func.convert_to(text, sa.literal_column("'UTF8'")), "base64")


def global_id(type_name: str, key: sa.ColumnElement) -> sa.ColumnElement[str]:
    """Relay's global ID of the ``type_name`` object with this key."""
    text = sa.literal_column(f"'{type_name}:'", sa.Text).op("||")(sa.cast(key, sa.Text))
    if not _NAME.match(type_name):
        raise ValueError(f"not a GraphQL name: {type_name!r}")
    return _quoted(sa.func.translate(_base64(text), sa.literal_column("E'\\n'"), ""))


def cursor(key: sa.ColumnElement) -> sa.ColumnElement[str]:
    """A keyset cursor: ``urlsafe_b64encode(b"k:<key>")``."""
    text = sa.literal_column("'k:'", sa.Text).op("||")(sa.cast(key, sa.Text))
    return _quoted(sa.func.translate(_base64(text), sa.literal_column("E'+/\\n'"), "-_"))


def timestamp(column: sa.ColumnElement) -> sa.ColumnElement[str]:
    """A ``timestamptz`` as ``datetime.isoformat`` writes the UTC value the driver returns:
    ``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00``, the fraction only when it is not zero."""
    utc = sa.func.timezone("UTC", column)
    fraction = sa.case(
        (sa.cast(sa.func.date_part("microseconds", column), sa.BigInteger) % 1000000 == 0, ""),
        else_=sa.func.to_char(utc, ".US"),
    )
    seconds = sa.func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS')
    return _quoted(seconds.op("||")(fraction).op("||")("+00:00"))  # null in, null out


def enum_name(column: sa.ColumnElement, names: Mapping[str, str]) -> sa.ColumnElement[str]:
    """The GraphQL enum name of the stored value (``names``: stored value → name)."""
    for name in names.values():
        if not _NAME.match(name):
            raise ValueError(f"not a GraphQL name: {name!r}")
    named = sa.case(
        *(
            (column == sa.literal_column(f"'{_sql_text(v)}'"), json_name(n))
            for v, n in names.items()
        ),
        else_=sa.null(),
    )
    return sa.type_coerce(named, JsonText)


def _sql_text(value: str) -> str:
    if not re.fullmatch(r"[_0-9A-Za-z]+", value):
        raise ValueError(f"not a plain enum value: {value!r}")
    return value


def json_array(element: sa.ColumnElement, order_by: Iterable[sa.ColumnElement]) -> sa.ColumnElement:
    """The JSON array of ``element`` (JSON text, :func:`as_json`) over the rows, ordered:
    ``[]`` for none, never null."""
    items = sa.func.array_to_string(
        sa.func.array_agg(aggregate_order_by(as_json(element), *order_by)), sa.literal_column("','")
    )
    array = sa.literal_column("'['", sa.Text).op("||")(items).op("||")(sa.literal_column("']'"))
    return sa.func.coalesce(array, sa.literal_column("'[]'", sa.Text), type_=JsonValue)
