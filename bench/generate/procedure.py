"""A recruit's step events: the 25-step procedure (and the probation's extension or
cancellation) with dates and data consistent with the rules (rules/steps.py, table.py).

What each timeline keeps, so that the project's engine accepts every step (the derivation in
``derivation.py`` refuses anything else):

* order: each step is dated on or after the steps it requires; steps of one day are listed in
  procedure order (the service orders a recruit's history by date, then id); repeatable steps
  (cultivation, probation education) end before the step that closes them;
* waits: activist ≥ ~5 months after the application (a common local rule), development target
  ≥ 12 months after the activist (细则第十三条), conversion meeting on or after the end of the
  probation (1 year from the branch meeting, plus any extension of 6–12 months);
* validity: the branch meeting within a year of the political review;
* data: the fields each step declares (FieldSpec), of their kinds; 1–2 contact persons and
  exactly 2 introducers, all full members of the recruit's branch on the step's date (the
  roster, ``roster.py``); votes with entitled = the branch's full members that day, more
  than half present and more than half of the entitled in favour; training ≥ 3 days or 24 hours;
* time limits are met, except for a deliberate few (late talks, approvals, oaths and
  conversions), which the derivation turns into findings as the service would;
* no step after ``as_of``; applicants apply at 18 or older (people.py).

Publicity dates (publicity_from/to) are left out: they are optional, and only a local overlay
asks for them.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random
from typing import Any

from partyplan.resolvers.recruits.rules.calendar import add_months

from . import namedata as nd
from .roster import Member, eligible

Event = tuple[str, date, dict[str, Any]]

# Chances along the way, by category: (activist, development target, admission).
_PROGRESS = {
    "undergraduate": (0.75, 0.78, 0.96),
    "postgraduate": (0.75, 0.8, 0.96),
    "teacher": (0.6, 0.75, 0.96),
    "other_staff": (0.55, 0.7, 0.95),
    "other": (0.5, 0.65, 0.9),
}
LATE_TALK, LATE_APPROVAL, SERIOUS_APPROVAL, LATE_OATH, LATE_CONVERSION = (
    0.06,
    0.03,
    0.004,
    0.03,
    0.02,
)
EXTENDED, CANCELLED = 0.02, 0.004


def _weekday(d: date) -> date:
    """Meetings and approvals happen on working days: a weekend date moves to Monday."""
    wd = d.weekday()
    return d + timedelta(days=7 - wd) if wd >= 5 else d


def _after(rng: Random, d: date, low: int, high: int) -> date:
    return _weekday(d + timedelta(days=rng.randint(low, high)))


def _votes(rng: Random, entitled: int) -> dict[str, int]:
    """entitled ≥ present + written ≥ in_favour; 2·present > entitled; 2·in_favour > entitled."""
    most_absent = (entitled - 1) // 2
    absent = min(most_absent, int(rng.expovariate(0.6)))
    written = min(absent, rng.choice((0, 0, 0, 1, 2)))
    against = rng.choice((0, 0, 0, 0, 0, 1))
    in_favour = max(entitled // 2 + 1, entitled - absent + written - against)
    votes = {"entitled": entitled, "present": entitled - absent, "in_favour": in_favour}
    if written:
        votes["written_votes"] = written
    return votes


def _pick(rng: Random, roster: list[Member], on: date, count: int) -> list[str]:
    return rng.sample([m.code for m in eligible(roster, on)], count)


def timeline(
    rng: Random, *, applied: date, category: str, roster: list[Member], as_of: date
) -> list[Event]:
    """The recruit's steps up to ``as_of``, in (date, procedure) order."""
    events: list[Event] = []

    def add(code: str, on: date, data: dict[str, Any] | None = None) -> None:
        events.append((code, on, data or {}))

    add("application", applied)
    late = rng.random() < LATE_TALK
    talk = applied + timedelta(days=rng.randint(33, 80) if late else rng.randint(3, 25))
    add("talk", _weekday(talk), {"talked_by": rng.choice(nd.TALKERS)})
    p_activist, p_target, p_admit = _PROGRESS[category]
    staff = category in ("teacher", "other_staff")
    if rng.random() < p_activist:
        _activist(rng, add, events[-1][1], applied, staff, roster, (p_target, p_admit))
    cut = [e for e in events if e[1] <= as_of]
    # Stable sort by date: same-day steps keep procedure order.
    return sorted(cut, key=lambda e: e[1])


