"""The regions a commission can belong to: the 31 provinces, autonomous regions and
municipalities of the mainland, by their GB/T 2260 code (the first two digits of a division
code: ``14`` 山西省, ``50`` 重庆市). A commission's region chooses which province's rule
overlays apply to the recruits of its schools (``overlays.py``).

Taiwan (71), Hong Kong (81) and Macao (82) have GB/T 2260 codes but no 省委教育工委, so they
are not regions here."""

from __future__ import annotations

from collections.abc import Mapping

PROVINCES: Mapping[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}


def region_name(code: str) -> str | None:
    """The province a region code names, or None when it names none. Only the two-digit
    code itself is accepted (no six-digit division code, no surrounding spaces): the code is
    stored and compared as given."""
    return PROVINCES.get(code)


def region_problem(code: str) -> str | None:
    """Why ``code`` is not a region code (Chinese, for the operator or the caller), or None."""
    if region_name(code) is not None:
        return None
    # The value is echoed only when it is short and printable (never control characters).
    given = f"“{code}”不是" if len(code) <= 12 and code.isprintable() else "所给的值不是"
    return f"地区代码须为省级行政区划代码（GB/T 2260 的前两位，如 14 山西省、50 重庆市），{given}"
