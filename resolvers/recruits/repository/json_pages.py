"""A page of recruits as one statement building its JSON (a compiled document's ``recruits``,
``schema/compiled``): the rows of :func:`~partyplan.resolvers.recruits.repository.filtered` —
the same scope and filters as the ordinary list — paged as :func:`paging.fetch` pages them,
each recruit's findings in the order ``findings_of_many`` gives them (by id)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from partyplan.models import recruit_findings
from partyplan.resolvers import paging
from partyplan.resolvers.jsonsql import json_array
from partyplan.resolvers.paging import Keyset, PageInSql
from partyplan.tenants.session import Session

from . import ListFilter, filtered, recruits

#: Builds the JSON of a finding from a row of ``recruit_findings``.
FindingJson = Callable[[sa.FromClause], sa.ColumnElement]


def findings_json(recruit_id: sa.ColumnElement[int], finding: FindingJson) -> sa.ColumnElement:
    """The recruit's findings as a JSON array, by id (as the ordinary list loads them)."""
    rows = recruit_findings.alias("finding")
    return (
        sa.select(json_array(finding(rows), [rows.c.id]))
        .where(rows.c.recruit_id == recruit_id)
        .scalar_subquery()
    )


async def page_json(
    session: Session,
    listed: ListFilter,
    keyset: Keyset,
    build: Callable[[PageInSql], sa.ColumnElement],
) -> str:
    """The JSON text ``build`` makes of the page ``keyset`` of the list ``listed``."""
    return await paging.fetch_json(session, filtered(listed), recruits.c.id, keyset, build)
