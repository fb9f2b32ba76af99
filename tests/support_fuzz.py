"""Values for the schema fuzzer (tests/security/test_fuzz.py): an operation for any root field
of the published schema, its arguments filled from their types with plausible values, and one
leaf at a time replaced by a hostile one of the leaf's kind.

Plausible values get a request past the first checks (a real unit's ID where an ID names a
unit, a valid date, an enum's value) so that the hostile leaf reaches the code behind them."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)
from support import id_number


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()


#: Strings no field should store: NUL, lone surrogates (sent as JSON ``\ud800`` escapes), C0 and
#: C1 controls, an ANSI escape, bidi overrides and isolates (Trojan Source), the empty string,
#: blanks, a very long string.
HOSTILE_STRINGS = [
    "a\u0000b",
    "\ud800",
    "x\udfffy",
    "\x1b[31m红色\x1b[0m",
    "响铃\x07\x08",
    "\x7f",
    "C1\x9b31m",
    "abc\u202etxt.exe",
    "\u2066隔离\u2069",
    "\u202a嵌入\u202c",
    "",
    " \t\n ",
    "甲" * 5000,
]
HOSTILE_INTS = [2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 10**40, -1, 0, 2**31 - 1]
# NaN and Infinity travel as JSON's non-standard tokens, which Python's reader takes.
HOSTILE_FLOATS = [1e308, -1e308, 5e-324, -0.0, 2.0**63, 10**40, float("nan"), float("-inf")]
HOSTILE_IDS = [
    "!!not-base64",
    b64("Unit:99999999999999999999"),
    b64("Unit:9223372036854775808"),
    b64("Unit:-1"),
    b64("Unit: 12"),
    b64("Unit:１２"),
    b64("Nope:1"),
    b64("Unit:1\x00"),
    b64("Unit:\ud800"),
    "\ud800",
    "",
    b64(":"),
]
HOSTILE_DATES = ["2024-02-30", "0000-01-01", "9999-12-31", "99999-01-01", "2024-1-1", "\u0000"]
HOSTILE_DATETIMES = [
    "2024-03-01T00:00:00",
    "2024-03-01T00:00:00+99:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "\ud800",
]
_DEEP: Any = "底"
for _ in range(200):
    _DEEP = [_DEEP]
HOSTILE_JSON = [
    {"note": "a\u0000b"},
    {"talked_by": "\ud800", "document_no": "\u202e"},
    {"k" * 1000: 10**40},
    {"days": float("nan"), "hours": float("inf"), "talked_by": float("nan")},
    _DEEP,
    "\u0000",
    10**40,
    [],
]

#: Which objects an ID argument may name, from its name (``schoolId``, ``periodId``); any unit
#: when none matches (``under``, ``parentId``, ``unitId``). ``reportId`` names either report.
ID_KINDS = [
    ("period", ("PlanPeriod",)),
    ("step", ("RecruitStep",)),
    ("recruit", ("Recruit",)),
    ("binding", ("RoleBinding",)),
    ("user", ("User",)),
    ("member", ("Member",)),
    ("client", ("OAuthClient",)),
    ("report", ("ExecutionReport", "ReconciliationReport")),
    ("warning", ("Warning",)),
    ("filing", ("TalentFiling",)),
    ("round", ("DispatchRound",)),
    ("movement", ("QuotaMovement",)),
    ("datacall", ("DataCall",)),
    ("school", ("school",)),
    ("branch", ("branch",)),
    ("commission", ("commission",)),
]
PLAIN_INTS = {"total": 10, "year": 2024}
PLAIN_STRINGS = {
    "role": "viewer",
    "birthDate": "2003-05-04",
    "redirectUris": "https://app.example.edu.cn/callback",
    "username": "fuzz-user",
    "password": "correct horse battery staple",
    "idNumber": id_number("20030504", 77),
    "phone": "13812345678",
    "documentNo": "晋教工委组〔2024〕9号",
    "ethnicity": "汉族",
    "name": "测试名称",
}


@dataclass(frozen=True)
class Leaf:
    """A place in the variables: its path of keys and indexes, its named type, its hint."""

    path: tuple[str | int, ...]
    kind: str
    hint: str


def named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def id_kinds(hint: str) -> tuple[str, ...]:
    lowered = hint.lower()
    return next((kinds for word, kinds in ID_KINDS if word in lowered), ("Unit",))


class Values:
    """Plausible and hostile values, drawn from ``rng``; ``ids`` are real global IDs by type."""

    def __init__(self, rng: random.Random, ids: dict[str, list[str]]) -> None:
        self.rng, self.ids = rng, ids

    def plausible(self, type_: Any, hint: str, *, full: bool = False, depth: int = 0) -> Any:
        """A value of ``type_``: an input object's required fields (``full``: its optional ones
        too, three levels deep), a list of one item."""
        if isinstance(type_, GraphQLNonNull):
            return self.plausible(type_.of_type, hint, full=full, depth=depth)
        if isinstance(type_, GraphQLList):
            return [self.plausible(type_.of_type, hint, full=full, depth=depth + 1)]
        if isinstance(type_, GraphQLEnumType):
            return self.rng.choice(sorted(type_.values))
        if isinstance(type_, GraphQLInputObjectType):
            return {
                name: self.plausible(field.type, name, full=full, depth=depth + 1)
                for name, field in type_.fields.items()
                if isinstance(field.type, GraphQLNonNull) or (full and depth < 3)
            }
        return self._scalar(type_.name, hint)

    def with_leaf(self, value: Any, type_: Any, path: tuple[str | int, ...], new: Any) -> Any:
        """``value`` (a copy) with ``new`` at ``path``; what is missing on the way is filled
        plausibly, required fields only: one fault at a time."""
        if not path:
            return new
        if isinstance(type_, GraphQLNonNull):
            return self.with_leaf(value, type_.of_type, path, new)
        head, rest = path[0], path[1:]
        if isinstance(type_, GraphQLList):
            copy = list(value or [])
            while len(copy) <= int(head):
                copy.append(self.plausible(type_.of_type, ""))
            copy[int(head)] = self.with_leaf(copy[int(head)], type_.of_type, rest, new)
            return copy
        field = type_.fields[head]
        copy = dict(value or {})
        current = copy[head] if head in copy else self.plausible(field.type, str(head))
        copy[head] = self.with_leaf(current, field.type, rest, new)
        return copy

    def _scalar(self, kind: str, hint: str) -> Any:
        if kind == "ID":
            pool = [i for k in id_kinds(hint) for i in self.ids.get(k, [])]
            return self.rng.choice(pool or self.ids["Unit"])
        return {
            "String": PLAIN_STRINGS.get(hint, "测试"),
            "Int": PLAIN_INTS.get(hint, 1),
            "Float": 0.5,
            "Boolean": False,
            "Date": PLAIN_STRINGS.get(hint, "2024-03-01"),
            "DateTime": "2024-03-01T08:00:00+08:00",
            "JSON": {},
            "Upload": None,
        }.get(kind)

    def hostile(self, kind: str) -> Any:
        pool = {
            "String": HOSTILE_STRINGS,
            "ID": HOSTILE_IDS,
            "Int": HOSTILE_INTS,
            "Float": HOSTILE_FLOATS,
            "Date": HOSTILE_DATES,
            "DateTime": HOSTILE_DATETIMES,
            "JSON": HOSTILE_JSON,
        }.get(kind, HOSTILE_STRINGS)  # an enum or a Boolean given a string
        return self.rng.choice(pool)


def leaves(value: Any, type_: Any, hint: str, path: tuple[str | int, ...] = ()) -> Iterator[Leaf]:
    """Every scalar and enum place of ``value`` (a value of ``type_``)."""
    if isinstance(type_, GraphQLNonNull):
        yield from leaves(value, type_.of_type, hint, path)
    elif isinstance(type_, GraphQLList):
        for index, item in enumerate(value or []):
            yield from leaves(item, type_.of_type, hint, (*path, index))
    elif isinstance(type_, GraphQLInputObjectType):
        for name, item in (value or {}).items():
            yield from leaves(item, type_.fields[name].type, name, (*path, name))
    else:
        yield Leaf(path, type_.name, hint)


def selection(type_: Any) -> str:
    """What to select of a field's result: a payload's typed errors, else its type's name."""
    target = named(type_)
    if isinstance(target, GraphQLScalarType | GraphQLEnumType):
        return ""
    if isinstance(target, GraphQLObjectType) and "errors" in target.fields:
        error = named(target.fields["errors"].type)
        wanted = [f for f in ("code", "field", "message") if f in error.fields]
        return "{ __typename errors { " + " ".join(wanted) + " } }"
    assert isinstance(target, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType), target
    return "{ __typename }"


