"""Download links (``downloadUrl``): a workbook opens without a header through a short-lived
link bound to its user and to that one file; a link is never an access token, nor an access
token a link; a link binds the download exactly as its token would (a deactivated user, a
client's scope), and the object must still be in reach."""

from __future__ import annotations

import base64
import io
import json
import logging
import time
from datetime import date
from typing import Any

import openpyxl
import pytest
from joserfc import jwt
from support import codes, gid
from support_disclosures import create_front_end_client
from support_records import Records

from partyplan.auth import links
from partyplan.auth.links import LinkError, LinkService
from partyplan.auth.tokens import _REGISTRY, TokenError
from partyplan.server.exports import redact

SAVE = """mutation($p: ID!, $u: ID!) { saveReportDraft(input: {periodId: $p, unitId: $u})
  { report { id workbookPath downloadUrl } errors { code } } }"""
REPORT_URL = "query($id: ID!) { node(id: $id) { ... on ExecutionReport { downloadUrl } } }"
PERIOD_URL = "query($id: ID!) { node(id: $id) { ... on PlanPeriod { downloadUrl } } }"
DEACTIVATE = "mutation($u: ID!) { deactivateUser(input: {userId: $u}) { errors { code } } }"
REACTIVATE = "mutation($u: ID!) { reactivateUser(input: {userId: $u}) { errors { code } } }"


async def _period(owner_engine: Any, world: Any) -> int:
    records = Records(owner_engine, world)
    period = await records.period(date(2024, 1, 1), date(2024, 12, 31), due=date(2024, 12, 15))
    await records.quota(period, "A", 10)
    await records.quota(period, "B", 5)
    return period


