"""The 25-step rule engine: a full walk to membership, each precondition refused with its rule
id, each time limit flagged (and its near miss not), probation extension and cancellation,
overlays, publicity in working days, and the next deadline after every step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pytest

from partyplan.resolvers.recruits.rules.calendar import SAMPLE_CALENDAR_2023, WorkingCalendar
from partyplan.resolvers.recruits.rules.engine import (
    evaluate,
    next_due,
    probation_ends_on,
    stage_after,
)
from partyplan.resolvers.recruits.rules.overlays import (
    CHONGQING,
    EXAMPLE_ACTIVIST_WAIT_6M,
    EXAMPLE_PRE_REVIEW_1M,
    EXAMPLE_PUBLICITY_5WD,
    SHANXI,
    SHANXI_2023,
    Overlay,
    RuleSet,
    resolve_rules,
)
from partyplan.resolvers.recruits.rules.steps import (
    STEPS,
    Due,
    Evaluation,
    Phase,
    RecordedStep,
    RecruitFacts,
    Severity,
    Stage,
)
from partyplan.resolvers.recruits.rules.table import (
    NATIONAL_2014,
    MinInterval,
    Period,
    Precondition,
    Tier,
    TimeLimit,
)

D = date
CAL = SAMPLE_CALENDAR_2023
SX = resolve_rules(SHANXI, "school-a")  # national 2014 + Shanxi 2023 (oath within a month)
CQ = resolve_rules(CHONGQING, "school-c")  # national rules only
PERSON = RecruitFacts(birth_date=D(2004, 5, 10))
A, P, DT = Stage.ACTIVIST, Stage.PROBATIONARY, Stage.DEVELOPMENT_TARGET
WARN = Severity.WARNING
ASSESS_1 = Due("cultivation", D(2023, 9, 20))  # 细则第十一条: every 6 months from step 3
TO_APPROVE = Due("approval", D(2024, 9, 5))
TO_SWEAR = Due("oath", D(2024, 7, 25))
TO_CONVERT = Due("conversion_approval", D(2025, 9, 5))
VOTES_15 = {"entitled": 25, "present": 21, "in_favour": 20}  # admission (step 15)
VOTES_23 = {"entitled": 26, "present": 22, "in_favour": 22}  # conversion (step 23)

# A student's realistic path, in the order it happened: (step, date, data, stage, next due).
WALK: list[tuple[str, date, dict[str, Any], Stage, Due | None]] = [
    ("application", D(2022, 9, 15), {}, Stage.APPLICANT, Due("talk", D(2022, 10, 15))),
    ("talk", D(2022, 10, 10), {"talked_by": "支部书记"}, Stage.APPLICANT, None),
    ("activist", D(2023, 3, 20), {"recommended_by": "mass_organization"}, A, ASSESS_1),
    ("activist_filing", D(2023, 3, 27), {}, A, ASSESS_1),
    ("contacts", D(2023, 3, 28), {"contacts": ["m-101"]}, A, ASSESS_1),
    ("cultivation", D(2023, 9, 20), {"assessment": "合格"}, A, Due("cultivation", D(2024, 3, 20))),
    ("cultivation", D(2024, 3, 18), {"assessment": "合格"}, A, Due("cultivation", D(2024, 9, 18))),
    ("development_target", D(2024, 3, 25), {}, DT, None),
    ("target_filing", D(2024, 3, 29), {}, DT, None),
    ("introducers", D(2024, 4, 1), {"introducers": ["m-101", "m-102"]}, DT, None),
    ("political_review", D(2024, 4, 20), {"conclusion": "qualified"}, DT, None),
    ("training", D(2024, 4, 26), {"days": 3, "hours": 24}, DT, None),
    ("branch_committee_review", D(2024, 5, 10), {}, DT, None),
    ("pre_review", D(2024, 5, 17), {}, DT, None),
    ("application_form", D(2024, 5, 24), {}, DT, None),
    ("branch_meeting", D(2024, 6, 5), VOTES_15, DT, TO_APPROVE),
    ("committee_talk", D(2024, 6, 14), {"talked_by": "组织员"}, DT, TO_APPROVE),
    ("approval", D(2024, 6, 25), {"document_no": "党委〔2024〕12号"}, P, TO_SWEAR),
    ("assignment", D(2024, 6, 28), {"group": "第一党小组"}, P, TO_SWEAR),
    ("oath", D(2024, 7, 1), {}, P, TO_CONVERT),
    ("approval_filing", D(2024, 7, 5), {}, P, TO_CONVERT),
    ("probation_education", D(2024, 9, 30), {}, P, TO_CONVERT),
    ("probation_education", D(2024, 12, 30), {}, P, TO_CONVERT),
    ("probation_education", D(2025, 3, 31), {}, P, TO_CONVERT),
    ("conversion_application", D(2025, 5, 26), {}, P, TO_CONVERT),
    ("conversion_meeting", D(2025, 6, 5), VOTES_23, P, TO_CONVERT),
    ("conversion_approval", D(2025, 6, 20), {}, Stage.FULL_MEMBER, None),
    ("archiving", D(2025, 7, 10), {}, Stage.FULL_MEMBER, None),
]


def walked(until: str | None = None, *, stop_after: str | None = None) -> list[RecordedStep]:
    """The walk's steps before the first ``until`` (or up to and including ``stop_after``)."""
    history: list[RecordedStep] = []
    for code, on, data, _, _ in WALK:
        if code == until:
            break
        history.append(RecordedStep(code, on, data))
        if code == stop_after:
            break
    return history


