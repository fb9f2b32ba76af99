"""The derivation oracle on random ledgers: random sequences of every movement kind (issue,
supplement, allocate, transfer, return, reserve) and forecasts, sent through the API as the
commission's administrator, one new period per example. After every step:

* the outcome is the one an independent model of the balances predicts: accepted when every
  touched balance keeps both invariants of plans.rules, else refused with the right code (a
  fit first: SHORTFALL / INVALID_AMOUNT; then SUBQUOTA_EXCEEDS_TOTAL on a sub-quota field the
  broken balance holds too much of), nothing written;
* the stored balances equal the model, and their recomputation from the ledger and the
  forecast submissions, which keeps the sub-quota bounds on every balance
  (``assert_derivations``, for the example's period).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import raw_id

DIMS = ("total", "students", "staff", "highKnowledge")
FIGURES = ("received", "handed", "reserve", "forecast")
PARENT = {"A": "commission", "B": "commission", "A1": "A", "A2": "A", "A1a": "A1"}
PARENT |= {"A1b": "A1", "B1": "B"}
CHILDREN = [(p, c) for c, p in PARENT.items() if p != "commission"]
SIBLINGS = [("A1a", "A1b"), ("A1b", "A1a"), ("A1", "A2"), ("A2", "A1"), ("A", "B"), ("B", "A")]
_SERIAL = itertools.count(1)

MOVE = """mutation($input: {input}!) {{ {field}(input: $input) {{
  {result} errors {{ code field message }} }} }}"""
STORED = sa.text(
    "SELECT unit_id, "
    + ", ".join(
        f"{f}_{d}" for f in FIGURES for d in ("total", "students", "staff", "high_knowledge")
    )
    + " FROM unit_quotas WHERE period_id = :p"
)


ENDS = {
    "issue": [("commission", "A"), ("commission", "B")],
    "supplement": [("commission", "A"), ("commission", "B")],
    "allocate": CHILDREN,
    "transfer": SIBLINGS,
    "return": list(PARENT.items()),
    "reserve": [("A", "A"), ("A1", "A1"), ("B", "B")],
    "forecast": [("A1a", "A1a"), ("A2", "A2"), ("B1", "B1")],
}
FREE = [5, 3, 3, 2]  # what an issue or a forecast draws from


def _draw_amounts(data: Any, caps: list[int], min_total: int) -> tuple[int, int, int, int]:
    """Amounts an input accepts (students + staff <= total, high-knowledge <= total), each
    dimension up to ``caps``, what the source holds, or one more when the step overdraws: a
    sub-quota drawn below what the source holds may leave it overfull."""
    extra = int(data.draw(st.booleans()))
    total = data.draw(st.integers(min_total, max(min_total, caps[0] + extra)))
    students = data.draw(st.integers(0, min(total, max(caps[1], 0) + extra)))
    staff = data.draw(st.integers(0, min(total - students, max(caps[2], 0) + extra)))
    high_knowledge = data.draw(st.integers(0, min(total, max(caps[3], 0) + extra)))
    return total, students, staff, high_knowledge


def _draw_step(data: Any, model: Model) -> tuple[str, tuple[str, str], tuple[int, ...]]:
    """A movement from a unit that holds something to move, when there is one."""
    kind = data.draw(st.sampled_from(list(ENDS)))
    if kind in ("allocate", "transfer", "return"):
        holding = [e for e in ENDS[kind] if model.available(e[0])[0] > 0]
        ends = data.draw(st.sampled_from(holding or ENDS[kind]))
        caps = model.available(ends[0])
    elif kind == "reserve":
        ends = data.draw(st.sampled_from(ENDS[kind]))
        held = model.of(ends[0])
        caps = [r - h for r, h in zip(held["received"], held["handed"], strict=True)]
    else:
        ends, caps = data.draw(st.sampled_from(ENDS[kind])), FREE
    return kind, ends, _draw_amounts(data, caps, 0 if kind in ("reserve", "forecast") else 1)


@dataclass
class Model:
    """The balances of one period, per unit key and figure, as the issue defines them."""

    figures: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def of(self, unit: str) -> dict[str, list[int]]:
        return self.figures.setdefault(unit, {f: [0, 0, 0, 0] for f in FIGURES})

    def after(self, kind: str, ends: tuple[str, str], amounts: tuple[int, ...]) -> Model:
        moved = Model({u: {f: list(v) for f, v in fs.items()} for u, fs in self.figures.items()})
        source, target = ends

        def add(unit: str, figure: str, sign: int) -> None:
            values = moved.of(unit)[figure]
            values[:] = [v + sign * a for v, a in zip(values, amounts, strict=True)]

        if kind in ("issue", "supplement", "allocate"):
            add(source, "handed", 1)
            add(target, "received", 1)
        elif kind == "transfer":
            add(source, "received", -1)
            add(target, "received", 1)
        elif kind == "return":
            add(source, "received", -1)
            add(target, "handed", -1)
        elif kind == "reserve":
            moved.of(target)["reserve"] = list(amounts)
        else:
            moved.of(target)["forecast"] = list(amounts)
        return moved

    def available(self, unit: str) -> list[int]:
        f = self.of(unit)
        return [r - h - s for r, h, s in zip(f["received"], f["handed"], f["reserve"], strict=True)]

    def breaks_fit(self, unit: str) -> bool:
        if unit == "commission":
            return False
        f = self.of(unit)
        return any(
            f["handed"][d] < 0
            or f["reserve"][d] < 0
            or f["handed"][d] + f["reserve"][d] > f["received"][d]
            for d in range(4)
        )

    def overfull(self, unit: str) -> set[str]:
        """The sub-quota fields a unit's balances hold too much of (empty: the bounds hold)."""
        f = self.of(unit)
        balances = [f["received"], f["handed"], f["reserve"], f["forecast"]]
        if unit != "commission":
            balances.append(self.available(unit))
        fields: set[str] = set()
        for total, students, staff, high_knowledge in balances:
            if students > total or students + staff > total:
                fields.add("students")
            if staff > total or students + staff > total:
                fields.add("staff")
            if high_knowledge > total:
                fields.add("highKnowledge")
        return fields


