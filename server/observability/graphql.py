"""What the GraphQL layer tells the observation: the operation, and how it ended.

:class:`OperationObserver` is put first among the schema's extensions (``server/app.py``), so
that it leaves the operation last, after ``ShapeErrors`` has masked unexpected errors as
``INTERNAL_SERVER_ERROR`` and marked the request failed. It then:

- names the operation and its type for the access line, the metrics and the trace;
- sets the outcome: ``server_error`` when any error is ``INTERNAL_SERVER_ERROR``; ``refused``
  when a mutation was answered with typed errors (the request is failed, and its only errors
  are the all-or-nothing ``ROLLED_BACK`` ones); ``client_error`` for any other error; ``ok``;
- writes the request id into each ``INTERNAL_SERVER_ERROR``'s extensions as ``requestId``, so
  that a user can quote it and the operator find the logged traceback by it.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from partyplan.schema.all_or_nothing import ROLLED_BACK

from .context import current

INTERNAL = "INTERNAL_SERVER_ERROR"


class OperationObserver(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        observation = current()
        if observation is None:
            return
        context = self.execution_context
        observation.operation = context.operation_name
        try:
            observation.operation_type = context.operation_type.value
        except Exception:  # noqa: BLE001 - no document (it did not parse): no type
            observation.operation_type = None
        result = context.result
        errors = [] if result is None else list(result.errors or [])
        codes = {(error.extensions or {}).get("code") for error in errors}
        failed = bool(getattr(context.context, "failed", False))
        if INTERNAL in codes:
            observation.outcome = "server_error"
            for error in errors:
                if (error.extensions or {}).get("code") == INTERNAL:
                    error.extensions = {**error.extensions, "requestId": observation.request_id}
        elif failed and codes <= {ROLLED_BACK}:
            observation.outcome = "refused"
        elif errors:
            observation.outcome = "client_error"
        else:
            observation.outcome = "ok"


def observed(operation_name: str | None, outcome: str = "ok") -> None:
    """A query answered without the schema's extensions (a compiled document,
    ``schema/compiled``): named, with its outcome, as :class:`OperationObserver` records it."""
    observation = current()
    if observation is None:
        return
    observation.operation = operation_name
    observation.operation_type = "query"
    observation.outcome = outcome
