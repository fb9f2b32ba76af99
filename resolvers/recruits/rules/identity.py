"""Identity data of a recruit: ID number, birth date, gender, age, ethnicity, name and phone.

Pure checks and derivations, no I/O. Each check returns the normalised value or raises a
:class:`RecruitError` naming the camelCase GraphQL input field it is about. These are the checks
the national 12371 system is known to make (docs/domain.md): the GB 11643-1999 check
digit, the ID number's agreement with birth date and gender, and the 56 official ethnicity names
of GB 3304. "Today" is always an argument: the caller passes the date in Asia/Shanghai, a rule
never reads a clock.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Literal, NamedTuple, get_args

from partyplan.resolvers.recruits.errors import RecruitError, RecruitErrorCode
from partyplan.resolvers.text import person_name

from .ethnicities import ETHNICITIES, ETHNICITY_CODES, Ethnicity, check_ethnicity

__all__ = [
    "ETHNICITIES",
    "ETHNICITY_CODES",
    "GENDERS",
    "MINIMUM_APPLICATION_AGE",
    "Ethnicity",
    "Gender",
    "age_on",
    "birth_date_of",
    "check_birth_date_matches",
    "check_character",
    "check_ethnicity",
    "check_gender_matches",
    "check_id_number",
    "check_identity",
    "check_minimum_age",
    "check_name",
    "check_phone",
    "gender_of",
    "mask_id_number",
    "mask_phone",
    "turns_age_on",
]

Gender = Literal["male", "female"]
GENDERS: tuple[Gender, ...] = get_args(Gender)

#: Party Constitution art. 1: an applicant must have reached the age of eighteen.
MINIMUM_APPLICATION_AGE = 18

# --- ID number (GB 11643-1999) ----------------------------------------------------------------

ID_NUMBER_LENGTH = 18
LEGACY_ID_NUMBER_LENGTH = 15
# GB 11643-1999 check code (ISO 7064 MOD 11-2): the weight of position i (1-based) is
# 2^(18-i) mod 11.
_CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum mod 11
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
# Province-level codes of GB/T 2260 (plus 81/82/83, the residence permits of Hong Kong, Macao and
# Taiwan residents). They have not changed since 1997, unlike the ~3,000 county codes we
# deliberately do not ship: an ID number keeps the county code it was issued under even after
# the county is merged or renamed, so a county list would refuse real people.
# By region: 1x North, 2x North-East, 3x East, 4x Central-South, 5x South-West, 6x North-West.
_PROVINCE_RANGES = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 83))
_PROVINCE_CODES = frozenset(
    str(code) for first, last in _PROVINCE_RANGES for code in range(first, last + 1)
)
_EARLIEST_BIRTH_DATE = date(1900, 1, 1)


class _IdNumber(NamedTuple):
    normalised: str
    birth_date: date
    gender: Gender


def _invalid_id(message: str) -> RecruitError:
    return RecruitError(RecruitErrorCode.INVALID_ID_NUMBER, message, "idNumber")


def _normalise_id_number(id_number: str) -> str:
    # NFKC turns full-width digits and "Ｘ" (common from Chinese input methods) into ASCII.
    return unicodedata.normalize("NFKC", id_number).strip().upper()


def check_character(first_17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, _CHECK_WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def _parse_id_number(id_number: str) -> _IdNumber:
    """Everything about an ID number that does not depend on today's date."""
    value = _normalise_id_number(id_number)
    if len(value) == LEGACY_ID_NUMBER_LENGTH and value.isascii() and value.isdigit():
        raise _invalid_id(
            "不接受 15 位（第一代）公民身份号码：12371 系统要求 GB 11643-1999 规定的 18 位号码"
        )
    # isdigit() alone would accept other scripts' digits; the pattern is ASCII only.
    if not _ID_SHAPE.fullmatch(value):
        raise _invalid_id("公民身份号码应为 17 位数字加 1 位校验码（0-9 或 X）")
    if value[:2] not in _PROVINCE_CODES:
        raise _invalid_id("公民身份号码的前两位不是有效的省级行政区划代码")
    if check_character(value[:17]) != value[17]:
        raise _invalid_id("公民身份号码的校验码错误（GB 11643-1999）")
    try:
        birth_date = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise _invalid_id("公民身份号码中的出生日期无效") from None
    if birth_date < _EARLIEST_BIRTH_DATE:
        raise _invalid_id("公民身份号码中的出生日期早于 1900 年")
    # GB 11643-1999: the sequence code (positions 15-17) is odd for men, even for women.
    gender: Gender = "male" if int(value[16]) % 2 else "female"
    return _IdNumber(value, birth_date, gender)


def check_id_number(id_number: str, *, today: date) -> str:
    """Validate a citizen ID number (GB 11643-1999) and return it normalised.

    Normalisation: NFKC (full-width characters to ASCII), surrounding whitespace stripped, a
    lower-case check character ``x`` upper-cased. The number must have 18 characters, a
    plausible province code, the right check digit and a real birth date between 1900-01-01
    and ``today``. The legacy 15-digit form is refused: 12371 requires 18 digits.
    """
    parsed = _parse_id_number(id_number)
    if parsed.birth_date > today:
        raise _invalid_id("公民身份号码中的出生日期晚于今天")
    return parsed.normalised


