"""What a recruit's record derives from its steps, written: the one write every operation on
the record ends with (recording, correcting, attaching, transferring) — the findings replaced
and the derived columns set, in one statement (``repository/recording.py``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from partyplan.tenants.session import Session

from .. import repository
from ..repository import recording
from ..rules import derivation
from ..rules.steps import RecordedStep, RecruitFacts
from . import documents
from .procedure import Procedure


def history(rows: list[Any]) -> list[RecordedStep]:
    return [RecordedStep(r.step_code, r.on_date, r.data) for r in rows]


def derived_of(
    recruit: sa.Row, procedure: Procedure, steps: list[Any], carried: documents.Written
) -> derivation.Derived:
    """Everything stored from the current ``steps`` (in order): stage, next due, milestones,
    and the findings — the rules' and the documents the steps lack (全程纪实)."""
    derived = derivation.derive(
        history(steps),
        RecruitFacts.of(recruit),
        procedure.rules,
        procedure.calendar,
    )
    if lacking := documents.missing_in(carried, steps):
        derived = replace(derived, findings=derived.findings + tuple(lacking))
    return derived


async def derive(
    session: Session, recruit: sa.Row, procedure: Procedure, steps: list[sa.Row] | None = None
) -> sa.Row:
    """Re-derive everything stored from the steps: stage, next due, findings, milestones,
    written in one statement (the findings replaced, the derived columns set).

    ``steps``: the recruit's current steps in ``repository.steps_of`` order, when the caller
    holds them (read under the recruit's lock, plus what it wrote); read here otherwise.
    """
    if steps is None:
        steps = await repository.steps_of(session, recruit.id)
    derived = derived_of(recruit, procedure, steps, await documents.written(session, recruit))
    written = await recording.write(
        session, recruit, findings=derived.findings, columns=derived.columns()
    )
    return written.recruit
