"""applyReconciliation: each resolution's effect on the records and the audit log, every refusal
(at its place in the input, nothing written), access, and the frozen evidence.

Reports are stored here as ``import12371`` stores them (the same columns, the file's ID numbers
and phones encrypted with the platform's keys), so each test holds exactly the entries it needs.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from support import codes, gid, id_number, raw_id, scalar
from support_export12371 import create_walked
from support_inputs import unresolved
from support_messages import assert_chinese

from partyplan.models import reconciliation_entries, reconciliation_reports
from partyplan.resolvers.reconciliation.errors import ReconciliationErrorCode
from partyplan.resolvers.reconciliation.evidence import evidence
from partyplan.resolvers.recruits.errors import RecruitErrorCode
from partyplan.resolvers.recruits.service.records import ID_CONTEXT, PHONE_CONTEXT

APPLY = """mutation($input: ApplyReconciliationInput!) { applyReconciliation(input: $input) {
  report { id status appliedAt evidenceSha256 }
  errors { code field message sheet row column } } }"""

NEW_ID = id_number("20040102", 7, female=True)
NEW_PERSON = {
    "name": "王新",
    "gender": "female",
    "ethnicity": "汉族",
    "birth_date": "2004-01-02",
    "education": "below_college",
    "category": "undergraduate",
    "branch": "甲院第一党支部",
    "application_date": "2023-09-01",
    "activist_date": "2024-03-01",
    "contacts": ["老党员"],
}


def _conflict(item: str, here: str = "x", theirs: str = "y") -> dict[str, str]:
    return {"item": item, "here": here, "theirs": theirs}


@pytest.fixture
async def seeded(gql, world, owner_engine, platform):  # type: ignore[no-untyped-def]
    """School A's report: 1 conflicting (name, phone, branch, activist date, stage, contacts),
    2 only in 12371, 3 matched, 4 only here; 5 conflicting on an unknown branch; 6 only in
    12371 with the ID number of recruit 1; 7 conflicting on a future activist date; 8 only in
    12371 without a gender."""
    cipher = platform.pii
    activist = await create_walked(gql, world, "activist", 1, name="李明")
    applicant = await create_walked(gql, world, "applicant", 2, name="张华")
    first, second = raw_id(activist["id"]), raw_id(applicant["id"])

    def only_12371(id_no: str, theirs: dict[str, Any], phone: str | None) -> dict[str, Any]:
        return {
            "kind": "only_12371",
            "stage": "activist",
            "name": theirs.get("name", ""),
            "theirs": theirs,
            "id_number_enc": cipher.encrypt(id_no, context=ID_CONTEXT),
            "id_number_lookup": cipher.lookup_hash(id_no, context=ID_CONTEXT),
            "phone_enc": None if phone is None else cipher.encrypt(phone, context=PHONE_CONTEXT),
        }

    entries = [
        {
            "kind": "conflicting",
            "recruit_id": first,
            "stage": "development_target",
            "name": "李明华",
            "conflicts": [
                _conflict("stage", "入党积极分子", "发展对象"),
                *(_conflict(i) for i in ("name", "branch", "phone", "activist_date", "contacts")),
            ],
            "theirs": {
                "name": "李明华",
                "branch": "甲院第二党支部",
                "activist_date": "2023-03-22",
                "contacts": ["甲", "乙"],
            },
            "phone_enc": cipher.encrypt("13900001111", context=PHONE_CONTEXT),
        },
        only_12371(NEW_ID, NEW_PERSON, "13700002222"),
        {"kind": "matched", "recruit_id": second, "stage": "applicant", "name": "张华"},
        {"kind": "only_here", "recruit_id": second, "stage": "applicant", "name": "张华"},
        {
            "kind": "conflicting",
            "recruit_id": first,
            "stage": "activist",
            "name": "李明",
            "conflicts": [_conflict("branch")],
            "theirs": {"branch": "不存在的支部"},
        },
        only_12371(
            id_number("20030504", 1),
            {**NEW_PERSON, "name": "李明", "gender": "male", "birth_date": "2003-05-04"},
            None,
        ),
        {
            "kind": "conflicting",
            "recruit_id": first,
            "stage": "activist",
            "name": "李明",
            "conflicts": [_conflict("activist_date")],
            "theirs": {"activist_date": "2999-01-01"},
        },
        only_12371(
            id_number("20040102", 9),
            {k: v for k, v in NEW_PERSON.items() if k != "gender"},
            None,
        ),
    ]
    async with owner_engine.begin() as conn:
        path = await conn.scalar(
            sa.text("SELECT path::text FROM units WHERE id = :id"), {"id": world.units["A"]}
        )
        report = await conn.scalar(
            sa.insert(reconciliation_reports)
            .values(
                school_id=world.units["A"],
                unit_path=path,
                file_name="12371.xlsx",
                file_sha256=hashlib.sha256(b"file").digest(),
                file_bytes=4,
                stages=["applicant", "activist", "development_target"],
                rows_read=7,
                matched=1,
                conflicting=3,
                only_12371=3,
                only_here=1,
                created_by=world.users["school_admin"],
            )
            .returning(reconciliation_reports.c.id)
        )
        for ordinal, entry in enumerate(entries, 1):
            await conn.execute(
                sa.insert(reconciliation_entries).values(
                    report_id=report,
                    ordinal=ordinal,
                    unit_path=path,
                    id_number_masked="1409**********0011",
                    sheet=None if entry["kind"] == "only_here" else "入党积极分子",
                    row_number=None if entry["kind"] == "only_here" else ordinal + 2,
                    **entry,
                )
            )
    return {
        "report": gid("ReconciliationReport", report),
        "id": report,
        "first": first,
        "second": second,
    }


async def apply(gql, world, seeded, decisions, token="school_admin"):  # type: ignore[no-untyped-def]
    variables = {"input": {"reportId": seeded["report"], "decisions": decisions}}
    result = await gql(APPLY, variables, world.tokens.get(token))
    return result, variables["input"]


def _d(ordinal: int, resolution: str, fields: list[str] | None = None) -> dict[str, Any]:
    decision: dict[str, Any] = {"ordinal": ordinal, "resolution": resolution}
    if fields is not None:
        decision["fields"] = fields
    return decision


async def _rows(owner_engine, sql: str, **params: Any) -> list[Any]:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        return list((await conn.execute(sa.text(sql), params)).all())


async def _untouched(owner_engine, seeded) -> None:  # type: ignore[no-untyped-def]
    """Nothing of an application was written: report open, no decision, no recruit changed."""
    report = seeded["id"]
    assert await scalar(owner_engine, "SELECT status FROM reconciliation_reports") == "open"
    assert not await scalar(
        owner_engine,
        "SELECT count(*) FROM reconciliation_entries WHERE decision IS NOT NULL AND report_id = :r",
        r=report,
    )
    assert await scalar(owner_engine, "SELECT count(*) FROM recruits") == 2
    assert (
        await scalar(owner_engine, "SELECT name FROM recruits WHERE id = :i", i=seeded["first"])
        == "李明"
    )
    assert not await scalar(
        owner_engine, "SELECT count(*) FROM recruit_steps WHERE supersedes_id IS NOT NULL"
    )
    assert not await scalar(
        owner_engine,
        "SELECT count(*) FROM audit_log WHERE operation IN ('applyReconciliation',"
        " 'updateRecruit', 'transferRecruit', 'correctStep')",
    )


# --- the resolutions ---------------------------------------------------------------------------


async def test_each_resolution_writes_its_effect_and_audit(  # type: ignore[no-untyped-def]
    gql, world, seeded, owner_engine, platform
) -> None:
    fields = ["name", "phone", "branch", "activist_date"]
    result, _ = await apply(
        gql,
        world,
        seeded,
        [_d(1, "TAKE_THEIRS", fields), _d(2, "CREATE_HERE"), _d(3, "KEEP_OURS")],
    )
    assert "errors" not in result, result
    payload = result["data"]["applyReconciliation"]
    assert payload["errors"] == []
    assert payload["report"]["status"] == "APPLIED" and payload["report"]["appliedAt"]

    # TAKE_THEIRS: details, a transfer to the branch of that name, a superseding activist step.
    first = (
        await _rows(
            owner_engine,
            "SELECT r.name, r.phone_enc, r.activist_on, u.name AS branch FROM recruits r"
            " JOIN units u ON u.id = r.branch_id WHERE r.id = :i",
            i=seeded["first"],
        )
    )[0]
    assert first.name == "李明华" and first.branch == "甲院第二党支部"
    assert platform.pii.decrypt(first.phone_enc, context=PHONE_CONTEXT) == "13900001111"
    assert first.activist_on == date(2023, 3, 22)
    correction = await _rows(
        owner_engine,
        "SELECT on_date, correction_reason FROM recruit_steps WHERE supersedes_id IS NOT NULL",
    )
    assert [(c.on_date, c.correction_reason) for c in correction] == [
        (date(2023, 3, 22), f"依据 12371 核对报告 {seeded['id']}")
    ]

    # CREATE_HERE: the recruit as importRecruits creates one, the application only.
    created = (
        await _rows(
            owner_engine,
            "SELECT r.id, r.name, r.gender, r.stage, r.applied_on, r.id_number_hash, r.phone_enc,"
            " u.name AS branch FROM recruits r JOIN units u ON u.id = r.branch_id"
            " WHERE r.id <> ALL(CAST(:ids AS bigint[]))",
            ids=[seeded["first"], seeded["second"]],
        )
    )[0]
    assert (created.name, created.gender, created.stage, created.branch) == (
        "王新",
        "female",
        "applicant",
        "甲院第一党支部",
    )
    assert created.applied_on == date(2023, 9, 1)
    assert bytes(created.id_number_hash) == platform.pii.lookup_hash(NEW_ID, context=ID_CONTEXT)
    assert platform.pii.decrypt(created.phone_enc, context=PHONE_CONTEXT) == "13700002222"
    assert await scalar(
        owner_engine,
        "SELECT array_agg(step_code) FROM recruit_steps WHERE recruit_id = :i",
        i=created.id,
    ) == ["application"]

    # The entries say what was decided and done; the undecided stay undecided.
    entries = {
        e.ordinal: e
        for e in await _rows(
            owner_engine,
            "SELECT ordinal, decision, decided_fields, outcome FROM reconciliation_entries",
        )
    }
    assert (entries[1].decision, entries[1].decided_fields) == ("take_theirs", fields)
    assert entries[1].outcome == {"changed": fields}
    assert entries[2].decision == "create_here"
    assert entries[2].outcome == {
        "recruitId": created.id,
        "toRecord": ["activist_date", "contacts"],
    }
    assert (entries[3].decision, entries[3].outcome) == ("keep_ours", None)
    assert all(entries[o].decision is None for o in (4, 5, 6, 7, 8))

    # Audit: the reused operations' own entries, and one for the application on the school.
    operations = await scalar(
        owner_engine, "SELECT array_agg(operation ORDER BY id) FROM audit_log"
    )
    for operation in ("updateRecruit", "transferRecruit", "correctStep"):
        assert operations.count(operation) == 1, operations
    assert await scalar(
        owner_engine,
        "SELECT count(*) FROM audit_log WHERE operation = 'createRecruit' AND object_id = :i",
        i=created.id,
    )
    applied = (
        await _rows(
            owner_engine,
            "SELECT unit_id, object_id, after FROM audit_log WHERE operation = 'applyReconciliation'",
        )
    )[0]
    assert (applied.unit_id, applied.object_id) == (world.units["A"], seeded["id"])
    assert applied.after == {
        "reportId": seeded["id"],
        "evidenceSha256": payload["report"]["evidenceSha256"],
        "decisions": {"take_theirs": 1, "keep_ours": 1, "create_here": 1},
    }


# --- the evidence ------------------------------------------------------------------------------


async def test_evidence_recomputes_from_the_rows_and_the_report_stays_applied(  # type: ignore[no-untyped-def]
    gql, world, seeded, owner_engine, platform
) -> None:
    result, _ = await apply(
        gql, world, seeded, [_d(3, "KEEP_OURS"), _d(1, "TAKE_THEIRS", ["name"])]
    )
    report = result["data"]["applyReconciliation"]["report"]
    rows = await _rows(owner_engine, "SELECT * FROM reconciliation_reports")
    entries = await _rows(owner_engine, "SELECT * FROM reconciliation_entries ORDER BY ordinal")
    digest = evidence(rows[0]._mapping, (e._mapping for e in entries))
    assert digest == bytes(rows[0].evidence_sha256) and digest.hex() == report["evidenceSha256"]

    again, _ = await apply(gql, world, seeded, [_d(4, "KEEP_OURS")])
    errors = again["data"]["applyReconciliation"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("REPORT_APPLIED", "reportId")]
    entries_after = await _rows(
        owner_engine, "SELECT * FROM reconciliation_entries ORDER BY ordinal"
    )
    assert evidence(rows[0]._mapping, (e._mapping for e in entries_after)) == digest


async def test_the_frozen_trigger_refuses_the_service_role(  # type: ignore[no-untyped-def]
    gql, world, seeded, platform
) -> None:
    result, _ = await apply(gql, world, seeded, [_d(3, "KEEP_OURS")])
    assert result["data"]["applyReconciliation"]["errors"] == []
    # The service role can change nothing of it, through SQL: the trigger refuses updates,
    # and deleting is not even granted.
    statements = [
        ("UPDATE reconciliation_entries SET decision = 'keep_ours' WHERE ordinal = 4", "frozen"),
        ("UPDATE reconciliation_entries SET outcome = '{}'::jsonb WHERE ordinal = 1", "frozen"),
        ("UPDATE reconciliation_reports SET status = 'open', applied_at = NULL", "frozen"),
        ("DELETE FROM reconciliation_entries WHERE ordinal = 3", "permission denied"),
    ]
    for statement, refusal in statements:
        async with platform.engine.connect() as conn:
            await conn.execute(
                sa.text("SELECT app_bind_principal(:u)"), {"u": world.users["school_admin"]}
            )
            with pytest.raises(sa.exc.DBAPIError, match=refusal):
                await conn.execute(sa.text(statement))
            await conn.rollback()


async def test_the_frozen_trigger_holds_for_the_owner_too(  # type: ignore[no-untyped-def]
    gql, world, seeded, owner_engine
) -> None:
    result, _ = await apply(gql, world, seeded, [_d(3, "KEEP_OURS")])
    assert result["data"]["applyReconciliation"]["errors"] == []
    for statement in [
        "DELETE FROM reconciliation_entries WHERE ordinal = 3",
        "DELETE FROM reconciliation_reports",
        "UPDATE reconciliation_entries SET name = 'x'",
    ]:
        async with owner_engine.connect() as conn:
            with pytest.raises(sa.exc.DBAPIError, match="applied and frozen"):
                await conn.execute(sa.text(statement))
            await conn.rollback()


def test_evidence_is_the_sha256_of_one_canonical_document() -> None:
    from datetime import UTC, datetime

    from partyplan.resolvers.reconciliation.evidence import ENTRY_COLUMNS, REPORT_COLUMNS

    at = datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC)
    report = {c: None for c in REPORT_COLUMNS} | {"id": 1, "created_at": at, "file_sha256": b"\x01"}
    entries = [{c: None for c in ENTRY_COLUMNS} | {"ordinal": n, "name": "名"} for n in (1, 2)]
    document = {
        "entries": [{**e} for e in entries],
        "report": {**report, "created_at": at.isoformat(), "file_sha256": "01"},
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert evidence(report, entries) == hashlib.sha256(text.encode()).digest()
    assert evidence(report, entries[:1]) != evidence(report, entries)
    with pytest.raises(ValueError):
        evidence(report, entries[::-1])


# --- access ------------------------------------------------------------------------------------


async def test_access(gql, world, seeded, owner_engine) -> None:  # type: ignore[no-untyped-def]
    decisions = [_d(3, "KEEP_OURS")]
    assert codes((await apply(gql, world, seeded, decisions, token="none"))[0]) == [
        "UNAUTHENTICATED"
    ]
    for account in ("viewer", "commission_viewer"):
        result, _ = await apply(gql, world, seeded, decisions, token=account)
        assert codes(result) == ["FORBIDDEN"], account
    # A branch's secretary records at the branch, but the report is the school's: out of reach.
    for account in ("branch_secretary", "other_school_admin", "other_commission_admin"):
        result, _ = await apply(gql, world, seeded, decisions, token=account)
        assert codes(result) == ["NOT_FOUND"], account
    await _untouched(owner_engine, seeded)


# --- refusals ----------------------------------------------------------------------------------

REFUSALS = [
    ([_d(99, "KEEP_OURS")], "UNKNOWN_ENTRY", "decisions.0.ordinal"),
    ([_d(-1, "KEEP_OURS")], "UNKNOWN_ENTRY", "decisions.0.ordinal"),
    ([_d(2**31 - 1, "KEEP_OURS")], "UNKNOWN_ENTRY", "decisions.0.ordinal"),
    ([_d(3, "KEEP_OURS"), _d(3, "KEEP_OURS")], "DUPLICATE_DECISION", "decisions.1.ordinal"),
    ([_d(3, "TAKE_THEIRS")], "DECISION_NOT_APPLICABLE", "decisions.0.resolution"),
    ([_d(1, "CREATE_HERE")], "DECISION_NOT_APPLICABLE", "decisions.0.resolution"),
    ([_d(1, "KEEP_OURS", ["name"])], "DECISION_NOT_APPLICABLE", "decisions.0.fields"),
    ([_d(1, "TAKE_THEIRS", [])], "DECISION_NOT_APPLICABLE", "decisions.0.fields"),
    ([_d(1, "TAKE_THEIRS", ["gender"])], "NOT_A_CONFLICT", "decisions.0.fields.0"),
    ([_d(1, "TAKE_THEIRS", ["name", "na\x00me"])], "NOT_A_CONFLICT", "decisions.0.fields.1"),
    ([_d(1, "TAKE_THEIRS", ["x" * 100_000])], "NOT_A_CONFLICT", "decisions.0.fields.0"),
    ([_d(1, "TAKE_THEIRS", ["stage"])], "FIELD_NOT_APPLICABLE", "decisions.0.fields.0"),
    ([_d(1, "TAKE_THEIRS", ["name", "contacts"])], "FIELD_NOT_APPLICABLE", "decisions.0.fields.1"),
    ([_d(1, "TAKE_THEIRS")], "FIELD_NOT_APPLICABLE", "decisions.0.fields"),  # stage, contacts
    ([_d(5, "TAKE_THEIRS")], "UNKNOWN_BRANCH", "decisions.0.fields"),
    ([_d(6, "CREATE_HERE")], "DUPLICATE_ID_NUMBER", "decisions.0"),
    ([_d(7, "TAKE_THEIRS", ["activist_date"])], "FUTURE_DATE", "decisions.0.fields.0"),
    ([_d(8, "CREATE_HERE")], "INCOMPLETE_ENTRY", "decisions.0"),
]


@pytest.mark.parametrize(("decisions", "code", "field"), REFUSALS)
async def test_refusals_name_their_place_and_write_nothing(  # type: ignore[no-untyped-def]
    gql, world, seeded, owner_engine, decisions, code, field
) -> None:
    # Good decisions around the bad one: all or nothing.
    good = [_d(1, "TAKE_THEIRS", ["name", "branch", "activist_date"]), _d(2, "CREATE_HERE")]
    taken = {d["ordinal"] for d in decisions}
    sent_good = [d for d in good if d["ordinal"] not in taken]
    result, sent = await apply(gql, world, seeded, [*decisions, *sent_good])
    assert "errors" not in result, result
    payload = result["data"]["applyReconciliation"]
    assert payload["report"] is None
    assert {(e["code"], e["field"]) for e in payload["errors"]} == {(code, field)}, payload
    for error in payload["errors"]:
        assert unresolved("applyReconciliation", error["field"], sent) is None
        assert error["sheet"] is None and error["row"] is None and error["column"] is None
    await _untouched(owner_engine, seeded)


async def test_a_reused_operations_permission_is_the_decisions_forbidden(  # type: ignore[no-untyped-def]
    gql, world, seeded, owner_engine
) -> None:
    # The sync account records at the school but may not transfer a recruit.
    result, _ = await apply(gql, world, seeded, [_d(1, "TAKE_THEIRS", ["branch"])], "sync_agent")
    errors = result["data"]["applyReconciliation"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("FORBIDDEN", "decisions.0.fields.0")]
    await _untouched(owner_engine, seeded)


CHINESE = [
    ([_d(99, "KEEP_OURS")], "核对报告中没有条目 99"),
    ([_d(1, "TAKE_THEIRS", ["stage"])], "发展阶段：12371 中该人员处于更后的阶段"),
    ([_d(1, "TAKE_THEIRS", ["na\x00me"])], "“na\\x00me”不是该条目不一致的字段"),
    ([_d(7, "TAKE_THEIRS", ["activist_date"])], "确定为入党积极分子日期：日期不能晚于今天"),
    ([_d(8, "CREATE_HERE")], "12371 中缺少在本平台建立记录所需的信息（性别）"),
]


@pytest.mark.parametrize(("decisions", "fragment"), CHINESE)
async def test_refusals_are_written_in_chinese(  # type: ignore[no-untyped-def]
    gql, world, seeded, decisions, fragment
) -> None:
    """The message a person reads is Chinese (a reused operation's too, led by the item it was
    writing); the code and field are as REFUSALS has them."""
    result, _ = await apply(gql, world, seeded, decisions)
    [error] = result["data"]["applyReconciliation"]["errors"]
    assert_chinese(error["message"])
    assert fragment in error["message"], error


async def test_hostile_input_is_never_a_500(gql, world, seeded, owner_engine) -> None:  # type: ignore[no-untyped-def]
    too_big = await gql(
        APPLY,
        {"input": {"reportId": seeded["report"], "decisions": [_d(2**40, "KEEP_OURS")]}},
        world.tokens["school_admin"],
    )
    assert codes(too_big) and "INTERNAL_SERVER_ERROR" not in codes(too_big)
    for report_id in (
        "",
        "garbage",
        gid("Recruit", seeded["first"]),
        gid("ReconciliationReport", 10**30),
    ):
        result = await gql(
            APPLY, {"input": {"reportId": report_id, "decisions": []}}, world.tokens["school_admin"]
        )
        # A malformed ID is refused by the schema, any other by the scope: never a 500.
        assert codes(result) == [
            "BAD_USER_INPUT" if report_id in ("", "garbage") else "NOT_FOUND"
        ], result
    many = [_d(n, "KEEP_OURS") for n in range(1000, 1300)]
    result, _ = await apply(gql, world, seeded, many)
    errors = result["data"]["applyReconciliation"]["errors"]
    assert len(errors) == 100 and {e["code"] for e in errors} == {"UNKNOWN_ENTRY"}
    await _untouched(owner_engine, seeded)


def test_every_refusal_a_decision_may_carry_is_a_payload_code() -> None:
    from partyplan.schema.reconciliation.types import FileErrorCodeEnum

    payload = {c.value for c in FileErrorCodeEnum}  # type: ignore[attr-defined]
    assert {c.value for c in RecruitErrorCode} <= payload
    assert {c.value for c in ReconciliationErrorCode} <= payload


_PROCEDURE_ADMIN_AND_FILINGS = {
    "TOO_MANY_ROWS",
    "INVALID_CALENDAR",
    "INVALID_OVERLAY",
    "NOT_A_COMMISSION",
    "FILING_EXISTS",
    "FILING_NOT_PENDING",
}
