"""The figures of the roll-up tallies, each a SQL condition over one recruit row.

What each figure means (admissions where approved, the pipeline and findings where the recruit
is now, an annulled admission nowhere) is told in ``migrations/tallies.py``, the module
migrations import; this one holds the conditions themselves, and ``tally_rows`` the rows that
add them up a chain of units.

Invariants:

* Every expression is written over a row alias ``r`` (``r``, ``NEW``, ``OLD``) and a period
  alias ``p``, so that the trigger, the computed tallies and the rebuilds are built from the
  same text.
* :func:`admission_figures` and :func:`pipeline_figures` name the figures of
  ``models.rollups`` in the same order: checked when the module is imported, so a figure added
  on one side only fails every migration rather than tallying the wrong column.
* ``annulments=False`` gives the text as migration 0009 installed it, before the column
  ``annulled_on`` existed; the text of either variant is what applied migrations installed and
  must not change by a byte.

Imports: ``models`` only.
"""

from __future__ import annotations

from partyplan.models.rollups import ADMISSION_FIGURES as _ADMISSION_NAMES
from partyplan.models.rollups import PIPELINE_FIGURES


def _void(r: str, annulments: bool) -> str:
    """The recruit's admission was annulled (nothing from its approval on counts)."""
    return f"{r}.annulled_on IS NOT NULL" if annulments else "false"


def admitted(r: str, annulments: bool = True) -> str:
    """The recruit was admitted (approved, step 17) within period ``p``, and the admission
    stands (not annulled)."""
    within = f"{r}.approved_on BETWEEN p.starts_on AND p.ends_on"
    return f"{within} AND {r}.annulled_on IS NULL" if annulments else within


def converted(r: str, annulments: bool = True) -> str:
    within = f"{r}.converted_on BETWEEN p.starts_on AND p.ends_on"
    return f"{within} AND {r}.annulled_on IS NULL" if annulments else within


def stage_on(r: str, on: str, annulments: bool = True) -> str:
    """The stage the recruit stood at on ``on`` (the furthest stage entered by then; a
    cancellation is final; an annulled admission leaves the procedure on its approval date),
    NULL before it applied."""
    void = (
        f"WHEN {r}.annulled_on IS NOT NULL AND {r}.approved_on <= {on} THEN 'annulled' "
        if annulments
        else ""
    )
    return (
        f"CASE {void}WHEN {r}.cancelled_on <= {on} THEN 'cancelled'"
        f" WHEN {r}.converted_on <= {on} THEN 'full_member'"
        f" WHEN {r}.approved_on <= {on} THEN 'probationary'"
        f" WHEN {r}.target_on <= {on} THEN 'development_target'"
        f" WHEN {r}.activist_on <= {on} THEN 'activist'"
        f" WHEN {r}.applied_on <= {on} THEN 'applicant' END"
    )


def admission_figures(r: str, annulments: bool = True) -> dict[str, str]:
    """Admissions and their structure (over every admission: counted against the quota or
    exempt), each a condition over recruit ``r`` and period ``p``."""
    within = admitted(r, annulments)
    return {
        "admitted": f"{within} AND NOT {r}.exempt",
        "admitted_exempt": f"{within} AND {r}.exempt",
        "women": f"{within} AND {r}.gender = 'female'",
        "ethnic_minority": f"{within} AND {r}.ethnicity <> '汉族'",
        "youth_35": f"{within} AND {r}.approved_on < ({r}.birth_date + interval '36 years')::date",
        "college_educated": f"{within} AND {r}.education <> 'below_college'",
        "students": f"{within} AND {r}.category IN ('undergraduate', 'postgraduate')",
        "staff": f"{within} AND {r}.category IN ('teacher', 'other_staff')",
        "high_knowledge": f"{within} AND {r}.high_knowledge",
        "professional_technical": f"{within} AND {r}.professional_title IS NOT NULL",
    }


def pipeline_figures(r: str, annulments: bool = True) -> dict[str, str]:
    """Where the recruit stood at the period's end, and its conversions within the period."""
    stage = f"({stage_on(r, 'p.ends_on', annulments)})"
    return {
        "applicants": f"{stage} = 'applicant'",
        "activists": f"{stage} = 'activist'",
        "development_targets": f"{stage} = 'development_target'",
        "probationary": f"{stage} = 'probationary'",
        "converted": converted(r, annulments),
    }


def member(r: str, annulments: bool = True) -> str:
    """The recruit takes part in period ``p``: it applied by the period's end and had not left
    the procedure (converted, cancelled, or its admission annulled: left on its approval date)
    before it started."""
    left = f"{r}.converted_on, {r}.cancelled_on"
    if annulments:
        left += f", CASE WHEN {_void(r, annulments)} THEN {r}.approved_on END"
    return f"{r}.applied_on <= p.ends_on AND coalesce(least({left}), 'infinity') >= p.starts_on"


def open_findings(r: str, annulments: bool = True) -> str:
    return f"CASE WHEN {member(r, annulments)} THEN {r}.open_findings ELSE 0 END"


if (
    tuple(admission_figures("r")) != _ADMISSION_NAMES
    or tuple(pipeline_figures("r")) != PIPELINE_FIGURES
):
    raise ImportError("the tally definitions and models.rollups name different figures")
