"""All SQL of the recruits domain, split by topic: ``records`` (the recruit's row: read,
created, derived columns and details written, moved on a transfer), ``steps`` (its steps and
the findings derived from them), ``filings`` (high-level talents), ``commission`` (the
procedure in force: working-day calendar and rule overlays), ``listing``
and ``json_pages`` (the recruits list, as rows and as a compiled document's JSON),
``recording`` (recording a step: its reads and its one write), ``documents`` (what the steps
carry in writing).

Callers pass a Session; row-level security applies. ``pii`` holds the PII key rotation's, run
as the owner. The names of ``records``, ``steps``, ``filings``, ``commission`` and ``listing``
are re-exported here: services reach them as ``repository.<name>``."""

from __future__ import annotations

from .commission import (
    calendar_days_of,
    overlay_bodies,
    replace_calendar_year,
    store_overlay,
)
from .filings import (
    active_filing,
    filings_page,
    get_filing,
    insert_filing,
    review_filing,
    set_exempt,
)
from .listing import RECRUIT_COLUMNS, ListFilter, filtered, page
from .records import (
    ID_NUMBER_LOCK_NAMESPACE,
    batch_under,
    by_ids,
    get,
    id_number_taken,
    insert,
    lock_id_number,
    move_recruit,
    update_derived,
    update_details,
)
from .steps import (
    findings_of_many,
    get_step,
    insert_step,
    is_superseded,
    replace_findings,
    steps_of,
    steps_of_many,
)

__all__ = [
    "ID_NUMBER_LOCK_NAMESPACE",
    "RECRUIT_COLUMNS",
    "ListFilter",
    "active_filing",
    "batch_under",
    "by_ids",
    "calendar_days_of",
    "filings_page",
    "filtered",
    "findings_of_many",
    "get",
    "get_filing",
    "get_step",
    "id_number_taken",
    "insert",
    "insert_filing",
    "insert_step",
    "is_superseded",
    "lock_id_number",
    "move_recruit",
    "overlay_bodies",
    "page",
    "replace_calendar_year",
    "replace_findings",
    "review_filing",
    "set_exempt",
    "steps_of",
    "steps_of_many",
    "store_overlay",
    "update_derived",
    "update_details",
]
