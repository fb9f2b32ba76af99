"""Amounts are the four dimensions of a quota, in DIMENSIONS order."""

from __future__ import annotations

from dataclasses import fields
from types import SimpleNamespace

from partyplan.resolvers.plans.rules import DIMENSIONS, Amounts, amounts_of


def test_dimensions_are_the_fields_in_order() -> None:
    assert tuple(f.name for f in fields(Amounts)) == DIMENSIONS


def test_as_dict_names_every_dimension() -> None:
    amounts = Amounts(total=9, students=5, staff=3, high_knowledge=1)
    assert amounts.as_dict() == {"total": 9, "students": 5, "staff": 3, "high_knowledge": 1}
    assert Amounts(**amounts.as_dict()) == amounts


def test_amounts_of_reads_a_figures_four_columns() -> None:
    row = SimpleNamespace(
        received_total=9,
        received_students=5,
        received_staff=3,
        received_high_knowledge=1,
        handed_total=2,
        handed_students=1,
        handed_staff=0,
        handed_high_knowledge=0,
    )
    assert amounts_of(row, "received") == Amounts(9, 5, 3, 1)
    assert amounts_of(row, "handed") == Amounts(2, 1, 0, 0)
