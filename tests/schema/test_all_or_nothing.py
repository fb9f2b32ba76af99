"""A request is one transaction, all or nothing: a two-mutation document whose second mutation
fails — whatever the kind of failure — leaves no row and no audit entry of its first one, and
its response does not report as written what was rolled back."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from support import codes, gid, scalar

from partyplan.schema.all_or_nothing import ROLLED_BACK, not_written
from partyplan.schema.schema import build_schema
from partyplan.server.settings import Settings

W = Any  # the conftest World


def _create(alias: str, parent: str, name: str) -> str:
    return (
        f'{alias}: createUnit(input: {{parentId: "{parent}", kind: BRANCH, name: "{name}"}})'
        " { unit { id name } errors { code field } }"
    )


def _not_found(w: W, tag: str) -> str:  # a unit of another school
    return _create("second", w.gid("B"), f"b-{tag}")


def _forbidden(w: W, tag: str) -> str:  # school_admin lacks sync.exchange at its school
    return (
        f'second: importMembers(input: {{schoolId: "{w.gid("A")}", members: [],'
        " source: SYNC_12371}) { inserted errors { code } }"
    )


def _wrong_type_id(w: W, tag: str) -> str:  # a global ID of another type
    return _create("second", gid("Recruit", w.units["A"]), f"r-{tag}")


def _malformed_id(w: W, tag: str) -> str:  # a Unit ID whose row id is no number
    return _create("second", base64.b64encode(b"Unit:x1").decode(), f"x-{tag}")


def _not_an_id(w: W, tag: str) -> str:  # refused when the field's arguments are read
    return _create("second", "!!not-an-id", f"n-{tag}")


def _typed_error(w: W, tag: str) -> str:  # a blank name, refused by the rules
    return _create("second", w.gid("A"), "  ")


def _unexpected(w: W, tag: str) -> str:  # the audit write raises (monkeypatched below)
    return _create("second", w.gid("A"), f"boom-{tag}")


SECOND: dict[str, tuple[Callable[[W, str], str], list[str]]] = {
    "NOT_FOUND": (_not_found, ["NOT_FOUND"]),
    "FORBIDDEN": (_forbidden, ["FORBIDDEN"]),
    "wrong-type ID": (_wrong_type_id, ["NOT_FOUND"]),
    "malformed ID": (_malformed_id, ["NOT_FOUND"]),
    "not an ID": (_not_an_id, ["BAD_USER_INPUT"]),
    "typed error": (_typed_error, [ROLLED_BACK]),
    "unexpected": (_unexpected, ["INTERNAL_SERVER_ERROR"]),
}


async def _written(owner_engine: Any, tag: str) -> tuple[int, int]:
    units = await scalar(
        owner_engine, "SELECT count(*) FROM units WHERE name LIKE :n", n=f"%-{tag}"
    )
    audits = await scalar(owner_engine, "SELECT count(*) FROM audit_log")
    return units, audits


@pytest.fixture
def exploding_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit write of a unit named ``boom-…`` raises after writing: an unexpected error."""
    from partyplan.resolvers.audit import repository as audit

    real = audit.append

    async def append(session: Any, **kwargs: Any) -> Any:
        await real(session, **kwargs)
        if str((kwargs.get("after") or {}).get("name", "")).startswith("boom-"):
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(audit, "append", append)


@pytest.mark.parametrize("kind", list(SECOND))
async def test_a_failing_second_mutation_leaves_nothing_of_the_first(
    gql: Any, world: W, owner_engine: Any, exploding_audit: None, kind: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    second, expected = SECOND[kind]
    before = await _written(owner_engine, tag)
    document = f"mutation {{ {_create('first', world.gid('A'), f'a-{tag}')} {second(world, tag)} }}"
    body = await gql(document, token=world.tokens["school_admin"])

    assert codes(body) == expected, body
    assert await _written(owner_engine, tag) == before
    if body["data"] is None:  # a GraphQL error in a non-null payload: nothing is reported
        assert body["errors"][0]["path"] == ["second"]
    else:  # typed errors: the first payload no longer reports its unit as written
        assert body["data"]["first"] == {"unit": None, "errors": []}
        assert body["errors"][0]["path"] == ["first"]
        assert body["data"]["second"]["errors"] == [{"code": "INVALID_NAME", "field": "name"}]

    # The first mutation alone is written, with its audit entry (the counts above can move).
    alone = await gql(
        f"mutation {{ {_create('first', world.gid('A'), f'a-{tag}')} }}",
        token=world.tokens["school_admin"],
    )
    assert alone["data"]["first"]["unit"]["name"] == f"a-{tag}" and "errors" not in alone
    units, audits = before
    assert await _written(owner_engine, tag) == (units + 1, audits + 1)


async def test_a_refused_first_mutation_undoes_the_later_ones(
    gql: Any, world: W, owner_engine: Any
) -> None:
    """The order does not matter: the later mutations succeeded, then the request rolled back;
    their payloads say so, and report no object, list or count that was not written."""
    tag = uuid.uuid4().hex[:8]
    before = await _written(owner_engine, tag)
    members = await scalar(owner_engine, "SELECT count(*) FROM members")
    roster = (
        f'roster: importMembers(input: {{schoolId: "{world.gid("A")}", members: [{{code: '
        f'"m-{tag}", name: "新党员", branchId: "{world.gid("A1a")}", joinedOn: "2020-07-01"}}]}})'
        " { inserted updated errors { code } }"
    )
    later = f"{_create('second', world.gid('A1'), f'b-{tag}')} {roster}"
    document = f"mutation {{ {_create('first', world.gid('A'), '  ')} {later} }}"
    body = await gql(document, token=world.tokens["school_admin"])
    assert await _written(owner_engine, tag) == before
    assert await scalar(owner_engine, "SELECT count(*) FROM members") == members
    assert body["data"] == {
        "first": {"unit": None, "errors": [{"code": "INVALID_NAME", "field": "name"}]},
        "second": {"unit": None, "errors": []},
        "roster": {"inserted": 0, "updated": 0, "errors": []},
    }
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["second"], ROLLED_BACK),
        (["roster"], ROLLED_BACK),
    ]

    # Without the refused mutation, the same two are written (the checks above can fail).
    body = await gql(f"mutation {{ {later} }}", token=world.tokens["school_admin"])
    assert "errors" not in body, body
    assert body["data"]["roster"]["inserted"] == 1
    assert await scalar(owner_engine, "SELECT count(*) FROM members") == members + 1


async def test_a_single_refused_mutation_answers_as_before(gql: Any, world: W) -> None:
    """Typed errors alone, with nothing else in the document: no extra error."""
    body = await gql(
        f"mutation {{ {_create('only', world.gid('A'), '  ')} }}",
        token=world.tokens["school_admin"],
    )
    assert body == {
        "data": {"only": {"unit": None, "errors": [{"code": "INVALID_NAME", "field": "name"}]}}
    }


def test_every_payload_can_say_that_nothing_was_written() -> None:
    schema = build_schema(Settings())._schema
    assert schema.mutation_type is not None
    for name, root in schema.mutation_type.fields.items():
        payload = root.type.of_type
        for field_name, field in payload.fields.items():
            if field_name != "errors":
                assert not_written(field.type) in (None, [], 0), (name, field_name)
