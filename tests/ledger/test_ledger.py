"""The activists' ledger of a grassroots committee: every activist and development target below
it with what the recorded steps say (designation, filing, contact persons by name, assessments,
political review, training, the next step), read at download; ID numbers masked without
``pii.read``, and an unmasked ledger audited once."""

from __future__ import annotations

import io

import openpyxl
from support import codes, id_number, scalar
from support_recruits import WALK, create, step

from partyplan.resolvers.ledger.rules import HEADERS

LEDGER = "query($u: ID!) { activistLedger(unitId: $u) { unitName path masked downloadUrl } }"


async def _walk(gql, world, recruit: str, until: str, by: str | None = None) -> None:  # type: ignore[no-untyped-def]
    for code, on, data, account in WALK:
        await step(gql, world, recruit, code, on, data, by or account)
        if code == until:
            return


async def _rows(client, url: str) -> tuple[list, list[dict]]:  # type: ignore[no-untyped-def]
    response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["台账"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = values[2]
    assert tuple(header) == HEADERS
    return values[:2], [dict(zip(header, row, strict=True)) for row in values[3:]]


async def test_the_ledger_reads_the_recorded_steps(gql, world, client, owner_engine) -> None:  # type: ignore[no-untyped-def]
    target = (await create(gql, world))["recruit"]
    activist = (
        await create(
            gql,
            world,
            name="王芳",
            idNumber=id_number("20040101", 7, female=True),
            gender="FEMALE",
            birthDate="2004-01-01",
        )
    )["recruit"]
    elsewhere = (
        await create(
            gql,
            world,
            account="school_admin",
            branch="A2",
            name="赵强",
            idNumber=id_number("20030504", 21),
        )
    )["recruit"]
    await _walk(gql, world, target["id"], "training")
    await _walk(gql, world, activist["id"], "contacts")
    await _walk(gql, world, elsewhere["id"], "activist", "school_admin")

    # The unit admin of A1 (pii.read there): ID numbers in clear, the download audited.
    found = await gql(LEDGER, {"u": world.gid("A1")}, world.tokens["unit_admin"])
    ledger = found["data"]["activistLedger"]
    assert ledger["masked"] is False and ledger["unitName"] == "甲院党委"
    before = await scalar(
        owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'readPii'"
    )
    notice, rows = await _rows(client, ledger["downloadUrl"])
    assert "未脱敏" in notice[1][0]
    after = await scalar(owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'readPii'")
    assert after == before + 1
    assert [r["姓名"] for r in rows] == ["李明", "王芳"]  # A2's activist is not A1's
    li, wang = rows
    assert li["公民身份号码"] == id_number("20030504", 12)
    assert li["当前阶段"] == "发展对象" and wang["当前阶段"] == "入党积极分子"
    assert li["确定为入党积极分子日期"] == "2023-03-20" and li["推荐方式"] == "群团组织推优"
    assert li["上级党委备案日期"] == "2023-03-27"
    assert li["培养联系人"] == "老党员、老党员" and li["指定培养联系人日期"] == "2023-03-28"
    assert (li["培养考察次数"], li["最近一次考察日期"]) == (2, "2024-03-18")
    assert li["确定为发展对象日期"] == "2024-03-25" and li["政治审查结论"] == "合格"
    assert (li["集中培训日期"], li["培训天数/学时"]) == ("2024-04-26", "3天，24学时")
    assert not wang["培训天数/学时"] and wang["培养考察次数"] == 0
    assert wang["下一环节"] == "第6步 培养教育考察"

    # The viewer at A (no pii.read): masked, nothing audited; the school's ledger has A2's too.
    seen = await gql(LEDGER, {"u": world.gid("A")}, world.tokens["viewer"])
    assert seen["data"]["activistLedger"]["masked"] is True
    notice, rows = await _rows(client, seen["data"]["activistLedger"]["downloadUrl"])
    assert "已脱敏" in notice[1][0]
    assert sorted(r["姓名"] for r in rows) == ["李明", "王芳", "赵强"]
    assert all(r["公民身份号码"] != id_number("20030504", 12) for r in rows)
    assert (
        await scalar(owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'readPii'")
        == after
    )


async def test_a_branch_keeps_no_ledger_and_another_school_none_of_ours(gql, world, client) -> None:  # type: ignore[no-untyped-def]
    branch = await gql(LEDGER, {"u": world.gid("A1a")}, world.tokens["unit_admin"])
    assert codes(branch) == ["BAD_USER_INPUT"]
    assert branch["errors"][0]["extensions"]["field"] == "unitId"
    other = await gql(LEDGER, {"u": world.gid("A1")}, world.tokens["other_school_admin"])
    assert codes(other) == ["NOT_FOUND"]
    # A link opens only the ledger it was made for.
    mine = await gql(LEDGER, {"u": world.gid("A1")}, world.tokens["unit_admin"])
    token = mine["data"]["activistLedger"]["downloadUrl"].rpartition("token=")[2]
    response = await client.get(f"/ledgers/{world.units['A']}.xlsx?token={token}")
    assert response.status_code == 401
