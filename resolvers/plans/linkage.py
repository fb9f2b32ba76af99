"""Next-year linkage (计划完成情况与下年度计划安排挂钩): a proposal for the next period from this
period's completion. Pure; the parameters are data (``linkage_rules``, one row per commission).

Formula, per unit::

    completion = admitted / received            (0 when nothing was received)
    band       = full     if completion >= full_completion_rate
                 low      if completion <  low_completion_rate
                 partial  otherwise
    proposal   = round(received × growth[band])     growth_when_full / _partial / _low
    cap        = floor(admitted × cap_ratio_of_actual)
    suggested  = min(proposal, cap)

With the defaults (0.95, 0.80; growth 1.10 / 1.00 / 0.90; cap 1.20): 10 received and 10
admitted → 11 (cap 12); 10 and 9 → 10; 10 and 5 → 6 (the cap: "no more than 120% of last
year's actual"); nothing admitted → 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .errors import PlanError, PlanErrorCode


@dataclass(frozen=True, slots=True)
class LinkageRules:
    full_completion_rate: Decimal = Decimal("0.95")
    low_completion_rate: Decimal = Decimal("0.80")
    growth_when_full: Decimal = Decimal("1.10")
    growth_when_partial: Decimal = Decimal("1.00")
    growth_when_low: Decimal = Decimal("0.90")
    cap_ratio_of_actual: Decimal = Decimal("1.20")


@dataclass(frozen=True, slots=True)
class Suggestion:
    received: int
    admitted: int
    completion_rate: Decimal
    band: str
    proposal: int
    cap: int
    suggested: int


#: Each parameter as SetLinkageRulesInput spells it, for the error's field.
INPUT_FIELDS = {
    "full_completion_rate": "fullCompletionRate",
    "low_completion_rate": "lowCompletionRate",
    "growth_when_full": "growthWhenFull",
    "growth_when_partial": "growthWhenPartial",
    "growth_when_low": "growthWhenLow",
    "cap_ratio_of_actual": "capRatioOfActual",
}
_FACTOR_LABELS = {
    "growth_when_full": "完成时的增长系数",
    "growth_when_partial": "基本完成时的增长系数",
    "growth_when_low": "完成率偏低时的增长系数",
    "cap_ratio_of_actual": "上限倍数（不超过上年实际发展数的倍数）",
}
_FACTORS = tuple(_FACTOR_LABELS)


def check_linkage(rules: LinkageRules) -> None:
    """Rates are shares (0–1, low ≤ full); growth factors and the cap lie in 0–5. The error
    names the parameter out of range; the low rate when it exceeds the full one."""
    rates = "完成率应满足：0 ≤ 视为偏低的完成率 ≤ 视为完成的完成率 ≤ 1"
    checks = [
        ("low_completion_rate", rules.low_completion_rate >= 0, rates),
        ("full_completion_rate", 0 <= rules.full_completion_rate <= 1, rates),
        ("low_completion_rate", rules.low_completion_rate <= rules.full_completion_rate, rates),
        *(
            (f, 0 <= getattr(rules, f) <= 5, f"{_FACTOR_LABELS[f]}应在 0 至 5 之间")
            for f in _FACTORS
        ),
    ]
    for name, ok, message in checks:
        if not ok:
            raise PlanError(PlanErrorCode.INVALID_LINKAGE, message, INPUT_FIELDS[name])


def suggest(received: int, admitted: int, rules: LinkageRules) -> Suggestion:
    completion = Decimal(admitted) / Decimal(received) if received else Decimal(0)
    if completion >= rules.full_completion_rate:
        band, growth = "full", rules.growth_when_full
    elif completion < rules.low_completion_rate:
        band, growth = "low", rules.growth_when_low
    else:
        band, growth = "partial", rules.growth_when_partial
    proposal = int((Decimal(received) * growth).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    cap = math.floor(Decimal(admitted) * rules.cap_ratio_of_actual)
    return Suggestion(
        received=received,
        admitted=admitted,
        completion_rate=completion.quantize(Decimal("0.0001")),
        band=band,
        proposal=proposal,
        cap=cap,
        suggested=min(proposal, cap),
    )
