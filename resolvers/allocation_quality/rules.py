"""How a subdivision of quota is judged: equal splits and flat ratios (防止平均分计划、简单卡比例).

A **subdivision** is a unit's places as its children hold them in a period (each child's
received total). It is set against two distributions of the same places:

* **the pipeline** (发展对象储备): each child's activists and development targets, from the
  tallies the database keeps (``unit_tallies``), over the child's subtree — who could be
  admitted; the development targets are those who can be in the period;
* **the headcount** (党员人数): each child's members on the school's roster who have not left
  (``members``), over its subtree — the size a flat ratio divides by.

Each child's expected places by a distribution are ``places × its share``; a child within
``rounding`` places of its expected number (integer places cannot match a share exactly) is on
it, a child further off counts the excess. A *fit* is ``1 − Σ excess ÷ (2 × places)``: 1 when
every child is within rounding, 0 when every place lies elsewhere than the distribution says.
A distribution with nothing in it (no child has any pipeline) fits no split of places.

* **score** = the pipeline fit: how far the places follow who can be admitted.
* **equal split** (平均分): every child's places within ``equal_tolerance`` of the others', and
  the score below ``pipeline_fit`` — equal places justified by equal pipelines are not flagged.
* **flat ratio** (简单卡比例): not an equal split, the headcount fit at least ``ratio_match``,
  the score below ``pipeline_fit``, and the high-knowledge sub-quota (the priority group)
  either not placed or itself placed by headcount — a split that follows the pipeline, or
  places the priority group deliberately, is not flagged.

Fewer than ``min_children`` children or fewer than ``min_places`` places: not assessed. The
parameters are the commission's data (``allocation_quality_rules``); the defaults are below.
A flag never blocks an allocation: it is shown beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .errors import AllocationQualityError, AllocationQualityErrorCode

DEFAULTS: Mapping[str, float | int] = MappingProxyType(
    {
        "equal_tolerance": 1,
        "rounding": 1,
        "pipeline_fit": 0.9,
        "ratio_match": 0.95,
        "min_children": 2,
        "min_places": 2,
    }
)
_RANGES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "equal_tolerance": (0, 100),
        "rounding": (0, 100),
        "pipeline_fit": (0, 1),
        "ratio_match": (0, 1),
        "min_children": (2, 1000),
        "min_places": (1, 100_000),
    }
)
_INTEGERS = frozenset({"equal_tolerance", "min_children", "min_places"})
LABELS: Mapping[str, str] = MappingProxyType(
    {
        "equal_tolerance": "视为平均的名额差",
        "rounding": "取整容差",
        "pipeline_fit": "储备吻合度下限",
        "ratio_match": "视为按人数比例的吻合度",
        "min_children": "最少下级党组织数",
        "min_places": "最少名额数",
    }
)


def check_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters after the commission's changes, each checked (INVALID_RULE naming it)."""
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        raise AllocationQualityError(
            AllocationQualityErrorCode.INVALID_RULE,
            f"分配质量规则没有参数：{'、'.join(unknown)}",
            f"params.{unknown[0]}",
        )
    merged: dict[str, Any] = {**DEFAULTS, **params}
    for name, value in merged.items():
        low, high = _RANGES[name]
        integral = name in _INTEGERS
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (integral and not float(value).is_integer())
            or not low <= value <= high
        ):
            kind = "整数" if integral else "数值"
            raise AllocationQualityError(
                AllocationQualityErrorCode.INVALID_RULE,
                f"{LABELS[name]}（{name}）应为 {low:g} 至 {high:g} 之间的{kind}",
                f"params.{name}",
            )
        merged[name] = int(value) if integral else float(value)
    return merged


@dataclass(frozen=True, slots=True)
class Child:
    unit_id: int
    name: str
    places: int
    high_knowledge: int
    activists: int
    development_targets: int
    headcount: int

    @property
    def pipeline(self) -> int:
        return self.activists + self.development_targets


