"""What ties the other domains' rows to the unit tree, declared here and nowhere else.

**Path copies.** Row-level security and the scope tests read a copy of a unit's ``ltree`` path on
each row (``unit_path <@ scope``) instead of joining ``units``. A unit moved inside its school
changes the path of every unit in its subtree, so :func:`.repository.move` rewrites each column
of :data:`PATH_COPIES` in the moving transaction. A copy missed here keeps its rows scoped under
the old place: still seen by the old parent, lost to the new one.

Each copy names the unit whose path it holds, as an expression over the copying row: the row's
own unit column for most; a recruit's records (steps, findings, filings) copy the path of the
recruit's branch, since a transfer moves them with the recruit; a recruit's admission keeps the
path of the branch that approved it (``admitted_branch_id``), wherever the recruit is now. The
rewrite itself only needs the old prefix (every copy lies in the moved subtree or outside it);
the unit is what the tests check each copy against after a move.

**Fixed paths.** :data:`FIXED_PATHS` are copies a move never changes: a commission's path. A
commission and a school never move (:func:`.rules.check_move`), and a moved unit lies below a
school, so no commission's path ever starts with a moved unit's path.

``tests/units/test_ties.py`` reads every ``ltree`` column of the migrated database and fails on
one that is neither ``units.path``, nor a path copy, nor a fixed path.

**Guards.** :data:`GUARDS` say what keeps a unit where it is: rows of a table, at the unit or
below it, that match a predicate. The units service asks each before the operations it blocks;
no domain registers anything at import.

This module imports only the tables: it is data, read by the units repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from partyplan.models import (
    admission_annulments,
    allocation_quality_rules,
    attachment_quotas,
    attachment_supersessions,
    attachments,
    calendar_days,
    change_outbox,
    data_call_responses,
    data_calls,
    dispatch_rounds,
    document_expectations,
    execution_reports,
    forecast_submissions,
    linkage_rules,
    members,
    named_targets,
    oauth_clients,
    placement_tallies,
    plan_periods,
    quota_movements,
    reconciliation_entries,
    reconciliation_reports,
    recruit_findings,
    recruit_steps,
    recruits,
    role_bindings,
    rule_overlays,
    spot_check_candidates,
    spot_check_records,
    spot_checks,
    structural_targets,
    sync_requests,
    talent_filings,
    trusted_documents,
    unit_month_tallies,
    unit_quotas,
    unit_tallies,
    units,
    users,
    warning_rules,
    warning_tallies,
    warnings,
)


@dataclass(frozen=True)
class PathCopy:
    """``column`` holds the path of the unit whose id ``unit`` gives (over the same row)."""

    column: sa.Column  # type: ignore[type-arg]
    unit: sa.ColumnElement  # type: ignore[type-arg]

    @property
    def table(self) -> sa.Table:
        return self.column.table  # type: ignore[return-value]


def _recruits_branch(table: sa.Table) -> sa.ScalarSelect:  # type: ignore[type-arg]
    branch = sa.select(recruits.c.branch_id).where(recruits.c.id == table.c.recruit_id)
    return branch.correlate_except(recruits).scalar_subquery()


def _clients_unit(table: sa.Table) -> sa.ScalarSelect:  # type: ignore[type-arg]
    unit = sa.select(oauth_clients.c.unit_id).where(oauth_clients.c.id == table.c.client_pk)
    return unit.correlate_except(oauth_clients).scalar_subquery()


def _reports_school(table: sa.Table) -> sa.ScalarSelect:  # type: ignore[type-arg]
    school = sa.select(reconciliation_reports.c.school_id).where(
        reconciliation_reports.c.id == table.c.report_id
    )
    return school.correlate_except(reconciliation_reports).scalar_subquery()


#: The units' own path, derived by the ``units_derive`` trigger; the move re-derives it.
UNIT_PATH = units.c.path

#: Every column a move rewrites, in the order it does. Recruits come before the tallies: their
#: tally trigger writes the open periods' tally paths from the recruits' new paths, and the
#: tallies' own rewrite then carries the rest (closed periods, units without recruits).
PATH_COPIES: tuple[PathCopy, ...] = (
    PathCopy(users.c.home_path, users.c.home_unit_id),
    PathCopy(role_bindings.c.unit_path, role_bindings.c.unit_id),
    PathCopy(recruits.c.unit_path, recruits.c.branch_id),
    # Where an admission was approved: the database rewrites it too (trigger
    # units_rebase_admissions), for the recruits since transferred out of the mover's scope.
    PathCopy(recruits.c.admitted_path, recruits.c.admitted_branch_id),
    # An annulled admission, seen where it was approved (its evidence allows this one change).
    PathCopy(admission_annulments.c.unit_path, admission_annulments.c.branch_id),
    PathCopy(recruit_steps.c.unit_path, _recruits_branch(recruit_steps)),
    PathCopy(recruit_findings.c.unit_path, _recruits_branch(recruit_findings)),
    PathCopy(talent_filings.c.unit_path, _recruits_branch(talent_filings)),
    PathCopy(attachments.c.unit_path, _recruits_branch(attachments)),
    PathCopy(attachment_supersessions.c.unit_path, _recruits_branch(attachment_supersessions)),
    PathCopy(members.c.unit_path, members.c.branch_id),
    PathCopy(unit_tallies.c.unit_path, unit_tallies.c.unit_id),
    PathCopy(unit_month_tallies.c.unit_path, unit_month_tallies.c.unit_id),
    # A submitted report is frozen, but its path is where it is seen, not what it says.
    PathCopy(execution_reports.c.unit_path, execution_reports.c.unit_id),
    PathCopy(warnings.c.unit_path, warnings.c.unit_id),
    # After the warnings, as the recruits' tallies after the recruits: their trigger writes the
    # new ancestors' rows, this rewrite the moved units' own (and those counting nothing now).
    PathCopy(warning_tallies.c.unit_path, warning_tallies.c.unit_id),
    # Plans: closed periods' rows too (a move is refused only while an open period's quota is
    # held), so their ledgers, balances, forecasts, targets and rounds stay visible.
    PathCopy(quota_movements.c.from_path, quota_movements.c.from_unit_id),
    PathCopy(quota_movements.c.to_path, quota_movements.c.to_unit_id),
    PathCopy(unit_quotas.c.unit_path, unit_quotas.c.unit_id),
    PathCopy(forecast_submissions.c.unit_path, forecast_submissions.c.unit_id),
    PathCopy(structural_targets.c.unit_path, structural_targets.c.unit_id),
    PathCopy(dispatch_rounds.c.unit_path, dispatch_rounds.c.unit_id),
    # Named targets (migration 0021): a branch's names, and their tallies, which the database
    # writes from the names as it does the recruits' from the recruits.
    PathCopy(named_targets.c.unit_path, named_targets.c.unit_id),
    PathCopy(placement_tallies.c.unit_path, placement_tallies.c.unit_id),
    # The doors: a client (and the documents registered for it) is seen where its unit is.
    PathCopy(oauth_clients.c.unit_path, oauth_clients.c.unit_id),
    PathCopy(trusted_documents.c.unit_path, _clients_unit(trusted_documents)),
    # The change feed: a change is seen where its object's unit was when it changed.
    PathCopy(change_outbox.c.unit_path, change_outbox.c.unit_id),
    # A school's path (no move changes it; declared so that the test holds it like the rest).
    PathCopy(sync_requests.c.unit_path, sync_requests.c.school_id),
    PathCopy(reconciliation_reports.c.unit_path, reconciliation_reports.c.school_id),
    PathCopy(attachment_quotas.c.unit_path, attachment_quotas.c.school_id),
    PathCopy(reconciliation_entries.c.unit_path, _reports_school(reconciliation_entries)),
    # Data calls: the issuer (a commission or a school, neither ever moves) and each unit that
    # must answer, whose response is seen where the unit is.
    PathCopy(data_calls.c.unit_path, data_calls.c.unit_id),
    PathCopy(data_call_responses.c.unit_path, data_call_responses.c.unit_id),
    # Spot checks: a drawn candidate is seen where its recruit's branch was at the commitment.
    PathCopy(spot_check_candidates.c.unit_path, spot_check_candidates.c.branch_id),
    PathCopy(spot_check_records.c.unit_path, spot_check_records.c.branch_id),
)

#: Copies of a commission's path: no move changes them (see the module's docstring).
FIXED_PATHS: tuple[PathCopy, ...] = (
    PathCopy(plan_periods.c.commission_path, plan_periods.c.commission_id),
    PathCopy(linkage_rules.c.commission_path, linkage_rules.c.commission_id),
    PathCopy(calendar_days.c.commission_path, calendar_days.c.commission_id),
    PathCopy(rule_overlays.c.commission_path, rule_overlays.c.commission_id),
    PathCopy(document_expectations.c.commission_path, document_expectations.c.commission_id),
    PathCopy(warning_rules.c.commission_path, warning_rules.c.commission_id),
    PathCopy(spot_checks.c.commission_path, spot_checks.c.commission_id),
    PathCopy(allocation_quality_rules.c.commission_path, allocation_quality_rules.c.commission_id),
)

Operation = Literal["move", "deactivate"]


@dataclass(frozen=True)
class Guard:
    """A unit may not undergo ``blocks`` while rows of ``path``'s table at or below it (by that
    path copy) match ``where``. ``reason`` is formatted with ``unit`` (its name) and ``count``
    (the rows found)."""

    path: sa.Column  # type: ignore[type-arg]
    where: sa.ColumnElement[bool]
    reason: str
    blocks: frozenset[Operation]


_OPEN_PERIODS = sa.select(plan_periods.c.id).where(plan_periods.c.state != "closed")

GUARDS: tuple[Guard, ...] = (
    # Quota of a period still open came down the unit's old branch of the tree: the ledger
    # would no longer add up along the new one. A closed period's quota moves along.
    Guard(
        path=unit_quotas.c.unit_path,
        where=sa.and_(
            unit_quotas.c.period_id.in_(_OPEN_PERIODS),
            sa.or_(
                unit_quotas.c.received_total != 0,
                unit_quotas.c.reserve_total != 0,
                unit_quotas.c.handed_total != 0,
            ),
        ),
        reason="{unit}（或其下级党组织）在未关闭的计划期中仍有名额",
        blocks=frozenset({"move", "deactivate"}),
    ),
    # Recruits not yet full members (nor cancelled, nor with their admission annulled: their
    # procedure ended there) need a live branch; a move takes them along.
    Guard(
        path=recruits.c.unit_path,
        where=sa.and_(
            recruits.c.stage.not_in(("full_member", "cancelled")),
            recruits.c.annulled_on.is_(None),
        ),
        reason="{unit}仍有 {count} 名尚在发展程序中的人员",
        blocks=frozenset({"deactivate"}),
    ),
)
