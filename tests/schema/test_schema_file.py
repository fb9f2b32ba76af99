"""The committed schema.graphql is the contract third-party front ends build on: it must be
exactly what the code generates (regenerate with ``partyplan schema --write``)."""

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
