"""Members looked up by stored value are the members the enum's own call gives."""

from __future__ import annotations

import doctest

import pytest

from partyplan.schema import enums
from partyplan.schema.enums import by_value
from partyplan.schema.recruits.types import (
    Education,
    Gender,
    ProcedureStep,
    RecruitCategory,
    RecruitStage,
)
from partyplan.schema.units.types import UnitKind


@pytest.mark.parametrize(
    "enum_cls", [RecruitStage, RecruitCategory, Education, Gender, ProcedureStep, UnitKind]
)
def test_every_stored_value_gives_the_member_the_enum_gives(enum_cls) -> None:  # type: ignore[no-untyped-def]
    member = by_value(enum_cls)
    for value in (m.value for m in enum_cls):
        assert member(value) is enum_cls(value)
    with pytest.raises(ValueError):
        member("no such value")
    with pytest.raises((ValueError, TypeError)):
        member(["unhashable"])


def test_module_examples() -> None:
    assert doctest.testmod(enums).failed == 0
