"""The benchmark data generator (bench/generate): deterministic, valid people, steps the rule
engine accepts, stored derivations equal to the service's own, consistent roster, plans and
tallies — on a tiny scale loaded into a scratch database of its own (the generator needs an
empty database and bypasses triggers, so it never shares the suite's)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from partyplan.bench.generate.command import generate_into
from partyplan.bench.generate.load import DatabaseNotEmpty
from partyplan.bench.generate.people import IdNumbers
from partyplan.bench.generate.records import generate_school
from partyplan.bench.generate.scale import Scale
from partyplan.bench.generate.tree import build_tree
from partyplan.resolvers.plans.rules import EFFECTS
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.rules import identity
from partyplan.resolvers.recruits.rules.engine import evaluate
from partyplan.resolvers.recruits.rules.ethnicities import ETHNICITY_CODES
from partyplan.resolvers.recruits.rules.steps import RecordedStep, RecruitFacts
from partyplan.resolvers.recruits.service import records as recruits
from partyplan.resolvers.recruits.service.procedure import load_procedure
from partyplan.resolvers.reports.snapshot import content_hash
from partyplan.resolvers.rollups import repository as tallies
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.server import database_admin
from partyplan.server.database import async_url, with_database
from partyplan.server.settings import Settings
from partyplan.tenants.binding import bind_principal
from partyplan.tenants.session import Session

TINY = Scale("tiny", schools=2, units=40, recruits=500, members_per_branch=(12, 20))
SEED = 7
DERIVED = (
    "stage",
    "stage_since",
    "next_step",
    "next_due_on",
    "open_findings",
    "approved_on",
    "applied_on",
    "activist_on",
    "target_on",
    "converted_on",
    "cancelled_on",
    "admission_earliest_on",
    "admission_possible_until",
    "admission_steps_left",
)
FINDING = (
    "rule_id",
    "rule_version",
    "article",
    "severity",
    "step_code",
    "message",
    "due_on",
    "days_late",
)


@pytest.fixture
async def scratch_url(server_url: str) -> AsyncIterator[str]:
    url = with_database(server_url, f"partyplan_bench_{os.getpid()}")
    await database_admin.drop_database(url)
    yield url
    await database_admin.drop_database(url)


@pytest.fixture
def cipher(settings: Settings) -> PiiCipher:
    """The suite's PII key, built as the platform builds it: what is loaded, it decrypts."""
    return PiiCipher.from_settings(settings)


@pytest.fixture
def key_dir(settings: Settings) -> Path:
    return settings.resolved_key_dir


def _batches(seed: int) -> list:  # type: ignore[type-arg]
    tree = build_tree(TINY, seed)
    return [generate_school(s, TINY, seed, validate=True) for s in tree.schools]


def test_same_seed_same_data_and_valid_people() -> None:
    first, again = _batches(SEED), _batches(SEED)
    for a, b in zip(first, again, strict=True):
        assert (a.recruits, a.steps, a.findings, a.members, a.identities) == (
            b.recruits,
            b.steps,
            b.findings,
            b.members,
            b.identities,
        )
    assert _batches(SEED + 1)[0].recruits != first[0].recruits
    numbers, again_numbers = IdNumbers(), IdNumbers()
    for batch in first:
        for (county, birth, gender, phone), row in zip(
            batch.identities, batch.recruits, strict=True
        ):
            number = numbers.number(county, birth, gender)
            assert number == again_numbers.number(county, birth, gender)
            assert identity.check_id_number(number, today=TINY.as_of) == number
            identity.check_birth_date_matches(number, row[7])
            identity.check_gender_matches(number, row[5])
            assert row[6] in ETHNICITY_CODES
            assert identity.check_name(row[4]) == row[4]
            assert phone is None or identity.check_phone(phone) == phone
            identity.check_minimum_age(row[7], row[21])  # 18 on the application date