def judge(
    history: Sequence[RecordedStep],
    code: str,
    on: date,
    data: Mapping[str, Any] | None = None,
    *,
    rules: RuleSet = SX,
    person: RecruitFacts = PERSON,
    calendar: WorkingCalendar = CAL,
) -> Evaluation:
    return evaluate(code, on, data or {}, history, person, rules, calendar)


def refused_by(*args: Any, **kwargs: Any) -> set[str]:
    evaluation = judge(*args, **kwargs)
    assert not evaluation.accepted and not evaluation.findings
    return {v.rule_id for v in evaluation.violations}


def accepted(*args: Any, **kwargs: Any) -> Evaluation:
    evaluation = judge(*args, **kwargs)
    assert evaluation.accepted, evaluation.violations
    return evaluation


def late(*args: Any, **kwargs: Any) -> tuple[str, Severity, date, int] | None:
    findings = accepted(*args, **kwargs).findings
    assert len(findings) <= 1
    return next(((f.rule_id, f.severity, f.due_on, f.days_late) for f in findings), None)


# --- the table -------------------------------------------------------------------------------


def test_the_table_holds_the_25_steps_in_five_phases() -> None:
    numbered = [s for s in STEPS if s.number is not None]
    assert [s.number for s in numbered] == list(range(1, 26))
    assert [s.code for s in numbered][:3] == ["application", "talk", "activist"]
    assert [s.code for s in numbered][-2:] == ["conversion_approval", "archiving"]
    phases = {
        Phase.APPLICANT: (1, 2),
        Phase.ACTIVIST: (3, 6),
        Phase.DEVELOPMENT_TARGET: (7, 11),
        Phase.PROBATIONARY: (12, 18),
        Phase.PROBATION: (19, 25),
    }
    for step in numbered:
        first, last = phases[step.phase]
        assert first <= step.number <= last, step.code
        assert step.article.startswith("细则第")
    by_code = {s.code: s for s in STEPS}
    for step in numbered:  # prerequisites always come earlier in the flow
        assert all((by_code[r].number or 0) < step.number for r in step.requires), step.code


def test_rules_carry_id_version_and_article_and_resolve_per_province() -> None:
    assert SX.version == "2014+sx-2023"
    assert CQ.version == "2014"
    assert all(r.id and r.version and r.article for r in SX.rules)
    assert [r.id for r in SX.rules][: len(NATIONAL_2014.rules)] == [
        r.id for r in NATIONAL_2014.rules
    ]
    # Judged by the rules of the step's date: the Shanxi notice took effect on 27 Mar 2023.
    assert resolve_rules(SHANXI, "school-a", as_of=D(2023, 1, 1)).version == "2014"
    with pytest.raises(ValueError, match="unknown step"):
        TimeLimit("x", "1", "x", "swearing_in", "approval", (Tier(Period(months=1), WARN),))


# --- the walk --------------------------------------------------------------------------------


def test_a_recruit_walks_all_25_steps_to_full_membership_without_findings() -> None:
    history: list[RecordedStep] = []
    assert stage_after(history) is None
    for code, on, data, stage, due in WALK:
        evaluation = judge(history, code, on, data)
        assert evaluation.accepted, (code, evaluation.violations)
        assert evaluation.findings == (), (code, evaluation.findings)
        history.append(RecordedStep(code, on, data))
        assert stage_after(history) is stage, code
        assert next_due(history, SX, CAL) == due, code
    assert {r.step_code for r in history} >= {s.code for s in STEPS if s.number}
    assert probation_ends_on(history, SX, CAL) == D(2025, 6, 5)


