"""``stepDefinitions``: the step table as the API shows it, every step in procedure order and
every field of each with its kind, official term and choices; readable by any authenticated
caller, cheap enough for a client's free-text budget."""

from __future__ import annotations

from typing import Any

from graphql import parse
from support import codes

from partyplan.resolvers.exports12371.rules import CHOICE_LABELS
from partyplan.resolvers.recruits.rules.data_keys import camel
from partyplan.resolvers.recruits.rules.steps import (
    ACTOR_NAMES,
    PHASE_NAMES,
    STEP_BY_CODE,
    STEPS,
    Step,
)
from partyplan.schema.cost import compile_document
from partyplan.server.settings import Settings

DEFINITIONS = """query($code: ProcedureStep) { stepDefinitions(code: $code) {
  number code name phase phaseName actor actorName article repeatable requires enters
  fields { name storedKey kind label required choices { value label } } } }"""


def _expected(step: Step) -> dict[str, Any]:
    return {
        "number": step.number,
        "code": step.code.upper(),
        "name": step.name,
        "phase": step.phase.name,
        "phaseName": PHASE_NAMES[step.phase],
        "actor": step.actor.name,
        "actorName": ACTOR_NAMES[step.actor],
        "article": step.article,
        "repeatable": step.repeatable,
        "requires": [code.upper() for code in step.requires],
        "enters": None if step.enters is None else step.enters.name,
        "fields": [
            {
                "name": camel(spec.name),
                "storedKey": spec.name,
                "kind": spec.kind.name,
                "label": spec.label,
                "required": spec.required,
                "choices": [{"value": c.value, "label": c.label} for c in spec.choices],
            }
            for spec in step.fields
        ],
    }


async def test_every_step_of_the_table_in_order_with_its_fields(gql, world) -> None:  # type: ignore[no-untyped-def]
    result = await gql(DEFINITIONS, {}, world.tokens["viewer"])
    assert "errors" not in result, result
    listed = result["data"]["stepDefinitions"]
    assert listed == [_expected(step) for step in STEPS]
    # The 25 numbered steps, then the two events outside them.
    assert [d["number"] for d in listed] == [*range(1, 26), None, None]
    meeting = next(d for d in listed if d["code"] == "BRANCH_MEETING")
    votes = {f["name"]: f["label"] for f in meeting["fields"]}
    assert votes["inFavour"] == "赞成票数（含书面意见）"
    review = next(d for d in listed if d["code"] == "POLITICAL_REVIEW")
    assert review["fields"][0]["choices"] == [
        {"value": "qualified", "label": "合格"},
        {"value": "unqualified", "label": "不合格"},
    ]


async def test_one_step_by_its_code(gql, world) -> None:  # type: ignore[no-untyped-def]
    for code in ("TALK", "PROBATION_EXTENSION"):
        result = await gql(DEFINITIONS, {"code": code}, world.tokens["nobody"])
        expected = _expected(STEP_BY_CODE[code.lower()])
        assert result["data"]["stepDefinitions"] == [expected], result
    refused = await gql(DEFINITIONS, {"code": "NO_SUCH_STEP"}, world.tokens["viewer"])
    assert refused["data"] is None and refused["errors"], refused


async def test_any_authenticated_caller_from_any_school_but_no_token(gql, world) -> None:  # type: ignore[no-untyped-def]
    for account in ("other_commission_admin", "other_school_admin", "sync_agent", "nobody"):
        result = await gql(DEFINITIONS, {}, world.tokens[account])
        assert len(result["data"]["stepDefinitions"]) == len(STEPS), (account, result)
    anonymous = await gql(DEFINITIONS, {})
    assert codes(anonymous) == ["UNAUTHENTICATED"] and anonymous["data"] is None


def test_the_whole_procedure_fits_a_clients_free_text_budget() -> None:
    """Its lists are as long as the table makes them, not a page each: the full document
    costs what it reads (its fields times the table's sizes), below the lowest budget."""
    from support_inputs import graphql_schema

    settings = Settings()
    [cost] = compile_document(graphql_schema(), parse(DEFINITIONS), settings.max_page_size).values()
    steps = len(STEPS)
    most_fields = max(len(s.fields) for s in STEPS)
    most_choices = max(len(f.choices) for s in STEPS for f in s.fields)
    bound = 1 + steps * (12 + most_fields * (6 + most_choices * 2))
    assert cost.evaluate({}) == bound
    assert bound <= settings.cost_budget_untrusted


def test_choice_labels_agree_with_the_12371_export() -> None:
    """The export keeps its own words for the two choices; they are the table's."""
    table = {
        "recommended_by": STEP_BY_CODE["activist"].fields[0],
        "political_review": STEP_BY_CODE["political_review"].fields[0],
    }
    for item, spec in table.items():
        assert dict(CHOICE_LABELS[item]) == {c.value: c.label for c in spec.choices}, item