async def _scalar(engine: AsyncEngine, sql: str, **params: object) -> object:
    async with engine.connect() as conn:
        return await conn.scalar(sa.text(sql), params)


async def test_generated_data_loads_consistent(
    scratch_url: str, cipher: PiiCipher, key_dir: Path
) -> None:
    result = await generate_into(
        scratch_url, TINY, SEED, key_dir=key_dir, workers=0, validate=True, echo=lambda line: None
    )
    assert result.counts["recruits"] == TINY.recruits
    assert result.counts["recruit_steps"] > 3 * TINY.recruits
    for table in ("members", "recruit_findings", "quota_movements", "unit_tallies", "warnings"):
        assert result.counts[table] > 0, table
    assert result.database_bytes > 0 and set(result.phases) >= {"stream (generate + COPY)", "scan"}
    engine = create_async_engine(async_url(scratch_url))
    try:
        await _check_units_and_accounts(engine)
        await _check_people(engine, cipher)
        await _check_steps_and_derivations(engine)
        await _check_roster_plans_tallies(engine)
        await _check_reports_and_warnings(engine)
        digest = await _digest(engine)
    finally:
        await engine.dispose()
    with pytest.raises(DatabaseNotEmpty):
        await generate_into(scratch_url, TINY, SEED, key_dir=key_dir, workers=0, echo=print)
    # Loaded again by two processes: the same data, to the id.
    await generate_into(
        scratch_url, TINY, SEED, key_dir=key_dir, workers=2, replace=True, echo=lambda line: None
    )
    engine = create_async_engine(async_url(scratch_url))
    try:
        assert await _digest(engine) == digest  # same seed, same data, loaded again
    finally:
        await engine.dispose()


async def _digest(engine: AsyncEngine) -> str:
    return str(
        await _scalar(
            engine,
            """
        SELECT md5(string_agg(r.id || r.name || encode(r.id_number_hash, 'hex') || s.steps, ','
                              ORDER BY r.id))
          FROM recruits r CROSS JOIN LATERAL (
               SELECT string_agg(id || step_code || on_date || data::text, ';' ORDER BY id) AS steps
                 FROM recruit_steps WHERE recruit_id = r.id) s""",
        )
    )


async def _check_units_and_accounts(engine: AsyncEngine) -> None:
    # What the units_derive trigger would have written (the load bypasses it).
    wrong = await _scalar(
        engine,
        """
        SELECT count(*) FROM units u LEFT JOIN units p ON p.id = u.parent_id
         WHERE u.path <> CASE WHEN p.id IS NULL THEN u.id::text::ltree ELSE p.path || u.id::text END
            OR u.school_id IS DISTINCT FROM CASE WHEN u.kind = 'school' THEN u.id
                                                 ELSE p.school_id END
            OR u.region_code IS DISTINCT FROM coalesce(p.region_code, u.region_code)
            OR (u.parent_id IS NULL) <> (u.kind = 'commission')""",
    )
    assert wrong == 0
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.text(
                    "SELECT u.username, b.role, n.kind, n.id = (SELECT min(id) FROM units x WHERE"
                    " x.kind = n.kind AND (n.kind = 'commission' OR x.school_id = (SELECT min(id) FROM"
                    " units WHERE kind = 'school'))) AS first FROM users u JOIN role_bindings b ON"
                    " b.user_id = u.id JOIN units n ON n.id = b.unit_id ORDER BY u.id"
                )
            )
        ).all()
    assert [(r.username, r.role, r.kind, r.first) for r in rows] == [
        ("bench-commission", "commission_admin", "commission", True),
        ("bench-school", "school_admin", "school", True),
        ("bench-unit", "unit_admin", "committee", True),
        ("bench-branch", "branch_secretary", "branch", True),
    ]
    # Identity sequences continue after the assigned ids.
    assert await _scalar(
        engine,
        "SELECT nextval(pg_get_serial_sequence('recruit_steps', 'id'))"
        " > (SELECT max(id) FROM recruit_steps)",
    )


