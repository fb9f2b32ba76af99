"""A PII key rotation against the database: both versions valid meanwhile, re-encryption in
batches (each its own transaction, idempotent, resumable), duplicates refused and people found
before, during and after it, and the old version retired at the end."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
from typing import Any

import pytest
import sqlalchemy as sa
from support import id_number, raw_id
from support_export12371 import create_walked
from support_reconciliation import exported, upload
from support_recruits import create
from support_sync import outcomes, record, sync

from partyplan.models import reconciliation_entries, reconciliation_reports
from partyplan.resolvers.recruits import pii_keys
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.repository import ID_NUMBER_LOCK_NAMESPACE
from partyplan.resolvers.recruits.service.pii_rotation import (
    reencrypt,
    stale_count,
    versions_in_use,
)
from partyplan.resolvers.recruits.service.records import ID_CONTEXT, PHONE_CONTEXT

SEARCH = "query($s: String) { recruits(search: $s) { edges { node { name } } } }"
PEOPLE = [(name, id_number("20030504", 40 + i)) for i, name in enumerate("赵钱孙李周")]


@pytest.fixture
def ciphers(platform: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, PiiCipher]:
    """The platform's key (version 1), the rotation's (1 and 2, writing 2) and the one after
    it (2 only). ``platform.pii`` is set back after the test."""
    ring, _current = pii_keys.parse_key_file(
        (platform.settings.resolved_key_dir / pii_keys.KEY_FILE_NAME).read_text(), "test"
    )
    new = secrets.token_bytes(pii_keys.SECRET_LENGTH)
    monkeypatch.setattr(platform, "pii", platform.pii)
    return {
        "old": PiiCipher(ring),
        "rotating": PiiCipher({**ring, 2: new}, current=2),
        "new": PiiCipher({2: new}),
    }


def codes(payload: dict[str, Any]) -> list[str]:
    """The codes of a payload's typed errors."""
    return [e["code"] for e in payload["errors"]]


async def _versions(owner_engine: Any) -> dict[str, dict[int, int]]:
    async with owner_engine.connect() as conn:
        return await versions_in_use(conn)


async def _refused_as_duplicates(gql: Any, world: Any) -> None:
    for name, number in PEOPLE:
        payload = await create(gql, world, name=name, idNumber=number)
        assert codes(payload) == ["DUPLICATE_ID_NUMBER"], (name, payload)


async def _found(gql: Any, world: Any) -> None:
    for name, number in PEOPLE:
        found = await gql(SEARCH, {"s": number}, world.tokens["school_admin"])
        assert [e["node"]["name"] for e in found["data"]["recruits"]["edges"]] == [name]


async def _stored(owner_engine: Any, cipher: PiiCipher) -> list[tuple[str, str | None, bytes]]:
    """Every recruit's ID number and phone, decrypted with ``cipher``, and its stored hash."""
    async with owner_engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.text("SELECT id_number_enc, phone_enc, id_number_hash FROM recruits ORDER BY id")
            )
        ).all()
    return [
        (
            cipher.decrypt(row.id_number_enc, context=ID_CONTEXT),
            None if row.phone_enc is None else cipher.decrypt(row.phone_enc, context=PHONE_CONTEXT),
            bytes(row.id_number_hash),
        )
        for row in rows
    ]


async def test_rotation_re_encrypts_everything_and_duplicates_are_refused_throughout(
    gql, world, owner_engine, platform, ciphers
) -> None:  # type: ignore[no-untyped-def]
    for index, (name, number) in enumerate(PEOPLE):
        phone = {} if index % 2 else {"phone": None}  # with and without a phone
        assert (await create(gql, world, name=name, idNumber=number, **phone))["errors"] == []
    before = await _stored(owner_engine, ciphers["old"])
    assert (await _versions(owner_engine))["recruits.id_number"] == {1: 5}

    # Every replica holds both versions and writes with the new one: half-way through.
    platform.pii = ciphers["rotating"]
    half = await reencrypt(owner_engine, ciphers["rotating"], batch_size=2, max_batches=1)
    assert half.rewritten["recruits"] == 2 and half.batches == 1
    assert (await _versions(owner_engine))["recruits.id_number"] == {1: 3, 2: 2}
    await _refused_as_duplicates(gql, world)
    await _found(gql, world)
    added = await create(gql, world, name="王新", idNumber=id_number("20030504", 60))
    assert added["errors"] == []  # written under version 2
    assert codes(await create(gql, world, idNumber=id_number("20030504", 60))) == [
        "DUPLICATE_ID_NUMBER"
    ]

    done = await reencrypt(owner_engine, ciphers["rotating"], batch_size=2)
    assert (done.rewritten["recruits"], done.remaining) == (3, 0)
    used = await _versions(owner_engine)
    assert used["recruits.id_number"] == {2: 6} and used["recruits.phone"] == {2: 3}
    assert (await reencrypt(owner_engine, ciphers["rotating"])).rewritten["recruits"] == 0

    # Version 1 retired: every value reads, every hash is version 2's, duplicates still refused.
    platform.pii = ciphers["new"]
    after = await _stored(owner_engine, ciphers["new"])
    assert [(n, p) for n, p, _h in after[:5]] == [(n, p) for n, p, _h in before]
    assert [h for _n, _p, h in after] == [
        ciphers["new"].lookup_hash(n, context=ID_CONTEXT) for n, _p, _h in after
    ]
    await _refused_as_duplicates(gql, world)
    await _found(gql, world)


