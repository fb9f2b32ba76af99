"""Operator commands against the test database (an external URL, as in production)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from support import raw_id

from partyplan.server.database_admin import MIGRATIONS_DIR


def _cli(
    args: list[str], owner_url: str, key_dir: Path, data_dir: Path
) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        PARTYPLAN_DATABASE_URL=owner_url,
        PARTYPLAN_KEY_DIR=str(key_dir),
        PARTYPLAN_DATA_DIR=str(data_dir),
    )
    return subprocess.run(
        [sys.executable, "-m", "partyplan.server.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_token_command_mints_a_token_the_service_accepts(
    owner_url, settings, platform, world, gql, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO oauth_clients (client_id, name, kind, allowed_scopes, unit_id,"
                " unit_path, cost_budget, requests_per_minute, redirect_uris)"
                " SELECT 'ops', 'ops', 'front_end', '{read}', id, path, 1000, 600,"
                " '{https://ops.example/cb}' FROM units WHERE id = :c"
            ),
            {"c": world.units["commission"]},
        )
    done = _cli(
        [
            "token",
            "--user",
            "school-admin",
            "--ttl",
            "120",
            "--client-id",
            "ops",
            "--scope",
            "read",
        ],
        owner_url,
        settings.resolved_key_dir,
        settings.data_dir,
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    claims = platform.tokens.verify(token)
    assert claims.subject == str(world.users["school_admin"])
    assert claims.expires_at - claims.issued_at == 120 and claims.client_id == "ops"
    assert claims.scope == "read"
    result = await gql("{ me { user { username } clientId } }", token=token)
    assert result["data"]["me"] == {"user": {"username": "school-admin"}, "clientId": "ops"}

    unknown = _cli(
        ["token", "--user", "no-such-user"], owner_url, settings.resolved_key_dir, settings.data_dir
    )
    assert unknown.returncode == 2 and "no active user" in unknown.stderr
    too_long = _cli(
        ["token", "--user", "school-admin", "--ttl", str(10**9)],
        owner_url,
        settings.resolved_key_dir,
        settings.data_dir,
    )
    assert too_long.returncode == 2 and "--ttl" in too_long.stderr


async def test_init_creates_a_commission_and_its_admin(owner_url, settings, owner_engine) -> None:  # type: ignore[no-untyped-def]
    done = _cli(
        [
            "init",
            "--commission-name",
            "中共某省委教育工作委员会",
            "--commission-code",
            "XX-JGW",
            "--region-code",
            "14",
            "--admin-username",
            "xx-admin",
            "--admin-name",
            "组织部",
        ],
        owner_url,
        settings.resolved_key_dir,
        settings.data_dir,
    )
    assert done.returncode == 0, done.stderr
    async with owner_engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text(
                    "SELECT u.kind, u.region_code, b.role FROM units u"
                    " JOIN role_bindings b ON b.unit_id = u.id "
                    "JOIN users a ON a.id = b.user_id WHERE u.code = 'XX-JGW' AND a.username = 'xx-admin'"
                )
            )
        ).one()
    assert (row.kind, row.region_code, row.role) == ("commission", "14", "commission_admin")
    assert "region 14 山西省" in done.stdout


def test_db_current_reports_head(owner_url, settings) -> None:  # type: ignore[no-untyped-def]
    done = _cli(["db", "current"], owner_url, settings.resolved_key_dir, settings.data_dir)
    assert done.returncode == 0, done.stderr
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert f"revision: {head}" in done.stdout


def test_schema_command_prints_the_committed_schema() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "partyplan.server.cli", "schema"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    committed = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
    assert done.returncode == 0 and done.stdout == committed


async def test_tallies_verify_finds_a_tampered_tally_and_rebuild_repairs_it(
    owner_url, settings, owner_engine, world
) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        period = await conn.scalar(
            sa.text(
                "INSERT INTO plan_periods (commission_id, commission_path, name, kind, starts_on,"
                " ends_on, report_due_on) SELECT id, path, '2024', 'calendar_year', '2024-01-01',"
                " '2024-12-31', '2024-12-15' FROM units WHERE id = :c RETURNING id"
            ),
            {"c": world.units["commission"]},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO unit_tallies (period_id, unit_id, unit_path, school_id, admitted)"
                " SELECT :p, id, path, school_id, 7 FROM units WHERE id = :u"
            ),
            {"p": period, "u": world.units["A1a"]},
        )
    args = (owner_url, settings.resolved_key_dir, settings.data_dir)
    verify = _cli(["tallies", "verify"], *args)
    assert verify.returncode == 1 and "1 difference(s)" in verify.stdout, verify.stdout
    assert f"unit {world.units['A1a']}: stored" in verify.stdout
    rebuilt = _cli(["tallies", "rebuild"], *args)
    assert rebuilt.returncode == 0 and "1 open period(s)" in rebuilt.stdout, rebuilt.stderr
    again = _cli(["tallies", "verify"], *args)
    assert again.returncode == 0 and "agree" in again.stdout, again.stdout


async def test_tallies_verify_checks_the_open_warning_tallies_too(
    owner_url, settings, owner_engine, world
) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO warnings (kind, dedupe_key, unit_id, unit_path, school_id, message,"
                " evidence, seen_on) SELECT 'missing_data', 'k', id, path, school_id, '预警',"
                " '{}'::jsonb, '2024-07-01' FROM units WHERE id = :u"
            ),
            {"u": world.units["A1a"]},
        )
        await conn.execute(
            sa.text("UPDATE warning_tallies SET open_count = 3 WHERE unit_id = :u"),
            {"u": world.units["A1"]},
        )
    args = (owner_url, settings.resolved_key_dir, settings.data_dir)
    verify = _cli(["tallies", "verify"], *args)
    assert verify.returncode == 1 and "2 difference(s)" in verify.stdout, verify.stdout
    assert f"open warnings: unit {world.units['A1']} period none missing_data: stored" in (
        verify.stdout
    )
    rebuilt = _cli(["tallies", "rebuild"], *args)
    assert rebuilt.returncode == 0 and "of 2 tree(s)" in rebuilt.stdout, rebuilt.stderr
    again = _cli(["tallies", "verify"], *args)
    assert again.returncode == 0 and "agree" in again.stdout, again.stdout


async def test_warnings_scan_is_idempotent(owner_url, settings, owner_engine, world) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO recruits (school_id, branch_id, unit_path, name, gender, ethnicity,"
                " birth_date, id_number_enc, id_number_hash, id_number_masked, category, education,"
                " stage, stage_since, applied_on) SELECT school_id, id, path, '某某', 'male', '汉族',"
                " '2003-05-04', '\\x00', '\\x01', 'x', 'undergraduate', 'bachelor', 'applicant',"
                " '2024-01-02', '2024-01-02' FROM units WHERE id = :b"
            ),
            {"b": world.units["A1a"]},
        )
    args = (owner_url, settings.resolved_key_dir, settings.data_dir)
    first = _cli(["warnings", "scan", "--today", "2024-07-01", "--force"], *args)
    assert first.returncode == 0, first.stderr
    assert "raised: missing_data 1" in first.stdout
    second = _cli(["warnings", "scan", "--today", "2024-07-01", "--force"], *args)
    assert second.stdout.splitlines() == ["raised: none", "changed: none", "resolved: none"]


_PLAN_STEPS = [
    ("createPlanPeriod", "CreatePlanPeriodInput", "period { id }"),
    ("publishPlanPeriod", "PlanPeriodInput", "period { id }"),
    ("issuePlan", "IssuePlanInput", "movement { id }"),
    ("allocateQuota", "AllocateQuotaInput", "movement { id }"),
    ("submitForecast", "SubmitForecastInput", "forecast { remark }"),
    ("closePlanPeriod", "PlanPeriodInput", "period { id }"),
]


async def _plan_step(gql, world, field: str, values: dict) -> dict:  # type: ignore[no-untyped-def]
    _, input_type, result = next(s for s in _PLAN_STEPS if s[0] == field)
    document = f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ {result} errors {{ code }} }} }}"
    answer = await gql(document, {"input": values}, world.tokens["commission_admin"])
    assert "errors" not in answer and not answer["data"][field]["errors"], answer
    return answer["data"][field]


async def _two_periods(gql, world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A closed period (issue, allocation, forecast) and an open one (an issue): their ids."""
    ids = {}
    for name, starts in (("closed", "2023"), ("open", "2024")):
        period = await _plan_step(
            gql,
            world,
            "createPlanPeriod",
            {
                "commissionId": world.gid("commission"),
                "name": f"{starts} 年度",
                "kind": "CALENDAR_YEAR",
                "startsOn": f"{starts}-01-01",
                "endsOn": f"{starts}-12-31",
            },
        )
        ids[name] = period["period"]["id"]
    closed, school = ids["closed"], world.gid("A")
    issue = {"periodId": closed, "schoolId": school, "documentNo": "晋教工委组〔2023〕23号"}
    await _plan_step(gql, world, "issuePlan", {**issue, "amounts": {"total": 5, "students": 2}})
    await _plan_step(gql, world, "publishPlanPeriod", {"periodId": closed})
    await _plan_step(
        gql,
        world,
        "allocateQuota",
        {
            "periodId": closed,
            "fromUnitId": school,
            "toUnitId": world.gid("A2"),
            "amounts": {"total": 2, "students": 1},
        },
    )
    await _plan_step(
        gql,
        world,
        "submitForecast",
        {"periodId": closed, "unitId": world.gid("A1a"), "amounts": {"total": 3}, "remark": "3 人"},
    )
    await _plan_step(gql, world, "closePlanPeriod", {"periodId": closed})
    issue = {
        "periodId": ids["open"],
        "schoolId": world.gid("B"),
        "documentNo": "晋教工委组〔2024〕9号",
    }
    await _plan_step(gql, world, "issuePlan", {**issue, "amounts": {"total": 3}})
    return ids


