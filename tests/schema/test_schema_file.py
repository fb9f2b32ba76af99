"""The committed schema.graphql is the contract third-party front ends build on: it must be
exactly what the code generates (regenerate with ``partyplan schema --write``), and a change
must not break a client built on the last committed one: a field, argument or type is
deprecated, never removed or retyped (``@deprecated`` with the field that replaces it)."""

import dataclasses
import shutil
import subprocess

import graphql
import pytest
from graphql.utilities import find_breaking_changes

from partyplan.schema.schema import SCHEMA_FILE, build_schema, print_schema
from partyplan.server.settings import Settings


def test_schema_graphql_is_current() -> None:
    generated = print_schema(build_schema(Settings()))
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == generated, "schema.graphql drifted: run `partyplan schema --write`"


def test_every_enum_value_and_root_field_is_described() -> None:
    schema = build_schema(Settings())._schema
    for name in ("UnitKind",):
        for value_name, value in schema.type_map[name].values.items():
            assert value.description, f"{name}.{value_name} needs its Chinese description"
    for root in (schema.query_type, schema.mutation_type):
        for field_name, field in root.fields.items():
            assert field.description and "Requires:" in field.description, field_name


def _last_committed() -> str:
    """schema.graphql as the last commit has it; skips outside a git checkout (an unpacked
    release has no history to compare with)."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    shown = subprocess.run(
        [git, "show", f"HEAD:{SCHEMA_FILE.name}"],
        cwd=SCHEMA_FILE.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        pytest.skip(f"no committed {SCHEMA_FILE.name} to compare with")
    return shown.stdout


def _breaking(before: str, after: str | graphql.DocumentNode) -> list[str]:
    new = graphql.build_ast_schema(
        after if isinstance(after, graphql.DocumentNode) else graphql.parse(after)
    )
    old = graphql.build_schema(before)
    return [change.description for change in find_breaking_changes(old, new)]


def test_nothing_breaks_a_client_of_the_last_committed_schema() -> None:
    generated = print_schema(build_schema(Settings()))
    breaking = _breaking(_last_committed(), generated)
    assert not breaking, f"deprecate instead of removing or retyping: {breaking}"


def test_the_comparison_sees_a_removed_field() -> None:
    # Not vacuous: dropping a deprecated field (the way a rename would end) is caught.
    generated = print_schema(build_schema(Settings()))

    def without_the_field(node: graphql.DefinitionNode) -> graphql.DefinitionNode:
        if (
            isinstance(node, graphql.ObjectTypeDefinitionNode)
            and node.name.value == "StructuralTarget"
        ):
            kept = tuple(f for f in node.fields if f.name.value != "minSharePercent")
            return dataclasses.replace(node, fields=kept)
        return node

    document = graphql.parse(generated)
    dropped = dataclasses.replace(
        document, definitions=tuple(map(without_the_field, document.definitions))
    )
    (change,) = _breaking(generated, dropped)
    assert "StructuralTarget.minSharePercent was removed" in change