async def _report(owner_engine: Any, world: Any, cipher: PiiCipher, number: str) -> int:
    """An open reconciliation report of school A with one entry only in 12371."""
    async with owner_engine.begin() as conn:
        path = await conn.scalar(
            sa.text("SELECT path::text FROM units WHERE id = :id"), {"id": world.units["A"]}
        )
        report = await conn.scalar(
            sa.insert(reconciliation_reports)
            .values(
                school_id=world.units["A"],
                unit_path=path,
                file_name="12371.xlsx",
                file_sha256=hashlib.sha256(number.encode()).digest(),
                file_bytes=4,
                stages=["activist"],
                rows_read=1,
                matched=0,
                conflicting=0,
                only_12371=1,
                only_here=0,
                created_by=world.users["school_admin"],
            )
            .returning(reconciliation_reports.c.id)
        )
        await conn.execute(
            sa.insert(reconciliation_entries).values(
                report_id=report,
                ordinal=1,
                unit_path=path,
                kind="only_12371",
                stage="activist",
                name="王新",
                id_number_masked="1409**********0011",
                id_number_enc=cipher.encrypt(number, context=ID_CONTEXT),
                id_number_lookup=cipher.lookup_hash(number, context=ID_CONTEXT),
                phone_enc=cipher.encrypt("13700002222", context=PHONE_CONTEXT),
            )
        )
    return int(report)


async def test_open_reports_are_re_encrypted_and_applied_ones_stay_frozen(
    world, owner_engine, ciphers
) -> None:  # type: ignore[no-untyped-def]
    open_report = await _report(owner_engine, world, ciphers["old"], id_number("20040102", 7))
    applied = await _report(owner_engine, world, ciphers["old"], id_number("20040102", 9))
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE reconciliation_reports SET status = 'applied', applied_at = now(),"
                " applied_by = created_by WHERE id = :r"
            ),
            {"r": applied},
        )
    frozen = sa.text("SELECT * FROM reconciliation_entries WHERE report_id = :r")
    async with owner_engine.connect() as conn:
        before = (await conn.execute(frozen, {"r": applied})).one()

    done = await reencrypt(owner_engine, ciphers["rotating"])

    assert (done.rewritten["entries"], done.remaining) == (1, 0)
    async with owner_engine.connect() as conn:
        entry = (await conn.execute(frozen, {"r": open_report})).one()
        assert (await conn.execute(frozen, {"r": applied})).one() == before
        used = await versions_in_use(conn)
    new = ciphers["new"]
    assert new.decrypt(entry.id_number_enc, context=ID_CONTEXT) == id_number("20040102", 7)
    assert new.decrypt(entry.phone_enc, context=PHONE_CONTEXT) == "13700002222"
    # The lookup is evidence and never looked up: as written.
    assert bytes(entry.id_number_lookup) == ciphers["old"].lookup_hash(
        id_number("20040102", 7), context=ID_CONTEXT
    )
    assert used["open_reports.id_number"] == {2: 1}
    assert used["applied_reports.id_number"] == {1: 1}
    assert stale_count(used, 2) == 0


