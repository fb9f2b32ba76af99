"""The root schema and its execution settings.

Limits are built once per process: strawberry's depth and alias limiters create a new rule
class per instance, which would defeat the validation cache (strawberry #4635), so their rules
are created here once and added through ``AddValidationRules`` with the same objects each time.
"""

from __future__ import annotations

from pathlib import Path

import strawberry
from graphql import ExecutionResult
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig

from .access.mutations import AccessMutations
from .access.queries import AccessQueries
from .access.types import Me, Role, RoleBinding, User
from .all_or_nothing import ROLLED_BACK, AllOrNothing
from .allocation_quality.mutations import AllocationQualityMutations
from .allocation_quality.queries import AllocationQualityQueries
from .annulments.mutations import AnnulmentMutations
from .annulments.queries import AnnulmentQueries
from .attachments.mutations import AttachmentMutations
from .attachments.queries import AttachmentQueries
from .audit.queries import AuditQueries
from .clients.mutations import ClientMutations
from .clients.queries import ClientQueries
from .clients.types import OAuthClient
from .context import SchemaSettings
from .cost import CostLimit, DocumentCosts
from .datacalls.mutations import DataCallMutations
from .datacalls.queries import DataCallQueries
from .datacalls.types import DataCall
from .errors import ShapeErrors
from .execution import PlainFieldExecutor
from .exports12371.queries import Export12371Queries
from .feed.queries import FeedQueries
from .ledger.queries import LedgerQueries
from .members.mutations import MemberMutations
from .members.queries import MemberQueries
from .members.types import Member
from .members.upload import MemberFileMutations
from .node import NodeQueries
from .placements.mutations import PlacementMutations
from .placements.queries import PlacementQueries
from .plans.mutations import PlanMutations
from .plans.queries import PlanQueries
from .plans.types import DispatchRound, PlanPeriod, QuotaMovement
from .policies.mutations import PolicyMutations
from .reconciliation.apply import ApplyReconciliationMutations
from .reconciliation.imports import ReconciliationMutations, ReconciliationQueries
from .recruits.definitions import StepDefinitionQueries
from .recruits.mutations import FilingMutations, RecruitMutations
from .recruits.procedure import ProcedureMutations, ProcedureQueries
from .recruits.queries import FilingQueries, RecruitQueries
from .recruits.region import RegionMutations
from .recruits.types import Recruit
from .reports.mutations import ReportMutations
from .reports.queries import ReportQueries
from .rollups.queries import RollupQueries
from .scalars import described_scalars
from .spotchecks.mutations import SpotCheckMutations
from .spotchecks.queries import SpotCheckQueries
from .sync.mutations import SyncMutations
from .units.mutations import UnitMutations
from .units.queries import UnitQueries
from .units.types import Unit
from .warnings.mutations import WarningMutations
from .warnings.queries import WarningQueries

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


@strawberry.type(
    description=(
        "查询：发展党员指导性计划 — units, plans, recruits and members, roll-ups, warnings, "
        "reports, audit. Every field names the permission it requires; objects outside the "
        "caller's units are NOT_FOUND."
    )
)
class Query(
    NodeQueries,
    UnitQueries,
    AccessQueries,
    AuditQueries,
    PlanQueries,
    PlacementQueries,
    RecruitQueries,
    MemberQueries,
    FilingQueries,
    ProcedureQueries,
    StepDefinitionQueries,
    RollupQueries,
    WarningQueries,
    ReportQueries,
    ClientQueries,
    FeedQueries,
    Export12371Queries,
    ReconciliationQueries,
    SpotCheckQueries,
    AllocationQualityQueries,
    AnnulmentQueries,
    DataCallQueries,
    LedgerQueries,
    AttachmentQueries,
):
    pass


@strawberry.type(
    description=(
        "变更操作：a request is one transaction, all or nothing: when any mutation of a "
        "document fails — a GraphQL error anywhere in the response, or typed `errors` in a "
        "payload — nothing the document asked for is written, its other mutations included. "
        "A payload that had succeeded then reports nothing written (its object null, its lists "
        f"empty, its counts 0) and an error with `extensions.code` {ROLLED_BACK} at its path."
    )
)
class Mutation(
    UnitMutations,
    AccessMutations,
    PlanMutations,
    PlacementMutations,
    RecruitMutations,
    MemberMutations,
    MemberFileMutations,
    FilingMutations,
    ProcedureMutations,
    RegionMutations,
    WarningMutations,
    ReportMutations,
    ClientMutations,
    PolicyMutations,
    SyncMutations,
    ReconciliationMutations,
    ApplyReconciliationMutations,
    AttachmentMutations,
    SpotCheckMutations,
    AllocationQualityMutations,
    AnnulmentMutations,
    DataCallMutations,
):
    pass


def _extensions(settings: SchemaSettings) -> list:
    rules = [depth_rule(settings.max_query_depth, None), alias_rule(settings.max_aliases)]
    # One cache of compiled costs per schema; the budget is the request's (schema/cost.py).
    costs = DocumentCosts(settings.max_page_size)
    extensions: list = [
        lambda: MaxTokensLimiter(settings.max_tokens),
        ParserCache,
        lambda: AddValidationRules(rules),
        ValidationCache,
        lambda: CostLimit(costs),
        ShapeErrors,
    ]
    if settings.is_production:
        extensions.append(DisableIntrospection)
    return extensions


class Executor(AllOrNothing, PlainFieldExecutor):
    """Plain fields read directly; a mutation document written whole or not at all."""


class Schema(strawberry.Schema):
    def process_errors(self, errors: list, execution_context: object = None) -> None:
        """Client errors (a bad token, a refused query) are answers, not server faults: the
        ShapeErrors extension logs the unexpected ones; strawberry would log all at ERROR."""


def build_schema(settings: SchemaSettings) -> strawberry.Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        types=[
            Unit,
            User,
            RoleBinding,
            Role,
            Me,
            PlanPeriod,
            QuotaMovement,
            DispatchRound,
            Recruit,
            Member,
            OAuthClient,
            DataCall,
        ],
        extensions=_extensions(settings),
        config=StrawberryConfig(),
        scalar_overrides=described_scalars(),
        execution_context_class=Executor,
    )


def print_schema(schema: strawberry.Schema) -> str:
    return schema.as_str() + "\n"


__all__ = ["SCHEMA_FILE", "ExecutionResult", "Query", "Mutation", "build_schema", "print_schema"]
