"""import12371: a school's 12371 file compared with its records, nothing of them written."""

from __future__ import annotations

import pytest
from support import codes, id_number, scalar
from support_export12371 import create_walked
from support_reconciliation import column, edited, entries, exported, sheet, upload

from partyplan.resolvers.exports12371 import rules


@pytest.fixture
async def walked(gql, world):  # type: ignore[no-untyped-def]
    return {
        "applicant": await create_walked(gql, world, "applicant", 1, name="申请人甲"),
        "activist": await create_walked(gql, world, "activist", 2, name="积极分子乙"),
        "probationary": await create_walked(gql, world, "probationary", 3, name="预备党员丙"),
    }


async def records_snapshot(owner_engine) -> tuple:  # type: ignore[no-untyped-def]
    return (
        await scalar(
            owner_engine,
            "SELECT md5(string_agg(r::text, '|' ORDER BY r.id)) FROM recruits r",
        ),
        await scalar(
            owner_engine,
            "SELECT md5(string_agg(s::text, '|' ORDER BY s.id)) FROM recruit_steps s",
        ),
    )


async def test_round_trip_has_no_conflict_and_writes_nothing(  # type: ignore[no-untyped-def]
    client, gql, world, walked, owner_engine
) -> None:
    content = await exported(client, world)
    before = await records_snapshot(owner_engine)
    result = await upload(client, world.tokens["school_admin"], world.gid("A"), content)
    payload = result["data"]["import12371"]
    assert payload["errors"] == []
    report = payload["report"]
    assert (report["rowsRead"], report["matched"], report["conflicting"]) == (3, 3, 0)
    assert (report["onlyIn12371"], report["onlyHere"]) == (0, 0)
    assert report["status"] == "OPEN"
    assert report["stages"] == [
        "APPLICANT",
        "ACTIVIST",
        "DEVELOPMENT_TARGET",
        "PROBATIONARY",
        "FULL_MEMBER",
    ]
    assert report["fileBytes"] == len(content)
    assert await records_snapshot(owner_engine) == before
    found = await entries(gql, world.tokens["school_admin"], report["id"])
    assert sorted(e["name"] for e in found) == ["申请人甲", "积极分子乙", "预备党员丙"]
    assert {e["kind"] for e in found} == {"MATCHED"}
    assert all(e["recruitId"] and e["sheet"] and e["row"] >= 3 for e in found)
    audit = await scalar(
        owner_engine,
        "SELECT count(*) FROM audit_log WHERE operation = 'import12371' AND school_id = :s",
        s=world.units["A"],
    )
    assert audit == 1


async def test_each_kind_of_difference_is_reported(  # type: ignore[no-untyped-def]
    client, gql, world, walked
) -> None:
    newcomer = id_number("20040101", 77)

    def edit(book) -> None:  # type: ignore[no-untyped-def]
        activists = sheet(book, "activist")
        activists.cell(3, column(book, "activist", "name"), "积极分子改")
        activists.cell(3, column(book, "activist", "phone"), "13900001111")
        activists.cell(3, column(book, "activist", "activist_date"), "2023-03-21")
        probationary = sheet(book, "probationary")
        probationary.delete_rows(3)  # 预备党员丙: only here
        applicants = sheet(book, "applicant")
        row = [c.value for c in applicants[3]]
        row[column(book, "applicant", "name") - 1] = "新同学"
        row[column(book, "applicant", "id_number") - 1] = newcomer
        row[column(book, "applicant", "birth_date") - 1] = "2004-01-01"
        applicants.append(row)  # only in 12371

    content = edited(await exported(client, world), edit)
    result = await upload(client, world.tokens["school_admin"], world.gid("A"), content)
    report = result["data"]["import12371"]["report"]
    assert result["data"]["import12371"]["errors"] == []
    assert (report["matched"], report["conflicting"]) == (1, 1)
    assert (report["onlyIn12371"], report["onlyHere"]) == (1, 1)
    by_kind = {e["kind"]: e for e in await entries(gql, world.tokens["school_admin"], report["id"])}
    conflicting = by_kind["CONFLICTING"]
    assert conflicting["name"] == "积极分子改"
    # In the file's column order; phones masked on both sides.
    assert [(c["field"], c["here"], c["theirs"]) for c in conflicting["conflicts"]] == [
        ("name", "积极分子乙", "积极分子改"),
        ("phone", "138****5678", "139****1111"),
        ("activist_date", "2023-03-20", "2023-03-21"),
    ]
    assert [c["label"] for c in conflicting["conflicts"]] == [
        "姓名",
        "手机号码",
        "确定为入党积极分子日期",
    ]
    assert all("*" in c["here"] for c in conflicting["conflicts"] if c["field"] == "phone")
    assert by_kind["ONLY_IN_12371"]["name"] == "新同学"
    assert by_kind["ONLY_IN_12371"]["recruitId"] is None
    assert newcomer not in str(by_kind["ONLY_IN_12371"])  # masked only
    assert by_kind["ONLY_HERE"]["name"] == "预备党员丙"
    assert by_kind["ONLY_HERE"]["sheet"] is None
    assert by_kind["ONLY_HERE"]["stage"] == "PROBATIONARY"
    only = await entries(gql, world.tokens["school_admin"], report["id"], ["ONLY_HERE"])
    assert [e["name"] for e in only] == ["预备党员丙"]