def test_the_stage_is_derived_from_the_steps_whatever_their_order() -> None:
    history = walked("conversion_approval")
    assert stage_after(list(reversed(history))) is Stage.PROBATIONARY


# --- preconditions ---------------------------------------------------------------------------


def test_an_applicant_must_be_18_on_the_application_date() -> None:
    young = RecruitFacts(birth_date=D(2004, 9, 16))
    assert refused_by([], "application", D(2022, 9, 15), person=young) == {"application.min_age"}
    accepted([], "application", D(2022, 9, 16), person=young)  # the 18th birthday
    leap = RecruitFacts(birth_date=D(2004, 2, 29))  # identity.py: 18 on 1 March in 2022
    assert refused_by([], "application", D(2022, 2, 28), person=leap) == {"application.min_age"}
    accepted([], "application", D(2022, 3, 1), person=leap)


def test_a_development_target_needs_a_year_as_activist() -> None:
    history = walked("development_target")  # activist since 20 Mar 2023
    rule = "target.after_activist_1y"
    assert refused_by(history, "development_target", D(2024, 3, 19)) == {rule}
    accepted(history, "development_target", D(2024, 3, 20))


@pytest.mark.parametrize(
    ("votes", "rules"),
    [
        ({"entitled": 20, "present": 10, "in_favour": 10}, {"meeting.quorum", "meeting.majority"}),
        # Written opinions count among the votes, never towards the quorum.
        ({"entitled": 20, "present": 10, "written_votes": 2, "in_favour": 11}, {"meeting.quorum"}),
        # A majority of those present (10 of 12) but not of those entitled (10 of 20).
        ({"entitled": 20, "present": 12, "in_favour": 10}, {"meeting.majority"}),
        ({"entitled": 20, "present": 12, "in_favour": 13}, {"meeting.counts"}),
        ({"entitled": 20, "present": 21, "in_favour": 15}, {"meeting.counts"}),
        ({"entitled": 20, "present": 12}, {"proc.data"}),
        ({"entitled": 20, "present": 12, "in_favour": True}, {"proc.data"}),
    ],
)
def test_branch_meeting_votes(votes: dict[str, Any], rules: set[str]) -> None:
    assert refused_by(walked("branch_meeting"), "branch_meeting", D(2024, 6, 5), votes) == rules


def test_branch_meeting_carried_by_just_over_half_of_the_entitled() -> None:
    accepted(
        walked("branch_meeting"),
        "branch_meeting",
        D(2024, 6, 5),
        {"entitled": 20, "present": 11, "in_favour": 11},
    )


def test_the_conversion_meeting_obeys_the_same_quorum() -> None:
    votes = {"entitled": 26, "present": 13, "in_favour": 13}
    refused = refused_by(walked("conversion_meeting"), "conversion_meeting", D(2025, 6, 5), votes)
    assert refused == {"meeting.quorum", "meeting.majority"}


@pytest.mark.parametrize(
    "introducers", [["m-101"], ["m-101", "m-101"], ["m-101", "m-102", "m-103"], []]
)
def test_exactly_two_distinct_introducers(introducers: list[str]) -> None:
    refused = refused_by(
        walked("introducers"), "introducers", D(2024, 4, 1), {"introducers": introducers}
    )
    assert refused == {"introducers.two"}


def test_one_or_two_contacts() -> None:
    history = walked("contacts")
    assert refused_by(history, "contacts", D(2023, 3, 28), {"contacts": []}) == {
        "contacts.one_or_two"
    }
    accepted(history, "contacts", D(2023, 3, 28), {"contacts": ["m-1", "m-2"]})


@pytest.mark.parametrize(
    ("training", "ok"),
    [
        ({"days": 2, "hours": 20}, False),
        ({}, False),
        ({"days": 3}, True),
        ({"hours": 24}, True),
        ({"days": 2, "hours": 24}, True),
    ],
)
def test_training_lasts_3_days_or_24_hours(training: dict[str, int], ok: bool) -> None:
    history = walked("training")
    if ok:
        accepted(history, "training", D(2024, 4, 26), training)
    else:
        assert refused_by(history, "training", D(2024, 4, 26), training) == {"training.minimum"}


