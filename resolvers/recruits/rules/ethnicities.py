"""The 56 official ethnicity names of GB 3304 in their official order, with their codes.

Kept apart from identity.py as a table: the 12371 system accepts exactly these names.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from partyplan.resolvers.recruits.errors import RecruitError, RecruitErrorCode


class Ethnicity(NamedTuple):
    code: str
    name: str


#: The 56 ethnic groups in the order and with the two-digit codes of GB 3304-1991.
ETHNICITIES: tuple[Ethnicity, ...] = (
    Ethnicity("01", "汉族"),
    Ethnicity("02", "蒙古族"),
    Ethnicity("03", "回族"),
    Ethnicity("04", "藏族"),
    Ethnicity("05", "维吾尔族"),
    Ethnicity("06", "苗族"),
    Ethnicity("07", "彝族"),
    Ethnicity("08", "壮族"),
    Ethnicity("09", "布依族"),
    Ethnicity("10", "朝鲜族"),
    Ethnicity("11", "满族"),
    Ethnicity("12", "侗族"),
    Ethnicity("13", "瑶族"),
    Ethnicity("14", "白族"),
    Ethnicity("15", "土家族"),
    Ethnicity("16", "哈尼族"),
    Ethnicity("17", "哈萨克族"),
    Ethnicity("18", "傣族"),
    Ethnicity("19", "黎族"),
    Ethnicity("20", "傈僳族"),
    Ethnicity("21", "佤族"),
    Ethnicity("22", "畲族"),
    Ethnicity("23", "高山族"),
    Ethnicity("24", "拉祜族"),
    Ethnicity("25", "水族"),
    Ethnicity("26", "东乡族"),
    Ethnicity("27", "纳西族"),
    Ethnicity("28", "景颇族"),
    Ethnicity("29", "柯尔克孜族"),
    Ethnicity("30", "土族"),
    Ethnicity("31", "达斡尔族"),
    Ethnicity("32", "仫佬族"),
    Ethnicity("33", "羌族"),
    Ethnicity("34", "布朗族"),
    Ethnicity("35", "撒拉族"),
    Ethnicity("36", "毛南族"),
    Ethnicity("37", "仡佬族"),
    Ethnicity("38", "锡伯族"),
    Ethnicity("39", "阿昌族"),
    Ethnicity("40", "普米族"),
    Ethnicity("41", "塔吉克族"),
    Ethnicity("42", "怒族"),
    Ethnicity("43", "乌孜别克族"),
    Ethnicity("44", "俄罗斯族"),
    Ethnicity("45", "鄂温克族"),
    Ethnicity("46", "德昂族"),
    Ethnicity("47", "保安族"),
    Ethnicity("48", "裕固族"),
    Ethnicity("49", "京族"),
    Ethnicity("50", "塔塔尔族"),
    Ethnicity("51", "独龙族"),
    Ethnicity("52", "鄂伦春族"),
    Ethnicity("53", "赫哲族"),
    Ethnicity("54", "门巴族"),
    Ethnicity("55", "珞巴族"),
    Ethnicity("56", "基诺族"),
)
#: Official name → GB 3304 code.
ETHNICITY_CODES: Mapping[str, str] = MappingProxyType({e.name: e.code for e in ETHNICITIES})


def check_ethnicity(name: str) -> str:
    """The official full name of one of the 56 ethnic groups (GB 3304), e.g. ``"汉族"``.

    Strict on purpose: 12371 stores the official name, so short forms ("汉", "维吾尔") and
    historical names are refused rather than guessed at.
    """
    value = unicodedata.normalize("NFC", name).strip()
    if value not in ETHNICITY_CODES:
        raise RecruitError(
            RecruitErrorCode.INVALID_ETHNICITY,
            "民族须填写 GB 3304 规定的 56 个民族名称之一，写全称（如“汉族”）",
            "ethnicity",
        )
    return value


# --- name ---------------------------------------------------------------------------------------
