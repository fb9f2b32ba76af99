"""What the warnings scan reads of data calls, and the hook for e-mail or SMS.

The scan (``warnings/service/datacall_checks.py``) raises, for each unit of an open call that
has not answered:

* a reminder (``data_call_due``) from ``n`` working days before the due date until the due date
  itself, ``n`` the call's ``remind_working_days`` or else the commission's rule parameter
  ``working_days``, the days counted on the commission's working-day calendar (holidays and
  make-up working days, ``recruits/rules/calendar.py``);
* an overdue warning (``data_call_overdue``) once the due date plus the rule's ``grace_days``
  has passed.

Both are resolved at the next scan after the unit answers (or the issuer closes the call).

**Notifications.** The warnings list and the console show both kinds. E-mail or SMS is left to
a deployment: a :class:`Notifier` receives the notices of the warnings a scan raises anew (not
those still standing from an earlier scan). The default, :class:`RecordOnly`, sends nothing:
the warning itself is the record. A deployment installs its own with :func:`use`; the notifier
runs inside the scan's transaction, so it should queue its messages rather than send them
(a rolled-back scan would otherwise have notified of warnings that were never stored).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.recruits.service.procedure import load_calendar

from .. import repository

#: Due dates before this are long past for every scan (the overdue query's lower bound).
EPOCH = date(2000, 1, 1)


@dataclass(frozen=True)
class Pending:
    """A unit of an open call that has not answered, as a warning is raised on it."""

    call_id: int
    title: str
    due_on: date
    issuer: str
    unit_id: int
    unit_path: str
    school_id: int | None
    unit_name: str
    remind_from: date | None = None  # the first day of the reminder (reminders only)

    @classmethod
    def of(cls, row: sa.Row, remind_from: date | None = None) -> Pending:
        return cls(
            call_id=row.call_id,
            title=row.title,
            due_on=row.due_on,
            issuer=row.issuer,
            unit_id=row.unit_id,
            unit_path=row.unit_path,
            school_id=row.school_id,
            unit_name=row.unit_name,
            remind_from=remind_from,
        )


async def due_soon(
    conn: AsyncConnection,
    *,
    commission_id: int,
    commission_path: str,
    today: date,
    working_days: int,
) -> list[Pending]:
    """The units to remind today: calls due today or later, whose reminder window (``n``
    working days before the due date) has opened."""
    calendar = await load_calendar(conn, commission_id)  # type: ignore[arg-type]
    # A window never opens more than 60 working days (about 90 calendar days) early.
    rows = await repository.pending(conn, commission_path, today, today + timedelta(days=120))
    found = []
    for row in rows:
        days = working_days if row.remind_working_days is None else row.remind_working_days
        opens = calendar.add_working_days(row.due_on, -days)
        if opens <= today:
            found.append(Pending.of(row, opens))
    return found


async def overdue(
    conn: AsyncConnection, *, commission_path: str, today: date, grace_days: int
) -> list[Pending]:
    """The units of open calls whose due date plus ``grace_days`` has passed unanswered."""
    last_due = today - timedelta(days=grace_days + 1)
    if last_due < EPOCH:
        return []
    return [
        Pending.of(row) for row in await repository.pending(conn, commission_path, EPOCH, last_due)
    ]


# --- notifications ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """One new warning to tell the unit about: its kind (``data_call_due`` or
    ``data_call_overdue``), the call and the unit, and the warning's message."""

    kind: str
    call_id: int
    title: str
    due_on: date
    unit_id: int
    unit_name: str
    message: str


class Notifier(Protocol):
    """Where the notices of newly raised data-call warnings go (e-mail, SMS, a queue)."""

    async def send(self, notices: Sequence[Notice]) -> None: ...


class RecordOnly:
    """The default: nothing beyond the warning itself, which the warnings list shows."""

    async def send(self, notices: Sequence[Notice]) -> None:
        return None


_notifier: Notifier = RecordOnly()


def use(notifier: Notifier) -> Notifier:
    """Install ``notifier`` (the composition root does, once); the one it replaces."""
    global _notifier
    previous, _notifier = _notifier, notifier
    return previous


def notifier() -> Notifier:
    return _notifier


__all__ = [
    "Notice",
    "Notifier",
    "Pending",
    "RecordOnly",
    "due_soon",
    "notifier",
    "overdue",
    "use",
]
