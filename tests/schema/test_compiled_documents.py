"""Compiled documents (``schema/compiled``) answer exactly as the ordinary executor does.

The same document is sent twice: as text (the ordinary executor: a free-text document is
never compiled) and by its id (a known document: the platform's own, here from a test folder).
On random data — a random tree of committees and branches grown below the schools, recruits in
random branches of it with random names, stages, categories, dates and findings — random callers (every role, the other school, the other
province, no role) send random variables (units in and out of reach, ids of another type,
filters, page sizes in and out of bounds, cursors from earlier pages and forged ones, paging
backwards): the responses must be equal as JSON, errors included, and every successful one must
have come from SQL."""

from __future__ import annotations

import base64
import itertools
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import gid, statements_run
from support_compiled import ACCOUNTS, UNITS, both, document_id

from partyplan.resolvers.recruits.rules.steps import STEPS

FIELDS = """id name gender ethnicity birthDate category education professionalTitle
      highKnowledge talentProgramme code12371 stage stageSince nextStep nextDueOn openFindings
      approvedOn exempt annulledOn __typename"""
PAGE = f"""query RecruitPage($under: ID, $stage: RecruitStage, $category: RecruitCategory,
    $search: String, $first: Int, $after: String, $last: Int, $before: String) {{
  recruits(under: $under, stage: $stage, category: $category, search: $search, first: $first,
           after: $after, last: $last, before: $before) {{
    __typename
    totalCount
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{
      cursor
      node {{ ...Row branch {{ id name kind code active regionCode __typename }}
              findings {{ ruleId ruleVersion article severity step message dueOn daysLate }} }}
    }}
    more: pageInfo {{ __typename hasNextPage }}
  }}
}}
fragment Row on Recruit {{ {FIELDS} ... on Recruit {{ again: name }} }}"""
# Two root fields, aliased: one statement each.
TWICE = """query Twice($a: ID, $b: ID) {
  first: recruits(under: $a, first: 3) { edges { node { id name } } pageInfo { endCursor } }
  second: recruits(under: $b, last: 2) { totalCount edges { cursor node { stage } } }
}"""
# Not compiled (PII is decrypted and audited in Python): answered the ordinary way.
WITH_PII = "query Pii { recruits(first: 2) { edges { node { id idNumber phone } } } }"
DOCUMENTS = {"page": PAGE, "twice": TWICE, "pii": WITH_PII}

BRANCHES = ("A1a", "A1b", "A2", "B1")
STAGES = ("applicant", "activist", "development_target", "probationary", "full_member")
CATEGORIES = ("undergraduate", "postgraduate", "teacher", "other_staff", "other")
EDUCATION = ("below_college", "college", "bachelor", "master", "doctorate")
STEP_CODES = tuple(s.code for s in STEPS)
# Names a JSON writer must escape or keep: quotes, backslashes, CJK, astral characters.
NAME = st.text(
    alphabet=st.sampled_from(list("甲乙丙丁李明华\"\\'/ <>&😀𠮷ab")), min_size=1, max_size=8
).filter(lambda s: s.strip() != "")
DAY = st.dates(date(2015, 1, 1), date(2030, 12, 31))
_SERIAL = itertools.count(1)