async def _check_people(engine: AsyncEngine, cipher: PiiCipher) -> None:
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT * FROM recruits ORDER BY id"))).all()
    for row in rows:
        number = cipher.decrypt(row.id_number_enc, context=recruits.ID_CONTEXT)
        assert identity.check_id_number(number, today=TINY.as_of) == number
        identity.check_birth_date_matches(number, row.birth_date)
        identity.check_gender_matches(number, row.gender)
        assert bytes(row.id_number_hash) == cipher.lookup_hash(number, context=recruits.ID_CONTEXT)
        assert row.id_number_masked == identity.mask_id_number(number)
        if row.phone_enc is not None:
            phone = cipher.decrypt(row.phone_enc, context=recruits.PHONE_CONTEXT)
            assert identity.check_phone(phone) == phone
            assert row.phone_masked == identity.mask_phone(phone)
        assert row.ethnicity in ETHNICITY_CODES
    shares = Counter(r.ethnicity for r in rows)
    assert 0.8 < shares["汉族"] / len(rows) < 0.98 and len(shares) > 2
    assert {r.stage for r in rows} >= {
        "applicant",
        "activist",
        "development_target",
        "probationary",
        "full_member",
    }


async def _check_steps_and_derivations(engine: AsyncEngine) -> None:
    """Every loaded step (data read back from JSONB) is accepted by the rule engine, and the
    service's own ``derive`` finds nothing to change on any recruit."""
    async with engine.connect() as conn, conn.begin() as transaction:
        principal = await bind_principal(conn, 1)  # bench-commission
        session = Session(conn, principal)
        ids = (await conn.execute(sa.text("SELECT id FROM recruits ORDER BY id"))).scalars().all()
        for recruit_id in ids:
            before = await recruits.visible(session, recruit_id)
            branch = await visible_unit(session, before.branch_id)
            procedure = await load_procedure(session, branch)
            steps = (
                await conn.execute(
                    sa.text(
                        "SELECT step_code, on_date, data, rule_version FROM recruit_steps"
                        " WHERE recruit_id = :r ORDER BY on_date, id"
                    ),
                    {"r": recruit_id},
                )
            ).all()
            history: list[RecordedStep] = []
            for step in steps:
                rules = procedure.rules(step.on_date)
                judged = evaluate(
                    step.step_code,
                    step.on_date,
                    step.data,
                    history,
                    RecruitFacts(before.birth_date),
                    rules,
                    procedure.calendar,
                )
                assert judged.accepted, (recruit_id, step, judged.violations)
                assert step.rule_version == rules.version
                history.append(RecordedStep(step.step_code, step.on_date, step.data))
            stored = await _findings(conn, recruit_id)
            after = await recruits.derive(session, before, procedure)
            assert {c: getattr(after, c) for c in DERIVED} == {
                c: getattr(before, c) for c in DERIVED
            }
            assert await _findings(conn, recruit_id) == stored
            assert before.open_findings == len(stored)
            assert before.unit_path == branch.path
        await transaction.rollback()


async def _findings(conn, recruit_id: int) -> Counter:  # type: ignore[no-untyped-def, type-arg]
    rows = await conn.execute(
        sa.text(f"SELECT {', '.join(FINDING)} FROM recruit_findings WHERE recruit_id = :r"),
        {"r": recruit_id},
    )
    return Counter(tuple(r) for r in rows)


