"""Whether a text is a document this schema would run: it parses within the token limit and
validates with the same rules as a request (graphql-core's, strawberry's own and the depth and
alias limits), so a registered or shipped document never fails validation when sent by id."""

from __future__ import annotations

import functools

from graphql import GraphQLError, GraphQLSchema, parse, specified_rules
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document

from ..context import SchemaSettings


@functools.cache
def _rules(max_depth: int, max_aliases: int) -> tuple:
    # Built once per pair of limits (strawberry's limiters make a new rule class per call).
    return (*specified_rules, depth_rule(max_depth, None), alias_rule(max_aliases))


def document_problems(schema: GraphQLSchema, settings: SchemaSettings, text: str) -> list[str]:
    """What is wrong with ``text`` as a document of ``schema``; empty when it is valid."""
    try:
        document = parse(text, max_tokens=settings.max_tokens)
    except GraphQLError as error:
        return [error.message]
    except RecursionError:
        return ["文档嵌套层级过深"]
    rules = _rules(settings.max_query_depth, settings.max_aliases)
    return [error.message for error in validate_document(schema, document, rules)]
