"""Province-level divisions, their cities and real county-level codes (GB/T 2260).

What the generator needs of geography: a commission per province (its GB/T 2260 code selects
the province's procedure overlays, e.g. 山西 "14"), city names for schools, and county codes for
the first six digits of ID numbers. The county codes are real ones (mostly city districts);
only a handful per province are listed, which is all realism asks of a benchmark. The number
of schools per province follows the Ministry of Education's 2023 list of ordinary higher
education institutions (rounded), so a nation-scale run spreads its schools like the country.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Province:
    code: str  # GB/T 2260 province code, the first two digits of an ID number
    name: str  # 山西省
    short: str  # 山西 (school names)
    abbr: str  # 晋 (document numbers: 晋教工委组〔2023〕23号)
    schools: int  # ordinary HEIs, 2023 (a weight)
    cities: tuple[tuple[str, tuple[str, ...]], ...]  # (city, county codes)

    @property
    def commission_name(self) -> str:
        # 中共山西省委教育工作委员会; autonomous regions: 中共广西壮族自治区委员会教育工作委员会
        if self.name.endswith("自治区"):
            return f"中共{self.name}委员会教育工作委员会"
        return f"中共{self.name}委教育工作委员会"

    @property
    def counties(self) -> tuple[str, ...]:
        return tuple(code for _, codes in self.cities for code in codes)


# fmt: off
PROVINCES: tuple[Province, ...] = (
    # Shanxi first: the province-scale data set is its commission (the seeds are Shanxi's).
    Province("14", "山西省", "山西", "晋", 82, (
        ("太原", ("140105", "140106", "140107", "140108", "140109", "140110")),
        ("大同", ("140213", "140214")), ("阳泉", ("140302", "140303")),
        ("长治", ("140403", "140404")), ("晋城", ("140502", "140581")), ("朔州", ("140602",)),
        ("晋中", ("140702", "140781")), ("运城", ("140802", "140881")),
        ("忻州", ("140902", "140981")), ("临汾", ("141002", "141081")),
        ("吕梁", ("141102", "141182")))),
    Province("11", "北京市", "北京", "京", 92, (("北京", ("110101", "110102", "110105", "110108")),)),
    Province("12", "天津市", "天津", "津", 56, (("天津", ("120101", "120102", "120103", "120104")),)),
    Province("13", "河北省", "河北", "冀", 125, (("石家庄", ("130102", "130104")),
                                          ("保定", ("130602",)), ("唐山", ("130202",)))),
    Province("15", "内蒙古自治区", "内蒙古", "蒙", 54, (("呼和浩特", ("150102", "150103")),
                                                ("包头", ("150202",)))),
    Province("21", "辽宁省", "辽宁", "辽", 114, (("沈阳", ("210102", "210103")),
                                          ("大连", ("210202", "210203")))),
    Province("22", "吉林省", "吉林", "吉", 66, (("长春", ("220102", "220103")), ("吉林", ("220202",)))),
    Province("23", "黑龙江省", "黑龙江", "黑", 78, (("哈尔滨", ("230102", "230103")),
                                            ("齐齐哈尔", ("230202",)))),
    Province("31", "上海市", "上海", "沪", 68, (("上海", ("310101", "310104", "310105", "310106")),)),
    Province("32", "江苏省", "江苏", "苏", 168, (("南京", ("320102", "320106")),
                                          ("苏州", ("320505", "320506")), ("徐州", ("320302",)))),
    Province("33", "浙江省", "浙江", "浙", 109, (("杭州", ("330102", "330106")), ("宁波", ("330203",)),
                                          ("温州", ("330302",)))),
    Province("34", "安徽省", "安徽", "皖", 121, (("合肥", ("340102", "340103")), ("芜湖", ("340202",)))),
    Province("35", "福建省", "福建", "闽", 89, (("福州", ("350102", "350103")), ("厦门", ("350203",)))),
    Province("36", "江西省", "江西", "赣", 107, (("南昌", ("360102", "360103")), ("赣州", ("360702",)))),
    Province("37", "山东省", "山东", "鲁", 153, (("济南", ("370102", "370103")),
                                          ("青岛", ("370202", "370203")))),
    Province("41", "河南省", "河南", "豫", 168, (("郑州", ("410102", "410105")), ("洛阳", ("410302",)),
                                          ("开封", ("410202",)))),
    Province("42", "湖北省", "湖北", "鄂", 130, (("武汉", ("420102", "420106")), ("宜昌", ("420502",)))),
    Province("43", "湖南省", "湖南", "湘", 128, (("长沙", ("430102", "430103")), ("湘潭", ("430302",)))),
    Province("44", "广东省", "广东", "粤", 162, (("广州", ("440103", "440104")),
                                          ("深圳", ("440303", "440304")), ("汕头", ("440507",)))),
    Province("45", "广西壮族自治区", "广西", "桂", 85, (("南宁", ("450102", "450103")),
                                                 ("桂林", ("450302",)))),
    Province("46", "海南省", "海南", "琼", 21, (("海口", ("460105", "460106")), ("三亚", ("460202",)))),
    Province("50", "重庆市", "重庆", "渝", 70, (("重庆", ("500101", "500103", "500104", "500105")),)),
    Province("51", "四川省", "四川", "川", 137, (("成都", ("510104", "510107")), ("绵阳", ("510703",)))),
    Province("52", "贵州省", "贵州", "黔", 75, (("贵阳", ("520102", "520103")), ("遵义", ("520302",)))),
    Province("53", "云南省", "云南", "滇", 82, (("昆明", ("530102", "530103")), ("大理", ("532901",)))),
    Province("54", "西藏自治区", "西藏", "藏", 7, (("拉萨", ("540102",)), ("日喀则", ("540202",)))),
    Province("61", "陕西省", "陕西", "陕", 97, (("西安", ("610102", "610113")), ("宝鸡", ("610302",)))),
    Province("62", "甘肃省", "甘肃", "甘", 49, (("兰州", ("620102", "620103")), ("天水", ("620502",)))),
    Province("63", "青海省", "青海", "青", 12, (("西宁", ("630102", "630103")),)),
    Province("64", "宁夏回族自治区", "宁夏", "宁", 21, (("银川", ("640104", "640106")),)),
    Province("65", "新疆维吾尔自治区", "新疆", "新", 63, (("乌鲁木齐", ("650102", "650103")),
                                                   ("喀什", ("653101",)))),
)
# fmt: on
PROVINCE_BY_CODE = {p.code: p for p in PROVINCES}

#: Every county code, indexed: an ID number's region is an index into this tuple.
COUNTIES: tuple[str, ...] = tuple(c for p in PROVINCES for c in p.counties)
COUNTY_INDEX = {code: i for i, code in enumerate(COUNTIES)}
#: Province code → indexes of its counties.
PROVINCE_COUNTIES: dict[str, tuple[int, ...]] = {
    p.code: tuple(COUNTY_INDEX[c] for c in p.counties) for p in PROVINCES
}

#: Where most people of an ethnic group are registered (the provinces their ID numbers start
#: with); other groups are drawn like the Han majority (local or from anywhere).
ETHNIC_HOMES: dict[str, tuple[str, ...]] = {
    "壮族": ("45",),
    "回族": ("64", "62", "65"),
    "维吾尔族": ("65",),
    "苗族": ("52", "43"),
    "满族": ("21", "13"),
    "彝族": ("53", "51"),
    "土家族": ("43", "42", "50"),
    "藏族": ("54", "63", "51"),
    "蒙古族": ("15",),
    "布依族": ("52",),
    "侗族": ("52", "43"),
    "瑶族": ("45",),
    "白族": ("53",),
    "哈尼族": ("53",),
    "朝鲜族": ("22",),
    "黎族": ("46",),
    "哈萨克族": ("65",),
    "傣族": ("53",),
    "柯尔克孜族": ("65",),
    "塔吉克族": ("65",),
    "乌孜别克族": ("65",),
    "塔塔尔族": ("65",),
    "锡伯族": ("65", "21"),
    "撒拉族": ("63",),
    "东乡族": ("62",),
    "保安族": ("62",),
    "裕固族": ("62",),
    "土族": ("63",),
}


def provinces_for(commissions: int) -> tuple[Province, ...]:
    """The provinces whose commissions a run builds: Shanxi alone, or the first N."""
    if not 1 <= commissions <= len(PROVINCES):
        raise ValueError(f"1..{len(PROVINCES)} commissions")
    return PROVINCES[:commissions]