def birth_date_of(id_number: str) -> date:
    """The birth date encoded in positions 7–14 of an 18-digit ID number (GB 11643-1999)."""
    return _parse_id_number(id_number).birth_date


def gender_of(id_number: str) -> Gender:
    """The gender encoded in the 17th digit of an ID number: odd is male, even is female."""
    return _parse_id_number(id_number).gender


def check_birth_date_matches(id_number: str, birth_date: date) -> None:
    """The stated birth date must be the one in the ID number (a 12371 check)."""
    if birth_date != birth_date_of(id_number):
        raise RecruitError(
            RecruitErrorCode.ID_BIRTH_DATE_MISMATCH,
            "出生日期与公民身份号码不符",
            "birthDate",
        )


def check_gender_matches(id_number: str, gender: str) -> None:
    """The stated gender must be the one in the ID number's 17th digit (a 12371 check)."""
    if gender not in GENDERS:
        raise RecruitError(
            RecruitErrorCode.INVALID_GENDER, "性别须为男（male）或女（female）", "gender"
        )
    if gender != gender_of(id_number):
        raise RecruitError(
            RecruitErrorCode.ID_GENDER_MISMATCH,
            "性别与公民身份号码不符",
            "gender",
        )


def check_identity(id_number: str, birth_date: date, gender: str, today: date) -> None:
    """Check the ID number, then that birth date and gender agree with it.

    Raises the first failure: the ID number itself (``idNumber``), then the birth date
    (``birthDate``), then the gender (``gender``). A service that wants every failure of an
    input at once calls :func:`check_birth_date_matches` and :func:`check_gender_matches`
    separately.
    """
    normalised = check_id_number(id_number, today=today)
    check_birth_date_matches(normalised, birth_date)
    check_gender_matches(normalised, gender)


# --- age ----------------------------------------------------------------------------------------


def turns_age_on(birth_date: date, age: int) -> date:
    """The date on which someone born on ``birth_date`` reaches ``age`` completed years.

    Convention: the age is reached on the birthday itself; someone born on 29 February reaches
    it on 1 March in a non-leap year (the day 29 February would have been, counting on from
    28 February). This is the convention :func:`age_on` follows.
    """
    year = birth_date.year + age
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a non-leap year
        return date(year, 3, 1)


def age_on(birth_date: date, on: date) -> int:
    """Completed years of age on the date ``on`` (see :func:`turns_age_on` for the convention).

    Raises ValueError when ``on`` precedes the birth date: that is a data error for the caller
    to report, not an age.
    """
    if on < birth_date:
        raise ValueError("the date precedes the birth date")
    # Comparing (month, day) makes 29 Feb birthdays count on 1 Mar in non-leap years: (2, 28)
    # sorts before (2, 29), (3, 1) after it.
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - before_birthday


def check_minimum_age(
    birth_date: date,
    on: date,
    *,
    minimum: int = MINIMUM_APPLICATION_AGE,
    field: str = "applicationDate",
) -> None:
    """Someone must be at least ``minimum`` years old on ``on`` (default: 18 on application).

    The error names ``field``, the date that is too early, since the birth date is a fact.
    """
    if on < birth_date or age_on(birth_date, on) < minimum:
        reached = turns_age_on(birth_date, minimum)
        raise RecruitError(
            RecruitErrorCode.UNDERAGE,
            f"{on.isoformat()} 须年满 {minimum} 周岁（本人 {reached.isoformat()} 年满 {minimum} 周岁）",
            field,
        )


# --- ethnicity (GB 3304-1991) -------------------------------------------------------------------


def check_name(name: str) -> str:
    """A person's name, normalised (:func:`partyplan.resolvers.text.person_name`)."""
    return person_name(name, "name", error=RecruitError, code=RecruitErrorCode.INVALID_NAME)


# --- phone --------------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_PHONE_SEPARATORS = str.maketrans("", "", " -")
_COUNTRY_PREFIX = "+86"


def check_phone(phone: str) -> str:
    """A mainland mobile number, normalised to its 11 digits (``1[3-9]`` then 9 digits).

    Accepts spaces and hyphens anywhere and a leading ``+86`` country code.
    """
    value = unicodedata.normalize("NFKC", phone).strip().translate(_PHONE_SEPARATORS)
    value = value.removeprefix(_COUNTRY_PREFIX)
    if not _MOBILE.fullmatch(value):
        raise RecruitError(
            RecruitErrorCode.INVALID_PHONE,
            "手机号码须为中国大陆手机号码：11 位数字，以 13 至 19 开头",
            "phone",
        )
    return value


# --- masking ------------------------------------------------------------------------------------


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    """Keep the ends, star the middle; a value too short to keep anything is starred entirely.

    Total on any input: masking runs when displaying rows, where a raise would fail a whole list.
    """
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]


def mask_id_number(id_number: str) -> str:
    """``110***********1234``: the first 3 and last 4 characters of an 18-character number."""
    return _mask(_normalise_id_number(id_number), 3, 4)


def mask_phone(phone: str) -> str:
    """``138****5678``: the first 3 and last 4 digits of an 11-digit mobile number."""
    return _mask(phone.strip(), 3, 4)
