"""A prepared 12371 file of 1,000 rows with five kinds of conflicts gives exactly the expected
report: the school's own export, edited row by row as the 12371 system would differ."""

from __future__ import annotations

from datetime import date, timedelta

from support import id_number, scalar
from support_reconciliation import column, edited, entries, exported, sheet, upload
from support_recruits import WALK, person

IMPORT = """mutation($input: ImportRecruitsInput!) { importRecruits(input: $input) {
  errors { index code field message } } }"""
PEOPLE = 1000


def born(n: int) -> date:
    return date(2003, 5, 4) + timedelta(days=n // 400)


def row(world, n: int) -> dict:  # type: ignore[no-untyped-def]
    birth = born(n)
    values = person(
        idNumber=id_number(birth.strftime("%Y%m%d"), n % 400),
        birthDate=birth.isoformat(),
        name="学生" + "".join("零一二三四五六七八九"[int(d)] for d in f"{n:04d}"),
    )
    # Every tenth walks on to activist: two sheets, the activist's own columns compared too.
    steps = 4 if n % 10 == 0 else 0
    past = [
        {"step": code.upper(), "on": on.isoformat(), "data": data}
        for code, on, data, _ in WALK[:steps]
    ]
    return {"branchId": world.gid("A1a"), **values, "steps": past}


async def test_a_prepared_file_gives_exactly_the_expected_report(  # type: ignore[no-untyped-def]
    client, gql, world
) -> None:
    token = world.tokens["school_admin"]
    for start in range(0, PEOPLE, 500):
        rows = [row(world, n) for n in range(start, start + 500)]
        result = await gql(IMPORT, {"input": {"rows": rows}}, world.tokens["unit_admin"])
        assert result["data"]["importRecruits"]["errors"] == [], result
    # The five kinds, each on rows of its own (row numbers of the applicant sheet: data
    # starts on row 3), plus rows removed (only here) and rows added (only in 12371).
    kinds = {
        "name": (range(3, 13), lambda v: f"{v}改"),
        "phone": (range(20, 28), lambda v: "13900001111"),
        "ethnicity": (range(30, 36), lambda v: "回族"),
        "education": (range(40, 44), lambda v: "大学本科"),
        "category": (range(50, 53), lambda v: "研究生"),
    }
    removed = list(range(600, 607))
    added = 5
    expected: dict[str, set[str]] = {}

    def edit(book) -> None:  # type: ignore[no-untyped-def]
        applicants = sheet(book, "applicant")
        name_at = column(book, "applicant", "name")
        for item, (numbers, change) in kinds.items():
            at = column(book, "applicant", item)
            for number in numbers:
                expected[applicants.cell(number, name_at).value] = {item}
                cell = applicants.cell(number, at)
                cell.value = change(cell.value)
        template = [c.value for c in applicants[3]]
        for k in range(added):
            birth = date(1999, 1, 1) + timedelta(days=k)
            values = list(template)
            values[name_at - 1] = f"新人{'甲乙丙丁戊'[k]}"
            values[column(book, "applicant", "id_number") - 1] = id_number(
                birth.strftime("%Y%m%d"), 1
            )
            values[column(book, "applicant", "birth_date") - 1] = birth.isoformat()
            applicants.append(values)
        for number in reversed(removed):
            applicants.delete_rows(number)

    content = edited(await exported(client, world), edit)
    result = await upload(client, token, world.gid("A"), content)
    payload = result["data"]["import12371"]
    assert payload["errors"] == []
    report = payload["report"]
    conflicting = sum(len(numbers) for numbers, _ in kinds.values())  # 31
    assert report["rowsRead"] == PEOPLE - len(removed) + added
    assert report["conflicting"] == conflicting
    assert report["matched"] == PEOPLE - len(removed) - conflicting
    assert (report["onlyIn12371"], report["onlyHere"]) == (added, len(removed))
    found = await entries(gql, token, report["id"], ["CONFLICTING"])
    assert {e["name"].removesuffix("改"): {c["field"] for c in e["conflicts"]} for e in found} == {
        name: items for name, items in expected.items()
    }
    only = await entries(gql, token, report["id"], ["ONLY_IN_12371"])
    assert sorted(e["name"] for e in only) == sorted(f"新人{c}" for c in "甲乙丙丁戊")
    here = await entries(gql, token, report["id"], ["ONLY_HERE"])
    assert len(here) == len(removed)
    assert all(e["stage"] == "APPLICANT" and e["sheet"] is None for e in here)
    everything = await entries(gql, token, report["id"])
    assert [e["ordinal"] for e in everything] == list(range(1, report["rowsRead"] + 8))


APPLY = """mutation($input: ApplyReconciliationInput!) { applyReconciliation(input: $input) {
  report { status evidenceSha256 } errors { code field message } } }"""


async def test_chosen_decisions_give_the_expected_records_and_audit(  # type: ignore[no-untyped-def]
    client, gql, world, owner_engine
) -> None:
    """The round trip's other half: a file edited as 12371 differs, and the decisions taken on
    its report through the API — take theirs, keep ours, create here."""
    token = world.tokens["school_admin"]
    rows = [{**row(world, n), "steps": []} for n in range(20)]  # all applicants
    result = await gql(IMPORT, {"input": {"rows": rows}}, world.tokens["unit_admin"])
    assert result["data"]["importRecruits"]["errors"] == []
    newcomer = id_number("19990101", 1)

    def edit(book) -> None:  # type: ignore[no-untyped-def]
        applicants = sheet(book, "applicant")
        name_at = column(book, "applicant", "name")
        applicants.cell(3, name_at).value = "改名甲"
        applicants.cell(4, column(book, "applicant", "ethnicity")).value = "回族"
        applicants.cell(5, column(book, "applicant", "education")).value = "大学本科"
        values = [c.value for c in applicants[6]]
        values[name_at - 1] = "新人甲"
        values[column(book, "applicant", "id_number") - 1] = newcomer
        values[column(book, "applicant", "birth_date") - 1] = "1999-01-01"
        applicants.append(values)

    content = edited(await exported(client, world), edit)
    uploaded = await upload(client, token, world.gid("A"), content)
    report = uploaded["data"]["import12371"]["report"]
    assert (report["conflicting"], report["onlyIn12371"]) == (3, 1)
    by_name = {e["name"]: e for e in await entries(gql, token, report["id"])}
    decisions = [
        {"ordinal": by_name["改名甲"]["ordinal"], "resolution": "TAKE_THEIRS"},
        {"ordinal": by_name[rows[1]["name"]]["ordinal"], "resolution": "KEEP_OURS"},
        {
            "ordinal": by_name[rows[2]["name"]]["ordinal"],
            "resolution": "TAKE_THEIRS",
            "fields": ["education"],
        },
        {"ordinal": by_name["新人甲"]["ordinal"], "resolution": "CREATE_HERE"},
    ]
    before = await scalar(owner_engine, "SELECT max(id) FROM audit_log")
    applied = await gql(APPLY, {"input": {"reportId": report["id"], "decisions": decisions}}, token)
    payload = applied["data"]["applyReconciliation"]
    assert payload["errors"] == []
    assert payload["report"]["status"] == "APPLIED"
    people = await scalar(
        owner_engine,
        "SELECT json_agg(json_build_array(name, ethnicity, education) ORDER BY id) FROM recruits",
    )
    assert people[0] == ["改名甲", "汉族", "below_college"]
    assert people[1] == [rows[1]["name"], "汉族", "below_college"]  # kept ours
    assert people[2] == [rows[2]["name"], "汉族", "bachelor"]
    assert people[-1] == ["新人甲", "汉族", "below_college"]
    assert len(people) == 21
    operations = await scalar(
        owner_engine,
        "SELECT json_agg(operation ORDER BY id) FROM audit_log WHERE id > :b",
        b=before,
    )
    assert sorted(operations) == sorted(
        ["updateRecruit", "updateRecruit", "createRecruit", "applyReconciliation"]
    ), operations
