"""Identity rules: GB 11643-1999 ID numbers, their agreement with birth date and gender, age,
the 56 ethnicities of GB 3304, names, mobile numbers and masking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.recruits.errors import RecruitError, RecruitErrorCode
from partyplan.resolvers.recruits.rules.identity import (
    ETHNICITIES,
    ETHNICITY_CODES,
    age_on,
    birth_date_of,
    check_birth_date_matches,
    check_ethnicity,
    check_gender_matches,
    check_id_number,
    check_identity,
    check_minimum_age,
    check_name,
    check_phone,
    gender_of,
    mask_id_number,
    mask_phone,
    turns_age_on,
)

TODAY = date(2025, 6, 1)


def check_character(body: str) -> str:
    """ISO 7064 MOD 11-2 by its recursive definition, independent of the weight table."""
    assert len(body) == 17 and body.isdigit()
    remainder = 0
    for digit in body:
        remainder = (remainder + int(digit)) * 2 % 11
    check = (12 - remainder) % 11
    return "X" if check == 10 else str(check)


def make_id(area: str = "110105", birth: str = "19900307", sequence: str = "123") -> str:
    """A real-format 18-digit ID number: area + birth date + sequence + check character."""
    body = area + birth + sequence
    return body + check_character(body)


def wrong_check(id_number: str) -> str:
    """The same number with a different (wrong) check character."""
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


def raises(
    code: RecruitErrorCode,
    field: str | None,
    call: Callable[..., object],
    /,
    *args: Any,
    **kwargs: Any,
) -> RecruitError:
    """Call and return the RecruitError it raised, after checking its code and field."""
    with pytest.raises(RecruitError) as info:
        call(*args, **kwargs)
    assert info.value.code == code
    assert info.value.field == field
    assert isinstance(info.value, DomainError)
    return info.value


# --- the test helper itself ---------------------------------------------------------------------


def test_helper_reproduces_the_standards_examples() -> None:
    # The two examples printed in GB 11643-1999.
    assert make_id("110105", "19491231", "002") == "11010519491231002X"
    assert make_id("440524", "18800101", "001") == "440524188001010014"


# --- check_id_number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "id_number",
    [
        make_id(),
        make_id("110105", "19491231", "002"),  # check character X
        make_id("650102", "20000229", "017"),  # leap day, Xinjiang
        make_id("500101", "19010101", "999"),  # Chongqing, early date
        make_id("140105", "19000101", "001"),  # the earliest date accepted
        make_id("810000", "19950701", "456"),  # Hong Kong residence permit
        make_id("370202", TODAY.strftime("%Y%m%d"), "002"),  # born today
    ],
)
def test_valid_id_numbers_accepted(id_number: str) -> None:
    assert check_id_number(id_number, today=TODAY) == id_number


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("11010519491231002x", "11010519491231002X"),
        ("  11010519491231002X\n", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),  # full-width input
    ],
)
def test_id_number_normalised(raw: str, normalised: str) -> None:
    assert check_id_number(raw, today=TODAY) == normalised


@pytest.mark.parametrize(
    ("id_number", "reason"),
    [
        (wrong_check(make_id()), "校验码错误"),
        (wrong_check(make_id("110105", "19491231", "002")), "校验码错误"),
        (make_id(birth="20230230"), "出生日期无效"),
        (make_id(birth="20231301"), "出生日期无效"),
        (make_id(birth="19900000"), "出生日期无效"),
        (make_id("440524", "18800101", "001"), "早于 1900 年"),
        (make_id(birth=(TODAY + timedelta(days=1)).strftime("%Y%m%d")), "晚于今天"),
        (make_id(birth="20300101"), "晚于今天"),
        ("110105491231002", "15 位"),
        (make_id()[:17], "17 位数字"),
        (make_id() + "1", "17 位数字"),
        ("11010519X91231002X", "17 位数字"),
        ("", "17 位数字"),
        ("1101 0519491231002X", "17 位数字"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "17 位数字"),  # Arabic-Indic digits are digits, not ASCII
        (make_id("000000"), "省级行政区划代码"),
        (make_id("900101"), "省级行政区划代码"),  # foreigners' permanent residence card
        (make_id("191234"), "省级行政区划代码"),
        (make_id("601234"), "省级行政区划代码"),
    ],
)
def test_invalid_id_numbers_refused(id_number: str, reason: str) -> None:
    error = raises(
        RecruitErrorCode.INVALID_ID_NUMBER, "idNumber", check_id_number, id_number, today=TODAY
    )
    assert reason in error.message


def test_error_message_does_not_echo_the_id_number() -> None:
    id_number = wrong_check(make_id())
    error = raises(
        RecruitErrorCode.INVALID_ID_NUMBER, "idNumber", check_id_number, id_number, today=TODAY
    )
    assert id_number[:17] not in error.message


# --- derivations --------------------------------------------------------------------------------


def test_birth_date_of() -> None:
    assert birth_date_of(make_id(birth="20000229")) == date(2000, 2, 29)
    assert birth_date_of("11010519491231002x") == date(1949, 12, 31)


@pytest.mark.parametrize(
    ("sequence", "gender"),
    [("001", "male"), ("123", "male"), ("999", "male"), ("002", "female"), ("120", "female")],
)
def test_gender_of_follows_the_17th_digit(sequence: str, gender: str) -> None:
    assert gender_of(make_id(sequence=sequence)) == gender


@pytest.mark.parametrize("derive", [birth_date_of, gender_of])
def test_derivations_refuse_invalid_numbers(derive: Callable[[str], object]) -> None:
    raises(RecruitErrorCode.INVALID_ID_NUMBER, "idNumber", derive, wrong_check(make_id()))


# --- check_identity -------------------------------------------------------------------------------


def test_identity_agreeing_accepted() -> None:
    check_identity(make_id(birth="19900307", sequence="123"), date(1990, 3, 7), "male", TODAY)
    check_identity("11010519491231002x", date(1949, 12, 31), "female", TODAY)


def test_birth_date_mismatch_names_birth_date() -> None:
    raises(
        RecruitErrorCode.ID_BIRTH_DATE_MISMATCH,
        "birthDate",
        check_identity,
        make_id(birth="19900307"),
        date(1990, 7, 3),
        "male",
        TODAY,
    )


def test_gender_mismatch_names_gender() -> None:
    raises(
        RecruitErrorCode.ID_GENDER_MISMATCH,
        "gender",
        check_identity,
        make_id(birth="19900307", sequence="124"),
        date(1990, 3, 7),
        "male",
        TODAY,
    )


def test_both_mismatching_reports_the_birth_date_first() -> None:
    id_number = make_id(birth="19900307", sequence="124")
    raises(
        RecruitErrorCode.ID_BIRTH_DATE_MISMATCH,
        "birthDate",
        check_identity,
        id_number,
        date(1991, 3, 7),
        "male",
        TODAY,
    )
    # …and a service collecting every error can still get both, one check at a time.
    raises(
        RecruitErrorCode.ID_BIRTH_DATE_MISMATCH,
        "birthDate",
        check_birth_date_matches,
        id_number,
        date(1991, 3, 7),
    )
    raises(RecruitErrorCode.ID_GENDER_MISMATCH, "gender", check_gender_matches, id_number, "male")


def test_invalid_id_number_reported_before_agreement() -> None:
    raises(
        RecruitErrorCode.INVALID_ID_NUMBER,
        "idNumber",
        check_identity,
        wrong_check(make_id()),
        date(1991, 3, 7),
        "female",
        TODAY,
    )


def test_future_id_number_refused_by_check_identity() -> None:
    raises(
        RecruitErrorCode.INVALID_ID_NUMBER,
        "idNumber",
        check_identity,
        make_id(birth="20300101"),
        date(2030, 1, 1),
        "male",
        TODAY,
    )


@pytest.mark.parametrize("gender", ["", "MALE", "男", "other"])
def test_unknown_gender_refused(gender: str) -> None:
    raises(RecruitErrorCode.INVALID_GENDER, "gender", check_gender_matches, make_id(), gender)


# --- age ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2000, 6, 15), date(2018, 6, 14), 17),
        (date(2000, 6, 15), date(2018, 6, 15), 18),  # the birthday itself counts
        (date(2000, 6, 15), date(2000, 6, 15), 0),
        (date(2000, 12, 31), date(2019, 1, 1), 18),
        # 29 February: one year older on 1 March in non-leap years, on 29 February in leap years.
        (date(2004, 2, 29), date(2022, 2, 28), 17),
        (date(2004, 2, 29), date(2022, 3, 1), 18),
        (date(2004, 2, 29), date(2024, 2, 28), 19),
        (date(2004, 2, 29), date(2024, 2, 29), 20),
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def test_turns_age_on_follows_the_same_convention() -> None:
    assert turns_age_on(date(2004, 2, 29), 18) == date(2022, 3, 1)
    assert turns_age_on(date(2004, 2, 29), 20) == date(2024, 2, 29)
    assert turns_age_on(date(2000, 6, 15), 18) == date(2018, 6, 15)
    born = date(2004, 2, 29)
    for years in range(30):
        reached = turns_age_on(born, years)
        assert age_on(born, reached) == years
        if years:
            assert age_on(born, reached - timedelta(days=1)) == years - 1


def test_age_on_refuses_a_date_before_birth() -> None:
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


def test_under_18_at_application_refused() -> None:
    error = raises(
        RecruitErrorCode.UNDERAGE,
        "applicationDate",
        check_minimum_age,
        date(2006, 9, 1),
        date(2024, 8, 31),
    )
    assert "2024-09-01" in error.message


@pytest.mark.parametrize(
    ("born", "applied", "ok"),
    [
        (date(2006, 9, 1), date(2024, 9, 1), True),
        (date(2004, 2, 29), date(2022, 2, 28), False),
        (date(2004, 2, 29), date(2022, 3, 1), True),
        (date(2006, 9, 1), date(2006, 1, 1), False),  # applied before birth: a data error
    ],
)
def test_minimum_age_boundaries(born: date, applied: date, ok: bool) -> None:
    if ok:
        check_minimum_age(born, applied)
    else:
        raises(RecruitErrorCode.UNDERAGE, "applicationDate", check_minimum_age, born, applied)


def test_minimum_age_with_another_field_and_minimum() -> None:
    raises(
        RecruitErrorCode.UNDERAGE,
        "activistDate",
        check_minimum_age,
        date(2000, 1, 1),
        date(2020, 12, 31),
        minimum=21,
        field="activistDate",
    )


# --- ethnicity ------------------------------------------------------------------------------------

# GB 3304-1991, in order; kept here as an independent copy of the table under test.
OFFICIAL_ORDER = (  # noqa: SIM905 - one line per ten names reads like the printed table
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 "
    "满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 "
    "佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 "
    "达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 "
    "塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 "
    "独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()


def test_all_56_ethnicities_once_with_codes_01_to_56() -> None:
    names = [e.name for e in ETHNICITIES]
    assert len(ETHNICITIES) == 56
    assert len(set(names)) == 56
    assert [e.code for e in ETHNICITIES] == [f"{n:02d}" for n in range(1, 57)]
    assert names == OFFICIAL_ORDER
    assert all(name.endswith("族") for name in names)
    assert dict(ETHNICITY_CODES) == {e.name: e.code for e in ETHNICITIES}


@pytest.mark.parametrize(
    ("name", "code"), [("汉族", "01"), ("回族", "03"), ("维吾尔族", "05"), ("基诺族", "56")]
)
def test_ethnicity_landmarks(name: str, code: str) -> None:
    assert ETHNICITY_CODES[name] == code
    assert ETHNICITIES[int(code) - 1].name == name


@pytest.mark.parametrize("name", OFFICIAL_ORDER)
def test_every_official_name_accepted(name: str) -> None:
    assert check_ethnicity(name) == name
    assert check_ethnicity(f" {name}\t") == name


@pytest.mark.parametrize(
    "name", ["", "汉", "维吾尔", "汉族人", "Han", "01", "崩龙族", "穿青人", "其他", "汉 族"]
)
def test_other_ethnicity_names_refused(name: str) -> None:
    error = raises(RecruitErrorCode.INVALID_ETHNICITY, "ethnicity", check_ethnicity, name)
    assert "56" in error.message and len(error.message) < 120


# --- name -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("张三", "张三"),
        ("  欧阳 娜娜 ", "欧阳 娜娜"),
        ("欧阳\u3000\t娜娜", "欧阳 娜娜"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("𠀀𠀁", "𠀀𠀁"),  # CJK extension B
        ("Anna Maria", "Anna Maria"),
        ("李" * 50, "李" * 50),
    ],
)
def test_names_accepted_and_normalised(raw: str, normalised: str) -> None:
    assert check_name(raw) == normalised


@pytest.mark.parametrize(
    "name",
    ["", "   ", "李" * 51, "张三1", "张三!", "张<三>", "·张三", "张三·", "张··三", "张\x00三"],
)
def test_bad_names_refused(name: str) -> None:
    raises(RecruitErrorCode.INVALID_NAME, "name", check_name, name)


# --- phone ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        " 13812345678 ",
        "138 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "１３８１２３４５６７８",  # full-width digits
    ],
)
def test_phone_normalised_to_11_digits(phone: str) -> None:
    assert check_phone(phone) == "13812345678"


@pytest.mark.parametrize("first_two", ["13", "14", "15", "16", "17", "18", "19"])
def test_every_mobile_prefix_accepted(first_two: str) -> None:
    assert check_phone(first_two + "012345678") == first_two + "012345678"


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "+86",
        "12812345678",
        "10812345678",
        "1381234567",
        "138123456789",
        "8613812345678",
        "008613812345678",
        "+85213812345678",
        "010-12345678",
        "1381234567a",
        "(138)12345678",
    ],
)
def test_bad_phones_refused(phone: str) -> None:
    raises(RecruitErrorCode.INVALID_PHONE, "phone", check_phone, phone)


# --- masking --------------------------------------------------------------------------------------


def test_mask_id_number_format() -> None:
    masked = mask_id_number("110105199003071234")
    assert masked == "110***********1234"
    assert len(masked) == 18 and masked.count("*") == 11
    assert mask_id_number("11010519491231002x") == "110***********002X"


def test_mask_phone_format() -> None:
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone])
@pytest.mark.parametrize("value", ["", "1", "1234567"])
def test_masking_short_values_hides_everything(mask: Callable[[str], str], value: str) -> None:
    assert mask(value) == "*" * len(value)
