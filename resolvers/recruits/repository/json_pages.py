"""A page of recruits as one statement building its JSON (a compiled document's ``recruits``,
``schema/compiled``): the rows of the list's statement (``listing.py``) — the same scope and
filters as the ordinary list — paged as :func:`paging.fetch` pages them, each recruit's
findings in the order ``findings_of_many`` gives them (by id). The statement is kept per shape
of the list and its keyset (:class:`paging.JsonPages`)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from partyplan.models import recruit_findings, recruits
from partyplan.resolvers.jsonsql import json_array
from partyplan.resolvers.paging import JsonPages, Keyset
from partyplan.tenants.session import Session

from .listing import ListFilter, shaped, template

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


async def page_json(session: Session, listed: ListFilter, keyset: Keyset, pages: JsonPages) -> str:
    """The JSON text ``pages`` makes of the page ``keyset`` of the list ``listed``."""
    shape, values = shaped(listed)
    return await pages.fetch(session, template, shape, values, recruits.c.id, keyset)