def test_steps_in_order() -> None:
    # Development target without the activist's filing and assessments.
    history = walked(stop_after="contacts")
    assert refused_by(history, "development_target", D(2024, 3, 25)) == {"proc.order"}
    # A talk dated before the application it answers.
    application = walked(stop_after="application")
    violation = judge(application, "talk", D(2022, 9, 1)).violations[0]
    assert (violation.rule_id, violation.field) == ("proc.order", "on")
    # A step recorded twice; an assessment after the activist has become a development target.
    assert refused_by(walked("contacts"), "activist", D(2023, 3, 27)) == {"proc.once"}
    assert refused_by(walked("target_filing"), "cultivation", D(2024, 3, 27)) == {"proc.order"}


def test_the_political_review_must_be_qualified_and_under_a_year_old() -> None:
    history = walked("branch_meeting")
    votes = VOTES_15
    unqualified = [
        RecordedStep(r.step_code, r.on, {"conclusion": "unqualified"})
        if r.step_code == "political_review"
        else r
        for r in history
    ]
    assert refused_by(unqualified, "branch_meeting", D(2024, 6, 5), votes) == {"review.qualified"}
    # Reviewed on 20 Apr 2024: valid until 20 Apr 2025.
    assert refused_by(history, "branch_meeting", D(2025, 4, 21), votes) == {"review.valid_1y"}
    accepted(history, "branch_meeting", D(2025, 4, 20), votes)


def test_malformed_data_is_refused_before_any_other_rule() -> None:
    history = walked("political_review")
    assert refused_by(history, "political_review", D(2024, 4, 20), {"conclusion": "ok"}) == {
        "proc.data"
    }
    assert refused_by(
        history, "political_review", D(2024, 4, 20), {"conclusion": "qualified", "note": "x"}
    ) == {"proc.data"}
    refusal = judge(
        walked("activist"),
        "activist",
        D(2023, 3, 20),
        {"publicity_from": datetime(2023, 3, 1, 8, 0)},
    ).violations[0]
    assert (refusal.rule_id, refusal.field) == ("proc.data", "data.publicity_from")


# --- time limits -----------------------------------------------------------------------------


def test_talk_within_a_month_of_the_application() -> None:
    history = [RecordedStep("application", D(2023, 1, 31))]
    assert late(history, "talk", D(2023, 2, 28)) is None  # a month from 31 Jan: 28 Feb
    assert late(history, "talk", D(2023, 3, 1)) == (
        "talk.within_1m",
        Severity.WARNING,
        D(2023, 2, 28),
        1,
    )


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D(2024, 9, 5), None),
        (D(2024, 9, 6), ("approval.within_3m", Severity.WARNING, D(2024, 9, 5), 1)),
        (D(2024, 12, 5), ("approval.within_3m", Severity.WARNING, D(2024, 9, 5), 91)),
        (D(2024, 12, 6), ("approval.within_3m", Severity.SERIOUS, D(2024, 12, 5), 1)),
    ],
)
def test_approval_within_3_months_of_the_branch_meeting_6_at_most(
    on: date, expected: tuple[str, Severity, date, int] | None
) -> None:
    assert late(walked("approval"), "approval", on) == expected


def test_oath_within_a_month_of_approval_where_shanxi_2023_applies() -> None:
    history = walked("assignment")  # approved on 25 Jun 2024
    assert late(history, "oath", D(2024, 7, 25)) is None
    assert late(history, "oath", D(2024, 7, 26)) == (
        "sx2023.oath.within_1m",
        Severity.WARNING,
        D(2024, 7, 25),
        1,
    )
    assert late(history, "oath", D(2024, 7, 26), rules=CQ) is None  # not a national limit


def test_conversion_approval_within_3_months_of_the_end_of_probation() -> None:
    history = walked("conversion_approval")  # probation ends 5 Jun 2025
    assert late(history, "conversion_approval", D(2025, 9, 5)) is None
    assert late(history, "conversion_approval", D(2025, 9, 6)) == (
        "conversion_approval.within_3m",
        Severity.WARNING,
        D(2025, 9, 5),
        1,
    )


# --- extension and cancellation of the probation ---------------------------------------------