@dataclass(frozen=True, slots=True)
class Assessment:
    assessed: bool
    places: int
    score: float | None
    headcount_fit: float | None
    equal_split: bool
    flat_ratio: bool
    explanation: str
    by_pipeline: tuple[float, ...]
    by_headcount: tuple[float, ...] | None


def _expected(places: int, weights: Sequence[int]) -> tuple[float, ...] | None:
    total = sum(weights)
    return None if total == 0 else tuple(places * w / total for w in weights)


def _fit(held: Sequence[int], expected: Sequence[float] | None, rounding: float) -> float:
    total = sum(held)
    if expected is None:
        return 0.0
    excess = sum(max(0.0, abs(h - e) - rounding) for h, e in zip(held, expected, strict=True))
    return round(max(0.0, 1 - excess / (2 * total)), 4)


def _figures(values: Sequence[int]) -> str:
    return "、".join(str(v) for v in values)


def assess(unit_name: str, children: Sequence[Child], params: Mapping[str, Any]) -> Assessment:
    held = [c.places for c in children]
    places = sum(held)
    if len(children) < params["min_children"] or places < params["min_places"]:
        return Assessment(
            assessed=False,
            places=places,
            score=None,
            headcount_fit=None,
            equal_split=False,
            flat_ratio=False,
            explanation=f"{unit_name}的下级党组织少于 {params['min_children']} 个或分解的名额少于"
            f" {params['min_places']} 名，不作评估",
            by_pipeline=(),
            by_headcount=None,
        )
    rounding = params["rounding"]
    pipelines = [c.pipeline for c in children]
    by_pipeline = _expected(places, pipelines)
    score = _fit(held, by_pipeline, rounding)
    heads = [c.headcount for c in children]
    by_headcount = _expected(places, heads)
    headcount_fit = None if by_headcount is None else _fit(held, by_headcount, rounding)
    ignores_pipeline = score < params["pipeline_fit"]
    equal = max(held) - min(held) <= params["equal_tolerance"]
    equal_split = equal and ignores_pipeline
    high = [c.high_knowledge for c in children]
    priority_placed = sum(high) > 0 and (
        by_headcount is None or _fit(high, _expected(sum(high), heads), rounding) < 1
    )
    flat_ratio = (
        not equal
        and ignores_pipeline
        and headcount_fit is not None
        and headcount_fit >= params["ratio_match"]
        and not priority_placed
    )
    count = len(children)
    pipeline_text = f"其入党积极分子和发展对象分别为 {_figures(pipelines)} 人"
    each = f"{min(held)}" if min(held) == max(held) else f"{min(held)}–{max(held)}"
    if equal_split:
        text = (
            f"{unit_name}将 {places} 个名额平均分给 {count} 个下级党组织（各 {each} 名），"
            f"而{pipeline_text}：名额与发展对象储备的吻合度为"
            f" {score:.2f}，低于 {params['pipeline_fit']:.2f}，属平均分计划"
        )
    elif flat_ratio:
        text = (
            f"{unit_name}的 {places} 个名额按各下级党组织的党员人数（{_figures(heads)}）比例分配"
            f"（吻合度 {headcount_fit:.2f}），未考虑发展对象储备（{pipeline_text}，吻合度"
            f" {score:.2f}）和高知识群体等重点群体，属简单卡比例"
        )
    elif ignores_pipeline:
        text = (
            f"{unit_name}的 {places} 个名额与下级党组织的发展对象储备吻合度为 {score:.2f}"
            f"（{pipeline_text}），低于 {params['pipeline_fit']:.2f}，但既非平均分配，也非按党员"
            "人数比例分配"
        )
    else:
        text = (
            f"{unit_name}的 {places} 个名额与下级党组织的发展对象储备基本相符（{pipeline_text}，"
            f"吻合度 {score:.2f}）"
        )
    return Assessment(
        True,
        places,
        score,
        headcount_fit,
        equal_split,
        flat_ratio,
        text,
        by_pipeline or tuple(0.0 for _ in children),
        by_headcount,
    )
