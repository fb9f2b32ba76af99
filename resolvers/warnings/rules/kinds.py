"""The warning kinds, their parameters (data the commission edits) and the documented defaults.

A commission's ``warning_rules`` row for a kind replaces the defaults given there key by key;
a kind can be switched off. Parameters are checked here before they are stored, so the scan
never meets a value it cannot use.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from ..errors import WarningError, WarningErrorCode
from .requirements import DEFAULT_REQUIREMENTS, check_requirements


class WarningKind(StrEnum):
    SLOW_PROGRESS = "slow_progress"
    OVER_PLAN = "over_plan"
    RUSHED = "rushed"
    LONG_TERM_NONE = "long_term_none"
    LARGE_SWING = "large_swing"
    OVERDUE_STEP = "overdue_step"
    MISSING_DATA = "missing_data"
    REPORT_OVERDUE = "report_overdue"
    DATA_CALL_DUE = "data_call_due"
    DATA_CALL_OVERDUE = "data_call_overdue"
    PLACES_WITHOUT_NAMES = "places_without_names"
    NAMES_WITHOUT_PLACES = "names_without_places"
    INFEASIBLE_QUOTA = "infeasible_quota"


KIND_LABELS: Mapping[WarningKind, str] = MappingProxyType(
    {
        WarningKind.SLOW_PROGRESS: "进度滞后",
        WarningKind.OVER_PLAN: "超计划发展",
        WarningKind.RUSHED: "突击发展",
        WarningKind.LONG_TERM_NONE: "长期不发展",
        WarningKind.LARGE_SWING: "大起大落",
        WarningKind.OVERDUE_STEP: "程序环节超期",
        WarningKind.MISSING_DATA: "信息未录全（应录尽录）",
        WarningKind.REPORT_OVERDUE: "执行情况报告逾期未报",
        WarningKind.DATA_CALL_DUE: "数据征集即将到期（提醒）",
        WarningKind.DATA_CALL_OVERDUE: "数据征集逾期未报",
        WarningKind.PLACES_WITHOUT_NAMES: "名额未落实到人（有额无名）",
        WarningKind.NAMES_WITHOUT_PLACES: "预计名单无名额（有名无额）",
        WarningKind.INFEASIBLE_QUOTA: "计划数超出可发展数",
    }
)


# Each kind's parameters with their defaults and meaning.
DEFAULTS: Mapping[WarningKind, Mapping[str, Any]] = MappingProxyType(
    {
        # At the latest quarter end passed, admitted < plan × expected share × tolerance. The
        # expected share is the elapsed share of the period unless ``pace`` lists it per quarter.
        WarningKind.SLOW_PROGRESS: {"tolerance": 0.8, "pace": None},
        # Admitted (counted against the quota) > received quota + margin.
        WarningKind.OVER_PLAN: {"margin": 0},
        # A school admitted at least ``max_share`` of the period's admissions in its last
        # ``last_weeks`` weeks, with at least ``min_admissions`` admissions in the period.
        WarningKind.RUSHED: {"last_weeks": 4, "max_share": 0.5, "min_admissions": 5},
        # A branch (older than ``years``) with activists or development targets and no admission
        # in the last ``years`` years.
        WarningKind.LONG_TERM_NONE: {"years": 3},
        # A school's admissions in an ended period changed by more than ``max_change`` (relative)
        # from the previous period of the same kind, the larger of the two at least ``min_base``.
        WarningKind.LARGE_SWING: {"max_change": 0.5, "min_base": 5},
        # A step of the rule table's time limits not recorded ``grace_days`` after its deadline.
        WarningKind.OVERDUE_STEP: {"grace_days": 0},
        # A recruit lacking an item the 12371 system expects by its stage (docs/domain.md).
        WarningKind.MISSING_DATA: {"requirements": DEFAULT_REQUIREMENTS},
        # A school without a submitted report ``grace_days`` after the period's report due date.
        WarningKind.REPORT_OVERDUE: {"grace_days": 0},
        # A unit that has not answered a data call ``working_days`` working days (the
        # commission's calendar) before its due date, unless the call sets its own number.
        WarningKind.DATA_CALL_DUE: {"working_days": 3},
        # A unit that has not answered a data call ``grace_days`` after its due date.
        WarningKind.DATA_CALL_OVERDUE: {"grace_days": 0},
        # A branch holding places no named development target holds (placeQuota) in the
        # period's last ``last_weeks`` weeks (docs/named-targets.md).
        WarningKind.PLACES_WITHOUT_NAMES: {"last_weeks": 8},
        # A branch whose forecast names (nameForecast) hold no place, in the period's last
        # ``last_weeks`` weeks.
        WarningKind.NAMES_WITHOUT_PLACES: {"last_weeks": 12},
        # A unit of a school whose received quota, or forecast, exceeds by more than ``margin``
        # its admissions in the open period plus those the rule table still allows before the
        # period ends (docs/feasible-admissions.md).
        WarningKind.INFEASIBLE_QUOTA: {"margin": 0},
    }
)

_NUMBERS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "tolerance": (0, 1),
        "margin": (0, 10_000),
        "last_weeks": (1, 26),
        "max_share": (0, 1),
        "min_admissions": (0, 10_000),
        "years": (1, 20),
        "max_change": (0, 100),
        "min_base": (0, 10_000),
        "grace_days": (0, 365),
        "working_days": (0, 60),
    }
)
_INTEGERS = frozenset(
    {"margin", "last_weeks", "min_admissions", "years", "min_base", "grace_days", "working_days"}
)
# The parameters as refusals name them (with the key the commission types).
PARAM_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "tolerance": "容忍系数",
        "pace": "各季度末应达进度",
        "margin": "允许超出的名额数",
        "last_weeks": "期末周数",
        "max_share": "期末发展占比上限",
        "min_admissions": "最少发展人数",
        "years": "年数",
        "max_change": "变化幅度上限",
        "min_base": "最小基数",
        "grace_days": "宽限天数",
        "working_days": "提前提醒的工作日数",
        "requirements": "应录项目",
    }
)


def param(name: str) -> str:
    """A parameter as a refusal names it: its meaning, then the key typed."""
    return f"{PARAM_LABELS.get(name, '参数')}（{name}）"


def _invalid(message: str, key: str) -> WarningError:
    """The parameter ``key`` at fault, by its path in the input (``params.max_share``)."""
    return WarningError(WarningErrorCode.INVALID_RULE, message, f"params.{key}")


def check_params(kind: WarningKind, params: Mapping[str, Any]) -> dict[str, Any]:
    """The kind's parameters after the commission's changes, every value checked."""
    unknown = sorted(set(params) - set(DEFAULTS[kind]))
    if unknown:
        raise _invalid(f"{KIND_LABELS[kind]}预警没有参数：{'、'.join(unknown)}", unknown[0])
    merged = {**DEFAULTS[kind], **params}
    for name, value in merged.items():
        if name in _NUMBERS:
            low, high = _NUMBERS[name]
            integral = name in _INTEGERS
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or (integral and not float(value).is_integer())
                or not low <= value <= high
            ):
                kind_of = "整数" if integral else "数值"
                raise _invalid(f"{param(name)}应为 {low:g} 至 {high:g} 之间的{kind_of}", name)
            merged[name] = int(value) if integral else float(value)
    if kind is WarningKind.SLOW_PROGRESS and merged["pace"] is not None:
        pace = merged["pace"]
        if (
            not isinstance(pace, list)
            or not 1 <= len(pace) <= 12
            or any(isinstance(p, bool) or not isinstance(p, int | float) for p in pace)
            or any(not 0 <= p <= 1 for p in pace)
            or pace != sorted(pace)
        ):
            raise _invalid(f"{param('pace')}应逐季列出季度末应达的比例（0 至 1，逐季不减）", "pace")
    if kind is WarningKind.MISSING_DATA:
        merged["requirements"] = check_requirements(merged["requirements"])
    return merged