def test_probation_is_extended_once_by_6_to_12_months() -> None:
    history = walked("conversion_application")
    for months in (5, 13):
        assert refused_by(history, "probation_extension", D(2025, 6, 5), {"months": months}) == {
            "extension.months"
        }
    accepted(history, "probation_extension", D(2025, 6, 5), {"months": 12})
    accepted(history, "probation_extension", D(2025, 6, 5), {"months": 6})
    history.append(RecordedStep("probation_extension", D(2025, 6, 5), {"months": 6}))
    assert stage_after(history) is Stage.PROBATIONARY
    assert probation_ends_on(history, SX, CAL) == D(2025, 12, 5)
    assert next_due(history, SX, CAL) == Due("conversion_approval", D(2026, 3, 5))
    assert refused_by(history, "probation_extension", D(2025, 9, 1), {"months": 6}) == {
        "extension.once"
    }


def test_conversion_waits_for_the_extended_end_and_is_due_3_months_after_it() -> None:
    history = walked("conversion_meeting") + [
        RecordedStep("probation_extension", D(2025, 6, 5), {"months": 6})
    ]
    votes = VOTES_23
    rule = "conversion.after_probation"
    assert refused_by(history, "conversion_meeting", D(2025, 6, 5), votes) == {rule}
    assert refused_by(walked("conversion_meeting"), "conversion_meeting", D(2025, 6, 4), votes) == {
        rule
    }
    accepted(history, "conversion_meeting", D(2025, 12, 5), votes)
    history.append(RecordedStep("conversion_meeting", D(2025, 12, 5), votes))
    assert late(history, "conversion_approval", D(2026, 3, 5)) is None
    assert late(history, "conversion_approval", D(2026, 3, 6)) == (
        "conversion_approval.within_3m",
        Severity.WARNING,
        D(2026, 3, 5),
        1,
    )
    history.append(RecordedStep("conversion_approval", D(2026, 3, 5)))
    assert stage_after(history) is Stage.FULL_MEMBER


def test_a_cancelled_probation_ends_the_procedure() -> None:
    history = walked("probation_education") + [
        RecordedStep("probation_cancellation", D(2024, 11, 20), {"reason": "违纪"})
    ]
    assert stage_after(history) is Stage.CANCELLED
    assert next_due(history, SX, CAL) is None
    assert refused_by(history, "probation_education", D(2024, 12, 30)) == {"proc.order"}
    assert refused_by(history, "probation_extension", D(2024, 12, 30), {"months": 6}) == {
        "proc.order"
    }


# --- overlays --------------------------------------------------------------------------------

SCHOOL_A_WAIT = Overlay(
    id="school-a-2024",
    title="某校发展党员实施办法",
    document="校党委〔2024〕3号",
    province=SHANXI,
    school="school-a",
    rules=(EXAMPLE_ACTIVIST_WAIT_6M,),
)
POOL = (SHANXI_2023, SCHOOL_A_WAIT)


def test_an_overlay_applies_only_where_it_is_configured() -> None:
    history = [RecordedStep("application", D(2023, 1, 10)), RecordedStep("talk", D(2023, 1, 20))]
    school_a = resolve_rules(SHANXI, "school-a", overlays=POOL)
    school_b = resolve_rules(SHANXI, "school-b", overlays=POOL)
    assert school_a.version == "2014+sx-2023+school-a-2024"
    rule = "local.activist.after_application_6m"
    assert refused_by(history, "activist", D(2023, 7, 9), rules=school_a) == {rule}
    accepted(history, "activist", D(2023, 7, 10), rules=school_a)
    accepted(history, "activist", D(2023, 5, 10), rules=school_b)
    accepted(
        history,
        "activist",
        D(2023, 5, 10),
        rules=resolve_rules(CHONGQING, "school-a", overlays=POOL),
    )


def test_an_overlay_overrides_a_national_rule_in_place() -> None:
    two_weeks = (Tier(Period(days=14), WARN),)
    stricter_talk = TimeLimit(
        "talk.within_1m", "school-a.1", "校党委〔2024〕3号", "talk", "application", two_weeks
    )
    school = Overlay(
        "school-a-talk", "谈话时限", "校党委〔2024〕3号", SHANXI, "school-a", rules=(stricter_talk,)
    )
    rules = resolve_rules(SHANXI, "school-a", overlays=(school,))
    assert [r.id for r in rules.rules] == [r.id for r in NATIONAL_2014.rules]
    history = [RecordedStep("application", D(2023, 3, 1))]
    finding = accepted(history, "talk", D(2023, 3, 16), rules=rules).findings[0]
    assert (finding.version, finding.due_on, finding.days_late) == ("school-a.1", D(2023, 3, 15), 1)