def _request(
    kind: str, ends: tuple[str, str], amounts: tuple[int, ...], world: Any, period: str
) -> tuple[str, dict[str, Any], str]:
    values = dict(zip(DIMS, amounts, strict=True))
    paper = {"reason": "随机调度", "documentNo": "随机〔2023〕1号"}
    source, target = (world.gid(u) for u in ends)
    inputs: dict[str, tuple[str, str, str, dict[str, Any]]] = {
        "issue": (
            "issuePlan",
            "IssuePlanInput",
            "movement { id }",
            {"schoolId": target, "amounts": values, "documentNo": "晋教工委组〔2023〕23号"},
        ),
        "supplement": (
            "supplementQuota",
            "SupplementQuotaInput",
            "movement { id }",
            {"schoolId": target, "amounts": values, **paper},
        ),
        "allocate": (
            "allocateQuota",
            "AllocateQuotaInput",
            "movement { id }",
            {"fromUnitId": source, "toUnitId": target, "amounts": values},
        ),
        "transfer": (
            "transferQuota",
            "TransferQuotaInput",
            "movement { id }",
            {"fromUnitId": source, "toUnitId": target, "amounts": values, **paper},
        ),
        "return": (
            "returnQuota",
            "ReturnQuotaInput",
            "movement { id }",
            {"unitId": source, "amounts": values, **paper},
        ),
        "reserve": (
            "setReserve",
            "SetReserveInput",
            "movement { id }",
            {"unitId": target, "reserve": values},
        ),
        "forecast": (
            "submitForecast",
            "SubmitForecastInput",
            "forecast { remark }",
            {"unitId": target, "amounts": values},
        ),
    }
    name, input_type, result, variables = inputs[kind]
    document = MOVE.format(input=input_type, field=name, result=result)
    return document, {"input": {"periodId": period, **variables}}, name


async def _stored(owner_engine: Any, world: Any, period: str) -> dict[str, dict[str, list[int]]]:
    keys = {v: k for k, v in world.units.items()}
    async with owner_engine.connect() as conn:
        rows = (await conn.execute(STORED, {"p": raw_id(period)})).all()
    return {
        keys[r[0]]: {f: list(r[1 + 4 * i : 5 + 4 * i]) for i, f in enumerate(FIGURES)}
        for r in rows
        if any(r[1:])
    }


def _nonzero(model: Model) -> dict[str, dict[str, list[int]]]:
    return {u: f for u, f in model.figures.items() if any(any(v) for v in f.values())}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_random_ledgers_keep_every_balance_derived_and_bounded(
    data, plans, gql, world, owner_engine, assert_derivations
) -> None:  # type: ignore[no-untyped-def]
    period = await plans.period(f"随机账本 {next(_SERIAL)}")
    model = Model()
    token = world.tokens["commission_admin"]
    for _ in range(data.draw(st.integers(4, 24))):
        step = kind, ends, amounts = _draw_step(data, model)
        document, variables, name = _request(kind, ends, amounts, world, period)
        result = await gql(document, variables, token)
        assert "errors" not in result, (step, result)
        errors = [(e["code"], e["field"]) for e in result["data"][name]["errors"]]
        moved = model.after(kind, ends, amounts)
        touched = set(ends)
        if kind == "reserve" and moved.of(ends[1])["reserve"] == model.of(ends[1])["reserve"]:
            assert errors == [("INVALID_AMOUNT", "reserve")], (step, errors)
        elif any(moved.breaks_fit(u) for u in touched):
            codes = [code for code, _ in errors]
            assert codes in (["SHORTFALL"], ["INVALID_AMOUNT"]), (step, errors)
        elif overfull := set().union(*(moved.overfull(u) for u in touched)):
            prefix = "reserve" if kind == "reserve" else "amounts"
            expected = [("SUBQUOTA_EXCEEDS_TOTAL", f"{prefix}.{f}") for f in overfull]
            assert len(errors) == 1 and errors[0] in expected, (step, errors)
        else:
            assert errors == [], (step, errors)
            model = moved
        assert await _stored(owner_engine, world, period) == _nonzero(model), step
        await assert_derivations(raw_id(period))
