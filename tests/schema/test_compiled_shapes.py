"""A compiled list's statement is built once per shape of its filter and keyset, its values
passed as parameters (``tenants/shaped.py``, ``resolvers/paging.JsonPages``): requests that
differ only in values reuse it and answer each their own rows, as the ordinary executor does."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.resolvers.recruits.repository import listing
from partyplan.resolvers.warnings.repository import stored
from partyplan.tenants.scope import Subtree

from ..support_compiled import both
from .test_compiled_documents import PAGE, insert_recruits

DOCUMENTS = {"page": PAGE}


def _row(branch: str, stage: str, name: str) -> dict[str, Any]:
    return {
        "branch": branch,
        "name": name,
        "gender": "female",
        "birth": date(2000, 1, 1),
        "category": "undergraduate",
        "education": "bachelor",
        "title": None,
        "high": False,
        "stage": stage,
        "since": date(2024, 3, 1),
        "next_step": None,
        "due": None,
        "open": 0,
        "approved": None,
        "code": False,
        "findings": [],
    }


def _statements(http: Any) -> int:
    operation = http.compiled._known[(PAGE, None)]  # sent by id, no operation named
    return len(operation.roots[0].compiler.pages._built)


async def test_values_of_one_shape_share_a_statement_and_answer_their_own_rows(  # type: ignore[no-untyped-def]
    http, world, owner_engine
) -> None:
    rows = [
        _row("A1a", "applicant", "甲一"),
        _row("A1b", "activist", "甲二"),
        _row("A2", "applicant", "甲三"),
        _row("B1", "applicant", "乙一"),
    ]
    await insert_recruits(owner_engine, world, rows)
    names = {}
    # A committee and a branch of school A: the same shape (a school and a path below it).
    for under in ("A1", "A2"):
        ordinary, known = await both(http, world, "school_admin", PAGE, {"under": world.gid(under)})
        assert known == ordinary and "errors" not in known
        names[under] = [e["node"]["name"] for e in known["data"]["recruits"]["edges"]]
    assert names == {"A1": ["甲一", "甲二"], "A2": ["甲三"]}
    assert _statements(http) == 1
    # A filter, then a page after a cursor: each a shape of its own.
    ordinary, known = await both(
        http, world, "school_admin", PAGE, {"under": world.gid("A1"), "stage": "ACTIVIST"}
    )
    assert known == ordinary and [
        e["node"]["name"] for e in known["data"]["recruits"]["edges"]
    ] == ["甲二"]
    first = known["data"]["recruits"]["edges"][0]["cursor"]
    ordinary, known = await both(http, world, "school_admin", PAGE, {"first": 1, "after": first})
    assert known == ordinary and "errors" not in known
    assert _statements(http) == 3
    # The other school's admin, same shape as the first requests: its own school's rows only.
    ordinary, known = await both(
        http, world, "other_school_admin", PAGE, {"under": world.gid("B1")}
    )
    assert known == ordinary
    assert [e["node"]["name"] for e in known["data"]["recruits"]["edges"]] == ["乙一"]
    assert http.compiled.answered == 5


def test_a_shape_is_built_once_and_the_ordinary_list_binds_its_values() -> None:
    listed = listing.ListFilter(
        read_paths=["1.2"],
        under=Subtree("1.2.3", 2, False),
        stage="applicant",
        category=None,
        name_prefix="李_%",
        id_lookups=None,
        period=None,
    )
    shape, values = listing.shaped(listed)
    assert listing.template(shape) is listing.template(shape)
    assert values == {
        "p_read_paths": ["1.2"],
        "p_under_path": "1.2.3",
        "p_under_school": 2,
        "p_stage": "applicant",
        "p_name_like": "李\\_\\%%",
    }
    bound = listing.filtered(listed).compile().params
    assert {k: bound[k] for k in values} == values
    # No paths: the list selects nothing, a shape of its own (no parameter stands for []).
    empty, values = stored.shaped(read_paths=[], under=None, kind=None, status=None)
    assert values == {} and "false" in str(stored.template(empty)).lower()
    assert isinstance(stored.template(empty), sa.Select)


async def test_the_platforms_documents_are_compiled_when_the_service_starts(http, world) -> None:  # type: ignore[no-untyped-def]
    known = dict(http.compiled._known)
    assert known[(PAGE, None)] is not None and known[(PAGE, "RecruitPage")] is not None
    ordinary, compiled = await both(http, world, "school_admin", PAGE, {})
    assert compiled == ordinary and http.compiled.answered == 1
    assert dict(http.compiled._known) == known  # the request compiled nothing
