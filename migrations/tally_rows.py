"""The rows a recruit's contribution adds to the roll-up tallies: one per open period and unit
of a chain, from the recruit's school down to its branch.

The figures themselves are ``tally_figures``'s; ``tallies`` sums these rows into the trigger,
the computed tallies and the rebuilds.

Invariants:

* Admissions go down the admitting chain (``admitted_path`` under ``admitted_school_id``), the
  pipeline and open findings down the current one (``unit_path`` under ``school_id``); the two
  halves are joined by ``UNION ALL`` with the same columns in the same order, the figures in
  the order of ``models.rollups``.
* Rows stop at the school: none is ever produced above it, so a writer locks its school's rows
  at worst.
* The text is what applied migrations installed: it must not change by a byte.

Imports: ``models`` and ``tally_figures`` only.
"""

from __future__ import annotations

from partyplan.migrations.tally_figures import (
    admission_figures,
    admitted,
    converted,
    open_findings,
    pipeline_figures,
)
from partyplan.models.rollups import ADMISSION_FIGURES as _ADMISSION_NAMES
from partyplan.models.rollups import PIPELINE_FIGURES


def _int(condition: str) -> str:
    return f"coalesce(({condition}), false)::int"


def _chain_rows(
    path: str, school: str, periods: str, columns: str, where: str, recruits: str
) -> str:
    """One row per (period of ``periods``, unit of the chain from the school ``school`` down to
    the unit of ``path``): period_id, unit_id, unit_path, school_id, depth, then ``columns``
    (``expr AS name``). ``recruits``: a FROM item for the recruits (``recruits r, ``) or none
    (the trigger's row). A NULL path (no admission; ``OLD`` on an insert) has no chain and
    gives no row."""
    return (
        f"SELECT p.id AS period_id, subltree({path}, i - 1, i)::text::bigint AS unit_id,"
        f" subpath({path}, 0, i) AS unit_path, {school} AS school_id, i AS depth, {columns}"
        f" FROM {recruits}plan_periods p,"
        f" generate_series(index({path}, {school}::text::ltree) + 1, nlevel({path})) AS i"
        f" WHERE p.commission_id = subltree({path}, 0, 1)::text::bigint AND {periods}"
        f" AND {where}"
    )


def _admission_chain(r: str) -> tuple[str, str]:
    return f"{r}.admitted_path", f"{r}.admitted_school_id"


def _current_chain(r: str) -> tuple[str, str]:
    return f"{r}.unit_path", f"{r}.school_id"


def _newer(newer: int | None) -> str:
    return "" if newer is None else f"{newer} AS newer, "


def period_rows(
    r: str,
    sign: int,
    periods: str,
    newer: int | None = None,
    recruits: str = "",
    annulments: bool = True,
) -> str:
    """Recruit ``r``'s contribution (times ``sign``) to the tallies of ``periods``: admissions
    on the admitting chain, the pipeline and findings on the current one. Columns: period_id,
    unit_id, unit_path, school_id, depth, [newer,] then ``PERIOD_FIGURES`` in order.
    ``recruits``: see :func:`_chain_rows`."""
    admissions = admission_figures(r, annulments)
    on_admitting = ", ".join(
        [f"{sign} * {_int(admissions[n])} AS {n}" for n in _ADMISSION_NAMES]
        + [f"0 AS {n}" for n in (*PIPELINE_FIGURES, "open_findings")]
    )
    pipeline = pipeline_figures(r, annulments)
    on_current = ", ".join(
        [f"0 AS {n}" for n in _ADMISSION_NAMES]
        + [f"{sign} * {_int(pipeline[n])} AS {n}" for n in PIPELINE_FIGURES]
        + [f"{sign} * {open_findings(r, annulments)} AS open_findings"]
    )
    # Admission rows only for the period containing the approval: every other one adds zeros.
    return (
        _chain_rows(
            *_admission_chain(r),
            periods,
            _newer(newer) + on_admitting,
            admitted(r, annulments),
            recruits,
        )
        + " UNION ALL "
        + _chain_rows(*_current_chain(r), periods, _newer(newer) + on_current, "true", recruits)
    )


def month_rows(
    r: str,
    sign: int,
    periods: str,
    newer: int | None = None,
    recruits: str = "",
    annulments: bool = True,
) -> str:
    """Recruit ``r``'s contribution (times ``sign``) to the month tallies of ``periods``: its
    approval's month on the admitting chain, its conversion's on the current one. Columns:
    period_id, unit_id, unit_path, school_id, depth, [newer,] month, then ``MONTH_FIGURES``."""
    admissions = admission_figures(r, annulments)
    approval = ", ".join(
        [f"date_trunc('month', {r}.approved_on)::date AS month"]
        + [f"{sign} * {_int(admissions[n])} AS {n}" for n in _ADMISSION_NAMES]
        + ["0 AS converted"]
    )
    conversion = ", ".join(
        [f"date_trunc('month', {r}.converted_on)::date AS month"]
        + [f"0 AS {n}" for n in _ADMISSION_NAMES]
        + [f"{sign} AS converted"]
    )
    return (
        _chain_rows(
            *_admission_chain(r),
            periods,
            _newer(newer) + approval,
            admitted(r, annulments),
            recruits,
        )
        + " UNION ALL "
        + _chain_rows(
            *_current_chain(r),
            periods,
            _newer(newer) + conversion,
            converted(r, annulments),
            recruits,
        )
    )
