"""Rules the 2014 细则 sets that the table did not encode, each named by its article; and the
approval limits counted as the text counts them (from the resolution the branch reports), the
stricter count kept only where a province's overlay asks for it (Shanxi, for the conversion)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from partyplan.resolvers.recruits.rules.calendar import SAMPLE_CALENDAR_2023
from partyplan.resolvers.recruits.rules.derivation import derive
from partyplan.resolvers.recruits.rules.engine import next_due
from partyplan.resolvers.recruits.rules.overlays import SHANXI_2023
from partyplan.resolvers.recruits.rules.steps import Due, RecordedStep, RecruitFacts, Severity
from partyplan.resolvers.recruits.rules.table import CONVERSION_DUE, NATIONAL_2014

from .test_steps import CQ, PERSON, SX, VOTES_15, VOTES_23, accepted, judge, refused_by, walked

D = date
CAL = SAMPLE_CALENDAR_2023
MOVED = RecruitFacts(birth_date=PERSON.birth_date, transferred_after_admission=True)


def findings(*args, **kwargs) -> list[tuple]:  # type: ignore[no-untyped-def]
    found = accepted(*args, **kwargs).findings
    return [(f.rule_id, f.article, f.due_on, f.days_late) for f in found]


# --- 细则第十九条: a development target leaving the unit within three months --------------------


def _leaving(on: str | None) -> list[RecordedStep]:
    """The walk to the branch meeting, its pre-review recording the day the target leaves."""
    data = {} if on is None else {"expected_leave_on": on}
    return [
        RecordedStep(r.step_code, r.on, data) if r.step_code == "pre_review" else r
        for r in walked("branch_meeting")
    ]


def test_a_target_leaving_within_3_months_is_admitted_with_a_finding_article_19() -> None:
    # The meeting is on 5 Jun 2024; the student graduates on 30 Jun: normally not admitted here.
    evaluation = accepted(_leaving("2024-06-30"), "branch_meeting", D(2024, 6, 5), VOTES_15)
    [finding] = evaluation.findings
    assert (finding.rule_id, finding.article, finding.severity) == (
        "target.leaving_3m",
        "细则第十九条",
        Severity.WARNING,
    )
    assert finding.due_on is None and finding.days_late is None  # no deadline: a caution
    # The message says where the target's file should go instead.
    assert "2024-06-30" in finding.message
    assert "转交其将去的工作、学习单位（或居住地）党组织" in finding.message


@pytest.mark.parametrize("leaves", ["2024-09-06", None])
def test_no_finding_when_the_target_stays_longer_or_no_date_is_known(leaves: str | None) -> None:
    # Three months from 5 Jun is 5 Sep: leaving on the 6th is beyond them.
    assert findings(_leaving(leaves), "branch_meeting", D(2024, 6, 5), VOTES_15) == []


def test_the_day_three_months_on_is_still_within_them() -> None:
    assert findings(_leaving("2024-09-05"), "branch_meeting", D(2024, 6, 5), VOTES_15) == [
        ("target.leaving_3m", "细则第十九条", None, None)
    ]


def test_the_finding_is_derived_and_kept_by_the_generators_shortcut() -> None:
    history = [*_leaving("2024-06-30"), RecordedStep("branch_meeting", D(2024, 6, 5), VOTES_15)]
    full = derive(history, PERSON, lambda _: CQ, CAL)
    assert [f["rule_id"] for f in full.findings] == ["target.leaving_3m"]
    assert full.findings[0]["due_on"] is None and full.columns()["open_findings"] == 1
    assert derive(history, PERSON, lambda _: CQ, CAL, timed_only=True).findings == full.findings


def test_the_expected_leave_is_a_date() -> None:
    refused = refused_by(
        walked("pre_review"), "pre_review", D(2024, 5, 17), {"expected_leave_on": "六月"}
    )
    assert refused == {"proc.data"}


# --- 细则第十一条: the branch assesses an activist every six months ----------------------------


def test_an_assessment_later_than_six_months_is_a_finding_citing_article_11() -> None:
    history = walked("cultivation")  # activist since 20 Mar 2023
    assert findings(history, "cultivation", D(2023, 9, 20)) == []
    assert findings(history, "cultivation", D(2023, 9, 21)) == [
        ("cultivation.every_6m", "细则第十一条", D(2023, 9, 20), 1)
    ]
    # The next one counts from the one before it.
    history.append(RecordedStep("cultivation", D(2023, 9, 1), {}))
    late = accepted(history, "cultivation", D(2024, 3, 2)).findings
    assert [(f.rule_id, f.due_on, f.days_late) for f in late] == [
        ("cultivation.every_6m", D(2024, 3, 1), 1)
    ]
    assert "上一次" in late[0].message


def test_the_next_assessment_is_due_until_the_activist_becomes_a_target() -> None:
    history = walked("cultivation")
    assert next_due(history, CQ, CAL) == Due("cultivation", D(2023, 9, 20))
    history.append(RecordedStep("cultivation", D(2023, 9, 1), {}))
    assert next_due(history, CQ, CAL) == Due("cultivation", D(2024, 3, 1))
    # Once a development target, no more activist assessments are due.
    target = walked(stop_after="development_target")
    assert next_due(target, CQ, CAL) is None


# --- the approval limits: counted from the reported resolution --------------------------------


def _reported(history: list[RecordedStep], meeting: str, on: str) -> list[RecordedStep]:
    return [
        RecordedStep(r.step_code, r.on, {**r.data, "reported_on": on})
        if r.step_code == meeting
        else r
        for r in history
    ]


def test_the_approval_counts_three_months_from_the_resolution_the_branch_reports() -> None:
    # Met on 5 Jun 2024, reported on 20 Jun: due by 20 Sep, not 5 Sep.
    history = _reported(walked("approval"), "branch_meeting", "2024-06-20")
    assert findings(history, "approval", D(2024, 9, 20), rules=CQ) == []
    assert findings(history, "approval", D(2024, 9, 21), rules=CQ) == [
        ("approval.within_3m", "细则第二十四条", D(2024, 9, 20), 1)
    ]
    assert next_due(history, CQ, CAL) == Due("approval", D(2024, 9, 20))
    # Without a reported date, from the meeting (the earliest the report can be).
    assert findings(walked("approval"), "approval", D(2024, 9, 6), rules=CQ)[0][2] == D(2024, 9, 5)


def test_a_resolution_is_not_reported_before_its_meeting() -> None:
    history = walked("branch_meeting")
    refused = refused_by(
        history, "branch_meeting", D(2024, 6, 5), {**VOTES_15, "reported_on": "2024-06-04"}
    )
    assert refused == {"meeting.reported_after"}
    accepted(history, "branch_meeting", D(2024, 6, 5), {**VOTES_15, "reported_on": "2024-06-05"})


def _met_late() -> list[RecordedStep]:
    """Probation ends 5 Jun 2025; the branch discusses the conversion on 5 Aug."""
    meeting = RecordedStep("conversion_meeting", D(2025, 8, 5), VOTES_23)
    return [*walked("conversion_meeting"), meeting]


STRICTER = next(r for r in SHANXI_2023.rules if r.id == "conversion_approval.within_3m")


def test_the_conversion_approval_counts_from_the_conversion_resolution_article_34() -> None:
    history = _met_late()
    assert findings(history, "conversion_approval", D(2025, 11, 5), rules=CQ) == []
    assert findings(history, "conversion_approval", D(2025, 11, 6), rules=CQ) == [
        ("conversion_approval.within_3m", "细则第三十四条", D(2025, 11, 5), 1)
    ]


def test_shanxi_keeps_the_stricter_count_from_the_end_of_the_probation() -> None:
    # Rule data says whose the stricter reading is: the Shanxi overlay's, by its document.
    stricter = STRICTER
    assert stricter.anchor == CONVERSION_DUE and "晋教工委组〔2023〕23号" in stricter.article
    national = next(r for r in NATIONAL_2014.rules if r.id == stricter.id)
    assert national.version == "2014.2" and national.article == "细则第三十四条"
    assert findings(_met_late(), "conversion_approval", D(2025, 9, 6), rules=SX) == [
        ("conversion_approval.within_3m", stricter.article, D(2025, 9, 5), 1)
    ]


# --- 细则第三十六条: a transferred-in member's conversion may be discussed later --------------


def test_a_member_transferred_in_gets_six_more_months_where_the_end_of_probation_counts() -> None:
    history = _met_late()
    # Shanxi counts from the end of the probation; moved in during it, the end is postponable.
    assert findings(history, "conversion_approval", D(2025, 9, 6), rules=SX, person=MOVED) == []
    assert findings(history, "conversion_approval", D(2026, 3, 6), rules=SX, person=MOVED) == [
        ("conversion_approval.within_3m", STRICTER.article, D(2026, 3, 5), 1)
    ]
    assert next_due(walked("conversion_meeting"), SX, CAL, MOVED) == Due(
        "conversion_meeting", D(2025, 12, 5)
    )


def test_the_postponement_is_six_months_at_most_article_36() -> None:
    history = walked("conversion_meeting")  # probation ends 5 Jun 2025
    on_time = judge(history, "conversion_meeting", D(2025, 12, 5), VOTES_23, person=MOVED)
    assert on_time.accepted and on_time.findings == ()
    late = findings(history, "conversion_meeting", D(2025, 12, 6), VOTES_23, person=MOVED)
    assert late == [("conversion.postponed_within_6m", "细则第三十六条", D(2025, 12, 5), 1)]
    # A member admitted here is not postponed: the rule binds transferred-in members only.
    assert findings(history, "conversion_meeting", D(2025, 12, 6), VOTES_23) == []


def test_a_recruit_is_transferred_in_when_its_branch_is_not_the_admitting_one() -> None:
    row = SimpleNamespace(birth_date=D(2004, 5, 10), branch_id=7, admitted_branch_id=3)
    assert RecruitFacts.of(row).transferred_after_admission
    stayed = SimpleNamespace(**{**vars(row), "admitted_branch_id": 7})
    assert not RecruitFacts.of(stayed).transferred_after_admission
    assert not RecruitFacts.of(
        SimpleNamespace(**{**vars(row), "admitted_branch_id": None})
    ).transferred_after_admission
