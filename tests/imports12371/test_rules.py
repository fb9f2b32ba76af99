"""The 12371 layout read back (``imports12371.rules``): pure, no file, no database."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import id_number

from partyplan.resolvers.exports12371 import rules
from partyplan.resolvers.imports12371 import rules as layout
from partyplan.resolvers.imports12371.errors import CellInvalid, ImportErrorCode
from partyplan.resolvers.recruits.rules.ethnicities import ETHNICITIES
from partyplan.resolvers.warnings.rules.requirements import ITEMS

TODAY = date(2025, 3, 1)


def test_titles_and_headers_invert_the_export() -> None:
    assert {layout.stage_of(title) for title in rules.STAGE_NAMES.values()} == set(
        rules.STAGE_ORDER
    )
    assert layout.stage_of(" 预备党员 ") == "probationary"
    assert layout.stage_of("Sheet1") is None
    assert dict(layout.HEADER_ITEMS) == {label: item for item, label in ITEMS.items()}


@pytest.mark.parametrize(
    ("item", "text", "value", "cell"),
    [
        (
            "training",
            "2023-04-02(3天,24学时)",
            {"on": date(2023, 4, 2), "days": 3, "hours": 24},
            "2023-04-02（3天，24学时）",
        ),
        (
            "training",
            "2023-04-02（24学时）",
            {"on": date(2023, 4, 2), "hours": 24},
            "2023-04-02（24学时）",
        ),
        ("training", "2023-04-02", {"on": date(2023, 4, 2)}, "2023-04-02"),
        (
            "branch_meeting",
            "2023-05-20（应到030人，赞成27人）",
            {"on": date(2023, 5, 20), "entitled": 30, "in_favour": 27},
            "2023-05-20（应到30人，赞成27人）",
        ),
        (
            "contacts",
            " 李四 、阿依古丽 • 买买提",
            ["李四", "阿依古丽·买买提"],
            "李四、阿依古丽·买买提",
        ),
        (
            "id_number",
            id_number("20030504", 1)[:17].upper() + id_number("20030504", 1)[17],
            id_number("20030504", 1),
            id_number("20030504", 1),
        ),
        ("phone", "+86 138-0013-8000", "13800138000", "13800138000"),
        ("gender", "女", "female", "女"),
        ("political_review", "不合格", "unqualified", "不合格"),
    ],
)
def test_parse_normalises_as_the_export_writes(item: str, text: str, value: Any, cell: str) -> None:
    assert layout.parse(item, text, today=TODAY) == value
    assert layout.render(item, value) == cell


@pytest.mark.parametrize(
    ("item", "text", "code"),
    [
        ("birth_date", "2023-2-3", ImportErrorCode.INVALID_DATE),
        ("birth_date", "2023-02-29", ImportErrorCode.INVALID_DATE),
        ("birth_date", "2023-02-28T00:00", ImportErrorCode.INVALID_DATE),
        ("oath", "０２０23-01-01", ImportErrorCode.INVALID_DATE),
        ("id_number", "110***********1234", ImportErrorCode.MASKED_ID_NUMBER),
        ("phone", "138****8000", ImportErrorCode.MASKED_ID_NUMBER),
        ("id_number", id_number("20300101", 1), ImportErrorCode.INVALID_ID_NUMBER),  # future
        ("ethnicity", "穿青人", ImportErrorCode.UNKNOWN_ETHNICITY),
        ("recommended_by", "自荐", ImportErrorCode.UNKNOWN_CHOICE),
        ("training", "2023-04-02（）", ImportErrorCode.INVALID_VALUE),
        ("training", "2023-04-02（3天，3天）", ImportErrorCode.INVALID_VALUE),
        ("training", "2023-04-02（3天）（4学时）", ImportErrorCode.INVALID_VALUE),
        ("conversion_meeting", "2024-05-20（应到1000001人）", ImportErrorCode.INVALID_VALUE),
        ("conversion_meeting", "2024-05-20（应到１０人）", ImportErrorCode.INVALID_VALUE),
        ("introducers", "王五、李 四 五 六 七、" * 10, ImportErrorCode.INVALID_VALUE),
        ("branch", "支" * 201, ImportErrorCode.INVALID_VALUE),
    ],
)
def test_parse_refuses(item: str, text: str, code: ImportErrorCode) -> None:
    with pytest.raises(CellInvalid) as caught:
        layout.parse(item, text, today=TODAY)
    assert caught.value.code == code


def test_identity_agreement() -> None:
    female = id_number("20030504", 3, female=True)
    values = {"id_number": female, "gender": "female", "birth_date": date(2003, 5, 4)}
    assert layout.identity_problems(values) == []
    values = {"id_number": female, "gender": "male", "birth_date": date(2003, 5, 5)}
    found = layout.identity_problems(values)
    assert [(item, p.code) for item, p in found] == [
        ("birth_date", ImportErrorCode.IDENTITY_MISMATCH),
        ("gender", ImportErrorCode.IDENTITY_MISMATCH),
    ]


def test_dates_in_procedure_order() -> None:
    values: dict[str, Any] = {
        "application_date": date(2021, 9, 10),
        "target_date": date(2021, 9, 1),  # before the application, the activist date missing
        "branch_meeting": {"on": date(2023, 5, 20)},
        "approval": date(2023, 5, 20),  # the same day is in order
        "conversion_meeting": {"on": date(2024, 5, 1)},
        "conversion_application": date(2024, 5, 2),
    }
    found = layout.order_problems(values)
    assert [(item, p.code) for item, p in found] == [
        ("target_date", ImportErrorCode.DATES_OUT_OF_ORDER),
        ("conversion_meeting", ImportErrorCode.DATES_OUT_OF_ORDER),
    ]
    assert "申请入党日期" in found[0][1].message


# --- render(parse(x)) == x ----------------------------------------------------------------------

days = st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31))
counts = st.integers(min_value=0, max_value=layout.COUNT_LIMIT)
chinese = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=6
)
names = st.one_of(chinese, st.builds(lambda a, b: f"{a}·{b}", chinese, chinese))


def optional_parts(keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={key: counts for key in keys})


def dated(keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(lambda on, parts: {"on": on, **parts}, days, optional_parts(keys))


def id_numbers() -> st.SearchStrategy[str]:
    return st.builds(
        lambda born, sequence, female: id_number(born.strftime("%Y%m%d"), sequence, female=female),
        st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
        st.integers(min_value=0, max_value=499),
        st.booleans(),
    )


VALUES: dict[str, st.SearchStrategy[Any]] = {
    "name": names,
    "id_number": id_numbers(),
    "phone": st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    "ethnicity": st.sampled_from([e.name for e in ETHNICITIES]),
    "branch": chinese,
    "contacts": st.lists(names, min_size=1, max_size=3),
    "introducers": st.lists(names, min_size=1, max_size=3),
    "training": dated(("days", "hours")),
    "branch_meeting": dated(("entitled", "present", "in_favour")),
    "conversion_meeting": dated(("entitled", "present", "in_favour")),
    **{item: st.sampled_from(sorted(labels)) for item, labels in rules.CHOICE_LABELS.items()},
    **{
        item: days
        for item in ITEMS
        if item.endswith("_date")
        or item
        in ("approval", "oath", "pre_review", "conversion_application", "conversion_approval")
    },
}


def test_every_item_has_a_strategy() -> None:
    assert set(VALUES) == set(ITEMS)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(ITEMS)).flatmap(lambda item: st.tuples(st.just(item), VALUES[item])))
def test_render_of_parse_is_the_text(case: tuple[str, Any]) -> None:
    item, value = case
    text = layout.render(item, value)
    assert text  # every generated value shows
    parsed = layout.parse(item, text, today=TODAY)
    assert parsed == value
    assert layout.render(item, parsed) == text


@settings(max_examples=50, deadline=None)
@given(st.fixed_dictionaries({}, optional=VALUES))
def test_a_row_renders_as_the_export_renders_it(values: dict[str, Any]) -> None:
    items = tuple(ITEMS)
    rendered = layout.render_row(items, values)
    for item in items:
        assert rendered[item] == (layout.render(item, values[item]) if item in values else "")