async def test_a_later_stage_in_12371_is_a_conflict_of_stages(  # type: ignore[no-untyped-def]
    client, gql, world, walked
) -> None:
    def edit(book) -> None:  # type: ignore[no-untyped-def]
        applicants, activists = sheet(book, "applicant"), sheet(book, "activist")
        row = [c.value for c in applicants[3]]
        applicants.delete_rows(3)
        width = len(rules.columns("activist"))
        activists.append(row + [""] * (width - len(row)))

    content = edited(await exported(client, world), edit)
    result = await upload(client, world.tokens["school_admin"], world.gid("A"), content)
    report = result["data"]["import12371"]["report"]
    found = await entries(gql, world.tokens["school_admin"], report["id"], ["CONFLICTING"])
    assert [e["name"] for e in found] == ["申请人甲"]
    assert found[0]["conflicts"][0] == {
        "field": "stage",
        "label": "阶段",
        "here": "入党申请人",
        "theirs": "入党积极分子",
    }


async def test_a_stage_behind_the_records_refuses_the_file(  # type: ignore[no-untyped-def]
    client, world, walked, owner_engine
) -> None:
    def edit(book) -> None:  # type: ignore[no-untyped-def]
        activists, applicants = sheet(book, "activist"), sheet(book, "applicant")
        width = len(rules.columns("applicant"))
        applicants.append([c.value for c in activists[3]][:width])
        activists.delete_rows(3)

    content = edited(await exported(client, world), edit)
    result = await upload(client, world.tokens["school_admin"], world.gid("A"), content)
    payload = result["data"]["import12371"]
    assert payload["report"] is None
    [error] = payload["errors"]
    assert error["code"] == "STAGE_BEHIND_RECORDS"
    assert (error["sheet"], error["row"], error["column"]) == (
        "入党申请人",
        4,
        "确定为入党积极分子日期",
    )
    assert error["field"] == "file"
    assert await scalar(owner_engine, "SELECT count(*) FROM reconciliation_reports") == 0
    assert await scalar(owner_engine, "SELECT count(*) FROM reconciliation_entries") == 0


async def test_a_masked_export_cannot_be_reconciled(client, world, walked) -> None:  # type: ignore[no-untyped-def]
    content = await exported(client, world, world.tokens["viewer"])  # no pii.read: masked
    result = await upload(client, world.tokens["school_admin"], world.gid("A"), content)
    payload = result["data"]["import12371"]
    assert payload["report"] is None
    assert payload["errors"][0]["code"] == "MASKED_ID_NUMBER"


async def test_bad_files_are_refused_with_a_code(client, world) -> None:  # type: ignore[no-untyped-def]
    token, school = world.tokens["school_admin"], world.gid("A")
    for content, code in [
        (b"not a workbook at all", "NOT_A_WORKBOOK"),
        (b"PK\x03\x04" + b"\x00" * 64, "NOT_A_WORKBOOK"),
        (b"", "INVALID_FILE"),
    ]:
        result = await upload(client, token, school, content)
        assert result["status"] == 200, result
        payload = result["data"]["import12371"]
        assert payload["report"] is None
        assert [e["code"] for e in payload["errors"]][:1] == [code], (content, payload)


async def test_a_file_sent_as_json_is_refused(gql, world) -> None:  # type: ignore[no-untyped-def]
    query = """mutation($s: ID!, $f: Upload!) { import12371(schoolId: $s, file: $f) {
      report { id } errors { code field } } }"""
    for value in ["a string", {"x": 1}, 12]:
        result = await gql(query, {"s": world.gid("A"), "f": value}, world.tokens["school_admin"])
        payload = result["data"]["import12371"]
        assert payload["errors"] == [{"code": "INVALID_FILE", "field": "file"}]


async def test_a_malformed_multipart_body_is_a_client_error(client, world) -> None:  # type: ignore[no-untyped-def]
    headers = {
        "Authorization": f"Bearer {world.tokens['school_admin']}",
        "Content-Type": "multipart/form-data; boundary=xyz",
    }
    for body in [b"--xyz\r\nbroken", b"\xff\xfe\x00garbage", b""]:
        response = await client.post("/graphql", content=body, headers=headers)
        assert 400 <= response.status_code < 500, (body, response.status_code, response.text)


class TestAccess:
    async def test_no_token(self, client, world, walked) -> None:  # type: ignore[no-untyped-def]
        content = await exported(client, world)
        result = await upload(client, None, world.gid("A"), content)
        assert codes(result) == ["UNAUTHENTICATED"]

    async def test_wrong_role(self, client, world, walked) -> None:  # type: ignore[no-untyped-def]
        content = await exported(client, world)
        result = await upload(client, world.tokens["viewer"], world.gid("A"), content)
        assert codes(result) == ["FORBIDDEN"]

    async def test_another_school_is_not_found(self, client, world, walked) -> None:  # type: ignore[no-untyped-def]
        content = await exported(client, world)
        token = world.tokens["other_school_admin"]
        result = await upload(client, token, world.gid("A"), content)
        assert codes(result) == ["NOT_FOUND"]

    async def test_a_report_is_not_found_from_another_school(  # type: ignore[no-untyped-def]
        self, client, gql, world, walked
    ) -> None:
        content = await exported(client, world)
        result = await upload(client, world.tokens["school_admin"], world.gid("A"), content)
        report_id = result["data"]["import12371"]["report"]["id"]
        query = "query($id: ID!) { reconciliationReport(id: $id) { id matched } }"
        other = await gql(query, {"id": report_id}, world.tokens["other_school_admin"])
        assert codes(other) == ["NOT_FOUND"]
        node = await gql(
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": report_id},
            world.tokens["other_school_admin"],
        )
        assert codes(node) == ["NOT_FOUND"]
        secretary = await gql(query, {"id": report_id}, world.tokens["branch_secretary"])
        assert codes(secretary) == ["NOT_FOUND"]
        own = await gql(query, {"id": report_id}, world.tokens["viewer"])
        assert own["data"]["reconciliationReport"]["matched"] == 3
        anonymous = await gql(query, {"id": report_id})
        assert codes(anonymous) == ["UNAUTHENTICATED"]