async def test_sync_finds_a_recruit_not_re_encrypted_yet(gql, world, platform, ciphers) -> None:  # type: ignore[no-untyped-def]
    first = await sync(gql, world, [record(world, 71)], key="before")
    assert outcomes(first) == ["CREATED"]

    platform.pii = ciphers["rotating"]
    again = await sync(gql, world, [record(world, 71, name="李明明")], key="during")

    assert outcomes(again) == ["UPDATED"], again
    assert again["results"][0]["recruit"]["id"] == first["results"][0]["recruit"]["id"]


async def test_creators_of_one_id_number_take_turns_while_two_versions_are_held(
    gql, world, owner_engine, platform, ciphers
) -> None:  # type: ignore[no-untyped-def]
    platform.pii = ciphers["rotating"]
    number = id_number("20030504", 80)
    oldest = ciphers["rotating"].lookup_hash(number, context=ID_CONTEXT, version=1)
    key = int.from_bytes(oldest[:4], "big") & 0x7FFFFFFF
    async with owner_engine.connect() as holder:
        # Another replica, still writing with version 1, is creating the same person.
        await holder.execute(
            sa.text("SELECT pg_advisory_lock(:n, :k)"), {"n": ID_NUMBER_LOCK_NAMESPACE, "k": key}
        )
        creating = asyncio.create_task(create(gql, world, idNumber=number))
        await asyncio.sleep(0.5)
        waited = not creating.done()
        await holder.execute(
            sa.text("SELECT pg_advisory_unlock(:n, :k)"), {"n": ID_NUMBER_LOCK_NAMESPACE, "k": key}
        )
        payload = await creating

    assert waited
    assert payload["errors"] == [] and raw_id(payload["recruit"]["id"])


async def test_a_12371_import_matches_recruits_on_either_version(
    client, gql, world, owner_engine, platform, ciphers
) -> None:  # type: ignore[no-untyped-def]
    for sequence, stage in enumerate(("applicant", "activist", "probationary"), 1):
        await create_walked(gql, world, stage, sequence, name=f"{'甲乙丙'[sequence - 1]}某")
    content = await exported(client, world)

    platform.pii = ciphers["rotating"]
    await reencrypt(owner_engine, ciphers["rotating"], batch_size=1, max_batches=1)
    assert (await _versions(owner_engine))["recruits.id_number"] == {1: 2, 2: 1}
    result = await upload(client, world.tokens["school_admin"], world.gid("A"), content)

    report = result["data"]["import12371"]["report"]
    assert (report["matched"], report["onlyIn12371"], report["onlyHere"]) == (3, 0, 0)


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "partyplan.server.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_rotate_command_rewrites_until_nothing_is_left(
    gql, world, owner_engine, owner_url, platform, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    for name, number in PEOPLE[:3]:
        assert (await create(gql, world, name=name, idNumber=number))["errors"] == []
    # The operator's copy of the Secret, a version added and made current, mounted read-only.
    given = tmp_path / "keys"
    given.mkdir()
    shutil.copyfile(
        platform.settings.resolved_key_dir / "signing-key.json", given / "signing-key.json"
    )
    shutil.copyfile(platform.settings.resolved_key_dir / "pii-key", given / "pii-key")
    os.chmod(given / "pii-key", 0o600)
    assert pii_keys.add_key_version(given, make_current=True) == 2
    assert sorted(os.listdir(given)) == ["pii-key", "signing-key.json"]  # no lock file
    for name in ("signing-key.json", "pii-key"):
        os.chmod(given / name, 0o440)
    env = {
        "PARTYPLAN_ENVIRONMENT": "production",
        "PARTYPLAN_DATABASE_URL": owner_url,
        "PARTYPLAN_KEY_DIR": str(given),
        "PARTYPLAN_DATA_DIR": str(tmp_path / "data"),
    }

    check = _cli(["pii", "rotate", "--check"], env)
    assert check.returncode == 1, check.stderr
    assert "recruits.id_number: version 1: 3" in check.stdout
    done = _cli(["pii", "rotate", "--batch-size", "2"], env)
    assert done.returncode == 0, done.stderr
    assert "rewritten to key version 2: 3 recruits, 0 entries" in done.stdout
    assert _cli(["pii", "rotate", "--check"], env).returncode == 0

    assert (await _versions(owner_engine))["recruits.id_number"] == {2: 3}
    rotated = PiiCipher.load(given)
    assert sorted(n for n, _p, _h in await _stored(owner_engine, rotated)) == sorted(
        n for _name, n in PEOPLE[:3]
    )
    assert sorted(os.listdir(given)) == ["pii-key", "signing-key.json"]  # only read
