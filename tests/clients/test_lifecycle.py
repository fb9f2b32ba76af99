"""rotateClientSecret and disableClient: a new secret replaces the old one's digest; a disabled
client's tokens are refused from the next request on (tenants/binding.py, end to end through
/graphql), and so are its service account's; every change audited without a secret."""

from __future__ import annotations

import json

import sqlalchemy as sa
from support import codes, gid, raw_id, scalar
from support_clients import DISABLE, REGISTER, ROTATE, front_end, registered, service

from partyplan.auth import client_secrets

UNIT = "query($id: ID!) { unit(id: $id) { name } }"
ME = "{ me { user { username kind } clientId } }"


async def _digest(owner_engine, client_id: str) -> bytes:  # type: ignore[no-untyped-def]
    return await scalar(
        owner_engine, "SELECT secret_hash FROM oauth_clients WHERE client_id = :c", c=client_id
    )


async def _entries(owner_engine) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT operation, CAST(before AS text), CAST(after AS text) FROM audit_log")
        )
        return [tuple(r) for r in rows]


async def test_rotation_shows_a_new_secret_once_and_the_old_one_stops_matching(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    registration = await registered(gql, world, service(world))
    client, old = registration["client"], registration["clientSecret"]
    result = await gql(ROTATE, {"id": client["id"]}, world.tokens["commission_admin"])
    payload = result["data"]["rotateClientSecret"]
    assert payload["errors"] == []
    new = payload["clientSecret"]
    assert new and new != old
    stored = await _digest(owner_engine, client["clientId"])
    assert client_secrets.matches(stored, new)
    assert not client_secrets.matches(stored, old)
    assert payload["client"]["secretSetAt"] > client["secretSetAt"]
    operations = await _entries(owner_engine)
    assert [op for op, _, _ in operations] == ["registerClient", "rotateClientSecret"]
    _, before, after = operations[1]
    assert json.loads(before)["secret_set_at"] != json.loads(after)["secret_set_at"]
    text = json.dumps(operations)
    for secret in (old, new):
        assert secret not in text and client_secrets.digest(secret).hex() not in text


async def test_a_front_end_has_no_secret_to_rotate(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    client = (await registered(gql, world, front_end(world)))["client"]
    payload = (await gql(ROTATE, {"id": client["id"]}, world.tokens["commission_admin"]))["data"]
    assert payload["rotateClientSecret"]["clientSecret"] is None
    errors = payload["rotateClientSecret"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NO_SECRET", "clientId")]
    assert await _digest(owner_engine, client["clientId"]) is None


async def test_a_disabled_client_cannot_rotate_nor_be_disabled_again(gql, world) -> None:  # type: ignore[no-untyped-def]
    client = (await registered(gql, world, service(world)))["client"]
    admin = world.tokens["commission_admin"]
    first = (await gql(DISABLE, {"id": client["id"]}, admin))["data"]["disableClient"]
    assert first["errors"] == [] and first["client"]["active"] is False
    assert first["client"]["disabledAt"] is not None
    again = (await gql(DISABLE, {"id": client["id"]}, admin))["data"]["disableClient"]
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("ALREADY_DISABLED", "clientId")]
    rotated = (await gql(ROTATE, {"id": client["id"]}, admin))["data"]["rotateClientSecret"]
    assert [(e["code"], e["field"]) for e in rotated["errors"]] == [("CLIENT_DISABLED", "clientId")]


async def test_disabling_a_service_refuses_its_tokens_at_the_next_request(
    gql, world, platform, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    client = (await registered(gql, world, service(world)))["client"]
    account = raw_id(client["serviceAccount"]["id"])
    token = platform.tokens.mint(str(account), 300, client_id=client["clientId"], scope="read")
    operator = platform.tokens.mint(str(account), 300)  # `partyplan token`, no client
    me = await gql(ME, {}, token)
    assert me["data"]["me"] == {
        "user": {"username": f"svc.{client['clientId']}", "kind": "SERVICE"},
        "clientId": client["clientId"],
    }
    assert (await gql(UNIT, {"id": world.gid("A")}, token))["data"]["unit"]["name"] == "学校甲党委"
    assert "errors" not in await gql(UNIT, {"id": world.gid("A")}, operator)

    disabled = await gql(DISABLE, {"id": client["id"]}, world.tokens["commission_admin"])
    assert disabled["data"]["disableClient"]["errors"] == []
    assert disabled["data"]["disableClient"]["client"]["serviceAccount"]["active"] is False

    for used in (token, operator):
        refused = await gql(UNIT, {"id": world.gid("A")}, used)
        assert codes(refused) == ["UNAUTHENTICATED"] and refused["data"] is None
    refused = await gql(ME, {}, token)
    assert "客户端已停用" in refused["errors"][0]["message"]
    assert not await scalar(owner_engine, "SELECT active FROM users WHERE id = :u", u=account)
    (entry,) = [e for e in await _entries(owner_engine) if e[0] == "disableClient"]
    assert json.loads(entry[1])["active"] is True
    after = json.loads(entry[2])
    assert after["active"] is False and after["service_account"] == {"active": False}


async def test_disabling_a_front_end_ends_its_tokens_not_its_users(gql, world, platform) -> None:  # type: ignore[no-untyped-def]
    client = (await registered(gql, world, front_end(world)))["client"]
    user = str(world.users["viewer"])
    through_client = platform.tokens.mint(user, 300, client_id=client["clientId"], scope="read")
    assert "errors" not in await gql(UNIT, {"id": world.gid("A")}, through_client)
    await gql(DISABLE, {"id": client["id"]}, world.tokens["commission_admin"])
    assert codes(await gql(UNIT, {"id": world.gid("A")}, through_client)) == ["UNAUTHENTICATED"]
    assert "errors" not in await gql(UNIT, {"id": world.gid("A")}, world.tokens["viewer"])


async def test_an_id_of_another_type_is_not_found(gql, world) -> None:  # type: ignore[no-untyped-def]
    for document in (ROTATE, DISABLE):
        result = await gql(document, {"id": world.gid("A")}, world.tokens["commission_admin"])
        assert codes(result) == ["NOT_FOUND"]
        result = await gql(
            document, {"id": gid("OAuthClient", 999)}, world.tokens["commission_admin"]
        )
        assert codes(result) == ["NOT_FOUND"]


async def test_a_secret_is_not_reported_when_the_request_rolls_back(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    front = (await registered(gql, world, front_end(world)))["client"]
    document = (
        REGISTER.replace(
            "mutation($input: RegisterClientInput!) {",
            "mutation($input: RegisterClientInput!, $id: ID!) {",
            1,
        ).rstrip()[:-1]
        + " rotateClientSecret(input: {clientId: $id}) { clientSecret errors { code } } }"
    )
    result = await gql(
        document, {"input": service(world), "id": front["id"]}, world.tokens["commission_admin"]
    )
    payload = result["data"]["registerClient"]
    assert payload["client"] is None and payload["clientSecret"] is None
    assert codes(result) == ["ROLLED_BACK"]
    assert result["data"]["rotateClientSecret"]["errors"] == [{"code": "NO_SECRET"}]
    assert await scalar(owner_engine, "SELECT count(*) FROM oauth_clients") == 1
