"""What an operator sees when a command cannot do its work: one line on stderr saying what is
wrong and what to do, exit status 2, no traceback; a bug keeps its traceback (status 1). The
verify commands read without migrating; a warning scan of another day writes nothing unless
forced."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from support import scalar

from partyplan.server import cli, database_admin
from partyplan.server.cli_errors import known_error
from partyplan.server.database import async_url, with_database
from partyplan.server.errors import StartupRefused

INIT = [
    "init",
    "--commission-name",
    "中共某省委教育工作委员会",
    "--commission-code",
    "YY-JGW",
    "--region-code",
    "50",
    "--admin-username",
    "yy-admin",
    "--admin-name",
    "组织部",
]


def run(args: list[str], settings, database_url: str | None) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTYPLAN_")}
    env.update(PARTYPLAN_KEY_DIR=str(settings.resolved_key_dir))
    env.update(PARTYPLAN_DATA_DIR=str(settings.data_dir))
    if database_url is not None:
        env.update(PARTYPLAN_DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "-m", "partyplan.server.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def refused(done: subprocess.CompletedProcess, *words: str) -> str:
    """The one line of a refusal, checked: status 2, no traceback, every word in it."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("partyplan: "), line
    for word in words:
        assert word in line, (word, line)
    return line


async def test_init_twice_is_refused_in_one_line_and_writes_nothing(
    owner_url, settings, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    first = run(INIT, settings, owner_url)
    assert first.returncode == 0, first.stderr
    assert "region 50 重庆市" in first.stdout
    again = run(INIT, settings, owner_url)
    refused(again, "YY-JGW", "init has run already", "partyplan token")
    other_code = [*INIT]
    other_code[other_code.index("YY-JGW")] = "ZZ-JGW"
    refused(run(other_code, settings, owner_url), "yy-admin", "init has run already")
    assert await scalar(owner_engine, "SELECT count(*) FROM units") == 1
    assert await scalar(owner_engine, "SELECT count(*) FROM users") == 1


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--region-code", "99"),
        ("--region-code", "140000"),
        ("--admin-username", "X"),
        ("--commission-code", "含空格 的代码"),
        ("--commission-name", " "),
    ],
)
def test_init_checks_its_values_before_touching_the_database(settings, flag, value) -> None:  # type: ignore[no-untyped-def]
    args = [*INIT]
    args[args.index(flag) + 1] = value
    # No database at all: the refusal comes first.
    refused(run(args, settings, "postgresql://nobody@127.0.0.1:1/none"), flag)


def test_a_token_ttl_beyond_the_longest_is_one_line(settings) -> None:  # type: ignore[no-untyped-def]
    done = run(
        ["token", "--user", "x", "--ttl", str(10**9)], settings, "postgresql://x@127.0.0.1:1/x"
    )
    refused(done, "--ttl 1000000000", str(settings.token_max_ttl_seconds))
    refused(run(["token", "--user", "x", "--ttl", "0"], settings, None), "--ttl 0")


def test_an_unknown_user_is_one_line(owner_url, settings) -> None:  # type: ignore[no-untyped-def]
    refused(run(["token", "--user", "no-such-user"], settings, owner_url), "no active user")


def test_an_unreachable_database_is_one_line(settings) -> None:  # type: ignore[no-untyped-def]
    done = run(["db", "current"], settings, "postgresql://x@127.0.0.1:1/x")
    refused(done, "cannot reach the database", "PARTYPLAN_DATABASE_URL")


def test_db_current_on_an_empty_data_dir_is_one_line(settings, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    empty = settings.model_copy(update={"data_dir": workdir / "empty-data"})
    refused(run(["db", "current"], empty, None), "does not exist", "partyplan db upgrade")


async def test_the_verify_commands_do_not_migrate(owner_url, settings) -> None:  # type: ignore[no-untyped-def]
    blank = with_database(owner_url, f"partyplan_blank_{os.getpid()}")
    await database_admin.drop_database(blank)
    await database_admin.ensure_database(blank)
    try:
        for command in (["audit", "verify"], ["tallies", "verify"], ["plans", "verify"]):
            done = run(command, settings, blank)
            refused(done, "revision none", "partyplan db upgrade", "does not migrate")
        migrated = "SELECT to_regclass('alembic_version') IS NOT NULL"
        engine = create_async_engine(async_url(blank))
        try:
            async with engine.connect() as conn:
                assert await conn.scalar(sa.text(migrated)) is False
        finally:
            await engine.dispose()
    finally:
        await database_admin.drop_database(blank)


async def test_a_scan_of_another_day_is_a_dry_run_unless_forced(
    owner_url, settings, owner_engine, world
) -> None:  # type: ignore[no-untyped-def]
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
    dry = run(["warnings", "scan", "--today", "2024-07-01"], settings, owner_url)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0].startswith("dry run as of 2024-07-01")
    assert "raised: missing_data 1" in dry.stdout
    assert await scalar(owner_engine, "SELECT count(*) FROM warnings") == 0
    forced = run(["warnings", "scan", "--today", "2024-07-01", "--force"], settings, owner_url)
    assert "dry run" not in forced.stdout and "raised: missing_data 1" in forced.stdout
    assert await scalar(owner_engine, "SELECT count(*) FROM warnings") == 1
    bad = run(["warnings", "scan", "--today", "2024-13-01"], settings, owner_url)
    assert bad.returncode == 2 and "not a date" in bad.stderr and "Traceback" not in bad.stderr


def test_main_gives_one_line_for_a_refusal_and_keeps_a_bugs_traceback(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    def refuses(args):  # type: ignore[no-untyped-def]
        raise StartupRefused("what is wrong:\n  what to do")

    monkeypatch.setattr(cli, "cmd_schema", refuses)
    assert cli.main(["schema"]) == 2
    assert capsys.readouterr().err == "partyplan: what is wrong: what to do\n"

    def breaks(args):  # type: ignore[no-untyped-def]
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "cmd_schema", breaks)
    with pytest.raises(KeyError):  # Python prints its traceback; the status is 1
        cli.main(["schema"])
    assert known_error(RuntimeError("a bug")) is None
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert "cannot reach the database" in (known_error(wrapped) or "")
