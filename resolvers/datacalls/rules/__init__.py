"""The pure rules of data calls: the form and the answers checked against it, where a call
stands (``form``), and the roll-up of answers (``tally``)."""

from .form import (
    FIELD_KINDS,
    KIND_LABELS,
    NUMBER_LIMIT,
    Standing,
    check_answerable,
    check_answers,
    check_due,
    check_form,
    check_title,
    standing,
)
from .tally import Aggregate, aggregate, is_within

__all__ = [
    "FIELD_KINDS",
    "KIND_LABELS",
    "NUMBER_LIMIT",
    "Aggregate",
    "Standing",
    "aggregate",
    "check_answerable",
    "check_answers",
    "check_due",
    "check_form",
    "check_title",
    "is_within",
    "standing",
]