async def insert_recruits(owner_engine, world, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    """``rows`` in place of the recruits there were: each hypothesis example starts from the
    same rows (it replays a prefix of its draws, and the cursors drawn from must be the same
    for the same draws)."""
    async with owner_engine.begin() as conn:
        await conn.execute(sa.text("DELETE FROM recruit_findings"))
        await conn.execute(sa.text("DELETE FROM recruits"))
        for row in rows:
            serial = next(_SERIAL)
            recruit = await conn.scalar(
                sa.text(
                    "INSERT INTO recruits (school_id, branch_id, unit_path, name, gender,"
                    " ethnicity, birth_date, id_number_enc, id_number_hash, id_number_masked,"
                    " category, education, professional_title, high_knowledge, stage,"
                    " stage_since, applied_on, next_step, next_due_on, open_findings,"
                    " approved_on, code_12371) SELECT school_id, id, path, :name, :gender, '汉族',"
                    " :birth, '\\x00', CAST(:hash AS bytea), 'x', :category, :education, :title,"
                    " :high, :stage, :since, :since, :next_step, :due, :open, :approved, :code"
                    " FROM units WHERE id = :branch RETURNING id"
                ),
                {
                    **{k: v for k, v in row.items() if k not in ("branch", "findings")},
                    "code": f"12371{serial:06d}" if row["code"] else None,
                    "hash": f"c{serial}".encode(),
                    "branch": world.units[row["branch"]],
                },
            )
            for finding in row["findings"]:
                await conn.execute(
                    sa.text(
                        "INSERT INTO recruit_findings (recruit_id, school_id, unit_path, rule_id,"
                        " rule_version, article, severity, step_code, message, due_on,"
                        " days_late) SELECT id, school_id, unit_path, :rule, 'v1', :article,"
                        " :severity, :step, :message, :due, :late FROM recruits WHERE id = :r"
                    ),
                    {**finding, "r": recruit},
                )


async def grow_tree(owner_engine, world, data) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Committees and branches drawn below the schools' units, at random depths: (every unit
    to list under, every branch to place recruits in), by the world's keys. Units of earlier
    examples stay, empty: a list holds the same rows for the same draws."""
    drawn = data.draw(
        st.lists(
            st.tuples(st.sampled_from(["committee", "branch"]), st.integers(0, 99)), max_size=5
        )
    )
    holders, units, branches = ["A", "A1", "B"], list(UNITS), list(BRANCHES)
    async with owner_engine.begin() as conn:
        for kind, pick in drawn:
            parent = holders[pick % len(holders)]
            key = f"grown{next(_SERIAL)}"
            world.units[key] = await conn.scalar(
                sa.text(
                    "INSERT INTO units (kind, name, parent_id, path)"
                    " VALUES (:k, :n, :p, '0') RETURNING id"
                ),
                {"k": kind, "n": f"随机{kind}{key}", "p": world.units[parent]},
            )
            units.append(key)
            (holders if kind == "committee" else branches).append(key)
    return units, branches


def recruit_rows(data, branches: tuple[str, ...] | list[str] = BRANCHES) -> list[dict]:  # type: ignore[no-untyped-def]
    finding = st.fixed_dictionaries(
        {
            "rule": st.sampled_from(["interval.1y", "limit.30d", "review.valid_1y"]),
            "article": st.one_of(st.none(), st.sampled_from(["细则第十三条", "第八条"])),
            "severity": st.sampled_from(["warning", "serious"]),
            "step": st.sampled_from(STEP_CODES),
            "message": NAME,
            "due": st.one_of(st.none(), DAY),
            "late": st.one_of(st.none(), st.integers(0, 900)),
        }
    )
    row = st.fixed_dictionaries(
        {
            "branch": st.sampled_from(branches),
            "name": NAME,
            "gender": st.sampled_from(["male", "female"]),
            "birth": st.dates(date(1960, 1, 1), date(2008, 1, 1)),
            "category": st.sampled_from(CATEGORIES),
            "education": st.sampled_from(EDUCATION),
            "title": st.one_of(st.none(), NAME),
            "high": st.booleans(),
            "stage": st.sampled_from(STAGES),
            "since": DAY,
            "next_step": st.one_of(st.none(), st.sampled_from(STEP_CODES)),
            "due": st.one_of(st.none(), DAY),
            "open": st.integers(0, 5),
            "approved": st.one_of(st.none(), DAY),
            "code": st.booleans(),
            "findings": st.lists(finding, max_size=3),
        }
    )
    return data.draw(st.lists(row, max_size=6))


def forged_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"k:{key}".encode()).decode()


def page_variables(data, world, cursors: list[str], units: list[str] | None = None) -> dict:  # type: ignore[no-untyped-def]
    unit = st.sampled_from(units or UNITS).map(world.gid)
    cursor = st.one_of(
        st.sampled_from(cursors) if cursors else st.nothing(),
        st.integers(0, 2**63 - 1).map(forged_cursor),
        st.sampled_from(["", "bm90LWEtY3Vyc29y", "%%%", forged_cursor(-1)]),
    )
    size = st.one_of(st.integers(0, 12), st.sampled_from([-1, 200, 201, 10**6]))
    choices = {
        "under": st.one_of(
            unit, st.just(gid("Recruit", 1)), st.just(gid("Unit", 10**9)), st.just("x")
        ),
        "stage": st.sampled_from([s.upper() for s in STAGES] + ["CANCELLED", "nope"]),
        "category": st.sampled_from([c.upper() for c in CATEGORIES]),
        "search": st.sampled_from(["李", "甲", '"', "\x00", "  ", "a" * 101, "110101200305041234"]),
        "first": size,
        "after": cursor,
        "last": size,
        "before": cursor,
    }
    chosen = data.draw(st.sets(st.sampled_from(sorted(choices)), max_size=4))
    return {name: data.draw(choices[name]) for name in sorted(chosen)}


def cursors_of(result: dict) -> list[str]:
    page = (result.get("data") or {}).get("recruits") or {}
    return [e["cursor"] for e in page.get("edges") or [] if "cursor" in e]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_a_compiled_page_answers_as_the_ordinary_executor(  # type: ignore[no-untyped-def]
    data, http, world, owner_engine
) -> None:
    units, branches = await grow_tree(owner_engine, world, data)
    await insert_recruits(owner_engine, world, recruit_rows(data, branches))
    cursors: list[str] = []
    for _ in range(data.draw(st.integers(1, 4))):
        account = data.draw(st.sampled_from((*ACCOUNTS, None)))
        variables = page_variables(data, world, cursors, units)
        answered = http.compiled.answered
        ordinary, known = await both(http, world, account, PAGE, variables)
        assert known == ordinary, (account, variables)
        if "errors" not in ordinary:
            assert http.compiled.answered == answered + 1, (account, variables)
        cursors += cursors_of(ordinary)


async def test_a_page_with_every_kind_of_value_comes_from_sql(http, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """The fixed near misses: an empty page (null cursors, [] edges), a page backwards from a
    cursor, findings in id order, a name JSON must escape."""
    today = date(2026, 1, 5)
    finding = {
        "rule": "limit.30d",
        "article": None,
        "severity": "serious",
        "step": "talk",
        "message": 'a"b\\c\n',
        "due": today,
        "late": 3,
    }
    rows = [
        {
            "branch": branch,
            "name": f'{branch}"😀\\',
            "gender": "female",
            "birth": date(2003, 5, 4),
            "category": "teacher",
            "education": "master",
            "title": None,
            "high": True,
            "stage": "activist",
            "since": today - timedelta(days=i),
            "next_step": "contacts",
            "due": today,
            "open": 2,
            "approved": None,
            "code": False,
            "findings": [finding, {**finding, "message": "二"}],
        }
        for i, branch in enumerate(("A1a", "A1b", "A2", "A1a"))
    ]
    await insert_recruits(owner_engine, world, rows)
    pages = [
        {"under": world.gid("A1b"), "stage": "PROBATIONARY"},  # empty
        {"first": 2},
        {"last": 2},
        {"first": 1, "under": world.gid("A1a")},
    ]
    answered = http.compiled.answered
    for variables in pages:
        ordinary, known = await both(http, world, "school_admin", PAGE, variables)
        assert "errors" not in ordinary and known == ordinary, variables
    after = cursors_of(ordinary)[-1]
    ordinary, known = await both(http, world, "school_admin", PAGE, {"before": after, "last": 5})
    assert known == ordinary and "errors" not in ordinary
    assert http.compiled.answered == answered + len(pages) + 1
    empty = (await both(http, world, "school_admin", PAGE, pages[0]))[1]["data"]["recruits"]
    assert empty["edges"] == [] and empty["pageInfo"]["endCursor"] is None
    node = (await both(http, world, "school_admin", PAGE, pages[1]))[1]["data"]["recruits"]
    assert [f["message"] for f in node["edges"][0]["node"]["findings"]] == ['a"b\\c\n', "二"]


async def test_two_root_fields_and_a_document_not_compiled(http, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await test_a_page_with_every_kind_of_value_comes_from_sql(http, world, owner_engine)
    answered, deferred = http.compiled.answered, http.compiled.deferred
    variables = {"a": world.gid("A1"), "b": world.gid("A2")}
    ordinary, known = await both(http, world, "school_admin", TWICE, variables)
    assert known == ordinary and "errors" not in ordinary
    assert http.compiled.answered == answered + 1
    # Out of reach for the caller: the ordinary executor answers with its error and path.
    ordinary, known = await both(http, world, "other_school_admin", TWICE, variables)
    assert known == ordinary and ordinary["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert http.compiled.deferred == deferred + 1
    ordinary, known = await both(http, world, "viewer", WITH_PII, {})  # masked
    assert known == ordinary and "errors" not in ordinary
    assert http.compiled.answered == answered + 1  # PII is never compiled


async def test_a_compiled_page_runs_one_statement_after_the_checks(  # type: ignore[no-untyped-def]
    http, world, owner_engine, platform
) -> None:
    """The bind, the unit ``under`` names (the scope check), the page: whatever its size. Under
    the unit the caller is bound at, the bind has read it already: the bind and the page."""
    await test_a_page_with_every_kind_of_value_comes_from_sql(http, world, owner_engine)
    headers = {"Authorization": f"Bearer {world.tokens['school_admin']}"}
    counts = {}
    for first, body, under in itertools.product((1, 3), ("query", "documentId"), ("A", "A1")):
        variables = {"first": first, "under": world.gid(under)}
        sent = {"query": PAGE} if body == "query" else {"documentId": document_id(PAGE)}
        with statements_run(platform) as statements:
            response = await http.post(
                "/graphql", json={**sent, "variables": variables}, headers=headers
            )
        assert len(response.json()["data"]["recruits"]["edges"]) == first
        counts[first, body, under] = len(statements)
    assert counts[1, "documentId", "A"] == counts[3, "documentId", "A"] == 2, counts
    assert counts[1, "documentId", "A1"] == counts[3, "documentId", "A1"] == 3, counts
    assert counts[1, "query", "A"] > 2 and counts[1, "query", "A1"] > 3, counts


async def test_a_compiled_statement_that_fails_is_a_masked_coded_error(  # type: ignore[no-untyped-def]
    http, world, monkeypatch
) -> None:
    async def failing(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("the statement failed")

    monkeypatch.setattr(http.compiled, "execute", failing)
    response = await http.post(
        "/graphql",
        json={"documentId": document_id(PAGE), "variables": {}},
        headers={"Authorization": f"Bearer {world.tokens['school_admin']}"},
    )
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] and "statement" not in error["message"]
