"""``recruits`` compiled: a page of recruits with their branch and findings, answered by one
statement (``resolvers/recruits/repository/json_pages.py``) after the same checks the ordinary
resolver makes (``reads.page_filter``: the ``under`` unit, the period, the caller's permission).

What is compiled: the connection (``pageInfo``, ``edges { cursor node }``, ``totalCount``), the
recruit's stored fields, its branch's (joined into the page's rows as the list always does) and
its findings. Not compiled, so the document runs as before: the ID number and phone (PII,
decrypted and audited in Python), the annulment, the steps, and any field of the branch beyond
its own columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from partyplan.resolvers.paging import Keyset
from partyplan.resolvers.recruits.service import reads
from partyplan.tenants.session import Session

from ..errors import text_argument
from ..mutations import decode_id
from ..recruits.types import Education, Gender, ProcedureStep, RecruitCategory, RecruitStage
from ..units.types import UnitKind
from .arguments import enum_argument, global_argument
from .connections import ConnectionField
from .objects import Columns, ObjectSql, column, enum, node_id, prefixed

UNIT = ObjectSql(
    "Unit",
    {
        "id": node_id("Unit"),
        "kind": enum("kind", UnitKind),
        "name": column("name"),
        "code": column("code"),
        "active": column("active"),
        "regionCode": column("region_code"),
    },
)

FINDING = ObjectSql(
    "ComplianceFinding",
    {
        "ruleId": column("rule_id"),
        "ruleVersion": column("rule_version"),
        "article": column("article"),
        "severity": column("severity"),
        "step": enum("step_code", ProcedureStep),
        "message": column("message"),
        "dueOn": column("due_on"),
        "daysLate": column("days_late"),
    },
)


def _findings(columns: Columns, element: Callable[[Columns], sa.ColumnElement]) -> Any:
    return reads.findings_json(columns("id"), lambda rows: element(lambda n: rows.c[n]))


RECRUIT = ObjectSql(
    "Recruit",
    {
        "id": node_id("Recruit"),
        "name": column("name"),
        "gender": enum("gender", Gender),
        "ethnicity": column("ethnicity"),
        "birthDate": column("birth_date"),
        "category": enum("category", RecruitCategory),
        "education": enum("education", Education),
        "professionalTitle": column("professional_title"),
        "highKnowledge": column("high_knowledge"),
        "talentProgramme": column("talent_programme"),
        "code12371": column("code_12371"),
        "stage": enum("stage", RecruitStage),
        "stageSince": column("stage_since"),
        "nextStep": enum("next_step", ProcedureStep),
        "nextDueOn": column("next_due_on"),
        "openFindings": column("open_findings"),
        "approvedOn": column("approved_on"),
        "exempt": column("exempt"),
        "annulledOn": column("annulled_on"),
    },
    objects={"branch": (UNIT, prefixed("branch_unit_"))},
    lists={"findings": (FINDING, _findings)},
)


class RecruitsField(ConnectionField):
    """The root field ``recruits`` of one known document, checked when it is compiled."""

    node = RECRUIT

    async def page_json(
        self, context: Any, session: Session, arguments: dict[str, Any], page: Keyset
    ) -> str:
        """The ordinary resolver's errors (BadInput, NotFound, Forbidden) propagate, and the
        document is then answered the ordinary way."""
        under, period = arguments.get("under"), arguments.get("periodId")
        listed = await reads.page_filter(
            session,
            context.pii,
            under_id=None if under is None else decode_id(global_argument(under), "Unit", "under"),
            stage=enum_argument(arguments.get("stage")),
            category=enum_argument(arguments.get("category")),
            period_id=None
            if period is None
            else decode_id(global_argument(period), "PlanPeriod", "periodId"),
            search=text_argument(arguments.get("search"), "search", label="检索", limit=100),
        )
        return await reads.page_json(session, listed, page, self.pages)