async def test_plans_verify_checks_every_balance_of_every_period(
    owner_url, settings, owner_engine, world, gql
) -> None:  # type: ignore[no-untyped-def]
    periods = {k: raw_id(v) for k, v in (await _two_periods(gql, world)).items()}
    args = (owner_url, settings.resolved_key_dir, settings.data_dir)
    clean = _cli(["plans", "verify"], *args)
    assert clean.returncode == 0 and "agree with the ledger" in clean.stdout, clean.stdout

    corrupt = sa.text(
        "UPDATE unit_quotas SET received_total = received_total + 1"
        " WHERE period_id = :p AND unit_id = :u"
    )
    async with owner_engine.begin() as conn:
        await conn.execute(corrupt, {"p": periods["closed"], "u": world.units["A2"]})
        await conn.execute(corrupt, {"p": periods["open"], "u": world.units["B"]})
        await conn.execute(
            sa.text("UPDATE unit_quotas SET forecast_remark = '4 人' WHERE unit_id = :u"),
            {"u": world.units["A1a"]},
        )
    drifted = _cli(["plans", "verify"], *args)
    assert drifted.returncode == 1 and "3 problem(s)" in drifted.stdout, drifted.stdout
    lines = drifted.stdout.splitlines()
    for period, unit, difference in [
        ("closed", "A2", "received_total stored 3, derived 2"),
        ("open", "B", "received_total stored 4, derived 3"),
        ("closed", "A1a", "forecast_remark stored 4 人, derived 3 人"),
    ]:
        at = f"(unit {world.units[unit]}): {difference}"
        assert any(f"({periods[period]})," in line and at in line for line in lines), lines


