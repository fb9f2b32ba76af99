"""Every error the procedure rules can raise names a field of the input the caller sent, and
carries a code the mutation's error type declares.

The walk: every precondition of the national table and the example overlays on each step it
judges, plus the step-independent checks on every step, each driven by cases that break it (for
the data shape: a wrong value and, when required, a missing one for every field spec of every
step, and an undeclared key). Each refusal goes through every operation that records that step —
recordStep, importRecruits (row creation and past steps), createRecruit, extendProbation,
cancelProbation, correctStep — and its ``field`` must resolve in that mutation's input type as the
GraphQL schema declares it (``support_inputs``), step data by the keys the step's field specs
declare.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from support import id_number
from support_inputs import error_codes, unresolved
from support_recruits import WALK

from partyplan.resolvers.errors import DomainError, ValidationErrors
from partyplan.resolvers.recruits.rules import locate
from partyplan.resolvers.recruits.rules.calendar import SAMPLE_CALENDAR_2023
from partyplan.resolvers.recruits.rules.data_keys import SPELLINGS, camel, normalise
from partyplan.resolvers.recruits.rules.engine import evaluate
from partyplan.resolvers.recruits.rules.facts import Facts
from partyplan.resolvers.recruits.rules.overlays import (
    EXAMPLE_ACTIVIST_WAIT_6M,
    EXAMPLE_PUBLICITY_5WD,
    RuleSet,
)
from partyplan.resolvers.recruits.rules.serialization import CHECK_TYPES
from partyplan.resolvers.recruits.rules.steps import (
    STEP_BY_CODE,
    STEPS,
    Evaluation,
    FieldKind,
    RecordedStep,
    RecruitFacts,
    Step,
)
from partyplan.resolvers.recruits.rules.table import (
    NATIONAL_2014,
    AnyMinimum,
    DataShape,
    InOrder,
    IntRange,
    LeavesWithin,
    Majority,
    MaxInterval,
    MaxOccurrences,
    MemberCount,
    MinAge,
    MinInterval,
    NotBeforeProbationEnd,
    NotBeforeStep,
    Period,
    Precondition,
    Publicity,
    Quorum,
    RecordedValue,
    RuleTable,
    VoteCounts,
)
from partyplan.resolvers.recruits.service.records import violations_error

CAL = SAMPLE_CALENDAR_2023
DAY = timedelta(days=1)
BORN = date(2003, 5, 4)
RULES = RuleSet(NATIONAL_2014)
PAST: list[RecordedStep] = [
    RecordedStep("application", date(2022, 9, 15)),
    *(RecordedStep(code, on, data) for code, on, data, _ in WALK),
]
# The two events outside the walk, recorded during the walk's probation.
OUTSIDE = {"probation_extension": {"months": 6}, "probation_cancellation": {"reason": "x"}}
OUTSIDE_ON = date(2024, 12, 2)


@dataclasses.dataclass(frozen=True)
class Case:
    """A step judged on ``on`` with ``data`` after ``history``, of a recruit born ``born``."""

    step: Step
    on: date
    data: dict[str, Any]
    history: tuple[RecordedStep, ...]
    born: date = BORN

    def but(self, **changes: Any) -> Case:
        return dataclasses.replace(self, **changes)


def baseline(step: Step) -> Case:
    """The step as the walk records it, after what the walk recorded before it."""
    if step.code in OUTSIDE:
        history = tuple(r for r in PAST if r.on < OUTSIDE_ON)
        return Case(step, OUTSIDE_ON, dict(OUTSIDE[step.code]), history)
    at = next(i for i, r in enumerate(PAST) if r.step_code == step.code)
    return Case(step, PAST[at].on, dict(PAST[at].data), tuple(PAST[:at]))


# --- a case that breaks each check ---------------------------------------------------------

BAD_VALUE = {
    FieldKind.INTEGER: -1,
    FieldKind.TEXT: " ",
    FieldKind.DATE: "2023-02-30",
    FieldKind.MEMBERS: "m-101",
    FieldKind.CHOICE: "undecided",
}


def _without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


def _anchor(case: Case, code: str) -> date | None:
    return Facts(case.history, RULES, CAL).anchor(code)


def breaking(check: Any, base: Case) -> Iterator[Case]:
    match check:
        case DataShape():
            yield base.but(data={**base.data, "undeclared": 1})
            for spec in base.step.fields:
                yield base.but(data={**base.data, spec.name: BAD_VALUE[spec.kind]})
                if spec.required:
                    yield base.but(data=_without(base.data, spec.name))
        case InOrder():
            required = [r for r in base.history if r.step_code in base.step.requires]
            if required:
                kept = tuple(r for r in base.history if r not in required)
                yield base.but(history=kept)
                yield base.but(on=min(r.on for r in required) - DAY)
            cancelled = RecordedStep("probation_cancellation", base.on - DAY)
            yield base.but(history=(*base.history, cancelled))
            if base.step.until:
                yield base.but(
                    history=(*base.history, RecordedStep(base.step.until, base.on - DAY))
                )
        case MaxOccurrences(times=times):
            again = (RecordedStep(base.step.code, base.on - DAY, base.data),) * times
            yield base.but(history=(*base.history, *again))
        case MinAge(years=years):
            yield base.but(born=base.on.replace(year=base.on.year - years) + DAY)
        case MinInterval(after=after, period=period):
            if (anchor := _anchor(base, after)) is not None:
                yield base.but(on=period.after(anchor, CAL) - DAY)
        case MaxInterval(after=after, period=period):
            if (anchor := _anchor(base, after)) is not None:
                yield base.but(on=period.after(anchor, CAL) + DAY)
        case MemberCount(field=key, minimum=low, maximum=high):
            yield base.but(data={**base.data, key: ["m-101", "m-101"]})
            yield base.but(data={**base.data, key: [f"m-{n}" for n in range(high + 1)]})
            if low:
                yield base.but(data={**base.data, key: []})
        case AnyMinimum(minimums=minimums):
            yield base.but(data={**base.data, **{key: 0 for key, _ in minimums}})
        case VoteCounts():
            yield base.but(data={**base.data, "entitled": 10, "present": 11, "in_favour": 11})
            yield base.but(data={**base.data, "entitled": 10, "present": 6, "in_favour": 7})
        case Quorum():
            yield base.but(data={**base.data, "entitled": 10, "present": 5, "in_favour": 5})
        case Majority():
            yield base.but(data={**base.data, "entitled": 10, "present": 8, "in_favour": 5})
        case RecordedValue(step=code, field=key):
            yield base.but(history=tuple(r for r in base.history if r.step_code != code))
            yield base.but(
                history=tuple(
                    RecordedStep(r.step_code, r.on, {**r.data, key: "unqualified"})
                    if r.step_code == code
                    else r
                    for r in base.history
                )
            )
        case IntRange(field=key, minimum=low, maximum=high):
            yield base.but(data={**base.data, key: high + 1})
            if low:
                yield base.but(data={**base.data, key: low - 1})
        case NotBeforeProbationEnd():
            if (end := _anchor(base, "probation_end")) is not None:
                yield base.but(on=end - DAY)
        case NotBeforeStep(field=key):
            yield base.but(data={**base.data, key: (base.on - DAY).isoformat()})
        case LeavesWithin(step=code, field=key):
            leaving = {key: base.on.isoformat()}
            if base.step.code == code:
                yield base.but(data={**base.data, **leaving})
            elif any(r.step_code == code for r in base.history):
                yield base.but(
                    history=tuple(
                        RecordedStep(r.step_code, r.on, {**r.data, **leaving})
                        if r.step_code == code
                        else r
                        for r in base.history
                    )
                )
        case Publicity():
            on = base.on
            for first, last in (
                (None, None),
                (on - 2 * DAY, on - 5 * DAY),
                (on - 9 * DAY, on + DAY),
            ):
                dates = {"publicity_from": first, "publicity_to": last}
                yield base.but(
                    data={**base.data, **{k: v.isoformat() for k, v in dates.items() if v}}
                )
            yield base.but(
                data={**base.data, "publicity_from": on.isoformat(), "publicity_to": on.isoformat()}
            )
        case _:
            raise AssertionError(f"no case breaks {check!r}: teach this test")


# --- the rules walked ------------------------------------------------------------------------

#: Checks that read no step data, judged on every step (as an overlay may place them).
ANY_STEP = (
    MinAge(18),
    MinInterval("application", Period(months=1)),
    MaxInterval("application", Period(days=1)),
    NotBeforeProbationEnd(),
    MaxOccurrences(1),
    # Reads the pre-review's datum: judged on the pre-review itself and on every step after it.
    LeavesWithin("pre_review", "expected_leave_on", Period(months=3)),
)


def _placed(rule: Precondition, code: str) -> Precondition | None:
    """The rule judging ``code`` alone, or None where the table refuses that placement."""
    try:
        return dataclasses.replace(rule, id=f"{rule.id}@{code}", steps=(code,))
    except ValueError:
        return None


def walked_rules() -> list[Precondition]:
    tabled = [
        rule
        for rule in (*NATIONAL_2014.rules, EXAMPLE_ACTIVIST_WAIT_6M, EXAMPLE_PUBLICITY_5WD)
        if isinstance(rule, Precondition)
    ]
    anywhere = [Precondition(f"any.{type(c).__name__}", "1", "test", (), c) for c in ANY_STEP]
    placed = [_placed(rule, code) for rule in tabled for code in rule.steps] + [
        _placed(rule, step.code) for rule in anywhere for step in STEPS
    ]
    return [
        rule
        for rule in placed
        if rule is not None and any(breaking(rule.check, baseline(STEP_BY_CODE[rule.steps[0]])))
    ]


WALKED = walked_rules()


def test_the_walk_drives_every_check_type_and_every_field_spec() -> None:
    assert {type(rule.check) for rule in WALKED} == set(CHECK_TYPES.values())
    shaped = {rule.steps[0] for rule in WALKED if isinstance(rule.check, DataShape)}
    assert shaped == set(STEP_BY_CODE)  # and so every field spec of every step


# --- through each operation ------------------------------------------------------------------

PERSON = {
    "branchId": "VW5pdDox",
    "name": "李明",
    "gender": "MALE",
    "ethnicity": "汉族",
    "birthDate": BORN.isoformat(),
    "idNumber": id_number("20030504", 12),
    "category": "UNDERGRADUATE",
    "education": "BELOW_COLLEGE",
    "highKnowledge": False,
}


def _sent_step(code: str, on: date, data: Any) -> dict[str, Any]:
    return {"step": code.upper(), "on": on.isoformat(), "data": data}


def operations(
    case: Case, violations: Evaluation, rules: RuleSet
) -> Iterator[tuple[str, dict[str, Any], list[Any]]]:
    """(mutation, the input it was sent, the typed errors it answers) for each operation that
    records ``case``'s step."""
    code, on, data = case.step.code, case.on, case.data
    yield (
        "recordStep",
        {"recruitId": "UmVjcnVpdDox", **_sent_step(code, on, data)},
        violations_error(violations).errors,
    )
    from partyplan.resolvers.recruits.rules import locate
    from partyplan.resolvers.recruits.service.corrections import check_corrected
    from partyplan.resolvers.recruits.service.imports import row_errors

    past = [_sent_step(r.step_code, r.on, dict(r.data)) for r in case.history]
    past = [s for s in past if s["step"] != "APPLICATION"]
    row = {**PERSON, "applicationDate": "2022-09-15", "steps": [*past, _sent_step(code, on, data)]}
    yield (
        "importRecruits",
        {"rows": [row]},
        row_errors(0, violations_error(violations), f"rows.0.steps.{len(past)}"),
    )
    if code == "application":
        created = violations_error(violations, locate.application)
        yield "createRecruit", {**PERSON, "applicationDate": on.isoformat()}, created.errors
        row = {**PERSON, "applicationDate": on.isoformat(), "steps": []}
        yield "importRecruits", {"rows": [row]}, row_errors(0, created, "rows.0")
    months = data.get("months")
    if code == "probation_extension" and set(data) <= {"months", "reason"} and type(months) is int:
        sent = {"recruitId": "UmVjcnVpdDox", "on": on.isoformat(), **data}
        yield "extendProbation", sent, violations_error(violations, locate.EXTENSION).errors
    if code == "probation_cancellation" and set(data) <= {"reason"}:
        sent = {"recruitId": "UmVjcnVpdDox", "on": on.isoformat(), **data}
        yield "cancelProbation", sent, violations_error(violations, locate.CANCELLATION).errors
    corrected = RecordedStep(code, on, data)
    history = sorted([*case.history, corrected], key=lambda r: r.on)
    try:
        facts = RecruitFacts(case.born)
        check_corrected(history, corrected, baseline(case.step).on, facts, lambda _: rules, CAL)
        corrections: list[DomainError] = []
    except ValidationErrors as refused:
        corrections = refused.errors
    sent = {"stepId": "UmVjcnVpdFN0ZXA6MQ==", "on": on.isoformat(), "data": data, "reason": "x"}
    yield "correctStep", sent, corrections


