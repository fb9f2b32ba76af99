"""Accounts and role grants through the API: me, roles, users, createUser, grantRole, revokeRole.

Access refusals per field (no token, wrong role, other school) are in
tests/security/test_access_matrix.py; this module covers the behaviour behind each field.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
import sqlalchemy as sa
from support import codes, gid, raw_id, scalar

ME = """{ me { user { username } roleBindings { role unit { name } } } }"""
ROLES = """{ roles { name titleZh rank bindableKinds } }"""
USERS = """query($under: ID, $first: Int, $after: String) {
  users(under: $under, first: $first, after: $after) {
    edges { cursor node { id username displayName homeUnit { name } } }
    pageInfo { hasNextPage endCursor } } }"""
CREATE_USER = """mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id username displayName } errors { code field message } } }"""
GRANT = """mutation($input: GrantRoleInput!) {
  grantRole(input: $input) { roleBinding { id role unit { name } } errors { code field } } }"""
REVOKE = """mutation($id: ID!) {
  revokeRole(input: {roleBindingId: $id}) { roleBinding { id role } errors { code field } } }"""
UNIT = """query($id: ID!) { unit(id: $id) { name } }"""


async def _snapshot(owner_engine) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(users, role bindings, audit entries): what a refused mutation must leave unchanged."""
    async with owner_engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text(
                    "SELECT (SELECT count(*) FROM users) AS u, "
                    "(SELECT count(*) FROM role_bindings) AS b, "
                    "(SELECT count(*) FROM audit_log) AS a"
                )
            )
        ).one()
    return (row.u, row.b, row.a)


async def _create_user(gql, token: str, unit: str, username: str, name: str = "新账号") -> Any:  # type: ignore[no-untyped-def]
    result = await gql(
        CREATE_USER,
        {"input": {"homeUnitId": unit, "username": username, "displayName": name}},
        token,
    )
    assert "errors" not in result, result
    return result["data"]["createUser"]


async def _new_user(gql, token: str, unit: str, username: str) -> str:  # type: ignore[no-untyped-def]
    payload = await _create_user(gql, token, unit, username)
    assert payload["errors"] == [], payload
    return payload["user"]["id"]


async def _grant(gql, token: str, user: str, role: str, unit: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return await gql(GRANT, {"input": {"userId": user, "role": role, "unitId": unit}}, token)


async def _grant_ok(gql, token: str, user: str, role: str, unit: str) -> str:  # type: ignore[no-untyped-def]
    result = await _grant(gql, token, user, role, unit)
    assert "errors" not in result, result
    assert result["data"]["grantRole"]["errors"] == [], result
    return result["data"]["grantRole"]["roleBinding"]["id"]


# --- me and roles ------------------------------------------------------------------------------


async def test_me_lists_exactly_the_callers_bindings(gql, world) -> None:  # type: ignore[no-untyped-def]
    admin = await gql(ME, token=world.tokens["school_admin"])
    assert admin == {
        "data": {
            "me": {
                "user": {"username": "school-admin"},
                "roleBindings": [{"role": "school_admin", "unit": {"name": "学校甲党委"}}],
            }
        }
    }
    other = await gql(ME, token=world.tokens["other_school_admin"])
    assert other["data"]["me"] == {
        "user": {"username": "other-school-admin"},
        "roleBindings": [{"role": "school_admin", "unit": {"name": "学校乙党委"}}],
    }
    nobody = await gql(ME, token=world.tokens["nobody"])
    assert nobody["data"]["me"] == {"user": {"username": "nobody"}, "roleBindings": []}


async def test_me_lists_every_binding_of_a_user_with_several(gql, world) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    await _grant_ok(gql, admin, world.uid("nobody"), "viewer", world.gid("A2"))
    await _grant_ok(gql, admin, world.uid("nobody"), "unit_admin", world.gid("A1"))
    me = await gql(ME, token=world.tokens["nobody"])
    assert me["data"]["me"]["roleBindings"] == [
        {"role": "viewer", "unit": {"name": "甲校机关党支部"}},
        {"role": "unit_admin", "unit": {"name": "甲院党委"}},
    ]


async def test_a_users_roles_outside_the_callers_units_stay_unseen(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """Through the API, and through the service run as the owner (row-level security off): the
    service filters by the caller's scope itself, so the two layers hold independently."""
    from partyplan.resolvers.access import service
    from partyplan.tenants.binding import bind_principal
    from partyplan.tenants.session import Session

    viewer, admin = world.users["viewer"], world.users["school_admin"]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id)"
                " SELECT :user, 'viewer', id, path, school_id FROM units WHERE id = :unit"
            ),
            {"user": viewer, "unit": world.units["B1"]},
        )
    listed = await gql(
        "query($under: ID) { users(under: $under) { edges { node { username"
        " roleBindings { role unit { name } } } } } }",
        {"under": world.gid("A")},
        world.tokens["school_admin"],
    )
    by_name = {e["node"]["username"]: e["node"] for e in listed["data"]["users"]["edges"]}
    assert by_name["viewer"]["roleBindings"] == [{"role": "viewer", "unit": {"name": "学校甲党委"}}]
    async with owner_engine.connect() as conn:
        session = Session(conn, await bind_principal(conn, admin))
        rows = await service.bindings_of_users(session, [viewer, admin])
    assert {(r.user_id, r.role, r.unit_id) for r in rows} == {
        (viewer, "viewer", world.units["A"]),
        (admin, "school_admin", world.units["A"]),
    }


