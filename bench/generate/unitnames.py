"""Names of the units of a school: school types by size, colleges and departments, offices,
and branch names as Party organizations write them (计算机科学与技术学院本科生第一党支部)."""

from __future__ import annotations

# fmt: off
SCHOOL_TYPES = {
    "university": ("大学", "理工大学", "师范大学", "医科大学", "财经大学", "农业大学", "科技大学",
                   "工业大学", "中医药大学", "交通大学", "工商大学", "传媒大学"),
    "college": ("师范学院", "学院", "工学院", "医学院", "财经学院", "传媒学院", "工商学院",
                "体育学院", "艺术学院", "应用技术学院", "科技学院", "文理学院", "理工学院"),
    "vocational": ("职业技术学院", "职业学院", "工程职业技术学院", "医学高等专科学校",
                   "幼儿师范高等专科学校", "警官职业学院", "铁道职业技术学院", "电力职业技术学院",
                   "旅游职业学院", "财贸职业技术学院", "建筑职业技术学院", "交通职业技术学院",
                   "信息职业技术学院", "轻工职业技术学院", "艺术职业学院", "卫生健康职业学院",
                   "机电职业技术学院", "经贸职业学院"),
}
# When every (place, type) name is taken: 太原城市职业技术学院 and the like.
SCHOOL_QUALIFIERS = ("城市", "现代", "北方", "科技", "商务", "信息", "工程", "华夏", "东方", "理工")
# Share of women among recruits, by what the school teaches.
WOMEN_SHARE = {"理工": 0.38, "工业": 0.35, "科技": 0.4, "师范": 0.72, "医": 0.66, "幼儿": 0.9,
               "警官": 0.3, "铁道": 0.3, "电力": 0.33, "财": 0.62, "艺术": 0.64, "卫生": 0.75}

COLLEGES = (
    "马克思主义学院", "文学院", "历史文化学院", "哲学社会学院", "经济与管理学院", "法学院",
    "外国语学院", "新闻与传播学院", "教育科学学院", "体育学院", "音乐学院", "美术学院",
    "数学科学学院", "物理与电子工程学院", "化学化工学院", "生命科学学院", "环境与资源学院",
    "计算机科学与技术学院", "电气与电力工程学院", "机械工程学院", "土木工程学院",
    "材料科学与工程学院", "建筑学院", "医学院", "药学院", "护理学院", "公共卫生学院", "农学院",
    "动物科学学院", "园艺学院", "旅游管理学院", "国际教育学院", "软件学院", "大数据学院",
    "人工智能学院", "自动化学院", "光电工程学院", "能源与动力工程学院", "矿业工程学院",
    "地理科学学院", "心理学院", "政治与公共管理学院", "商学院", "会计学院", "金融学院",
    "统计学院", "信息管理学院", "设计学院", "化学与分子工程学院", "水利科学与工程学院",
    "安全与应急管理工程学院", "航空航天学院", "交通运输学院", "食品科学与工程学院",
)
DEPARTMENTS = (
    "机电工程系", "信息工程系", "经济管理系", "护理系", "建筑工程系", "艺术设计系", "汽车工程系",
    "电子工程系", "财务会计系", "旅游管理系", "学前教育系", "基础教学部", "思想政治理论课教学部",
    "医学技术系", "药学系", "交通工程系", "智能制造系", "商贸系", "外语系", "体育部",
)
OFFICES = (
    "党委办公室", "校长办公室", "组织部", "宣传部", "统战部", "纪委办公室", "学生工作部", "教务处",
    "科研处", "人事处", "财务处", "国际交流合作处", "研究生院", "发展规划处", "审计处", "保卫处",
    "资产管理处", "招生就业处", "团委", "工会",
)
SERVICES = ("后勤管理处", "饮食服务中心", "物业服务中心", "基建处", "校医院", "能源管理中心")
DIRECT_BRANCHES = ("图书馆直属党支部", "档案馆直属党支部", "网络信息中心直属党支部",
                   "附属中学党支部", "分析测试中心直属党支部")
# Branch role → how its name reads; recruits mostly come from the student branches.
ROLE_NAMES = {"undergraduate": "本科生", "postgraduate": "研究生", "teachers": "教工",
              "retired": "退休教工", "students": "学生"}
# fmt: on

_DIGITS = "零一二三四五六七八九"


def numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (1..99)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def branch_name(owner: str, role: str, number: int, of: int) -> str:
    """计算机科学与技术学院本科生第一党支部; 计算机科学与技术学院教工党支部 when it is the only one."""
    label = ROLE_NAMES[role]
    return f"{owner}{label}党支部" if of == 1 else f"{owner}{label}第{numeral(number)}党支部"


def women_share(school_name: str) -> float:
    for key, share in WOMEN_SHARE.items():
        if key in school_name:
            return share
    return 0.55