def test_a_school_overlay_comes_after_its_province() -> None:
    waits = [
        Precondition(
            "local.activist.after_application_6m",
            v,
            "x",
            ("activist",),
            MinInterval("application", Period(months=m)),
        )
        for v, m in (("province", 6), ("school", 3))
    ]
    province = Overlay("p", "p", "p", SHANXI, rules=(waits[0],), effective_from=D(2024, 1, 1))
    school = Overlay("s", "s", "s", SHANXI, "school-a", rules=(waits[1],))
    rules = resolve_rules(SHANXI, "school-a", overlays=(school, province))
    assert rules.version == "2014+p+s"
    history = [RecordedStep("application", D(2024, 1, 10)), RecordedStep("talk", D(2024, 1, 20))]
    accepted(history, "activist", D(2024, 4, 10), rules=rules)


def test_publicity_counts_working_days_across_national_day() -> None:
    rules = resolve_rules(
        SHANXI,
        "school-p",
        overlays=(
            Overlay("school-p", "公示", "x", SHANXI, "school-p", rules=(EXAMPLE_PUBLICITY_5WD,)),
        ),
    )
    history = [RecordedStep("application", D(2023, 3, 1)), RecordedStep("talk", D(2023, 3, 20))]
    rule = "local.publicity.5_working_days"

    def publicity(first: date, last: date) -> dict[str, date]:
        return {"publicity_from": first, "publicity_to": last}

    # 28 Sep, then 7 and 8 Oct (the make-up weekend), 9 and 10 Oct: 5 working days.
    five_days = publicity(D(2023, 9, 28), D(2023, 10, 10))
    four_days = publicity(D(2023, 9, 28), D(2023, 10, 9))
    accepted(history, "activist", D(2023, 10, 11), five_days, rules=rules)
    assert refused_by(history, "activist", D(2023, 10, 11), four_days, rules=rules) == {rule}
    no_make_up = WorkingCalendar(CAL.holidays, frozenset())  # 3 working days, not 5
    assert refused_by(
        history, "activist", D(2023, 10, 11), five_days, rules=rules, calendar=no_make_up
    ) == {rule}
    assert refused_by(history, "activist", D(2023, 10, 11), rules=rules) == {rule}  # none given
    # Still running on the step's date.
    assert refused_by(history, "activist", D(2023, 10, 9), five_days, rules=rules) == {rule}
    # Where no overlay demands it, publicity is not checked.
    accepted(history, "activist", D(2023, 10, 11))


def test_publicity_dates_as_json_carries_them() -> None:
    """Step data arrives as GraphQL JSON and is stored as JSONB: dates are ISO text there."""
    rules = resolve_rules(
        SHANXI,
        "school-p",
        overlays=(
            Overlay("school-p", "公示", "x", SHANXI, "school-p", rules=(EXAMPLE_PUBLICITY_5WD,)),
        ),
    )
    history = [RecordedStep("application", D(2023, 3, 1)), RecordedStep("talk", D(2023, 3, 20))]
    five_days = {"publicity_from": "2023-09-28", "publicity_to": "2023-10-10"}
    four_days = {"publicity_from": "2023-09-28", "publicity_to": "2023-10-09"}
    accepted(history, "activist", D(2023, 10, 11), five_days, rules=rules)
    assert refused_by(history, "activist", D(2023, 10, 11), four_days, rules=rules) == {
        "local.publicity.5_working_days"
    }
    for bad in ("2023-02-30", "28/09/2023", "20230928", 20230928):
        refusal = judge(
            history, "activist", D(2023, 10, 11), {**five_days, "publicity_from": bad}, rules=rules
        ).violations[0]
        assert (refusal.rule_id, refusal.field) == ("proc.data", "data.publicity_from"), bad


def test_next_due_follows_a_local_time_limit() -> None:
    rules = resolve_rules(
        SHANXI,
        "school-a",
        overlays=(
            Overlay("pre", "预审时限", "x", SHANXI, "school-a", rules=(EXAMPLE_PRE_REVIEW_1M,)),
        ),
    )
    history = walked(stop_after="branch_committee_review")  # 10 May 2024
    assert next_due(history, rules, CAL) == Due("pre_review", D(2024, 6, 10))
    assert next_due(history, SX, CAL) is None
    assert late(history, "pre_review", D(2024, 6, 11), rules=rules) == (
        "local.pre_review.within_1m",
        Severity.WARNING,
        D(2024, 6, 10),
        1,
    )
