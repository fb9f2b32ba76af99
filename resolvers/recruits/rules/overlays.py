"""Local rules on top of the national table: provincial and school overlays, and the effective
:class:`RuleSet` for a (province, school).

An :class:`Overlay` is data — a document (e.g. 晋教工委组〔2023〕23号), the province or school it
binds, the date it takes effect, and rules. A rule whose id is already in force replaces it in
place (a stricter or local reading, with its own version and article); a new id is added after
the national rules. Resolution order: the national table in force on the step's date
(``national.py``), then the province's overlays, then the school's, each by effective date — so
a school can refine what its province decided. Overlays name rule ids, so they carry over to a
new national version; one naming a rule the table in force lacks is reported
(:attr:`RuleSet.unmatched`).

Province keys are GB/T 2260 province codes ("14" 山西, "50" 重庆), the codes the ID-number check
(``identity.py``) already uses: unambiguous where pinyin is not (山西 / 陕西). School keys are
whatever stable id the tenants use, as a string.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType

from .national import NATIONAL_TABLES, NationalTables
from .steps import Severity
from .table import (
    CONVERSION_DUE,
    Advisory,
    MinInterval,
    Period,
    Precondition,
    Publicity,
    Rule,
    RuleTable,
    Tier,
    TimeLimit,
)

__all__ = [
    "BUILTIN_OVERLAYS",
    "CHONGQING",
    "EXAMPLE_ACTIVIST_WAIT_6M",
    "EXAMPLE_PRE_REVIEW_1M",
    "EXAMPLE_PUBLICITY_5WD",
    "SHANXI",
    "SHANXI_2023",
    "Overlay",
    "RuleSet",
    "RulesByDate",
    "resolve_rules",
    "rules_by_date",
]

SHANXI = "14"
CHONGQING = "50"


@dataclass(frozen=True, slots=True)
class Overlay:
    id: str
    title: str
    document: str  # the document number the rules come from
    province: str
    school: str | None = None  # None: every school of the province
    effective_from: date | None = None
    rules: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        ids = [r.id for r in self.rules]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate rule ids in overlay {self.id}")


@dataclass(frozen=True)
class RuleSet:
    """The rules in force for one recruit: a base table and ordered overlays.

    ``rules`` is the merged list (derived at construction); ``version`` names its parts, e.g.
    ``"2014+sx-2023"``, and is what an audit entry should record next to a decision.
    """

    base: RuleTable
    overlays: tuple[Overlay, ...] = ()
    #: The rule ids of every national version (``resolve_rules`` passes its registry's).
    national_ids: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    # Derived at construction (not compared: they follow from base and overlays).
    rules: tuple[Rule, ...] = field(init=False, repr=False, compare=False)
    _by_step: Mapping[str, tuple[Precondition, ...]] = field(init=False, repr=False, compare=False)
    _advice_by_step: Mapping[str, tuple[Advisory, ...]] = field(
        init=False, repr=False, compare=False
    )
    _limits_by_step: Mapping[str, tuple[TimeLimit, ...]] = field(
        init=False, repr=False, compare=False
    )
    #: (overlay id, rule id) of each overlay rule naming a national rule of another version
    #: that ``base`` lacks: it was meant to replace a rule that is not in force. It is kept, as
    #: an added rule (the local document stays in force until revised), and reported here.
    unmatched: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        merged: dict[str, Rule] = {r.id: r for r in self.base.rules}
        for overlay in self.overlays:
            for rule in overlay.rules:
                merged[rule.id] = rule  # dicts keep the first position of a replaced key
        rules = tuple(merged.values())
        by_step: dict[str, list[Precondition]] = {}
        advice: dict[str, list[Advisory]] = {}
        limits: dict[str, list[TimeLimit]] = {}
        for rule in rules:
            if isinstance(rule, Precondition):
                for code in rule.steps:
                    by_step.setdefault(code, []).append(rule)
            elif isinstance(rule, Advisory):
                for code in rule.steps:
                    advice.setdefault(code, []).append(rule)
            else:
                limits.setdefault(rule.step, []).append(rule)
        base_ids = {r.id for r in self.base.rules}
        unmatched = tuple(
            (overlay.id, rule.id)
            for overlay in self.overlays
            for rule in overlay.rules
            if rule.id in self.national_ids and rule.id not in base_ids
        )
        object.__setattr__(self, "rules", rules)
        object.__setattr__(self, "unmatched", unmatched)
        object.__setattr__(
            self, "_by_step", MappingProxyType({k: tuple(v) for k, v in by_step.items()})
        )
        object.__setattr__(
            self, "_advice_by_step", MappingProxyType({k: tuple(v) for k, v in advice.items()})
        )
        object.__setattr__(
            self, "_limits_by_step", MappingProxyType({k: tuple(v) for k, v in limits.items()})
        )

    @property
    def version(self) -> str:
        return "+".join((self.base.version, *(o.id for o in self.overlays)))

    @property
    def probation(self) -> Period:
        return self.base.probation

    def preconditions(self, step_code: str) -> tuple[Precondition, ...]:
        return self._by_step.get(step_code, ())

    def advisories(self, step_code: str) -> tuple[Advisory, ...]:
        return self._advice_by_step.get(step_code, ())

    def time_limits(self, step_code: str) -> tuple[TimeLimit, ...]:
        return self._limits_by_step.get(step_code, ())

    def all_time_limits(self) -> tuple[TimeLimit, ...]:
        return tuple(r for r in self.rules if isinstance(r, TimeLimit))


def resolve_rules(
    province: str,
    school: str | None = None,
    *,
    overlays: Iterable[Overlay] | None = None,
    national: NationalTables = NATIONAL_TABLES,
    as_of: date | None = None,
) -> RuleSet:
    """The rules in force for a school of a province: the national table in force, then the
    province's overlays, then the school's, each group by effective date (then id, for a stable
    order).

    ``overlays`` defaults to :data:`BUILTIN_OVERLAYS`; the service passes the commission's
    stored overlays instead. With ``as_of`` (a step is judged by the rules of its date) the
    national table is the one in force that day, and overlays taking effect later are left out;
    without it, the latest national table and every overlay.
    """
    pool = BUILTIN_OVERLAYS if overlays is None else tuple(overlays)
    chosen = [
        o
        for o in pool
        if _binds(o, province, school)
        and (as_of is None or o.effective_from is None or o.effective_from <= as_of)
    ]
    chosen.sort(key=lambda o: (o.school is not None, o.effective_from or date.min, o.id))
    return RuleSet(national.in_force(as_of), tuple(chosen), national.rule_ids)


def _binds(overlay: Overlay, province: str, school: str | None) -> bool:
    return overlay.province == province and (overlay.school is None or overlay.school == school)


class RulesByDate:
    """``resolve_rules(province, school, overlays=…, national=…, as_of=day)`` for every day,
    each distinct rule set built once.

    The result depends on the day only through which national version and which of the binding
    overlays are in force, so their effective dates cut time into spans with one rule set each
    (:meth:`on` returns the very object ``resolve_rules`` would build equal). Immutable inputs,
    so a span's set, once built, is right for as long as the object lives.
    """

    __slots__ = ("_cuts", "_national", "_overlays", "_province", "_school", "_spans")

    def __init__(
        self,
        province: str,
        school: str | None,
        overlays: tuple[Overlay, ...],
        national: NationalTables = NATIONAL_TABLES,
    ) -> None:
        binding = tuple(o for o in overlays if _binds(o, province, school))
        dated = {o.effective_from for o in binding if o.effective_from is not None}
        self._province, self._school, self._overlays = province, school, binding
        self._national = national
        self._cuts = tuple(sorted(dated | set(national.cuts)))
        self._spans: dict[int, RuleSet] = {}

    def on(self, day: date) -> RuleSet:
        span = bisect.bisect_right(self._cuts, day)
        rules = self._spans.get(span)
        if rules is None:
            # Any day of the span gives the same set; building it twice (never, under one
            # event loop) would only store an equal one.
            rules = resolve_rules(
                self._province,
                self._school,
                overlays=self._overlays,
                national=self._national,
                as_of=day,
            )
            self._spans[span] = rules
        return rules


@lru_cache(maxsize=256)
def rules_by_date(province: str, school: str | None, overlays: tuple[Overlay, ...]) -> RulesByDate:
    """The :class:`RulesByDate` of a school under the production national registry, shared by
    every request with the same inputs. Keyed by the overlays' whole content (frozen dataclasses
    compare and hash by value), so a changed overlay is a new key: the cache cannot go stale,
    and two commissions share an entry only when what they store is identical."""
    return RulesByDate(province, school, overlays, NATIONAL_TABLES)


# --- built-in overlays (from the seeds) -----------------------------------------------------

#: 晋教工委组〔2023〕23号, part 四: "新党员入党宣誓一般应在基层党委审批同意后一个月内举行".
#: "一般" (as a rule): a late oath is a finding, not a refusal. Its other limit, "预备党员转正
#: 审批应在三个月内完成", is read (docs/domain.md) as counting from the end of the probation,
#: where 细则第三十四条 counts from the branch's reported resolution: Shanxi asks for the
#: stricter count, so its rule replaces the national one (same id) for Shanxi's schools. A
#: transferred-in member's discussion may be postponed six months (细则第三十六条): then the three
#: months count from the end of that postponement (table.CONVERSION_DUE).
SHANXI_2023 = Overlay(
    id="sx-2023",
    title="山西省委教育工委 2023年发展党员指导性计划",
    document="晋教工委组〔2023〕23号",
    province=SHANXI,
    effective_from=date(2023, 3, 27),
    rules=(
        TimeLimit(
            "sx2023.oath.within_1m",
            "2023.1",
            "晋教工委组〔2023〕23号 四",
            "oath",
            "approval",
            (Tier(Period(months=1), Severity.WARNING),),
        ),
        TimeLimit(
            "conversion_approval.within_3m",
            "2023.1",
            "晋教工委组〔2023〕23号 四；细则第三十四条、第三十六条",
            "conversion_approval",
            CONVERSION_DUE,
            (Tier(Period(months=3), Severity.WARNING),),
        ),
    ),
)

BUILTIN_OVERLAYS: tuple[Overlay, ...] = (SHANXI_2023,)


# --- example local rules (in force nowhere until an overlay lists them) ----------------------

#: Many local procedures: an application must be at least 6 months old before its author can be
#: made an activist (递交入党申请书半年以上).
EXAMPLE_ACTIVIST_WAIT_6M = Precondition(
    "local.activist.after_application_6m",
    "1",
    "地方发展党员规程（示例）",
    ("activist",),
    MinInterval("application", Period(months=6)),
)

#: Pre-review (step 13) within 1 month of the branch committee's review (step 12).
EXAMPLE_PRE_REVIEW_1M = TimeLimit(
    "local.pre_review.within_1m",
    "1",
    "地方发展党员规程（示例）",
    "pre_review",
    "branch_committee_review",
    (Tier(Period(months=1), Severity.WARNING),),
)

#: Publicity of at least 5 working days before steps 3, 7, 15 and 24 (公示不少于5个工作日).
EXAMPLE_PUBLICITY_5WD = Precondition(
    "local.publicity.5_working_days",
    "1",
    "地方发展党员规程（示例）",
    ("activist", "development_target", "branch_meeting", "conversion_approval"),
    Publicity(5),
)