def _data_keys(step: Step) -> Callable[[tuple[str, ...]], Collection[str]]:
    """The keys the judged step's ``data`` may hold, wherever the input carries it: those its
    field specs declare (a required datum left out is named all the same)."""
    declared = {spec.name for spec in step.fields}
    return lambda at: declared if at[-1:] == ("data",) else ()


@pytest.mark.parametrize("rule", WALKED, ids=lambda rule: rule.id)
def test_every_rule_error_names_an_input_field_and_a_declared_code(rule: Precondition) -> None:
    step = STEP_BY_CODE[rule.steps[0]]
    rules = RuleSet(RuleTable("walk", "walk", NATIONAL_2014.probation, (rule,)))
    refused = 0
    for case in breaking(rule.check, baseline(step)):
        evaluation = evaluate(
            step.code, case.on, case.data, case.history, RecruitFacts(case.born), rules, CAL
        )
        if evaluation.accepted:
            continue
        refused += 1
        for mutation, sent, errors in operations(case, evaluation, rules):
            assert errors or mutation == "correctStep", (mutation, case)
            for error in errors:
                problem = unresolved(mutation, error.field, sent, _data_keys(step))
                assert problem is None, (mutation, error.message, problem)
                assert error.code.value in error_codes(mutation), (mutation, error.code)
                if isinstance(rule.check, MinAge):
                    assert error.code.value == "UNDERAGE", (mutation, error.message)
    assert refused, f"no case broke {rule.id}"


