"""The feasibility domain's pure rules: what a quota may exceed, and the paths a count covers."""

from __future__ import annotations

from partyplan.resolvers.feasibility.rules import covering, shortfall


def test_a_quota_equal_to_what_can_be_reached_is_no_shortfall() -> None:
    assert shortfall(received=5, forecast=4, admitted=2, feasible=3) is None
    assert shortfall(received=6, forecast=4, admitted=2, feasible=3) == {"received": 1}
    assert shortfall(received=0, forecast=7, admitted=2, feasible=3) == {"forecast": 2}


def test_covering_keeps_the_highest_paths_only() -> None:
    assert covering(["1.2", "1.2.3", "1.4", "1.2.5", "1.23"]) == ["1.2", "1.23", "1.4"]
    assert covering(["1", "1.2"]) == ["1"]
    assert covering([]) == []
