"""What a request may run, decided before the schema sees it: which document (free text, or a
trusted document sent by id) and the cost budget it is held to.

A POST whose body has ``documentId`` and no ``query`` runs a trusted document (the GraphQL over
HTTP persisted-documents convention): the platform's own (files in the package's ``documents/``
folder, every caller's), else one the caller's client registered (the client is the verified
token's ``client_id``; another client's documents are unknown to it). A client restricted to
trusted documents may send nothing else.

Refusals here are HTTP 400 with a GraphQL-shaped body, each error with ``extensions.code``, as
strawberry answers any request it cannot take (a body that is not JSON, a query that is not a
string): ``BAD_REQUEST`` (``documentId`` is not a string), ``PERSISTED_DOCUMENT_NOT_FOUND`` (no
document with that id for this caller, a malformed id included), ``TRUSTED_DOCUMENTS_ONLY``
(free text from a client restricted to trusted documents). A document that is admitted but too
costly is refused after validation like any invalid document (``schema/cost.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from graphql import GraphQLSchema
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.http import GraphQLRequestData

from partyplan.auth.tokens import TokenClaims
from partyplan.resolvers.policies import rules, service
from partyplan.resolvers.policies.rules import Budgets, ClientPolicy

from ..context import SchemaSettings
from .checks import document_problems

#: The platform's own documents (its screens'), shipped in the package.
PLATFORM_DOCUMENTS = Path(__file__).resolve().parent.parent.parent / "documents"

BAD_REQUEST = "BAD_REQUEST"
NOT_FOUND = "PERSISTED_DOCUMENT_NOT_FOUND"
TRUSTED_ONLY = "TRUSTED_DOCUMENTS_ONLY"


class AdmissionSettings(SchemaSettings, Protocol):
    @property
    def cost_budget(self) -> int: ...

    @property
    def cost_budget_untrusted(self) -> int: ...


class Refused(Exception):
    """A request answered before execution: an HTTP status and one coded error."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sends the request, as far as its limits go: the verified token's subject and client
    (None for an anonymous request or an invalid token), and the client's policy."""

    subject: str | None
    client_id: str | None
    policy: ClientPolicy | None


ANONYMOUS = Caller(None, None, None)


@dataclass
class DocumentRequest(GraphQLRequestData):
    """A request naming a trusted document instead of sending its text."""

    document_id: object = None


def document_request(data: GraphQLRequestData, body: object) -> GraphQLRequestData:
    """``data`` (a request without a query) as a :class:`DocumentRequest` when its JSON
    ``body`` has a ``documentId``; else unchanged (strawberry then refuses it: no query)."""
    if not isinstance(body, dict) or "documentId" not in body:
        return data
    return DocumentRequest(
        query=None,
        variables=data.variables,
        operation_name=data.operation_name,
        extensions=data.extensions,
        protocol=data.protocol,
        document_id=body["documentId"],
    )


class Admission:
    """One per application: the platform's documents (loaded and validated here, once: an
    invalid file stops the start), and the caches of clients' policies and documents."""

    def __init__(
        self,
        schema: GraphQLSchema,
        settings: AdmissionSettings,
        documents_dir: Path = PLATFORM_DOCUMENTS,
    ) -> None:
        def check(text: str) -> list[str]:
            return document_problems(schema, settings, text)

        self.documents = service.DocumentCache(service.platform_documents(documents_dir, check))
        self.policies = service.PolicyCache()
        self.budgets = Budgets(settings.cost_budget, settings.cost_budget_untrusted)

    async def caller(self, engine: AsyncEngine, claims: TokenClaims | None) -> Caller:
        if claims is None:
            return ANONYMOUS
        if claims.client_id is None:
            return Caller(claims.subject, None, None)
        policy = await self.policies.get(engine, claims.client_id)
        return Caller(claims.subject, claims.client_id, policy)

    async def admit(
        self, engine: AsyncEngine, caller: Caller, data: GraphQLRequestData
    ) -> tuple[GraphQLRequestData, int]:
        """The request with the document to run, and its cost budget; :class:`Refused` when
        the caller may not run it."""
        trusted = isinstance(data, DocumentRequest)
        if isinstance(data, DocumentRequest):
            data = await self._resolve(engine, caller, data)
        elif caller.policy is not None and caller.policy.trusted_documents_only:
            raise Refused(
                400,
                TRUSTED_ONLY,
                "This client may send only trusted documents: "
                '{"documentId": "sha256:…", "variables": …}.',
            )
        budget = rules.cost_budget(
            self.budgets,
            authenticated=caller.subject is not None,
            client_id=caller.client_id,
            policy=caller.policy,
            trusted_document=trusted,
        )
        return data, budget

    async def _resolve(
        self, engine: AsyncEngine, caller: Caller, data: DocumentRequest
    ) -> GraphQLRequestData:
        document_id = data.document_id
        if not isinstance(document_id, str):
            raise Refused(400, BAD_REQUEST, "documentId must be a string.")
        if not rules.is_document_id(document_id):
            raise Refused(
                400, NOT_FOUND, "No such document: an id is sha256: and 64 lower-case hex digits."
            )
        text = await self.documents.resolve(engine, caller.client_id, document_id)
        if text is None:
            raise Refused(400, NOT_FOUND, f"No document {document_id} for this caller.")
        return GraphQLRequestData(
            query=text,
            variables=data.variables,
            operation_name=data.operation_name,
            extensions=data.extensions,
            protocol=data.protocol,
        )