def _camel_cased(case: Case) -> dict[str, Any]:
    return {camel(key): value for key, value in case.data.items()}


@pytest.mark.parametrize("rule", WALKED, ids=lambda rule: rule.id)
def test_camel_case_data_is_judged_alike_and_named_as_sent(rule: Precondition) -> None:
    """The same cases with their data keys camelCased (``inFavour``): the same refusals, each
    named by the key as sent, resolving in recordStep's, importRecruits' and correctStep's
    input (a datum left out in either spelling)."""
    from partyplan.resolvers.recruits.service.corrections import check_corrected
    from partyplan.resolvers.recruits.service.imports import row_errors

    step = STEP_BY_CODE[rule.steps[0]]
    rules = RuleSet(RuleTable("walk", "walk", NATIONAL_2014.probation, (rule,)))
    keys = SPELLINGS[step.code]
    for case in breaking(rule.check, baseline(step)):
        data = _camel_cased(case)
        spelled = normalise(step.code, data).check()
        facts = RecruitFacts(case.born)
        as_sent = evaluate(step.code, case.on, spelled.data, case.history, facts, rules, CAL)
        as_stored = evaluate(step.code, case.on, case.data, case.history, facts, rules, CAL)
        assert as_sent == as_stored, case
        if as_sent.accepted:
            continue
        refused = violations_error(as_sent, spelled.within(locate.as_recorded))
        sent = {"recruitId": "UmVjcnVpdDox", **_sent_step(step.code, case.on, data)}
        past = [_sent_step(r.step_code, r.on, dict(r.data)) for r in case.history]
        past = [s for s in past if s["step"] != "APPLICATION"]
        row = {**PERSON, "applicationDate": "2022-09-15", "steps": [*past, sent]}
        imported = row_errors(0, refused, f"rows.0.steps.{len(past)}")
        corrected = RecordedStep(step.code, case.on, spelled.data)
        history = sorted([*case.history, corrected], key=lambda r: r.on)
        try:
            check_corrected(
                history, corrected, baseline(step).on, facts, lambda _: rules, CAL, spelled.place
            )
            corrections: list[DomainError] = []
        except ValidationErrors as failed:
            corrections = failed.errors
        correction = {"stepId": "x", "on": case.on.isoformat(), "data": data, "reason": "x"}
        for mutation, input_, errors in (
            ("recordStep", sent, refused.errors),
            ("importRecruits", {"rows": [row]}, imported),
            ("correctStep", correction, corrections),
        ):
            for error in errors:
                problem = unresolved(mutation, error.field, input_, lambda at: keys)
                assert problem is None, (mutation, error.message, problem)
        # Named as sent; a datum left out camelCase when any key was sent camelCase.
        camelled = any(camel(key) != key for key in case.data if key in keys)
        expected = [_respelled(e.field, keys, camelled) for e in violations_error(as_stored).errors]
        assert [e.field for e in refused.errors] == expected


