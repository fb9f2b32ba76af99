"""A compiled ``warnings`` page answers as the ordinary executor does: random warnings of every
kind and state on random units of both provinces (timestamps with and without a fraction of a
second, evidence of every JSON shape, periods and recruits or none), paged newest first both
ways by every kind of caller."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support_compiled import ACCOUNTS, UNITS, both

from partyplan.schema.warnings.types import WarningKind, WarningStatus

PAGE = """query OpenWarnings($under: ID, $kind: WarningKind, $status: WarningStatus, $first: Int,
    $after: String, $last: Int, $before: String) {
  warnings(under: $under, kind: $kind, status: $status, first: $first, after: $after,
           last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id kind status message evidence unitId unitName periodId recruitId
                          raisedAt seenOn acknowledgedAt acknowledgement resolvedAt __typename } }
  }
}"""
DOCUMENTS = {"warnings": PAGE}
_KEYS = itertools.count(1)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False, width=32),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
MOMENTS = st.datetimes(
    datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)
) | st.sampled_from([datetime(2025, 3, 1, 8, 0, 0, tzinfo=UTC)])


async def insert_warnings(owner_engine, world, data) -> None:  # type: ignore[no-untyped-def]
    rows = data.draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "kind": st.sampled_from([k.value for k in WarningKind]),
                    "status": st.sampled_from([s.value for s in WarningStatus]),
                    "unit": st.sampled_from(UNITS),
                    "message": st.text(min_size=1, max_size=12),
                    "evidence": st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=4),
                    "raised": MOMENTS,
                    "seen": st.dates(date(2020, 1, 1), date(2030, 1, 1)),
                    "acknowledged": st.one_of(st.none(), MOMENTS),
                    "note": st.one_of(st.none(), st.text(max_size=8)),
                    "resolved": st.one_of(st.none(), MOMENTS),
                }
            ),
            max_size=8,
        )
    )
    async with owner_engine.begin() as conn:
        # Each example starts from the same rows: hypothesis replays a prefix of its draws
        # (and the pages, hence the cursors drawn from, must be the same for the same draws).
        await conn.execute(sa.text("DELETE FROM warnings"))
        for row in rows:
            await conn.execute(
                sa.text(
                    "INSERT INTO warnings (kind, dedupe_key, unit_id, unit_path, school_id,"
                    " message, evidence, status, raised_at, seen_on, acknowledged_at,"
                    " acknowledgement, resolved_at) SELECT :kind, :key, id, path, school_id,"
                    " :message, CAST(:evidence AS jsonb), :status, :raised, :seen,"
                    " :acknowledged, :note, :resolved FROM units WHERE id = :unit"
                ),
                {
                    **row,
                    "message": row["message"].replace("\x00", "") or "空",
                    "note": None if row["note"] is None else row["note"].replace("\x00", ""),
                    "evidence": json.dumps(row["evidence"]).replace("\\u0000", ""),
                    "key": f"k{next(_KEYS)}",
                    "unit": world.units[row["unit"]],
                },
            )


def variables(data, world, cursors: list[str]) -> dict:  # type: ignore[no-untyped-def]
    cursor = st.sampled_from(cursors) if cursors else st.just("azo1")
    choices = {
        "under": st.sampled_from(UNITS).map(world.gid),
        "kind": st.sampled_from([k.name for k in WarningKind]),
        "status": st.sampled_from([s.name for s in WarningStatus]),
        "first": st.integers(0, 6),
        "after": cursor,
        "last": st.integers(0, 6),
        "before": cursor,
    }
    chosen = data.draw(st.sets(st.sampled_from(sorted(choices)), max_size=3))
    return {name: data.draw(choices[name]) for name in sorted(chosen)}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_a_compiled_warnings_page_answers_as_the_ordinary_executor(  # type: ignore[no-untyped-def]
    data, http, world, owner_engine
) -> None:
    await insert_warnings(owner_engine, world, data)
    cursors: list[str] = []
    asked = [("commission_admin", {})]
    for _ in range(data.draw(st.integers(1, 3))):
        asked.append((data.draw(st.sampled_from((*ACCOUNTS, None))), None))
    for account, chosen in asked:
        given_variables = variables(data, world, cursors) if chosen is None else chosen
        answered = http.compiled.answered
        ordinary, known = await both(http, world, account, PAGE, given_variables)
        assert known == ordinary, (account, given_variables)
        if "errors" not in ordinary:
            assert http.compiled.answered == answered + 1
            cursors += [e["cursor"] for e in ordinary["data"]["warnings"]["edges"]]


async def test_timestamps_are_written_as_the_ordinary_executor_writes_them(  # type: ignore[no-untyped-def]
    http, world, owner_engine
) -> None:
    moments = [
        datetime(2025, 3, 1, 8, 0, 0, tzinfo=UTC),  # no fraction: none written
        datetime(2025, 3, 1, 8, 0, 0, 120000, tzinfo=UTC),
        datetime(2025, 3, 1, 8, 0, 0, 1, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) + timedelta(hours=-8),
    ]
    async with owner_engine.begin() as conn:
        for n, at in enumerate(moments):
            await conn.execute(
                sa.text(
                    "INSERT INTO warnings (kind, dedupe_key, unit_id, unit_path, school_id,"
                    " message, evidence, raised_at, seen_on, acknowledged_at) SELECT 'rushed',"
                    " :key, id, path, school_id, '突击', '{\"n\": 1.5}', :at, '2025-03-01', :at"
                    " FROM units WHERE id = :unit"
                ),
                {"key": f"t{n}", "at": at, "unit": world.units["A1a"]},
            )
    answered = http.compiled.answered
    ordinary, known = await both(http, world, "school_admin", PAGE, {"first": 10})
    assert known == ordinary and http.compiled.answered == answered + 1
    raised = [e["node"]["raisedAt"] for e in known["data"]["warnings"]["edges"]]
    assert raised == [m.isoformat() for m in reversed(moments)]


def test_which_of_the_consoles_documents_are_compiled(platform) -> None:  # type: ignore[no-untyped-def]
    """The console's warnings list is answered by SQL; its roll-up asks for the unit's parents,
    the targets, the months and the years, which are not compiled, and runs as before."""
    from partyplan.schema.compiled import CompiledDocuments
    from partyplan.schema.policies.admission import PLATFORM_DOCUMENTS
    from partyplan.schema.schema import build_schema

    documents = CompiledDocuments(build_schema(platform.settings)._schema, 200)

    def compiled(name: str) -> bool:
        text = (PLATFORM_DOCUMENTS / f"{name}.graphql").read_text(encoding="utf-8")
        return documents.compiled(text, None) is not None

    assert compiled("console-warnings")
    assert not compiled("console-rollup")
    assert not compiled("console-allocate-quota")  # a mutation
