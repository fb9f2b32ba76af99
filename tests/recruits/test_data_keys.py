"""A step's data keys in either spelling (``rules/data_keys.py``): camelCase and snake_case both
accepted, stored snake_case, one datum one spelling, unknown keys kept as sent for the rules to
refuse, and errors placed as the caller spelled the key."""

from __future__ import annotations

import pytest
from support_recruits import WALK

from partyplan.resolvers.errors import ValidationErrors
from partyplan.resolvers.recruits.errors import RecruitErrorCode
from partyplan.resolvers.recruits.rules.data_keys import SPELLINGS, camel, normalise
from partyplan.resolvers.recruits.rules.steps import STEPS

VOTES = {"entitled": 25, "present": 21, "in_favour": 20, "written_votes": 0}


def _camel_cased(data: dict) -> dict:
    return {camel(key): value for key, value in data.items()}


def test_the_vocabulary_is_the_step_table_in_both_spellings() -> None:
    assert set(SPELLINGS) == {step.code for step in STEPS}
    for step in STEPS:
        names = {spec.name for spec in step.fields}
        expected = {**{n: n for n in names}, **{camel(n): n for n in names}}
        assert dict(SPELLINGS[step.code]) == expected, step.code
        # No two fields of a step share a spelling: each key names one datum.
        assert len({camel(n) for n in names}) == len(names), step.code
    assert camel("in_favour") == "inFavour" and camel("document_no") == "documentNo"
    assert camel("publicity_from") == "publicityFrom" and camel("group") == "group"


@pytest.mark.parametrize(("code", "data"), [(c, d) for c, _, d, _ in WALK if d])
def test_camel_case_is_stored_as_the_step_table_names_it(code: str, data: dict) -> None:
    sent = _camel_cased(data)
    assert normalise(code, sent).data == data
    assert normalise(code, data).data == data  # snake_case unchanged


def test_a_datum_given_in_both_spellings_is_refused_on_the_second() -> None:
    spelled = normalise("branch_meeting", {"entitled": 25, "inFavour": 20, "in_favour": 20})
    assert spelled.twice == (("in_favour", "inFavour", "in_favour"),)
    with pytest.raises(ValidationErrors) as refused:
        spelled.check(lambda place: f"rows.0.steps.3.{place}")
    [error] = refused.value.errors
    assert (error.code, error.field) == (
        RecruitErrorCode.DUPLICATE_DATUM,
        "rows.0.steps.3.data.in_favour",
    )
    # The same value or another: one datum, one spelling.
    assert normalise("talk", {"talkedBy": "甲", "talked_by": "乙"}).twice
    assert normalise("talk", {"talkedBy": "甲"}).check().data == {"talked_by": "甲"}


def test_unknown_keys_are_kept_as_sent_for_the_rules_to_refuse() -> None:
    # Another step's field, a near miss, a hostile key: none renamed, none dropped.
    hostile = {"inFavour": 1, "in_Favour": 2, "a\x00b": 3, "x" * 100_000: 4, "data.in_favour": 5}
    spelled = normalise("talk", hostile)
    assert spelled.data == hostile and spelled.twice == ()
    assert normalise("no_such_step", {"inFavour": 1}).data == {"inFavour": 1}


def test_places_name_the_key_as_the_caller_spelled_it() -> None:
    snake = normalise("branch_meeting", VOTES)
    assert snake.place("data.in_favour") == "data.in_favour"
    camelled = normalise("branch_meeting", _camel_cased(VOTES))
    assert camelled.place("data.in_favour") == "data.inFavour"
    assert camelled.place("data.written_votes") == "data.writtenVotes"
    # A datum left out: camelCase when the caller wrote camelCase, as stored otherwise.
    partial = normalise("branch_meeting", {"entitled": 25, "inFavour": 20})
    assert partial.place("data.present") == "data.present"
    assert partial.place("data.publicity_from") == "data.publicityFrom"
    assert normalise("branch_meeting", {}).place("data.in_favour") == "data.in_favour"
    # Lists keep their positions; places outside the data and undeclared keys stay as they are.
    members = normalise("introducers", {"introducers": ["m-1"]})
    assert members.place("data.introducers.1") == "data.introducers.1"
    assert camelled.place("on") == "on" and camelled.place("step") == "step"
    assert camelled.place("data.undeclared") == "data.undeclared"
    mapped = camelled.within(lambda place: f"steps.2.{place}")
    assert mapped("data.in_favour") == "steps.2.data.inFavour"
