"""Comparing one person of a 12371 file with the platform's record of them (pure).

Both sides are compared as the export writes them: the record is rendered into the 12371
cells by the export's own ``exports12371.rules.cells``, and the file's cells were normalised
by the reader into that same rendering. So a file exported here and read back compares equal
cell by cell, and a difference is a difference of what the 12371 system holds, not of
spelling. Only the columns the file has are compared; the ID number is what matched them.

Stages: a person 12371 holds at a later stage than the platform is a conflict of the
``stage`` item (steps are missing here: they are recorded here, not taken); one it holds at an
earlier stage than the steps recorded here is a file problem (``STAGE_BEHIND_RECORDS``): the
12371 entry is behind, and nothing here may be taken back to match it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from partyplan.resolvers.exports12371 import rules as layout
from partyplan.resolvers.recruits.rules.identity import mask_phone
from partyplan.resolvers.warnings.rules.requirements import ITEMS, STAGE_MILESTONES, STAGE_ORDER

__all__ = [
    "STAGE_ITEM",
    "STAGE_ORDER",
    "conflicts",
    "json_values",
    "milestone_label",
    "stage_behind",
    "stage_label",
]

#: The pseudo-item of a conflict of stages.
STAGE_ITEM = "stage"
_STAGE_LABELS = {**layout.STAGE_NAMES, "cancelled": "取消预备党员资格"}


def stage_behind(theirs: str, ours: str) -> bool:
    """12371 has the person at an earlier stage than the steps recorded here."""
    return ours in STAGE_ORDER and STAGE_ORDER.index(theirs) < STAGE_ORDER.index(ours)


def stage_label(stage: str) -> str:
    return _STAGE_LABELS.get(stage, stage)


def milestone_label(stage: str) -> str:
    """The column naming the date a recruit entered ``stage`` (what a stage problem points at)."""
    return ITEMS[_MILESTONE_ITEMS[stage]]


_MILESTONE_ITEMS = {
    "applicant": "application_date",
    "activist": "activist_date",
    "development_target": "target_date",
    "probationary": "approval",
    "full_member": "conversion_approval",
}
assert set(_MILESTONE_ITEMS) == set(STAGE_MILESTONES)


def _shown(item: str, value: str) -> str:
    """A conflict's value as the report shows it: phones masked (the report is not a PII read)."""
    return mask_phone(value) if item == "phone" and value else value


def conflicts(
    theirs_stage: str, theirs: Mapping[str, str], ours_stage: str, ours: Mapping[str, str]
) -> list[dict[str, str]]:
    """``[{"item", "here", "theirs"}]`` for every column of the file whose cell differs from
    the record's; the stage first when 12371 is ahead."""
    found = []
    if theirs_stage != ours_stage:
        found.append(
            {
                "item": STAGE_ITEM,
                "here": _STAGE_LABELS.get(ours_stage, ours_stage),
                "theirs": _STAGE_LABELS[theirs_stage],
            }
        )
    for item, value in theirs.items():
        if item == "id_number":
            continue
        here = ours.get(item, "")
        if here != value:
            found.append({"item": item, "here": _shown(item, here), "theirs": _shown(item, value)})
    return found


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: _json(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_json(inner) for inner in value]
    return value


def json_values(values: Mapping[str, Any], items: Any = None) -> dict[str, Any]:
    """The file's values of ``items`` (all but the ID number and phone by default) as JSON:
    dates as ``YYYY-MM-DD``. The ID number and phone are stored encrypted, never here."""
    keep = set(values) if items is None else set(items)
    return {k: _json(v) for k, v in values.items() if k in keep and k not in ("id_number", "phone")}
