"""Plans through the API: the Chongqing 2019 H2 branch table, the Shanxi flow down the tree,
over-allocation, closed periods, adjustments and the ledger."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from support import codes, raw_id

SET_ADMITTED = sa.text(
    "INSERT INTO unit_tallies (period_id, unit_id, unit_path, school_id, admitted)"
    " SELECT :p, id, path, school_id, :n FROM units WHERE id = :u"
    " ON CONFLICT (period_id, unit_id) DO UPDATE SET admitted = excluded.admitted"
)

PLAN = """query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) {
  period { name state } unit { name }
  line { received { total students staff highKnowledge } handedDown { total staff }
         reserve { total staff } available { total students staff highKnowledge } }
  children { position unitName received { total } handedDown { total }
             forecast { amounts { total staff highKnowledge } remark } }
  childrenForecast { total staff highKnowledge } childrenReceived { total }
  targets { indicator minCount minSharePercent } } }"""
FORECAST = """mutation($input: SubmitForecastInput!) {
  submitForecast(input: $input) { forecast { amounts { total } remark } errors { code field message } } }"""
LEDGER = """query($u: ID!, $p: ID!, $after: String) { quotaLedger(unitId: $u, periodId: $p, first: 3, after: $after) {
  edges { node { movement { kind documentNo reason amounts { total } }
                 receivedChange { total } handedDownChange { total } reserveChange { total }
                 receivedAfter { total students staff highKnowledge }
                 handedDownAfter { total students staff highKnowledge }
                 reserveAfter { total students staff highKnowledge } } }
  pageInfo { hasNextPage endCursor } } }"""
LEDGER_BACKWARD = (
    LEDGER.replace("$after: String", "$before: String")
    .replace("first: 3, after: $after", "last: 2, before: $before")
    .replace(
        "pageInfo { hasNextPage endCursor }", "totalCount pageInfo { hasPreviousPage startCursor }"
    )
)


async def _plan(plans, unit: str, period_id: str, account: str = "school_admin") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = await plans.gql(
        PLAN, {"u": plans.world.gid(unit), "p": period_id}, plans.world.tokens[account]
    )
    assert "errors" not in result, result
    return result["data"]["plan"]


async def test_chongqing_2019_h2_branch_table(plans, gql, world, assert_derivations) -> None:  # type: ignore[no-untyped-def]
    """附件 1 of 重庆幼专党委〔2019〕51 号, rebuilt through the API."""
    admin = "other_commission_admin"
    period = (
        await plans.ok(
            """mutation($input: CreatePlanPeriodInput!) { createPlanPeriod(input: $input) {
             period { id reportDueOn kind } errors { code } } }""",
            {
                "input": {
                    "commissionId": world.gid("commission2"),
                    "name": "2019 年下半年",
                    "kind": "HALF_YEAR",
                    "startsOn": "2019-07-01",
                    "endsOn": "2019-12-31",
                    "reportDueOn": "2020-01-31",
                }
            },
            admin,
        )
    )["period"]
    assert period["reportDueOn"] == "2020-01-31" and period["kind"] == "HALF_YEAR"
    table = [
        ("COMMITTEE", "学前教育系党总支部", 32, 2, 1, "2 名教师（1 名高知识群体教师）"),
        ("BRANCH", "初等教育与应用技术系党支部", 6, 0, 0, None),
        ("BRANCH", "音乐教育系党支部", 7, 0, 0, None),
        ("BRANCH", "美术教育系党支部", 3, 0, 0, None),
        ("BRANCH", "语言文学系党支部", 5, 0, 0, None),
    ]
    for kind, name, total, staff, high_knowledge, remark in table:
        unit = await plans.ok(
            "mutation($input: CreateUnitInput!) { createUnit(input: $input) { unit { id } errors { code } } }",
            {"input": {"parentId": world.gid("C"), "kind": kind, "name": name}},
            admin,
        )
        await plans.ok(
            FORECAST,
            {
                "input": {
                    "periodId": period["id"],
                    "unitId": unit["unit"]["id"],
                    "remark": remark,
                    "amounts": {"total": total, "staff": staff, "highKnowledge": high_knowledge},
                }
            },
            admin,
        )

    plan = await _plan(plans, "C", period["id"], admin)
    rows = [
        (c["position"], c["unitName"], c["forecast"]["amounts"]["total"], c["forecast"]["remark"])
        for c in plan["children"]
    ]
    assert rows == [
        (i, name, total, remark) for i, (_, name, total, _, _, remark) in enumerate(table, start=1)
    ]
    assert plan["childrenForecast"] == {"total": 53, "staff": 2, "highKnowledge": 1}  # 合计 53 人
    assert await assert_derivations() == 5


async def test_shanxi_flow_down_the_tree(plans, gql, world, assert_derivations) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period(publish=False)
    issued = await plans.ok(
        """mutation($input: IssuePlanInput!) { issuePlan(input: $input) { movement { id } errors { code } } }""",
        {
            "input": {
                "periodId": period_id,
                "schoolId": world.gid("A"),
                "amounts": {"total": 30, "students": 20, "staff": 10, "highKnowledge": 3},
                "documentNo": "晋教工委组〔2023〕23号",
                "documentDate": "2023-03-27",
                "targets": [
                    {"indicator": "YOUTH_35", "minSharePercent": 80},
                    {"indicator": "COLLEGE_EDUCATED", "minCount": 25},
                ],
            }
        },
        "commission_admin",
    )
    assert issued["movement"]["id"]
    await plans.issue(period_id, "A", 5, students=5)  # 分批下达: batches add up
    plan = await _plan(plans, "A", period_id)
    assert plan["line"]["received"] == {
        "total": 35,
        "students": 25,
        "staff": 10,
        "highKnowledge": 3,
    }
    assert {t["indicator"]: (t["minCount"], t["minSharePercent"]) for t in plan["targets"]} == {
        "YOUTH_35": (None, 80.0),
        "COLLEGE_EDUCATED": (25, None),
    }

    refused = await plans.allocate(period_id, "A", "A1", 5)
    assert [e["code"] for e in refused["data"]["allocateQuota"]["errors"]] == ["PERIOD_NOT_ISSUED"]
    await plans.ok(
        """mutation($id: ID!) { publishPlanPeriod(input: {periodId: $id}) { period { state } errors { code } } }""",
        {"id": period_id},
        "commission_admin",
    )

    await plans.ok(
        """mutation($input: SetReserveInput!) { setReserve(input: $input) { movement { id } errors { code } } }""",
        {
            "input": {
                "periodId": period_id,
                "unitId": world.gid("A"),
                "reserve": {"total": 5, "staff": 5},
                "reason": "学校党委保留教师名额",
            }
        },
        "school_admin",
    )
    for parent, child, total, account, extra in [
        ("A", "A1", 22, "school_admin", {"students": 18, "staff": 4, "highKnowledge": 2}),
        # The last places carry the last high-knowledge one: none may stay without a place.
        ("A", "A2", 8, "school_admin", {"students": 7, "staff": 1, "highKnowledge": 1}),
        ("A1", "A1a", 12, "unit_admin", {"students": 10, "staff": 2, "highKnowledge": 1}),
        ("A1", "A1b", 10, "unit_admin", {"students": 8, "staff": 2, "highKnowledge": 1}),
    ]:
        result = await plans.allocate(period_id, parent, child, total, account, **extra)
        assert result["data"]["allocateQuota"]["errors"] == [], result

    school = await _plan(plans, "A", period_id)
    assert school["line"]["handedDown"] == {"total": 30, "staff": 5}
    assert school["line"]["reserve"] == {"total": 5, "staff": 5}
    assert school["line"]["available"] == {
        "total": 0,
        "students": 0,
        "staff": 0,
        "highKnowledge": 0,
    }
    assert school["childrenReceived"] == {"total": 30}
    committee = await _plan(plans, "A1", period_id, "unit_admin")
    assert committee["line"]["received"]["total"] == 22
    assert [(c["unitName"], c["received"]["total"]) for c in committee["children"]] == [
        ("甲院第一党支部", 12),
        ("甲院第二党支部", 10),
    ]
    branch = await _plan(plans, "A1a", period_id, "branch_secretary")
    assert branch["line"]["received"]["total"] == 12 and branch["children"] == []
    assert await assert_derivations() >= 5


async def test_over_allocation_is_refused_and_changes_nothing(plans, owner_engine) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    await plans.issue(period_id, "A", 10, staff=4)
    assert (await plans.allocate(period_id, "A", "A1", 8, staff=3))["data"]["allocateQuota"][
        "errors"
    ] == []
    before = await _figures(owner_engine)
    for total, extra, dimension in [(3, {}, "总名额"), (2, {"staff": 2}, "教职工名额")]:
        result = await plans.allocate(period_id, "A", "A2", total, **extra)
        errors = result["data"]["allocateQuota"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("SHORTFALL", "amounts")]
        assert (
            errors[0]["shortfall"] == 1 and f"可用{dimension}不足，缺 1 名" in errors[0]["message"]
        )
        assert await _figures(owner_engine) == before
    # A reserve that no longer fits is refused the same way.
    result = await plans.gql(
        """mutation($input: SetReserveInput!) { setReserve(input: $input) { errors { code shortfall } } }""",
        {"input": {"periodId": period_id, "unitId": plans.world.gid("A"), "reserve": {"total": 3}}},
        plans.world.tokens["school_admin"],
    )
    assert result["data"]["setReserve"]["errors"] == [{"code": "SHORTFALL", "shortfall": 1}]


async def _figures(owner_engine) -> list[Any]:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT unit_id, received_total, handed_total, reserve_total, handed_staff, "
                "(SELECT count(*) FROM quota_movements) AS moves, "
                "(SELECT count(*) FROM audit_log) AS audits FROM unit_quotas ORDER BY unit_id"
            )
        )
        return [tuple(r) for r in rows]


async def test_amount_and_paperwork_errors(plans, world) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    cases = [
        (
            "issuePlan",
            "IssuePlanInput",
            {"schoolId": world.gid("A"), "amounts": {"total": 0}, "documentNo": "x"},
            ("INVALID_AMOUNT", "amounts"),
        ),
        (
            "issuePlan",
            "IssuePlanInput",
            {
                "schoolId": world.gid("A"),
                "amounts": {"total": 5, "students": 4, "staff": 2},
                "documentNo": "x",
            },
            ("INVALID_AMOUNT", "amounts"),
        ),
        (
            "issuePlan",
            "IssuePlanInput",
            {"schoolId": world.gid("A"), "amounts": {"total": 5}, "documentNo": "  "},
            ("DOCUMENT_REQUIRED", "documentNo"),
        ),
        (
            "issuePlan",
            "IssuePlanInput",
            {"schoolId": world.gid("A1"), "amounts": {"total": 5}, "documentNo": "x"},
            ("NOT_A_SCHOOL", "schoolId"),
        ),
        (
            "issuePlan",
            "IssuePlanInput",
            {
                "schoolId": world.gid("A"),
                "amounts": {"total": 5},
                "documentNo": "x",
                "targets": [{"indicator": "WOMEN"}],
            },
            ("INVALID_TARGET", "targets.0"),
        ),
        (
            "supplementQuota",
            "SupplementQuotaInput",
            {"schoolId": world.gid("A"), "amounts": {"total": 2}, "reason": " ", "documentNo": "x"},
            ("REASON_REQUIRED", "reason"),
        ),
    ]
    for field, input_type, values, expected in cases:
        result = await plans.gql(
            f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ movement {{ id }} errors {{ code field }} }} }}",
            {"input": {"periodId": period_id, **values}},
            world.tokens["commission_admin"],
        )
        assert [(e["code"], e["field"]) for e in result["data"][field]["errors"]] == [expected], (
            values
        )


async def test_closed_period_is_read_only(plans, world) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    await plans.issue(period_id, "A", 10)
    await plans.ok(
        """mutation($id: ID!) { closePlanPeriod(input: {periodId: $id}) { period { state } errors { code } } }""",
        {"id": period_id},
        "commission_admin",
    )
    result = await plans.allocate(period_id, "A", "A1", 1)
    assert [e["code"] for e in result["data"]["allocateQuota"]["errors"]] == ["PERIOD_CLOSED"]
    result = await plans.gql(
        FORECAST,
        {"input": {"periodId": period_id, "unitId": world.gid("A1a"), "amounts": {"total": 1}}},
        world.tokens["branch_secretary"],
    )
    assert [e["code"] for e in result["data"]["submitForecast"]["errors"]] == ["PERIOD_CLOSED"]
    result = await plans.gql(
        """mutation($input: IssuePlanInput!) { issuePlan(input: $input) { errors { code } } }""",
        {
            "input": {
                "periodId": period_id,
                "schoolId": world.gid("A"),
                "amounts": {"total": 1},
                "documentNo": "x",
            }
        },
        world.tokens["commission_admin"],
    )
    assert [e["code"] for e in result["data"]["issuePlan"]["errors"]] == ["PERIOD_CLOSED"]
    again = await plans.gql(
        """mutation($id: ID!) { closePlanPeriod(input: {periodId: $id}) { errors { code } } }""",
        {"id": period_id},
        world.tokens["commission_admin"],
    )
    assert [e["code"] for e in again["data"]["closePlanPeriod"]["errors"]] == [
        "INVALID_STATE_CHANGE"
    ]


async def test_adjustments_and_the_ledger_explain_every_figure(
    plans, gql, world, assert_derivations
) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    await plans.issue(period_id, "A", 20)
    round_ = await plans.ok(
        """mutation($input: CreateDispatchRoundInput!) { createDispatchRound(input: $input) { round { id name } errors { code } } }""",
        {
            "input": {
                "periodId": period_id,
                "unitId": world.gid("commission"),
                "name": "2023 年年中调度",
                "documentNo": "晋教工委组〔2023〕50号",
            }
        },
        "commission_admin",
    )
    round_id = round_["round"]["id"]
    await plans.ok(
        """mutation($input: SupplementQuotaInput!) { supplementQuota(input: $input) { movement { id } errors { code } } }""",
        {
            "input": {
                "periodId": period_id,
                "schoolId": world.gid("A"),
                "amounts": {"total": 4},
                "reason": "年中调度追加",
                "documentNo": "晋教工委组〔2023〕50号",
                "roundId": round_id,
            }
        },
        "commission_admin",
    )
    for parent, child, total, account in [
        ("A", "A1", 14, "school_admin"),
        ("A", "A2", 6, "school_admin"),
        ("A1", "A1a", 8, "unit_admin"),
        ("A1", "A1b", 6, "unit_admin"),
    ]:
        assert (await plans.allocate(period_id, parent, child, total, account))["data"][
            "allocateQuota"
        ]["errors"] == []
    transfer = """mutation($input: TransferQuotaInput!) { transferQuota(input: $input) { movement { id } errors { code field } } }"""
    await plans.ok(
        transfer,
        {
            "input": {
                "periodId": period_id,
                "fromUnitId": world.gid("A1a"),
                "toUnitId": world.gid("A1b"),
                "amounts": {"total": 3},
                "reason": "第一支部发展对象不足",
                "documentNo": "甲院党委〔2023〕5号",
            }
        },
        "unit_admin",
    )
    not_siblings = await gql(
        transfer,
        {
            "input": {
                "periodId": period_id,
                "fromUnitId": world.gid("A1a"),
                "toUnitId": world.gid("A2"),
                "amounts": {"total": 1},
                "reason": "x",
                "documentNo": "y",
            }
        },
        world.tokens["school_admin"],
    )
    assert [e["code"] for e in not_siblings["data"]["transferQuota"]["errors"]] == ["NOT_SIBLINGS"]
    give_back = """mutation($input: ReturnQuotaInput!) { returnQuota(input: $input) { movement { id } errors { code field } } }"""
    await plans.ok(
        give_back,
        {
            "input": {
                "periodId": period_id,
                "unitId": world.gid("A2"),
                "amounts": {"total": 2},
                "reason": "机关支部用不完",
                "documentNo": "甲校组〔2023〕9号",
            }
        },
        "school_admin",
    )
    overdrawn = await gql(
        give_back,
        {
            "input": {
                "periodId": period_id,
                "unitId": world.gid("A1a"),
                "amounts": {"total": 6},
                "reason": "x",
                "documentNo": "y",
            }
        },
        world.tokens["unit_admin"],
    )
    assert [e["code"] for e in overdrawn["data"]["returnQuota"]["errors"]] == ["SHORTFALL"]

    expected = {
        "A": (24, 18, 0),
        "A1": (14, 14, 0),
        "A1a": (5, 0, 0),
        "A1b": (9, 0, 0),
        "A2": (4, 0, 0),
    }
    for unit, (received, handed, reserve) in expected.items():
        account = "unit_admin" if unit.startswith("A1") else "school_admin"
        line = (await _plan(plans, unit, period_id, account))["line"]
        assert (
            line["received"]["total"],
            line["handedDown"]["total"],
            line["reserve"]["total"],
        ) == (received, handed, reserve), unit
        entries, after = [], None
        while True:
            page = (
                await gql(
                    LEDGER,
                    {"u": world.gid(unit), "p": period_id, "after": after},
                    world.tokens[account],
                )
            )["data"]["quotaLedger"]
            entries += [e["node"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert sum(e["receivedChange"]["total"] for e in entries) == received
        assert sum(e["handedDownChange"]["total"] for e in entries) == handed
        last = entries[-1]
        assert (last["receivedAfter"]["total"], last["handedDownAfter"]["total"]) == (
            received,
            handed,
        )
        assert all(e["movement"]["kind"] != "ISSUE" or e["movement"]["documentNo"] for e in entries)
        # The same ledger read backward (last/before) gives the same entries, and its
        # totalCount is their number (the running figures are over the whole history).
        backward, before = [], None
        while True:
            page = (
                await gql(
                    LEDGER_BACKWARD,
                    {"u": world.gid(unit), "p": period_id, "before": before},
                    world.tokens[account],
                )
            )["data"]["quotaLedger"]
            backward = [e["node"] for e in page["edges"]] + backward
            assert page["totalCount"] == len(entries)
            if not page["pageInfo"]["hasPreviousPage"]:
                break
            before = page["pageInfo"]["startCursor"]
        assert backward == entries

    rounds = await gql(
        "query($p: ID!) { dispatchRounds(periodId: $p) { name documentNo } }",
        {"p": period_id},
        world.tokens["school_admin"],
    )
    assert rounds["data"]["dispatchRounds"] == [
        {"name": "2023 年年中调度", "documentNo": "晋教工委组〔2023〕50号"}
    ]
    assert await assert_derivations() >= 5


async def test_units_holding_quota_cannot_be_deactivated_or_moved(plans, gql, world) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    await plans.issue(period_id, "A", 10)
    await plans.allocate(period_id, "A", "A2", 3)
    result = await gql(
        "mutation($id: ID!) { deactivateUnit(input: {unitId: $id}) { errors { code message } } }",
        {"id": world.gid("A2")},
        world.tokens["school_admin"],
    )
    assert [e["code"] for e in result["data"]["deactivateUnit"]["errors"]] == ["IN_USE"]
    await plans.allocate(period_id, "A", "A1", 3)
    await plans.allocate(period_id, "A1", "A1a", 3, "unit_admin")
    result = await gql(
        "mutation($id: ID!, $to: ID!) { moveUnit(input: {unitId: $id, newParentId: $to}) { errors { code } } }",
        {"id": world.gid("A1a"), "to": world.gid("A")},
        world.tokens["school_admin"],
    )
    assert [e["code"] for e in result["data"]["moveUnit"]["errors"]] == ["IN_USE"]


async def test_plan_statement_count_does_not_grow_with_children(
    plans, gql, world, platform
) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    counts = []
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    for extra in (0, 25):
        for i in range(extra):
            await plans.ok(
                "mutation($input: CreateUnitInput!) { createUnit(input: $input) { unit { id } errors { code } } }",
                {"input": {"parentId": world.gid("A1"), "kind": "BRANCH", "name": f"新支部{i}"}},
                "school_admin",
            )
        statements.clear()
        engine = platform.engine.sync_engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            plan = await _plan(plans, "A1", period_id, "unit_admin")
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert len(plan["children"]) == 2 + extra
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 7, counts


async def test_plan_suggestion_follows_completion_and_the_commissions_caps(
    plans, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    await plans.issue(period_id, "A", 35)
    # Admissions are tallied by the database from the recruits; set the figure as it would.
    async with owner_engine.begin() as conn:
        await conn.execute(SET_ADMITTED, {"u": world.units["A"], "p": raw_id(period_id), "n": 35})
    query = """query($u: ID!, $p: ID!) { planSuggestion(unitId: $u, periodId: $p) {
                 nextPeriod { id } received admitted completionRate band proposal cap suggested } }"""
    result = await gql(query, {"u": world.gid("A"), "p": period_id}, world.tokens["school_admin"])
    suggestion = result["data"]["planSuggestion"]
    assert suggestion == {
        "nextPeriod": None,
        "received": 35,
        "admitted": 35,
        "completionRate": 1.0,
        "band": "full",
        "proposal": 39,
        "cap": 42,
        "suggested": 39,
    }
    next_period = await plans.ok(
        """mutation($input: CreatePlanPeriodInput!) { createPlanPeriod(input: $input) {
             period { id } errors { code } } }""",
        {
            "input": {
                "commissionId": world.gid("commission"),
                "name": "2024 年度",
                "kind": "CALENDAR_YEAR",
                "startsOn": "2024-01-01",
                "endsOn": "2024-12-31",
            }
        },
        "commission_admin",
    )
    rules = await plans.ok(
        """mutation($c: ID!) { setLinkageRules(input: {commissionId: $c, capRatioOfActual: 1.0})
             { rules { capRatioOfActual growthWhenLow } errors { code field } } }""",
        {"c": world.gid("commission")},
        "commission_admin",
    )
    assert rules["rules"] == {"capRatioOfActual": 1.0, "growthWhenLow": 0.9}
    bad = await gql(
        """mutation($c: ID!) { setLinkageRules(input: {commissionId: $c, lowCompletionRate: 0.99})
             { errors { code } } }""",
        {"c": world.gid("commission")},
        world.tokens["commission_admin"],
    )
    assert [e["code"] for e in bad["data"]["setLinkageRules"]["errors"]] == ["INVALID_LINKAGE"]
    async with owner_engine.begin() as conn:
        await conn.execute(SET_ADMITTED, {"u": world.units["A"], "p": raw_id(period_id), "n": 20})
    result = await gql(
        query, {"u": world.gid("A"), "p": period_id}, world.tokens["commission_admin"]
    )
    suggestion = result["data"]["planSuggestion"]
    assert suggestion["nextPeriod"] == {"id": next_period["period"]["id"]}
    assert (
        suggestion["band"],
        suggestion["proposal"],
        suggestion["cap"],
        suggestion["suggested"],
    ) == ("low", 32, 20, 20)


async def test_other_commission_cannot_see_or_use_a_period(plans, gql, world) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    periods = await gql("{ planPeriods { name } }", token=world.tokens["other_commission_admin"])
    assert periods["data"]["planPeriods"] == []
    result = await gql(
        PLAN, {"u": world.gid("C"), "p": period_id}, world.tokens["other_commission_admin"]
    )
    assert codes(result) == ["NOT_FOUND"]


async def test_movements_and_rounds_are_nodes_with_an_audit_trail(plans, gql, world) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    issued = await plans.ok(
        """mutation($input: IssuePlanInput!) { issuePlan(input: $input) { movement { id } errors { code } } }""",
        {
            "input": {
                "periodId": period_id,
                "schoolId": world.gid("A"),
                "amounts": {"total": 9},
                "documentNo": "晋教工委组〔2023〕23号",
            }
        },
        "commission_admin",
    )
    movement_id = issued["movement"]["id"]
    query = """query($id: ID!) { node(id: $id) { __typename ... on QuotaMovement { kind amounts { total }
                 fromUnit { name } toUnit { name } } }
               auditTrail(objectId: $id) { edges { node { operation after } } } }"""
    result = await gql(query, {"id": movement_id}, world.tokens["school_admin"])
    assert result["data"]["node"] == {
        "__typename": "QuotaMovement",
        "kind": "ISSUE",
        "amounts": {"total": 9},
        "fromUnit": None,
        "toUnit": {"name": "学校甲党委"},
    }
    [entry] = [e["node"] for e in result["data"]["auditTrail"]["edges"]]
    assert entry["operation"] == "issueQuota" and entry["after"]["total"] == 9
    other = await gql(query, {"id": movement_id}, world.tokens["other_school_admin"])
    # The first non-null field to fail ends the query (graphql-core cancels its sibling, whose
    # statement may be in flight: the request still ends cleanly).
    assert set(codes(other)) == {"NOT_FOUND"} and other["data"] is None
    again = await gql(query, {"id": movement_id}, world.tokens["school_admin"])
    assert again["data"]["node"]["kind"] == "ISSUE"

    round_ = await plans.ok(
        """mutation($input: CreateDispatchRoundInput!) { createDispatchRound(input: $input) { round { id } errors { code } } }""",
        {"input": {"periodId": period_id, "unitId": world.gid("commission"), "name": "年中调度"}},
        "commission_admin",
    )
    seen = await gql(
        "query($id: ID!) { node(id: $id) { ... on DispatchRound { name } } }",
        {"id": round_["round"]["id"]},
        world.tokens["branch_secretary"],
    )
    assert seen["data"]["node"] == {"name": "年中调度"}
    hidden = await gql(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": round_["round"]["id"]},
        world.tokens["other_commission_admin"],
    )
    assert codes(hidden) == ["NOT_FOUND"]
