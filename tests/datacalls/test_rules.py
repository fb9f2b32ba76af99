"""The pure rules of data calls: the form checked and stored, answers checked against it (every
refusal at once, each naming ``answers.<key>`` in Chinese), where a call stands, and the
roll-up's sums and counts."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from partyplan.resolvers.datacalls import rules
from partyplan.resolvers.datacalls.errors import DataCallError
from partyplan.resolvers.errors import ValidationErrors

FORM = rules.check_form(
    [
        {"key": "teachers", "label": "教师人数", "kind": "number", "min": 0, "max": None},
        {"key": "ratio", "label": "比例", "kind": "number", "decimals": 2, "min": 0, "max": 1},
        {"key": "level", "label": "等级", "kind": "choice", "options": ["甲", "乙"]},
        {"key": "note", "label": "说明", "kind": "text", "required": False, "max_length": 5},
        {
            "key": "on",
            "label": "日期",
            "kind": "date",
            "required": False,
            "latest": date(2026, 12, 31),
        },
    ]
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_form_is_stored_with_its_defaults() -> None:
    assert FORM[0] == {
        "key": "teachers",
        "label": "教师人数",
        "kind": "number",
        "required": True,
        "min": 0,
        "max": None,
        "decimals": 0,
    }
    assert FORM[3]["max_length"] == 5 and FORM[4]["latest"] == "2026-12-31"


def test_every_refusal_at_once_in_chinese() -> None:
    with pytest.raises(ValidationErrors) as caught:
        rules.check_answers(
            FORM, {"teachers": -1, "ratio": 0.333, "level": "丙", "note": "太长的说明文字", "x": 1}
        )
    found = {e.field: e for e in caught.value.errors}
    assert set(found) == {
        "answers.teachers",
        "answers.ratio",
        "answers.level",
        "answers.note",
        "answers.x",
    }
    assert all(_CJK.search(e.message) for e in found.values())
    assert "甲、乙" in found["answers.level"].message


def test_answers_are_normalised() -> None:
    stored = rules.check_answers(
        FORM, {"teachers": 12.0, "ratio": 0.25, "level": "甲", "note": " 好 ", "on": None}
    )
    assert stored == {"teachers": 12, "ratio": 0.25, "level": "甲", "note": "好"}
    assert isinstance(stored["teachers"], int)


@pytest.mark.parametrize(
    "value", [float("inf"), float("nan"), 10**13, True, "1", [1], {"a": 1}, 1e-3]
)
def test_a_number_that_is_not_one_is_refused(value: object) -> None:
    with pytest.raises(ValidationErrors) as caught:
        rules.check_answers(FORM, {"teachers": value, "ratio": 0, "level": "甲"})
    assert [e.field for e in caught.value.errors] == ["answers.teachers"]


def test_where_a_call_stands() -> None:
    due = date(2027, 5, 31)
    assert rules.standing(due, False, due) is rules.Standing.OPEN
    assert rules.standing(due, False, date(2027, 6, 1)) is rules.Standing.PAST_DUE
    assert rules.standing(due, True, date(2027, 5, 1)) is rules.Standing.CLOSED
    rules.check_answerable(rules.Standing.PAST_DUE, False, due)  # a late first answer
    with pytest.raises(DataCallError) as caught:
        rules.check_answerable(rules.Standing.PAST_DUE, True, due)
    assert caught.value.code == "DUE_DATE_PASSED"


def test_the_rollup_sums_numbers_and_counts_choices() -> None:
    responses = [
        ("1.2", {"teachers": 1, "ratio": 0.1, "level": "甲"}),  # the unit itself
        ("1.2.3", {"teachers": 2, "ratio": 0.2, "level": "乙"}),
        ("1.2.3.4", {"teachers": 4, "ratio": 0.1, "level": "甲"}),
        ("1.2.5", None),  # not answered
        ("1.9", {"teachers": 100, "ratio": 1, "level": "甲"}),  # outside the unit
    ]
    lines, own, total = rules.aggregate(FORM, responses, ["1.2.3", "1.2.5", "1.2.6"], "1.2")
    assert (total.expected, total.answered) == (4, 3)
    assert total.totals(FORM) == {"teachers": 7, "ratio": 0.4}
    assert total.sums["ratio"] == Decimal("0.4")  # not 0.4000000000000001
    assert total.choices(FORM) == {"level": {"甲": 2, "乙": 1}}
    assert lines["1.2.3"].totals(FORM) == {"teachers": 6, "ratio": 0.3}
    assert (lines["1.2.5"].expected, lines["1.2.5"].answered) == (1, 0)
    assert lines["1.2.5"].totals(FORM) == {"teachers": 0, "ratio": 0}
    assert lines["1.2.6"].expected == 0
    assert own.totals(FORM) == {"teachers": 1, "ratio": 0.1}
