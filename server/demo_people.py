"""The province demo's recruits as data: who they are, where, and the dates of their steps, all
reckoned from one day (the admission, or the day it is planned for) so that "today" cuts every
walk at a realistic stage. Pure: no I/O; ``demo_province`` records them through the services.

A walk is anchored on its branch meeting (step 15, ``M``): everything before it keeps the
intervals the rules demand (talk within a month of the application, a year as an activist
before becoming a development target, the political review less than a year before ``M``),
the approval follows ``M`` within three months, the oath within a month (Shanxi 2023), the
conversion a year after ``M``. Steps dated after today are not recorded yet, which is what
places a recruit at its stage: a walk whose approval is still ahead is an applicant, an
activist or a development target today.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from partyplan.resolvers.recruits.rules import identity

# Variants (at most one per recruit) that give the supervisors something to find.
ON_TIME = "on_time"
LATE_TALK = "late_talk"  # the talk seven weeks after the application: a finding
LATE_APPROVAL = "late_approval"  # approved four months after the branch meeting: a finding
LATE_OATH = "late_oath"  # the oath six weeks after the approval (Shanxi: within a month)
NO_TALK = "no_talk"  # applied weeks ago, nobody has talked to them: overdue now
NO_OATH = "no_oath"  # approved weeks ago, not sworn in: overdue now, and 12371 lacks the oath
NO_CONVERSION = "no_conversion"  # probation ended months ago, not converted: overdue now
CANCELLED = "cancelled"  # probationary membership cancelled (细则第三十二条)

VOTES = {"entitled": 24, "present": 21, "in_favour": 20}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = (
    "晓思雨婷佳欣子涵浩宇俊杰文博志强建国淑芬秀英丽娟明辉海燕晨阳雪梅立新春华嘉琪一鸣泽天若曦梓萱睿"
)
MINORITIES = ("回族", "蒙古族", "满族", "土家族", "壮族")


@dataclass(frozen=True)
class Walk:
    """One recruit: the person (``person`` as ``records.Person`` takes it), the branch's code,
    the application date and the later steps (code, date, data), dates possibly after today."""

    branch: str
    person: dict[str, Any]
    applied: date
    steps: list[tuple[str, date, dict[str, Any]]] = field(default_factory=list)
    admitted_on: date | None = None  # the approval (step 17), recorded or planned


def walk_steps(
    meeting: date, variant: str, contacts: list[str], introducers: list[str], document: str
) -> tuple[date, list[tuple[str, date, dict[str, Any]]]]:
    """The application date and the steps of a walk whose branch meeting is ``meeting``."""

    def d(offset: timedelta) -> date:
        return meeting + offset

    applied = meeting - timedelta(days=620)
    talk = applied + timedelta(days=50 if variant == LATE_TALK else 20)
    if variant == NO_TALK:
        return applied, []
    approval = meeting + timedelta(days=120 if variant == LATE_APPROVAL else 20)
    oath = approval + timedelta(days=45 if variant == LATE_OATH else 14)
    steps: list[tuple[str, date, dict[str, Any]]] = [
        ("talk", talk, {"talked_by": "支部书记"}),
        ("activist", d(timedelta(days=-520)), {"recommended_by": "party_members"}),
        ("activist_filing", d(timedelta(days=-513)), {}),
        ("contacts", d(timedelta(days=-512)), {"contacts": contacts}),
        ("cultivation", d(timedelta(days=-340)), {"assessment": "合格"}),
        ("development_target", d(timedelta(days=-140)), {}),
        ("target_filing", d(timedelta(days=-137)), {}),
        ("introducers", d(timedelta(days=-133)), {"introducers": introducers}),
        ("political_review", d(timedelta(days=-110)), {"conclusion": "qualified"}),
        ("training", d(timedelta(days=-100)), {"days": 3, "hours": 24}),
        ("branch_committee_review", d(timedelta(days=-25)), {}),
        ("pre_review", d(timedelta(days=-18)), {}),
        ("application_form", d(timedelta(days=-11)), {}),
        ("branch_meeting", meeting, dict(VOTES)),
        ("committee_talk", d(timedelta(days=10)), {"talked_by": "组织员"}),
        ("approval", approval, {"document_no": document}),
        ("approval_filing", approval + timedelta(days=5), {}),
        ("assignment", approval + timedelta(days=7), {"group": "第一党小组"}),
    ]
    if variant == CANCELLED:
        reason = "预备期内不履行党员义务，经教育仍无转变"
        steps.append(("probation_cancellation", approval + timedelta(days=200), {"reason": reason}))
        return applied, steps
    if variant != NO_OATH:
        steps.append(("oath", oath, {}))
    steps.append(("probation_education", approval + timedelta(days=150), {"assessment": "合格"}))
    if variant in (NO_OATH, NO_CONVERSION):
        return applied, steps
    steps += [
        ("conversion_application", d(timedelta(days=370)), {}),
        ("conversion_meeting", d(timedelta(days=375)), dict(VOTES)),
        ("conversion_approval", d(timedelta(days=385)), {}),
        ("archiving", d(timedelta(days=395)), {}),
    ]
    return applied, steps


class People:
    """Deterministic people for one school: names, genders, ethnicities, categories, ID numbers
    (unique across the demo by a shared sequence) and phones."""

    def __init__(self, rng: random.Random, region: str, first_sequence: int) -> None:
        self.rng, self.region, self.sequence = rng, region, first_sequence

    def person(self, applied: date, *, staff: bool, phone: bool) -> dict[str, Any]:
        rng = self.rng
        self.sequence += 1
        gender = "female" if rng.random() < 0.56 else "male"
        if staff:
            birth = date(rng.randint(1978, 1994), rng.randint(1, 12), rng.randint(1, 28))
        else:
            birth = applied - timedelta(days=rng.randint(18 * 366, 21 * 365))
        serial = (self.sequence % 500) * 2 + (1 if gender == "male" else 0)
        first_17 = f"{self.region}{birth:%Y%m%d}{serial:03d}"
        high_knowledge = staff and rng.random() < 0.5
        postgraduate = not staff and rng.random() < 0.2
        return {
            "name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
            "gender": gender,
            "ethnicity": rng.choice(MINORITIES) if rng.random() < 0.1 else "汉族",
            "birth_date": birth,
            "id_number": first_17 + identity.check_character(first_17),
            "phone": f"13{self.sequence % 10}{rng.randint(0, 99_999_999):08d}" if phone else None,
            "category": (
                rng.choice(("teacher", "other_staff"))
                if staff
                else ("postgraduate" if postgraduate else "undergraduate")
            ),
            "education": (
                rng.choice(("master", "doctorate"))
                if high_knowledge
                else ("bachelor" if staff or postgraduate else "below_college")
            ),
            "professional_title": "副教授" if high_knowledge else None,
            "high_knowledge": high_knowledge,
            "talent_programme": None,
        }