async def test_roles_are_the_seeded_seven_highest_first(gql, world) -> None:  # type: ignore[no-untyped-def]
    result = await gql(ROLES, token=world.tokens["nobody"])
    roles = result["data"]["roles"]
    assert [r["name"] for r in roles] == [
        "commission_admin",
        "commission_viewer",
        "school_admin",
        "unit_admin",
        "sync_agent",
        "branch_secretary",
        "viewer",
    ]
    ranks = [r["rank"] for r in roles]
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) == 7
    titles = {r["name"]: r["titleZh"] for r in roles}
    assert titles["school_admin"] == "学校党委组织部管理员"
    assert titles["branch_secretary"] == "党支部书记"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles.values()), titles
    kinds = {r["name"]: r["bindableKinds"] for r in roles}
    assert kinds["unit_admin"] == ["SCHOOL", "COMMITTEE"]
    assert kinds["commission_viewer"] == ["COMMISSION"]


# --- createUser --------------------------------------------------------------------------------


async def test_create_user_is_listed_for_its_school_only(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    payload = await _create_user(
        gql, world.tokens["school_admin"], world.gid("A1a"), " Li.Ming ", "  李  明 "
    )
    assert payload["errors"] == []
    assert payload["user"]["username"] == "li.ming"  # trimmed and lower-cased
    assert payload["user"]["displayName"] == "李 明"
    user_id = raw_id(payload["user"]["id"])
    home = await scalar(owner_engine, "SELECT home_unit_id FROM users WHERE id = :i", i=user_id)
    assert home == world.units["A1a"]

    mine = await gql(USERS, {"under": world.gid("A")}, world.tokens["school_admin"])
    names = [e["node"]["username"] for e in mine["data"]["users"]["edges"]]
    assert "li.ming" in names
    assert {e["node"]["homeUnit"]["name"] for e in mine["data"]["users"]["edges"]} >= {
        "甲院第一党支部"
    }
    theirs = await gql(USERS, {"under": world.gid("B")}, world.tokens["other_school_admin"])
    assert "li.ming" not in [e["node"]["username"] for e in theirs["data"]["users"]["edges"]]
    everything = await gql(USERS, {}, world.tokens["other_school_admin"])
    assert [e["node"]["username"] for e in everything["data"]["users"]["edges"]] == [
        "other-school-admin"
    ]


@pytest.mark.parametrize("username", ["ab", "has space", "中文名", "-leading-dash", "x" * 65, ""])
async def test_create_user_rejects_invalid_usernames(gql, world, owner_engine, username) -> None:  # type: ignore[no-untyped-def]
    before = await _snapshot(owner_engine)
    payload = await _create_user(gql, world.tokens["school_admin"], world.gid("A"), username)
    assert payload["user"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("INVALID_USERNAME", "username")
    ]
    assert await _snapshot(owner_engine) == before


@pytest.mark.parametrize(
    "taken",
    [
        "viewer",  # an account of the caller's own school
        "other-school-admin",  # an account of another school, invisible to the caller
        "OTHER-School-Admin",  # the same, before normalisation
    ],
)
async def test_create_user_refuses_duplicate_usernames(gql, world, owner_engine, taken) -> None:  # type: ignore[no-untyped-def]
    before = await _snapshot(owner_engine)
    payload = await _create_user(gql, world.tokens["school_admin"], world.gid("A2"), taken)
    assert payload["user"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("DUPLICATE_USERNAME", "username")
    ]
    assert await _snapshot(owner_engine) == before
    # The failed insert left the request's transaction usable: a later mutation still works.
    again = await _create_user(gql, world.tokens["school_admin"], world.gid("A2"), "fresh-name")
    assert again["errors"] == []


async def test_a_duplicate_in_a_multi_mutation_request_rolls_back_the_other_mutation(  # type: ignore[no-untyped-def]
    gql, world, owner_engine
) -> None:
    """A request is all or nothing (schema/all_or_nothing.py): the refused createUser undoes
    the other one, whose payload then reports no user and a ROLLED_BACK error."""
    document = """mutation($unit: ID!) {
      a: createUser(input: {homeUnitId: $unit, username: "other-school-admin", displayName: "x"})
        { user { id } errors { code } }
      b: createUser(input: {homeUnitId: $unit, username: "zhang-san", displayName: "张三"})
        { user { username } errors { code } } }"""
    result = await gql(document, {"unit": world.gid("A2")}, world.tokens["school_admin"])
    assert result["data"]["a"] == {"user": None, "errors": [{"code": "DUPLICATE_USERNAME"}]}
    assert result["data"]["b"] == {"user": None, "errors": []}
    assert codes(result) == ["ROLLED_BACK"] and result["errors"][0]["path"] == ["b"]
    count = await scalar(owner_engine, "SELECT count(*) FROM users WHERE username = 'zhang-san'")
    assert count == 0


# --- grantRole ---------------------------------------------------------------------------------


async def _bindings(owner_engine, user_id: int) -> list[tuple[str, int, int | None]]:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT role, unit_id, granted_by FROM role_bindings WHERE user_id = :u ORDER BY id"
            ),
            {"u": user_id},
        )
        return [(r.role, r.unit_id, r.granted_by) for r in rows]


