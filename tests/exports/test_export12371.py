"""The 12371 export: layout from the field list, masking by role, audit, scope, links,
filters and hostile input."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import support_recruits as recruits_api
from support import id_number, raw_id
from support_export12371 import APPROVED_ON, book_of, create_walked, download, table

from partyplan.resolvers.exports12371 import rules, service
from partyplan.resolvers.warnings.rules.requirements import DEFAULT_REQUIREMENTS, ITEMS

EXPORT = """query($s: ID!, $p: ID, $st: RecruitStage) {
  export12371(schoolId: $s, periodId: $p, stage: $st) { path masked downloadUrl } }"""


def path_of(world, **query: str) -> str:  # type: ignore[no-untyped-def]
    school = world.units["A"]
    tail = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/exports/12371/{school}.xlsx" + (f"?{tail}" if tail else "")


@pytest.fixture
async def recruits(gql, world):  # type: ignore[no-untyped-def]
    return {
        "applicant": await create_walked(gql, world, "applicant", 1, name="申请人甲"),
        "activist": await create_walked(gql, world, "activist", 2, name="积极分子乙"),
        "probationary": await create_walked(gql, world, "probationary", 3, name="预备党员丙"),
    }


async def readpii_entries(owner_engine, school_id: int) -> list[sa.Row]:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        result = await conn.execute(
            sa.text(
                "SELECT object_type, object_id, after FROM audit_log"
                " WHERE operation = 'readPii' AND school_id = :s ORDER BY id"
            ),
            {"s": school_id},
        )
        return list(result)


def test_columns_are_the_field_list_in_its_order() -> None:
    probationary = rules.columns("probationary")
    due = {e["item"] for e in DEFAULT_REQUIREMENTS if e["stage"] != "full_member"}
    assert set(probationary) == due
    assert list(probationary) == [item for item in ITEMS if item in due]
    # An edited list moves the columns: nothing is named apart from the data.
    edited = [{"stage": "applicant", "item": "phone"}, {"stage": "activist", "item": "name"}]
    assert rules.columns("applicant", edited) == ("phone",)
    assert rules.columns("activist", edited) == ("name", "phone")
    assert rules.columns("full_member") == tuple(ITEMS)  # every item is due by then


async def test_unmasked_export_for_pii_read(client, world, recruits, owner_engine) -> None:  # type: ignore[no-untyped-def]
    book = book_of(await download(client, path_of(world), world.tokens["school_admin"]))
    assert book.sheetnames == [rules.STAGE_NAMES[s] for s in rules.STAGE_ORDER]
    rows = table(book, "预备党员")
    assert rows[0][0] == rules.NOTICE_CLEAR
    items = rules.columns("probationary")
    assert list(rows[1]) == [ITEMS[i] for i in items]
    assert len(rows) == 3
    cell = dict(zip(items, rows[2], strict=True))
    assert cell["name"] == "预备党员丙"
    assert cell["id_number"] == id_number("20030504", 3)
    assert cell["phone"] == "13812345678"
    # Dates are YYYY-MM-DD text; choices, members and votes in words.
    assert cell["birth_date"] == "2003-05-04"
    assert cell["application_date"] == "2022-09-15"
    assert cell["approval"] == APPROVED_ON.isoformat()
    assert cell["gender"] == "男"
    assert cell["recommended_by"] == "群团组织推优"
    assert cell["contacts"] == "老党员、老党员"
    assert cell["political_review"] == "合格"
    assert cell["branch_meeting"] == "2024-06-05（应到25人，实到21人，赞成20人）"
    assert cell["branch"] == "甲院第一党支部"
    assert [r[0] for r in table(book, "入党申请人")[2:]] == ["申请人甲"]
    assert [r[0] for r in table(book, "入党积极分子")[2:]] == ["积极分子乙"]
    assert table(book, "正式党员")[2:] == []
    # One audit entry for the export, counting the recruits shown in clear.
    entries = await readpii_entries(owner_engine, world.units["A"])
    assert [(e.object_type, e.object_id) for e in entries] == [("Unit", world.units["A"])]
    assert entries[0].after["recruits"] == 3
    assert entries[0].after["fields"] == ["idNumber", "phone"]


async def test_masked_without_pii_read_and_not_audited(
    client, world, recruits, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    book = book_of(await download(client, path_of(world), world.tokens["viewer"]))
    rows = table(book, "预备党员")
    assert rows[0][0] == rules.NOTICE_MASKED
    cell = dict(zip(rules.columns("probationary"), rows[2], strict=True))
    clear = id_number("20030504", 3)
    assert cell["id_number"] == clear[:3] + "*" * 11 + clear[-4:]
    assert cell["phone"] == "138****5678"
    assert await readpii_entries(owner_engine, world.units["A"]) == []


@pytest.mark.parametrize(
    ("account", "status"),
    [("other_school_admin", 404), ("branch_secretary", 404), ("nobody", 404)],
)
async def test_out_of_scope_is_not_found(client, world, account, status) -> None:  # type: ignore[no-untyped-def]
    response = await download(client, path_of(world), world.tokens[account])
    assert response.status_code == status, response.text
    assert response.json()["code"] == "NOT_FOUND"


async def test_a_branch_is_no_school(client, world) -> None:  # type: ignore[no-untyped-def]
    path = f"/exports/12371/{world.units['A1a']}.xlsx"
    response = await download(client, path, world.tokens["school_admin"])
    assert response.status_code == 404


async def test_no_token_is_401(client, world) -> None:  # type: ignore[no-untyped-def]
    response = await download(client, path_of(world))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    bad = await download(client, path_of(world), "not-a-token")
    assert bad.status_code == 401


async def test_stage_filter(client, world, recruits) -> None:  # type: ignore[no-untyped-def]
    for stage in ("activist", "ACTIVIST"):
        response = await download(client, path_of(world, stage=stage), world.tokens["viewer"])
        book = book_of(response)
        assert book.sheetnames == ["入党积极分子"]
        assert [r[0] for r in table(book, "入党积极分子")[2:]] == ["积极分子乙"]


async def test_period_filter(gql, client, world, recruits) -> None:  # type: ignore[no-untyped-def]
    admitted_in = raw_id(await recruits_api.period(gql, world, APPROVED_ON.year))
    other = raw_id(await recruits_api.period(gql, world, APPROVED_ON.year - 1))
    token = world.tokens["viewer"]
    inside = book_of(await download(client, path_of(world, periodId=str(admitted_in)), token))
    assert [r[0] for r in table(inside, "预备党员")[2:]] == ["预备党员丙"]
    # The applicant applied in 2022: in neither period.
    assert table(inside, "入党申请人")[2:] == []
    before = book_of(await download(client, path_of(world, periodId=str(other)), token))
    assert table(before, "预备党员")[2:] == []
    missing = await download(client, path_of(world, periodId="999999"), token)
    assert missing.status_code == 404


async def test_download_link_opens_only_that_export(gql, client, world, recruits) -> None:  # type: ignore[no-untyped-def]
    result = await gql(
        EXPORT, {"s": world.gid("A"), "st": "ACTIVIST"}, world.tokens["school_admin"]
    )
    export = result["data"]["export12371"]
    assert export["masked"] is False
    assert export["path"] == path_of(world, stage="activist")
    book = book_of(await client.get(export["downloadUrl"]))
    assert book.sheetnames == ["入党积极分子"]
    token = export["downloadUrl"].rpartition("token=")[2]
    for other in (
        path_of(world),
        path_of(world, stage="applicant"),
        f"/exports/12371/{world.units['B']}.xlsx?stage=activist",
    ):
        sep = "&" if "?" in other else "?"
        response = await client.get(f"{other}{sep}token={token}")
        assert response.status_code == 401, other
    # A link is no bearer token, nor a link and a header at once.
    assert (await download(client, path_of(world, stage="activist"), token)).status_code == 401
    both = await client.get(
        export["downloadUrl"], headers={"Authorization": f"Bearer {world.tokens['viewer']}"}
    )
    assert both.status_code == 401


async def test_viewer_link_is_masked(gql, world) -> None:  # type: ignore[no-untyped-def]
    result = await gql(EXPORT, {"s": world.gid("A")}, world.tokens["viewer"])
    assert result["data"]["export12371"]["masked"] is True


async def test_cancelled_is_no_12371_stage(gql, client, world) -> None:  # type: ignore[no-untyped-def]
    result = await gql(EXPORT, {"s": world.gid("A"), "st": "CANCELLED"}, world.tokens["viewer"])
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    response = await download(client, path_of(world, stage="cancelled"), world.tokens["viewer"])
    assert response.status_code == 400


@pytest.mark.parametrize(
    "raw",
    [
        "%00",
        "abc",
        "99999999999999999999999",
        "%ED%A0%80",
        "%FF",
        "VW5pdDox%00",
        "-1",
        "１",
    ],
)
async def test_hostile_school_ids(client, world, raw) -> None:  # type: ignore[no-untyped-def]
    response = await download(client, f"/exports/12371/{raw}.xlsx", world.tokens["school_admin"])
    assert 400 <= response.status_code < 500, (raw, response.status_code)


@pytest.mark.parametrize(
    "query",
    [
        "stage=%00",
        "stage=%ED%A0%80",
        "stage=bogus",
        "stage=activist&stage=applicant",
        "periodId=%00",
        "periodId=99999999999999999999999",
        "periodId=%FF",
        "periodId=1&periodId=2",
        "periodId=",
        "stage=",
    ],
)
async def test_hostile_filters(client, world, query) -> None:  # type: ignore[no-untyped-def]
    path = f"/exports/12371/{world.units['A']}.xlsx?{query}"
    response = await download(client, path, world.tokens["school_admin"])
    assert 400 <= response.status_code < 500, (query, response.status_code)


async def test_rows_cross_batches(gql, client, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Keyset batches of one recruit: every recruit once, in id order."""
    names = [f"申请人{n}" for n in "甲乙丙丁戊"]
    for n, name in enumerate(names):
        await create_walked(gql, world, "applicant", 10 + n, name=name)
    monkeypatch.setattr(service, "BATCH", 1)
    book = book_of(await download(client, path_of(world), world.tokens["viewer"]))
    assert [r[0] for r in table(book, "入党申请人")[2:]] == names


ANNUL = """mutation($r: ID!) { annulAdmission(input: {recruitId: $r, reason: "发展程序不完整",
  documentNo: "晋教工委〔2024〕1号"}) { annulment { id } errors { code field message } } }"""


async def test_an_annulled_admission_is_no_member_of_the_export(
    gql, client, world, recruits
) -> None:  # type: ignore[no-untyped-def]
    """An admission not recognised (一律不予承认) is no probationary member: it leaves the
    预备党员 sheet (and any other: the recruit stands in no 12371 stage), the others stay."""
    await recruits_api.period(gql, world, APPROVED_ON.year)
    kept = await create_walked(gql, world, "probationary", 4, name="预备党员丁")
    annulled = await gql(ANNUL, {"r": recruits["probationary"]["id"]}, world.tokens["school_admin"])
    assert annulled["data"]["annulAdmission"]["errors"] == [], annulled
    book = book_of(await download(client, path_of(world), world.tokens["school_admin"]))
    assert [r[0] for r in table(book, "预备党员")[2:]] == [kept["name"]]
    names = {r[0] for title in book.sheetnames for r in table(book, title)[2:]}
    assert "预备党员丙" not in names and {"申请人甲", "积极分子乙"} <= names