async def test_plans_verify_lists_balances_from_before_the_sub_quota_bounds(
    owner_url, settings, owner_engine, world, gql
) -> None:  # type: ignore[no-untyped-def]
    """A return of the total alone, recorded before migration 0010 (which then leaves its
    constraints NOT VALID): the ledger and the balances agree, the bounds do not hold."""
    closed = raw_id((await _two_periods(gql, world))["closed"])
    checks = importlib.import_module("partyplan.migrations.versions.0010_subquota_bounds")._checks()
    legacy = [f"ck_unit_quotas_{f}_subquotas" for f in ("received", "handed", "available")]
    units = {"p": closed, "a2": world.units["A2"], "a": world.units["A"]}
    try:
        async with owner_engine.begin() as conn:
            for name in legacy:
                await conn.execute(sa.text(f"ALTER TABLE unit_quotas DROP CONSTRAINT {name}"))
            await conn.execute(
                sa.text(
                    "INSERT INTO quota_movements (period_id, kind, from_unit_id, to_unit_id,"
                    " from_path, to_path, school_id, total, reason, document_no)"
                    " SELECT :p, 'return', c.id, p.id, c.path, p.path, c.school_id, 2, '退回', 'x'"
                    " FROM units c JOIN units p ON p.id = c.parent_id WHERE c.id = :a2"
                ),
                units,
            )
            await conn.execute(
                sa.text(
                    "UPDATE unit_quotas SET received_total = received_total - 2"
                    " WHERE period_id = :p AND unit_id = :a2"
                ),
                units,
            )
            await conn.execute(
                sa.text(
                    "UPDATE unit_quotas SET handed_total = handed_total - 2"
                    " WHERE period_id = :p AND unit_id = :a"
                ),
                units,
            )
            for name in legacy:
                await conn.execute(
                    sa.text(
                        f"ALTER TABLE unit_quotas ADD CONSTRAINT {name} CHECK ({checks[name]}) NOT VALID"
                    )
                )
        found = _cli(["plans", "verify"], owner_url, settings.resolved_key_dir, settings.data_dir)
    finally:
        async with owner_engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM unit_quotas"))
            for name in legacy:
                await conn.execute(
                    sa.text(f"ALTER TABLE unit_quotas DROP CONSTRAINT IF EXISTS {name}")
                )
                await conn.execute(
                    sa.text(f"ALTER TABLE unit_quotas ADD CONSTRAINT {name} CHECK ({checks[name]})")
                )
    assert found.returncode == 1 and "3 problem(s)" in found.stdout, found.stdout
    beyond = "1 place(s) of student sub-quota beyond its total"
    for unit, figure in (("A2", "received"), ("A2", "available"), ("A", "handed")):
        line = f"(unit {world.units[unit]}): {figure} holds {beyond}"
        assert line in found.stdout, found.stdout


def test_doors_prune_reports_what_it_deleted(owner_url, settings) -> None:  # type: ignore[no-untyped-def]
    done = _cli(["doors", "prune"], owner_url, settings.resolved_key_dir, settings.data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("oauth_codes 0, oauth_refresh_tokens 0")


def test_serve_on_a_loopback_host_is_its_own_public_url_unless_one_is_set(
    monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import argparse

    from partyplan.server.cli import serving_settings

    def args(host: str) -> argparse.Namespace:
        return argparse.Namespace(host=host, port=8123, data_dir=str(tmp_path))

    monkeypatch.delenv("PARTYPLAN_PUBLIC_URL", raising=False)
    assert serving_settings(args("127.0.0.1")).public_url == "http://127.0.0.1:8123"
    # Listening on every interface says nothing of the address people open: the setting's.
    assert serving_settings(args("0.0.0.0")).public_url == "http://localhost:8000"
    monkeypatch.setenv("PARTYPLAN_PUBLIC_URL", "https://partyplan.example.edu.cn")
    assert serving_settings(args("127.0.0.1")).public_url == "https://partyplan.example.edu.cn"