def document(operation: str, name: str, field: GraphQLField, aliases: Sequence[str] = ("",)) -> str:
    """One operation asking for ``name`` once per alias, every argument given by a variable of
    its name (``$a_input`` under alias ``a``)."""
    params, calls = [], []
    for alias in aliases:
        prefix = f"{alias}_" if alias else ""
        params += [f"${prefix}{arg}: {spec.type}" for arg, spec in field.args.items()]
        args = ", ".join(f"{arg}: ${prefix}{arg}" for arg in field.args)
        call = f"{name}({args})" if args else name
        calls.append(f"{alias + ': ' if alias else ''}{call} {selection(field.type)}")
    head = f"{operation} Fuzz({', '.join(params)})" if params else f"{operation} Fuzz"
    return f"{head} {{ {' '.join(calls)} }}"


#: Written on purpose by a request that failed: PII returned in clear is audited all the same
#: (server/request.py, ``_audit_disclosures_apart``).
WRITTEN_ON_FAILURE = {"audit_log", "audit_chain_heads"}
#: What no stored text may hold: C0 and C1 controls but tab and line breaks, bidi embeddings,
#: overrides and isolates. In jsonb's text a C0 control is written as a ``\u00XX`` escape.
UNSAFE = "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
UNSAFE_JSON = r"\\u00(0[1-8bcef]|1[0-9a-fA-F])|" + UNSAFE

TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
TEXT_COLUMNS = """SELECT table_name, column_name, data_type FROM information_schema.columns
WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json')"""


class Database:
    """The owner's view of every table (row-level security does not hold the owner)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._fingerprint: str | None = None

    async def _statement(self) -> str:
        if self._fingerprint is None:
            async with self.engine.connect() as conn:
                tables = sorted((await conn.execute(sa.text(TABLES))).scalars())
            parts = [
                f"(SELECT count(*) || ':' || coalesce(sum(hashtext(t::text)), 0) FROM {name} t)"
                for name in tables
                if name not in WRITTEN_ON_FAILURE and name != "alembic_version"
            ]
            self._fingerprint = "SELECT concat_ws(',', " + ", ".join(parts) + ")"
        return self._fingerprint

    async def fingerprint(self) -> str:
        """Every row of every table but the audit log's, hashed."""
        statement = await self._statement()
        async with self.engine.connect() as conn:
            return await conn.scalar(sa.text(statement))

    async def unsafe_text(self) -> list[str]:
        """The columns that hold a control or bidi character somewhere."""
        found = []
        async with self.engine.connect() as conn:
            for table, column, kind in (await conn.execute(sa.text(TEXT_COLUMNS))).all():
                json_kind = kind.startswith("json")
                pattern = UNSAFE_JSON if json_kind else UNSAFE
                value = f'"{column}"::text' if json_kind else f'"{column}"'
                hit = await conn.scalar(
                    sa.text(f"SELECT {value} FROM {table} WHERE {value} ~ :p LIMIT 1"),
                    {"p": pattern},
                )
                if hit is not None:
                    found.append(f"{table}.{column} holds {hit[:80]!r}")
        return found