def _activist(
    rng: Random,
    add: Any,
    talk: date,
    applied: date,
    staff: bool,
    roster: list[Member],
    chances: tuple[float, float],
) -> None:
    activist = max(talk, _after(rng, applied, 150, 720 if staff else 540))
    data: dict[str, Any] = {}
    if rng.random() < 0.96:  # the rest never had it entered (a missing-data warning)
        data["recommended_by"] = (
            "party_members" if staff or rng.random() < 0.3 else "mass_organization"
        )
    add("activist", activist, data)
    add("activist_filing", _after(rng, activist, 1, 20))
    contacts = activist + timedelta(days=rng.randint(0, 14))
    add(
        "contacts",
        contacts,
        {"contacts": _pick(rng, roster, contacts, 1 if rng.random() < 0.05 else 2)},
    )
    target = _weekday(add_months(activist, 12) + timedelta(days=rng.randint(0, 240)))
    review = contacts + timedelta(days=rng.randint(80, 120))
    while review < target:  # an assessment about every half year until the target is named
        add("cultivation", review, {"assessment": rng.choice(nd.ASSESSMENTS)})
        review += timedelta(days=rng.randint(150, 200))
    if rng.random() < chances[0]:
        _target(rng, add, target, roster, chances[1])


def _target(rng: Random, add: Any, target: date, roster: list[Member], p_admit: float) -> None:
    add("development_target", target)
    filed = _after(rng, target, 1, 15)
    add("target_filing", filed)
    introduced = target + timedelta(days=rng.randint(3, 30))
    add("introducers", introduced, {"introducers": _pick(rng, roster, introduced, 2)})
    reviewed = _after(rng, target, 7, 60)
    add("political_review", reviewed, {"conclusion": "qualified"})
    trained = _after(rng, target, 10, 90)
    days = rng.choice((3, 3, 4, 5))
    training = (
        {"days": days, "hours": days * 8}
        if rng.random() < 0.8
        else {"hours": rng.choice((24, 32, 36))}
    )
    add("training", trained, training)
    if rng.random() >= p_admit:
        return
    checked = _after(rng, max(filed, introduced, reviewed, trained), 3, 30)
    add("branch_committee_review", checked)
    pre = _after(rng, checked, 5, 30)
    add("pre_review", pre)
    form = _after(rng, pre, 3, 20)
    add("application_form", form)
    meeting = _after(rng, form, 5, 30)
    add("branch_meeting", meeting, _votes(rng, len(eligible(roster, meeting))))
    talked = _after(rng, meeting, 3, 40)
    add("committee_talk", talked, {"talked_by": rng.choice(nd.COMMITTEE_TALKERS)})
    draw = rng.random()
    if draw < SERIOUS_APPROVAL:
        approved = _after(rng, meeting, 190, 270)  # beyond 6 months: a serious finding
    elif draw < SERIOUS_APPROVAL + LATE_APPROVAL:
        approved = _after(rng, meeting, 95, 175)  # 3–6 months: a warning
    else:
        approved = max(_after(rng, meeting, 10, 80), talked)  # within 3 months (≥ 89 days)
    document = (
        {"document_no": f"党委〔{approved.year}〕{rng.randint(1, 60)}号"}
        if rng.random() < 0.8
        else {}
    )
    add("approval", approved, document)
    _probation(rng, add, meeting, approved, roster)


def _probation(rng: Random, add: Any, meeting: date, approved: date, roster: list[Member]) -> None:
    add("approval_filing", _after(rng, approved, 3, 30))
    assigned = approved + timedelta(days=rng.randint(0, 14))
    add("assignment", assigned, {"group": f"第{'一二三'[rng.randrange(3)]}党小组"})
    oath_late = rng.random() < LATE_OATH
    oath = _after(rng, approved, 35, 75) if oath_late else _after(rng, approved, 3, 24)
    add("oath", oath)
    draw = rng.random()
    months = 0
    if draw < CANCELLED:
        cancelled = _after(rng, approved, 120, 330)
        education = assigned + timedelta(days=rng.randint(60, 100))
        if education < cancelled:
            add("probation_education", education, {"assessment": "表现较差"})
        add("probation_cancellation", cancelled, {"reason": "经教育仍无转变，不具备党员条件"})
        return
    end = add_months(meeting, 12)
    if draw < CANCELLED + EXTENDED:
        months = rng.randint(6, 12)
        extended = end + timedelta(days=rng.randint(0, 20))
        end = add_months(meeting, 12 + months)  # counted once from the meeting, like the engine
    applied = end - timedelta(days=rng.randint(5, 30))
    # At least one assessment before the conversion application, which requires it (an
    # approval late by 6 months leaves little of the year).
    education = min(assigned + timedelta(days=rng.randint(60, 100)), applied - timedelta(days=1))
    while education < applied:
        add("probation_education", education, {"assessment": rng.choice(nd.ASSESSMENTS)})
        education += timedelta(days=rng.randint(80, 100))
    if months:
        add("probation_extension", extended, {"months": months, "reason": "需要继续考察和教育"})
    add("conversion_application", max(applied, oath))
    converted_meeting = _after(rng, end, 0, 30)
    add(
        "conversion_meeting",
        converted_meeting,
        _votes(rng, len(eligible(roster, converted_meeting))),
    )
    if rng.random() < LATE_CONVERSION:
        approval = _after(rng, end, 95, 150)  # after the 3 months from the probation's end
    else:
        approval = _after(rng, converted_meeting, 5, 40)
    add("conversion_approval", approval)
    add("archiving", _after(rng, approval, 10, 60))
