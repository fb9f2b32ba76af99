"""The 12371 member export's layout, pure (resolvers/roster12371/rules.py)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from partyplan.resolvers.imports12371.workbook import header_key
from partyplan.resolvers.roster12371 import rules

TODAY = date(2025, 1, 1)


def line(**cells: str) -> tuple[rules.MemberLine | None, list[tuple[str, str]]]:
    base = {"code": "c-1", "name": "王芳", "branch": "第一党支部", "joined_on": "2010-07-01"}
    found, problems = rules.member_line({**base, **cells}, TODAY)
    return found, [(p.item, str(p.code)) for p in problems]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_every_calendar_date_written_yyyy_mm_dd_reads_back(day: date) -> None:
    assert rules.text_date(day.isoformat()) == day


def test_what_is_no_date_says_why() -> None:
    assert rules.text_date("") is None
    for text in ("2023-02-30", "2023/01/01", "20230101", "２０２３-０１-０１", "2023-1-1"):
        assert isinstance(rules.text_date(text), str), text


def test_a_row_and_its_problems() -> None:
    found, problems = line(full_on="2011-07-01")
    assert problems == [] and found == rules.MemberLine(
        "c-1", "王芳", "第一党支部", date(2010, 7, 1), date(2011, 7, 1), None
    )
    assert line(joined_on="")[1] == [("joined_on", "MISSING_VALUE")]
    assert line(branch=" ")[1] == [("branch", "MISSING_VALUE")]
    assert line(left_on="2009-01-01")[1] == [("left_on", "INVALID_DATES")]
    assert line(status="停止党籍")[1] == [("status", "INVALID_VALUE")]
    assert line(status="出党", left_on="2020-01-01")[1] == []
    assert line(status="正常")[1] == []
    assert line(code="a\0b")[1] == [("code", "INVALID_CODE")]


def test_headers_are_recognised_with_the_readers_comparison() -> None:
    assert rules.looks_like_headers(["序号", "党员编号", " 姓 名 "], header_key)
    assert not rules.looks_like_headers(["党员信息（导出）"], header_key)
    assert rules.missing_items(["code", "name"]) == ["branch", "joined_on"]


def test_a_branch_name_is_one_unit_or_a_problem() -> None:
    one = rules.Branch(1, "第一党支部", "1.2", True)
    old = rules.Branch(2, "第二党支部", "1.3", False)
    new = rules.Branch(3, "第二党支部", "1.4", True)
    twin = rules.Branch(4, "第三党支部", "1.5", True)
    twin2 = rules.Branch(5, "第三党支部", "1.6", True)
    named = rules.branches_by_name([one, old, new, twin, twin2])
    assert rules.resolve_branch("第一党支部", named) == one
    assert rules.resolve_branch("第二党支部", named) == new  # the dissolved one is not meant
    assert isinstance(rules.resolve_branch("第三党支部", named), rules.Problem)
    missing = rules.resolve_branch("x" * 10_000, named)
    assert isinstance(missing, rules.Problem) and len(missing.message) < 200
