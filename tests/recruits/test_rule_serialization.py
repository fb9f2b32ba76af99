"""Rule overlays as JSON: every builtin overlay, example rule and check type round-trips to an
equal overlay judging alike, and malformed documents are refused at the offending path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from typing import Any, get_args

import pytest

from partyplan.resolvers.recruits.rules.calendar import SAMPLE_CALENDAR_2023
from partyplan.resolvers.recruits.rules.engine import evaluate, next_due
from partyplan.resolvers.recruits.rules.overlays import (
    BUILTIN_OVERLAYS,
    EXAMPLE_ACTIVIST_WAIT_6M,
    EXAMPLE_PRE_REVIEW_1M,
    EXAMPLE_PUBLICITY_5WD,
    SHANXI,
    Overlay,
    RuleSet,
)
from partyplan.resolvers.recruits.rules.serialization import (
    CHECK_TYPES,
    OverlayFormatError,
    overlay_from_json,
    overlay_schema_doc,
    overlay_to_json,
)
from partyplan.resolvers.recruits.rules.steps import RecordedStep, RecruitFacts
from partyplan.resolvers.recruits.rules.table import (
    NATIONAL_2014,
    PROBATION_END,
    Advisory,
    Check,
    MaxInterval,
    Precondition,
)

D = date
PERSON = RecruitFacts(birth_date=D(2004, 5, 10))
EXAMPLES = Overlay(
    "school-x",
    "示例规则",
    "校党委〔2024〕1号",
    SHANXI,
    "school-x",
    D(2024, 1, 1),
    (EXAMPLE_ACTIVIST_WAIT_6M, EXAMPLE_PRE_REVIEW_1M, EXAMPLE_PUBLICITY_5WD),
)
# The national table's rules as an overlay: every check type but publicity, and PROBATION_END;
# an advisory rule and a periodic time limit (``repeats``) among them.
NATIONAL = Overlay("national", "细则", "中办发〔2014〕", SHANXI, rules=NATIONAL_2014.rules)
OVERLAYS = [*BUILTIN_OVERLAYS, EXAMPLES, NATIONAL]

# From test_steps.WALK: (step, date, data).
WALK: list[tuple[str, date, dict[str, Any]]] = [
    ("application", D(2022, 9, 15), {}),
    ("talk", D(2022, 10, 10), {"talked_by": "支部书记"}),
    ("activist", D(2023, 3, 20), {"recommended_by": "mass_organization"}),
    ("activist_filing", D(2023, 3, 27), {}),
    ("contacts", D(2023, 3, 28), {"contacts": ["m-101"]}),
]
# Judged after the walk's first steps: (steps recorded before, step, date, data).
CASES: list[tuple[int, str, date, dict[str, Any]]] = [
    (1, "talk", D(2022, 10, 10), {}),  # in time
    (1, "talk", D(2022, 12, 1), {}),  # late: talk.within_1m
    (2, "activist", D(2023, 1, 20), {}),  # 4 months after the application (example: 6)
    (2, "activist", D(2023, 3, 20), {"publicity_from": "2023-03-13", "publicity_to": "2023-03-17"}),
    (4, "contacts", D(2023, 3, 28), {"contacts": ["a", "b", "c"]}),  # three contacts
]


def round_trip(overlay: Overlay) -> Overlay:
    document = json.loads(json.dumps(overlay_to_json(overlay), ensure_ascii=False))
    assert document["format"] == 1
    decoded = overlay_from_json(document)
    assert overlay_to_json(decoded) == document
    return decoded


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda o: o.id)
def test_an_overlay_round_trips_and_judges_alike(overlay: Overlay) -> None:
    decoded = round_trip(overlay)
    assert decoded == overlay
    before, after = RuleSet(NATIONAL_2014, (overlay,)), RuleSet(NATIONAL_2014, (decoded,))
    assert after.version == before.version == f"2014+{overlay.id}"
    assert after.rules == before.rules
    for recorded, code, on, data in CASES:
        history = [RecordedStep(*step) for step in WALK[:recorded]]
        args = (code, on, data, history, PERSON)
        assert evaluate(*args, after, SAMPLE_CALENDAR_2023) == evaluate(
            *args, before, SAMPLE_CALENDAR_2023
        )
    approved = [RecordedStep("approval", D(2024, 6, 25))]
    assert next_due(approved, after, SAMPLE_CALENDAR_2023) == next_due(
        approved, before, SAMPLE_CALENDAR_2023
    )


def test_the_cases_exercise_the_rules() -> None:
    rules = RuleSet(NATIONAL_2014, (round_trip(EXAMPLES),))
    history = [RecordedStep(*step) for step in WALK[:2]]
    refused = evaluate("activist", D(2023, 1, 20), {}, history, PERSON, rules, SAMPLE_CALENDAR_2023)
    assert {v.rule_id for v in refused.violations} >= {"local.activist.after_application_6m"}
    talk = evaluate("talk", D(2022, 12, 1), {}, history[:1], PERSON, rules, SAMPLE_CALENDAR_2023)
    assert [f.rule_id for f in talk.findings] == ["talk.within_1m"]
    shanxi = RuleSet(NATIONAL_2014, (round_trip(BUILTIN_OVERLAYS[0]),))
    due = next_due([RecordedStep("approval", D(2024, 6, 25))], shanxi, SAMPLE_CALENDAR_2023)
    assert due is not None and due.step_code == "oath" and due.due_on == D(2024, 7, 25)


def test_the_registry_lists_every_check_type_once() -> None:
    assert set(CHECK_TYPES.values()) == set(get_args(Check))
    assert len(set(CHECK_TYPES.values())) == len(CHECK_TYPES)
    doc = overlay_schema_doc()
    assert all(f'type: "{name}"' in doc for name in CHECK_TYPES)
    assert "severity" in doc and '"probation_end"' in doc


SAMPLES: dict[type, Check] = {}
SAMPLE_STEPS: dict[type, tuple[str, ...]] = {}  # where the sample judges: its step's data fit it
for _rule in (*NATIONAL_2014.rules, *EXAMPLES.rules):
    if isinstance(_rule, Precondition | Advisory):
        SAMPLES.setdefault(type(_rule.check), _rule.check)
        SAMPLE_STEPS.setdefault(type(_rule.check), _rule.steps[:1])
SAMPLES[MaxInterval] = MaxInterval(PROBATION_END, SAMPLES[MaxInterval].period)  # the other anchor


@pytest.mark.parametrize("name", CHECK_TYPES)
def test_every_check_type_round_trips(name: str) -> None:
    check = SAMPLES[CHECK_TYPES[name]]
    steps = SAMPLE_STEPS[CHECK_TYPES[name]]
    overlay = Overlay("o", "t", "d", SHANXI, rules=(Precondition("r", "1", "a", steps, check),))
    assert overlay_to_json(overlay)["rules"][0]["check"]["type"] == name
    assert round_trip(overlay) == overlay


def valid() -> dict[str, Any]:
    return copy.deepcopy(overlay_to_json(EXAMPLES))


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = document
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        elif value is _DROP:
            del target[last]
        else:
            target[last] = value

    return mutate


_DROP = object()
WAIT = "rules/0/check"  # MinInterval("application", 6 months)
LIMIT = "rules/1"  # TimeLimit pre_review after branch_committee_review

MALFORMED: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("no format", _set("format", _DROP), "format", "缺少此项"),
    ("format 2", _set("format", 2), "format", "不支持格式 2"),
    ("format true", _set("format", True), "format", "不支持格式 True"),
    ("未知的键", _set("colour", "red"), "colour", "未知的键"),
    ("no id", _set("id", _DROP), "id", "缺少此项"),
    ("empty title", _set("title", ""), "title", "非空字符串"),
    ("date format", _set("effective_from", "2024/01/01"), "effective_from", "YYYY-MM-DD"),
    ("no such day", _set("effective_from", "2023-02-30"), "effective_from", "不存在"),
    ("date as int", _set("effective_from", 20240101), "effective_from", "YYYY-MM-DD"),
    ("rules object", _set("rules", {}), "rules", "应为列表，实为对象"),
    ("rule kind", _set("rules/0/kind", "suggestion"), "rules/0/kind", "未知的规则种类"),
    ("check type", _set(f"{WAIT}/type", "max_age"), f"{WAIT}/type", "未知的检查类型"),
    ("no check type", _set(f"{WAIT}/type", _DROP), f"{WAIT}/type", "缺少此项"),
    ("check key", _set(f"{WAIT}/months", 6), f"{WAIT}/months", "未知的键"),
    ("negative", _set(f"{WAIT}/period/months", -1), f"{WAIT}/period/months", "不小于 0 的整数"),
    ("float", _set(f"{WAIT}/period/days", 1.5), f"{WAIT}/period/days", "不小于 0 的整数"),
    ("bool", _set(f"{WAIT}/period/days", False), f"{WAIT}/period/days", "不小于 0 的整数"),
    ("anchor", _set(f"{WAIT}/after", "aplication"), f"{WAIT}/after", "未知的步骤代码"),
    ("step", _set("rules/0/steps/0", "activists"), "rules/0/steps/0", "未知的步骤代码"),
    ("steps str", _set("rules/0/steps", "activist"), "rules/0/steps", "应为列表"),
    ("not an anchor", _set(f"{LIMIT}/step", PROBATION_END), f"{LIMIT}/step", "未知的步骤代码"),
    (
        "severity",
        _set(f"{LIMIT}/tiers/0/severity", "fatal"),
        f"{LIMIT}/tiers/0/severity",
        "severity 的取值 'fatal' 未知",
    ),
    ("no tier", _set(f"{LIMIT}/tiers", []), LIMIT, "未设任何时限"),
    ("tier key", _set(f"{LIMIT}/tiers/0/after", 1), f"{LIMIT}/tiers/0/after", "未知的键"),
    ("repeats", _set(f"{LIMIT}/repeats", "yes"), f"{LIMIT}/repeats", "应为布尔值，实为字符串"),
    (
        "repeats a one-off step",  # the pre-review is recorded once: no periodic duty
        _set(f"{LIMIT}/repeats", True),
        LIMIT,
        "不能按周期要求",
    ),
    ("duplicate id", _set("rules/2/id", EXAMPLE_ACTIVIST_WAIT_6M.id), "rules/2/id", "重复"),
    (
        "data the step lacks",  # activist records no months: the rule could never be met
        _set(WAIT, {"type": "int_range", "field": "months", "minimum": 6, "maximum": 12}),
        "rules/0",
        "步骤“推荐和确定入党积极分子”没有数据项 months",
    ),
    (
        "pair length",
        _set(f"{WAIT}", {"type": "any_minimum", "minimums": [["days", 3, 1]]}),
        f"{WAIT}/minimums/0",
        "应有 2 项，实有 3 项",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "reason"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_a_malformed_overlay_is_refused_at_its_path(
    mutate: Callable[[dict[str, Any]], None], path: str, reason: str
) -> None:
    document = valid()
    mutate(document)
    with pytest.raises(OverlayFormatError) as raised:
        overlay_from_json(document)
    assert raised.value.path == path
    assert str(raised.value).startswith(f"{path}：") and reason in str(raised.value)


def test_a_document_must_be_an_object() -> None:
    with pytest.raises(OverlayFormatError, match="整个文档：应为对象，实为列表"):
        overlay_from_json([])  # type: ignore[arg-type]
    assert isinstance(OverlayFormatError("a", "b"), ValueError)


def test_optional_fields_take_their_defaults() -> None:
    document = {"format": 1, "id": "o", "title": "t", "document": "d", "province": SHANXI}
    assert overlay_from_json(document) == Overlay("o", "t", "d", SHANXI)
    document["rules"] = [
        {
            "kind": "time_limit",
            "id": "r",
            "version": "1",
            "article": "a",
            "step": "oath",
            "anchor": "approval",
            "tiers": [{"within": {"days": 10}, "severity": "serious"}],
        },
    ]
    (rule,) = overlay_from_json(document).rules
    assert rule.tiers[0].within.days == 10 and rule.tiers[0].within.months == 0
