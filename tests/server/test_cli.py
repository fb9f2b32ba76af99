"""Operator commands against the test database (an external URL, as in production)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

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
    owner_url, settings, platform, world, gql
) -> None:  # type: ignore[no-untyped-def]
    done = _cli(
        ["token", "--user", "school-admin", "--ttl", "120", "--client-id", "ops"],
        owner_url,
        settings.resolved_key_dir,
        settings.data_dir,
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    claims = platform.tokens.verify(token)
    assert claims.subject == str(world.users["school_admin"])
    assert claims.expires_at - claims.issued_at == 120 and claims.client_id == "ops"
    result = await gql("{ me { user { username } clientId } }", token=token)
    assert result["data"]["me"] == {"user": {"username": "school-admin"}, "clientId": "ops"}

    unknown = _cli(
        ["token", "--user", "no-such-user"], owner_url, settings.resolved_key_dir, settings.data_dir
    )
    assert unknown.returncode == 1 and "no active user" in unknown.stderr
    too_long = _cli(
        ["token", "--user", "school-admin", "--ttl", str(10**9)],
        owner_url,
        settings.resolved_key_dir,
        settings.data_dir,
    )
    assert too_long.returncode != 0


async def test_init_creates_a_commission_and_its_admin(owner_url, settings, owner_engine) -> None:  # type: ignore[no-untyped-def]
    done = _cli(
        [
            "init",
            "--commission-name",
            "中共某省委教育工作委员会",
            "--commission-code",
            "XX-JGW",
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
                    "SELECT u.kind, b.role FROM units u JOIN role_bindings b ON b.unit_id = u.id "
                    "JOIN users a ON a.id = b.user_id WHERE u.code = 'XX-JGW' AND a.username = 'xx-admin'"
                )
            )
        ).one()
    assert (row.kind, row.role) == ("commission", "commission_admin")


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
    first = _cli(["warnings", "scan", "--today", "2024-07-01"], *args)
    assert first.returncode == 0, first.stderr
    assert "raised: missing_data 1" in first.stdout
    second = _cli(["warnings", "scan", "--today", "2024-07-01"], *args)
    assert second.stdout.splitlines() == ["raised: none", "changed: none", "resolved: none"]