async def _report(gql, world, period: int, school: str, account: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = await gql(
        SAVE, {"p": gid("PlanPeriod", period), "u": world.gid(school)}, world.tokens[account]
    )
    assert "errors" not in result, result
    payload = result["data"]["saveReportDraft"]
    assert payload["errors"] == [], payload
    return payload["report"]


async def _url(gql, query: str, object_id: str, token: str) -> str:  # type: ignore[no-untyped-def]
    result = await gql(query, {"id": object_id}, token)
    assert "errors" not in result, result
    return result["data"]["node"]["downloadUrl"]


def _token_of(url: str) -> str:
    return url.partition("?token=")[2]


def _claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _service(platform) -> LinkService:  # type: ignore[no-untyped-def]
    return LinkService.from_settings(platform.keys, platform.settings)


def _is_workbook(response: Any) -> bool:
    if response.status_code != 200:
        return False
    openpyxl.load_workbook(io.BytesIO(response.content))
    return response.headers["content-type"].startswith("application/vnd.openxmlformats")


async def test_a_link_opens_its_file_without_a_header(gql, world, client, owner_engine) -> None:  # type: ignore[no-untyped-def]
    period = await _period(owner_engine, world)
    report = await _report(gql, world, period, "A", "school_admin")
    url = report["downloadUrl"]
    assert url.startswith(report["workbookPath"] + "?token=")
    response = await client.get(url)
    assert _is_workbook(response), response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    province = await _url(
        gql, PERIOD_URL, gid("PlanPeriod", period), world.tokens["commission_viewer"]
    )
    assert province.startswith(f"/reports/periods/{period}/province.xlsx?token=")
    assert _is_workbook(await client.get(province))
    # The URL's global-ID form names the same file.
    query = url.partition("?")[2]
    global_form = f"/reports/{report['id'].replace('=', '%3D')}.xlsx?{query}"
    assert _is_workbook(await client.get(global_form))


async def test_a_link_lives_a_few_minutes_and_never_outlives_its_token(
    gql, world, platform, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    period = await _period(owner_engine, world)
    report = await _report(gql, world, period, "A", "school_admin")
    claims = _claims_of(_token_of(report["downloadUrl"]))
    assert claims["exp"] - claims["iat"] == platform.settings.download_link_ttl_seconds == 300
    assert claims["sub"] == str(world.users["school_admin"])
    assert claims["path"] == report["workbookPath"]
    assert claims["aud"] != platform.settings.token_audience
    short = platform.tokens.mint(str(world.users["school_admin"]), 60)
    capped = _claims_of(_token_of(await _url(gql, REPORT_URL, report["id"], short)))
    assert capped["exp"] == _claims_of(short)["exp"]


async def test_an_expired_link_is_refused(gql, world, platform, client, owner_engine) -> None:  # type: ignore[no-untyped-def]
    period = await _period(owner_engine, world)
    report = await _report(gql, world, period, "A", "school_admin")
    path = report["workbookPath"]
    stale = _service(platform).mint(
        str(world.users["school_admin"]), path, now=int(time.time()) - 3600
    )
    response = await client.get(f"{path}?token={stale}")
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert "expired" in response.json()["error"]


async def test_a_tampered_link_is_refused(gql, world, platform, client, owner_engine) -> None:  # type: ignore[no-untyped-def]
    period = await _period(owner_engine, world)
    mine = await _report(gql, world, period, "A", "school_admin")
    theirs = await _report(gql, world, period, "B", "other_school_admin")
    header, payload, signature = _token_of(mine["downloadUrl"]).split(".")
    claims = _claims_of(_token_of(mine["downloadUrl"]))
    claims["path"] = theirs["workbookPath"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for token, path in (
        (f"{header}.{forged_payload}.{signature}", theirs["workbookPath"]),
        (f"{header}.{payload}.{flipped}", mine["workbookPath"]),
    ):
        response = await client.get(f"{path}?token={token}")
        assert response.status_code == 401, response.text
        assert "bad_signature" in response.json()["error"]


async def test_a_link_opens_only_its_own_file(gql, world, client, owner_engine) -> None:  # type: ignore[no-untyped-def]
    period = await _period(owner_engine, world)
    report_a = await _report(gql, world, period, "A", "school_admin")
    report_b = await _report(gql, world, period, "B", "other_school_admin")
    admin = world.tokens["commission_admin"]
    link = _token_of(await _url(gql, REPORT_URL, report_a["id"], admin))
    assert _is_workbook(await client.get(f"{report_a['workbookPath']}?token={link}"))
    province = links.province_workbook(period)
    for elsewhere in (report_b["workbookPath"], province, "/reports/x%3D.xlsx"):
        response = await client.get(f"{elsewhere}?token={link}")
        assert response.status_code == 401, (elsewhere, response.text)
        # The same caller opens the file with its header: only the link is refused.
        if elsewhere != "/reports/x%3D.xlsx":
            headed = await client.get(elsewhere, headers={"Authorization": f"Bearer {admin}"})
            assert headed.status_code == 200, elsewhere


async def test_an_access_token_is_no_link_and_a_link_is_no_access_token(
    gql, world, platform, client, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    period = await _period(owner_engine, world)
    report = await _report(gql, world, period, "A", "school_admin")
    path, access = report["workbookPath"], world.tokens["school_admin"]
    link = _token_of(report["downloadUrl"])
    as_link = await client.get(f"{path}?token={access}")
    assert as_link.status_code == 401 and "wrong_type" in as_link.json()["error"]
    as_bearer = await client.get(path, headers={"Authorization": f"Bearer {link}"})
    assert as_bearer.status_code == 401, as_bearer.text
    api = await gql("{ me { user { username } } }", None, link)
    assert codes(api) == ["UNAUTHENTICATED"]
    with pytest.raises(TokenError):
        platform.tokens.verify(link)
    with pytest.raises(LinkError) as refused:
        _service(platform).verify(access, path)
    assert refused.value.reason == "wrong_type"
    # A link-typed token for the API's audience is refused too: the type alone does not pass.
    with pytest.raises(LinkError) as audience:
        LinkService(
            platform.keys,
            issuer=platform.settings.token_issuer,
            audience=platform.settings.token_audience + ":download",
            ttl_seconds=300,
            leeway_seconds=0,
        ).verify(
            LinkService(
                platform.keys,
                issuer=platform.settings.token_issuer,
                audience=platform.settings.token_audience,
                ttl_seconds=300,
                leeway_seconds=0,
            ).mint("1", path),
            path,
        )
    assert audience.value.reason == "bad_audience"


async def test_a_deactivated_users_link_is_refused(gql, world, client, owner_engine) -> None:  # type: ignore[no-untyped-def]
    period = await _period(owner_engine, world)
    report = await _report(gql, world, period, "A", "school_admin")
    url = await _url(gql, REPORT_URL, report["id"], world.tokens["viewer"])
    assert _is_workbook(await client.get(url))
    admin = world.tokens["school_admin"]
    deactivated = await gql(DEACTIVATE, {"u": world.uid("viewer")}, admin)
    assert deactivated["data"]["deactivateUser"]["errors"] == []
    assert (await client.get(url)).status_code == 401
    reactivated = await gql(REACTIVATE, {"u": world.uid("viewer")}, admin)
    assert reactivated["data"]["reactivateUser"]["errors"] == []
    assert _is_workbook(await client.get(url))


async def test_a_link_to_an_object_out_of_reach_is_not_found(
    gql, world, platform, client, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    period = await _period(owner_engine, world)
    report = await _report(gql, world, period, "A", "school_admin")
    path = report["workbookPath"]
    # The API would not give another school this link; a well-signed one still opens nothing.
    for account in ("other_school_admin", "other_commission_admin"):
        link = _service(platform).mint(str(world.users[account]), path)
        response = await client.get(f"{path}?token={link}")
        assert response.status_code == 404, (account, response.text)
    school_link = _service(platform).mint(
        str(world.users["school_admin"]), links.province_workbook(period)
    )
    province = await client.get(f"{links.province_workbook(period)}?token={school_link}")
    assert province.status_code == 404  # the commission's table is not a school's


async def test_a_link_is_bound_as_its_token_was(gql, world, platform, client, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """A link asked with a client's token carries its client and scope: the download is
    narrowed to the scope and refused once the client no longer stands."""
    period = await _period(owner_engine, world)
    report = await _report(gql, world, period, "A", "school_admin")
    path, user = report["workbookPath"], str(world.users["school_admin"])
    client_id = await create_front_end_client(owner_engine, world, "console", ["read", "pii"])
    token = platform.tokens.mint(user, 600, client_id=client_id, scope="read")
    url = await _url(gql, REPORT_URL, report["id"], token)
    assert _claims_of(_token_of(url))["client_id"] == client_id
    assert _is_workbook(await client.get(url))
    narrow = _service(platform).mint(user, path, client_id=client_id, scope="pii")
    assert (await client.get(f"{path}?token={narrow}")).status_code == 403  # no plan.read
    ghost = _service(platform).mint(user, path, client_id="no-such-client", scope="read")
    assert (await client.get(f"{path}?token={ghost}")).status_code == 401


async def test_one_credential_only(gql, world, client, owner_engine) -> None:  # type: ignore[no-untyped-def]
    period = await _period(owner_engine, world)
    report = await _report(gql, world, period, "A", "school_admin")
    url, path = report["downloadUrl"], report["workbookPath"]
    token = _token_of(url)
    both = await client.get(url, headers={"Authorization": f"Bearer {world.tokens['viewer']}"})
    assert both.status_code == 401
    twice = await client.get(f"{path}?token={token}&token={token}")
    assert twice.status_code == 401


@pytest.mark.parametrize(
    "token",
    ["", "%00", "%FF%FE", "%ED%A0%80", "a.b.c", "x" * 10_000, "eyJhbGciOiJub25lIn0.e30."],
)
async def test_hostile_links_are_refused_never_a_500(
    token: str, gql, world, client, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    period = await _period(owner_engine, world)
    report = await _report(gql, world, period, "A", "school_admin")
    response = await client.get(f"{report['workbookPath']}?token={token}")
    assert response.status_code == 401, response.text


async def test_the_access_log_never_shows_a_link(client, caplog) -> None:  # type: ignore[no-untyped-def]
    """uvicorn logs each request's full path; the app's filter blanks the token in it."""
    secret = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:50000",
            "GET",
            f"/reports/1.xlsx?token={secret}&x=1",
            "1.1",
            200,
        )
    assert secret not in caplog.text
    assert "/reports/1.xlsx?token=[redacted]&x=1" in caplog.text
    assert redact("/a?x=1&token=abc") == "/a?x=1&token=[redacted]"


def test_link_service_refuses_bad_settings(platform) -> None:  # type: ignore[no-untyped-def]
    for ttl in (0, links.MAX_TTL_SECONDS + 1):
        with pytest.raises(ValueError):
            LinkService(platform.keys, issuer="i", audience="a", ttl_seconds=ttl, leeway_seconds=0)
    with pytest.raises(ValueError):
        LinkService(platform.keys, issuer="i", audience="a", ttl_seconds=60, leeway_seconds=301)


def test_a_long_lived_or_unsigned_link_is_refused(platform) -> None:  # type: ignore[no-untyped-def]
    service = _service(platform)
    settings = platform.settings
    path, now = "/reports/1.xlsx", int(time.time())
    claims = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience + ":download",
        "sub": "1",
        "path": path,
        "iat": now,
        "exp": now + 86_400,
        "jti": "x",
    }
    header = {"alg": "EdDSA", "kid": platform.keys.kid, "typ": "dl+jwt"}
    long_lived = jwt.encode(
        header, claims, platform.keys.signing_key, algorithms=["EdDSA"], registry=_REGISTRY
    )
    with pytest.raises(LinkError) as refused:
        service.verify(long_lived, path)
    assert refused.value.reason == "ttl_too_long"
    unsigned = long_lived.rsplit(".", 1)[0].replace(
        long_lived.split(".")[0],
        base64.urlsafe_b64encode(b'{"alg":"none","typ":"dl+jwt"}').rstrip(b"=").decode(),
    )
    with pytest.raises(LinkError):
        service.verify(unsigned + ".", path)
    del claims["jti"]
    claims["exp"] = now + 60
    no_jti = jwt.encode(
        header, claims, platform.keys.signing_key, algorithms=["EdDSA"], registry=_REGISTRY
    )
    with pytest.raises(LinkError) as missing:
        service.verify(no_jti, path)
    assert missing.value.reason == "missing_claim"