async def _grant_audits(owner_engine) -> list[Any]:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT actor_user_id, object_type, object_id, unit_id, chain, before, after "
                "FROM audit_log WHERE operation = 'grantRole' ORDER BY id"
            )
        )
        return list(rows)


async def test_school_admin_grants_unit_admin_at_a_committee(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    result = await _grant(
        gql, world.tokens["school_admin"], world.uid("nobody"), "unit_admin", world.gid("A1")
    )
    payload = result["data"]["grantRole"]
    assert payload["errors"] == []
    assert payload["roleBinding"]["role"] == "unit_admin"
    assert payload["roleBinding"]["unit"] == {"name": "甲院党委"}
    assert await _bindings(owner_engine, world.users["nobody"]) == [
        ("unit_admin", world.units["A1"], world.users["school_admin"])
    ]
    [entry] = await _grant_audits(owner_engine)
    binding_id = raw_id(payload["roleBinding"]["id"])
    assert (entry.actor_user_id, entry.object_type, entry.object_id) == (
        world.users["school_admin"],
        "RoleBinding",
        binding_id,
    )
    assert (entry.unit_id, entry.chain, entry.before) == (world.units["A1"], world.units["A"], None)
    assert entry.after == {
        "user_id": world.users["nobody"],
        "role": "unit_admin",
        "unit_id": world.units["A1"],
    }


async def test_unit_admin_grants_branch_secretary_in_its_subtree(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["unit_admin"]
    user = await _new_user(gql, token, world.gid("A1b"), "wang-wu")
    binding = await _grant_ok(gql, token, user, "branch_secretary", world.gid("A1b"))
    assert await _bindings(owner_engine, raw_id(user)) == [
        ("branch_secretary", world.units["A1b"], world.users["unit_admin"])
    ]
    [entry] = await _grant_audits(owner_engine)
    assert (entry.actor_user_id, entry.object_id) == (world.users["unit_admin"], raw_id(binding))


@pytest.fixture
async def school_unit_admin(gql, world, platform) -> str:  # type: ignore[no-untyped-def]
    """Token of a unit_admin bound at school A itself (rank 40 at the school)."""
    admin = world.tokens["school_admin"]
    user = await _new_user(gql, admin, world.gid("A"), "zhao-liu")
    await _grant_ok(gql, admin, user, "unit_admin", world.gid("A"))
    return platform.tokens.mint(str(raw_id(user)), 600)


@pytest.mark.parametrize(
    ("granter", "role", "unit", "code"),
    [
        # rank 30 below 50, but sync.exchange is not among the school admin's permissions
        ("school_admin", "sync_agent", "A", "ROLE_ABOVE_GRANTER"),
        # commission-only role; the bindable kinds are checked before the rank (90 > 50)
        ("school_admin", "commission_viewer", "A", "ROLE_NOT_BINDABLE_HERE"),
        ("school_admin", "school_admin", "A1", "ROLE_NOT_BINDABLE_HERE"),
        ("unit_admin", "school_admin", "A1", "ROLE_NOT_BINDABLE_HERE"),
        ("school_admin", "no_such_role", "A1", "UNKNOWN_ROLE"),
        ("school_admin", "", "A1", "UNKNOWN_ROLE"),
    ],
)
async def test_refused_grants_are_typed_and_write_nothing(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, granter, role, unit, code
) -> None:
    before = await _snapshot(owner_engine)
    result = await _grant(
        gql, world.tokens[granter], world.uid("branch_secretary"), role, world.gid(unit)
    )
    assert result["data"]["grantRole"] == {
        "roleBinding": None,
        "errors": [{"code": code, "field": "role"}],
    }
    assert await _snapshot(owner_engine) == before


async def test_a_unit_admin_cannot_grant_school_admin(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, school_unit_admin
) -> None:
    """A unit_admin bound at the school itself reaches the school, but school_admin (rank 50)
    is above its own unit_admin (rank 40) there."""
    before = await _snapshot(owner_engine)
    result = await _grant(
        gql, school_unit_admin, world.uid("branch_secretary"), "school_admin", world.gid("A")
    )
    assert result["data"]["grantRole"] == {
        "roleBinding": None,
        "errors": [{"code": "ROLE_ABOVE_GRANTER", "field": "role"}],
    }
    assert await _snapshot(owner_engine) == before
    # The same unit_admin may grant roles up to its own rank at the school.
    await _grant_ok(
        gql, school_unit_admin, world.uid("branch_secretary"), "unit_admin", world.gid("A")
    )


async def test_granting_twice_is_already_granted(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    await _grant_ok(gql, admin, world.uid("nobody"), "viewer", world.gid("A2"))
    before = await _snapshot(owner_engine)
    again = await _grant(gql, admin, world.uid("nobody"), "viewer", world.gid("A2"))
    assert again["data"]["grantRole"] == {
        "roleBinding": None,
        "errors": [{"code": "ALREADY_GRANTED", "field": "role"}],
    }
    assert await _snapshot(owner_engine) == before
    assert len(await _grant_audits(owner_engine)) == 1


@pytest.mark.parametrize(
    ("granter", "user", "unit"),
    [
        ("unit_admin", "branch_secretary", "A2"),  # a branch outside A1's subtree
        ("unit_admin", "branch_secretary", "A"),  # the granter's own parent
        ("unit_admin", "nobody", "A1a"),  # a user whose home (school A) is outside A1
        ("school_admin", "other_school_admin", "A1"),  # a user of another school
        ("school_admin", "nobody", "B1"),  # a unit of another school
    ],
)
async def test_grants_outside_the_granters_subtree_are_not_found(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, granter, user, unit
) -> None:
    before = await _snapshot(owner_engine)
    result = await _grant(gql, world.tokens[granter], world.uid(user), "viewer", world.gid(unit))
    assert codes(result) == ["NOT_FOUND"], result
    assert result["data"] is None
    assert await _snapshot(owner_engine) == before


async def test_scope_is_read_per_request_not_baked_into_tokens(gql, world, platform) -> None:  # type: ignore[no-untyped-def]
    old_token = world.tokens["nobody"]  # minted before the grant
    assert codes(await gql(UNIT, {"id": world.gid("A1a")}, old_token)) == ["NOT_FOUND"]

    binding = await _grant_ok(
        gql, world.tokens["school_admin"], world.uid("nobody"), "unit_admin", world.gid("A1")
    )
    new_token = platform.tokens.mint(str(world.users["nobody"]), 600)
    for token in (new_token, old_token):
        reached = await gql(UNIT, {"id": world.gid("A1a")}, token)
        assert reached == {"data": {"unit": {"name": "甲院第一党支部"}}}
        # ... and only the granted subtree
        assert codes(await gql(UNIT, {"id": world.gid("A2")}, token)) == ["NOT_FOUND"]

    revoked = await gql(REVOKE, {"id": binding}, world.tokens["school_admin"])
    assert revoked["data"]["revokeRole"]["errors"] == []
    for token in (new_token, old_token):
        assert codes(await gql(UNIT, {"id": world.gid("A1a")}, token)) == ["NOT_FOUND"]
    assert (await gql(ME, token=new_token))["data"]["me"]["roleBindings"] == []


# --- revokeRole --------------------------------------------------------------------------------


async def test_revoke_removes_the_binding_and_audits_it(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    binding = await _grant_ok(gql, admin, world.uid("nobody"), "viewer", world.gid("A1"))
    result = await gql(REVOKE, {"id": binding}, admin)
    assert result["data"]["revokeRole"] == {
        "roleBinding": {"id": binding, "role": "viewer"},
        "errors": [],
    }
    assert await _bindings(owner_engine, world.users["nobody"]) == []
    async with owner_engine.connect() as conn:
        entry = (
            await conn.execute(sa.text("SELECT * FROM audit_log WHERE operation = 'revokeRole'"))
        ).one()
    assert (entry.actor_user_id, entry.object_type, entry.object_id) == (
        world.users["school_admin"],
        "RoleBinding",
        raw_id(binding),
    )
    assert entry.before == {
        "user_id": world.users["nobody"],
        "role": "viewer",
        "unit_id": world.units["A1"],
    }
    assert entry.after is None
    # Revoking again: the binding is gone.
    assert codes(await gql(REVOKE, {"id": binding}, admin)) == ["NOT_FOUND"]


async def test_revoking_ones_own_binding_is_refused(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    before = await _snapshot(owner_engine)
    own = gid("RoleBinding", world.bindings["school_admin"])
    result = await gql(REVOKE, {"id": own}, world.tokens["school_admin"])
    assert result["data"]["revokeRole"] == {
        "roleBinding": None,
        "errors": [{"code": "SELF_REVOKE", "field": "roleBindingId"}],
    }
    assert await _snapshot(owner_engine) == before


@pytest.mark.parametrize(
    ("revoker", "binding", "expected"),
    [
        # the school admin's binding sits at school A, above the unit admin's subtree
        ("unit_admin", "school_admin", "NOT_FOUND"),
        # bindings at the commission are invisible to a school admin: outside its subtree
        ("school_admin", "commission_viewer", "NOT_FOUND"),
        ("school_admin", "commission_admin", "NOT_FOUND"),
        # another school's binding
        ("school_admin", "other_school_admin", "NOT_FOUND"),
        # inside the subtree but holding sync.exchange, which the school admin lacks
        ("school_admin", "sync_agent", "ROLE_ABOVE_GRANTER"),
    ],
)
async def test_revoking_above_or_outside_is_refused(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, revoker, binding, expected
) -> None:
    before = await _snapshot(owner_engine)
    result = await gql(
        REVOKE, {"id": gid("RoleBinding", world.bindings[binding])}, world.tokens[revoker]
    )
    if expected == "NOT_FOUND":
        assert codes(result) == ["NOT_FOUND"], result
    else:
        assert result["data"]["revokeRole"] == {
            "roleBinding": None,
            "errors": [{"code": expected, "field": "roleBindingId"}],
        }
    assert await _snapshot(owner_engine) == before


async def test_a_school_level_unit_admin_cannot_revoke_the_school_admin(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, school_unit_admin
) -> None:
    """The school admin's binding is in its scope (both at school A) but ranked above it."""
    before = await _snapshot(owner_engine)
    result = await gql(
        REVOKE, {"id": gid("RoleBinding", world.bindings["school_admin"])}, school_unit_admin
    )
    assert result["data"]["revokeRole"]["errors"] == [
        {"code": "ROLE_ABOVE_GRANTER", "field": "roleBindingId"}
    ]
    assert await _snapshot(owner_engine) == before


# --- users pagination --------------------------------------------------------------------------


async def test_users_pages_with_cursors_in_id_order(gql, world) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    created = [raw_id(await _new_user(gql, admin, world.gid("A2"), f"user-{i}")) for i in range(5)]
    seen: list[int] = []
    pages: list[int] = []
    after = None
    while True:
        result = await gql(USERS, {"under": world.gid("A2"), "first": 2, "after": after}, admin)
        assert "errors" not in result, result
        connection = result["data"]["users"]
        edges = connection["edges"]
        pages.append(len(edges))
        seen.extend(raw_id(e["node"]["id"]) for e in edges)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        assert after == edges[-1]["cursor"]
    assert pages == [2, 2, 1]
    assert seen == sorted(created)


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 1000}, "first"),
        ({"first": -1}, "first"),
        ({"after": "garbage"}, "after"),
        ({"after": "!!!"}, "after"),
        ({"after": base64.urlsafe_b64encode(b"x:5").decode()}, "after"),
        ({"after": base64.urlsafe_b64encode(b"k:five").decode()}, "after"),
        # a well-formed cursor whose key is outside bigint: was an INTERNAL_SERVER_ERROR
        ({"after": base64.urlsafe_b64encode(b"k:" + b"9" * 25).decode()}, "after"),
        ({"after": base64.urlsafe_b64encode(b"k:-5").decode()}, "after"),
    ],
)
async def test_users_rejects_bad_page_arguments(gql, world, variables, field) -> None:  # type: ignore[no-untyped-def]
    result = await gql(USERS, variables, world.tokens["school_admin"])
    assert codes(result) == ["BAD_USER_INPUT"], result
    assert result["errors"][0]["extensions"]["field"] == field