def _respelled(field: str, keys: Collection[str], camelled: bool) -> str:
    head, _, rest = field.partition(".")
    key, dot, tail = rest.partition(".")
    if head != "data" or key not in keys or not camelled:
        return field
    return f"data.{camel(key)}{dot}{tail}"


# --- corrections: on what the correction changed ---------------------------------------------


def _corrected(code: str, on: date | None = None, **data: Any) -> list[str]:
    """The fields a correction of the walk's first ``code`` step is refused on (none: allowed)."""
    from partyplan.resolvers.recruits.service.corrections import check_corrected

    at = next(i for i, r in enumerate(PAST) if r.step_code == code)
    was = PAST[at]
    replacement = RecordedStep(code, on or was.on, {**was.data, **data})
    history = sorted([*PAST[:at], replacement, *PAST[at + 1 :]], key=lambda r: r.on)
    try:
        check_corrected(history, replacement, was.on, RecruitFacts(BORN), lambda _: RULES, CAL)
    except ValidationErrors as refused:
        sent = {"stepId": "x", "on": "2023-01-01", "data": replacement.data, "reason": "x"}
        keys = {spec.name for spec in STEP_BY_CODE[code].fields}
        fields = [e.field for e in refused.errors]
        assert [f for f in fields if unresolved("correctStep", f, sent, lambda _: keys)] == []
        return fields
    return []