async def _check_roster_plans_tallies(engine: AsyncEngine) -> None:
    # Introducers and contacts: full members of the recruit's school on the step's date.
    async with engine.connect() as conn:
        counted = await conn.execute(
            sa.text("""
        SELECT count(*), count(*) FILTER (WHERE m.id IS NULL) FROM recruit_steps s
         CROSS JOIN LATERAL jsonb_array_elements_text(
               coalesce(s.data->'introducers', s.data->'contacts')) AS c(code)
          LEFT JOIN members m ON m.school_id = s.school_id AND m.code = c.code
               AND m.joined_on <= s.on_date AND m.full_on <= s.on_date
               AND (m.left_on IS NULL OR m.left_on > s.on_date)
         WHERE s.step_code IN ('introducers', 'contacts')""")
        )
        named, bad = counted.one()
    assert named > 0 and bad == 0
    # An exemption is an acknowledged talent filing.
    assert (
        await _scalar(
            engine,
            """SELECT count(*) FROM recruits r WHERE r.exempt <> EXISTS (
        SELECT 1 FROM talent_filings f WHERE f.recruit_id = r.id AND f.status = 'acknowledged')""",
        )
        == 0
    )
    # Balances equal the ledger (plans.rules.EFFECTS), for every figure of every unit.
    for figure in ("received", "handed", "reserve"):
        terms = " + ".join(
            f"CASE WHEN m.kind = '{kind}' AND m.{end}_unit_id = q.unit_id THEN {sign} ELSE 0 END"
            for kind, effects in EFFECTS.items()
            for end, f, sign in effects
            if f == figure
        )
        for d in ("total", "students", "staff", "high_knowledge"):
            off = await _scalar(
                engine,
                f"""
                SELECT count(*) FROM unit_quotas q WHERE q.{figure}_{d} <> coalesce((
                  SELECT sum(({terms}) * m.{d}) FROM quota_movements m
                   WHERE m.period_id = q.period_id), 0)""",
            )
            assert off == 0, (figure, d)
    async with engine.connect() as conn:
        periods = (
            await conn.execute(
                sa.text("SELECT id, commission_path::text AS path FROM plan_periods ORDER BY id")
            )
        ).all()
        assert len(periods) == len(TINY.years)
        for period in periods:
            assert await tallies.drift(conn, period.id, period.path) == []
            admitted = await conn.scalar(
                sa.text(
                    "SELECT sum(admitted) FROM unit_tallies WHERE period_id = :p AND unit_id = school_id"
                ),
                {"p": period.id},
            )
            assert admitted > 0
    first = date(min(TINY.years), 1, 1)
    assert await _scalar(engine, "SELECT count(*) FROM recruits WHERE approved_on < :d", d=first)


async def _check_reports_and_warnings(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        reports = (
            await conn.execute(
                sa.text(
                    "SELECT e.*, p.report_due_on FROM execution_reports e"
                    " JOIN plan_periods p ON p.id = e.period_id"
                )
            )
        ).all()
        overdue = await conn.scalar(
            sa.text("SELECT count(*) FROM warnings WHERE kind = 'report_overdue'")
        )
        due = await conn.scalar(
            sa.text(
                "SELECT count(*) FROM plan_periods p JOIN units s ON s.kind = 'school'"
                " WHERE p.report_due_on < :d"
            ),
            {"d": TINY.as_of},
        )
        kinds = set((await conn.execute(sa.text("SELECT DISTINCT kind FROM warnings"))).scalars())
    assert reports and all(r.report_due_on < TINY.as_of for r in reports)
    for report in reports:  # a loaded report verifies like one submitted through the API
        assert report.status in ("submitted", "acknowledged")
        assert content_hash(report.snapshot) == report.content_hash
        assert report.snapshot["unit"]["id"] == report.unit_id
    assert overdue == due - len(reports)  # the scan flags exactly the schools that did not report
    assert {"missing_data", "overdue_step"} <= kinds


def test_cli_registers_generate() -> None:
    import argparse

    from partyplan.bench import generate

    root = argparse.ArgumentParser()
    generate.add_parser(root.add_subparsers(dest="action"))
    args = root.parse_args(
        [
            "generate",
            "--scale",
            "province",
            "--seed",
            "3",
            "--replace",
            "--no-scan",
            "--as-of",
            "2025-06-30",
        ]
    )
    assert (args.scale, args.seed, args.replace, args.scan) == ("province", 3, True, False)
    assert args.as_of == date(2025, 6, 30) and args.func is generate.run