def test_a_correction_is_refused_on_what_it_changed() -> None:
    # Its own step: as recordStep places it; out of order or closed once moved: its date.
    assert _corrected("talk", date(2022, 9, 1)) == ["on"]  # before the application
    assert _corrected("branch_meeting", present=5) == ["data.in_favour", "data.present"]
    assert _corrected("cultivation", date(2024, 3, 26)) == ["on"]  # closed by then
    # Another step it breaks: its date when it moved, its data otherwise.
    assert _corrected("activist", date(2023, 6, 1)) == ["on"]  # now after the contacts
    assert _corrected("political_review", conclusion="unqualified") == ["data"]
    assert _corrected("talk", date(2022, 10, 11)) == []


def test_every_identity_error_names_a_field_of_the_person() -> None:
    """The identity rules' errors, as createRecruit and an import row name them."""
    from partyplan.resolvers.recruits.rules import identity
    from partyplan.resolvers.recruits.service.imports import row_errors

    good = PERSON["idNumber"]
    breaches = [
        (identity.check_id_number, ("110",), {"today": date(2024, 1, 1)}),
        (identity.check_id_number, (good,), {"today": date(2000, 1, 1)}),
        (identity.check_birth_date_matches, (good, date(2003, 5, 5)), {}),
        (identity.check_gender_matches, (good, "female"), {}),
        (identity.check_gender_matches, (good, "unknown"), {}),
        (identity.check_name, ("张3",), {}),
        (identity.check_ethnicity, ("汉",), {}),
        (identity.check_phone, ("12345",), {}),
        (identity.check_minimum_age, (BORN, date(2020, 1, 1)), {}),
    ]
    for check, args, kwargs in breaches:
        with pytest.raises(DomainError) as raised:
            check(*args, **kwargs)
        error = raised.value
        assert unresolved("createRecruit", error.field, PERSON) is None, (check, error.field)
        assert error.code.value in error_codes("createRecruit")
        [in_row] = row_errors(0, error, "rows.0")
        assert unresolved("importRecruits", in_row.field, {"rows": [PERSON]}) is None
