"""``partyplan tallies verify`` compares the placement tallies and the branches' named totals
with the names, and ``tallies rebuild`` repairs them."""

from __future__ import annotations

import subprocess

import sqlalchemy as sa
from support import run_cli


def _cli(args: list[str], owner_url: str, settings) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def,type-arg]
    return run_cli(settings, owner_url, *args)


async def test_verify_finds_tampered_placement_tallies_and_rebuild_repairs_them(
    placements, world, owner_url, settings, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=2)
    await placements.place(await placements.targets(2))
    assert _cli(["tallies", "verify"], owner_url, settings).returncode == 0
    async with owner_engine.begin() as conn:
        # A bulk write that bypassed the trigger: the committee's count and the branch's total.
        await conn.execute(
            sa.text("UPDATE placement_tallies SET placed = 5 WHERE unit_id = :u"),
            {"u": world.units["A1"]},
        )
        await conn.execute(sa.text("ALTER TABLE named_targets DISABLE TRIGGER USER"))
        await conn.execute(
            sa.text(
                "DELETE FROM named_targets WHERE recruit_id = (SELECT min(recruit_id) FROM named_targets)"
            )
        )
        await conn.execute(sa.text("ALTER TABLE named_targets ENABLE TRIGGER USER"))
    verify = _cli(["tallies", "verify"], owner_url, settings)
    assert verify.returncode == 1, verify.stdout + verify.stderr
    assert f"named targets of unit {world.units['A1']}: stored" in verify.stdout
    assert f"named targets of unit {world.units['A1a']}: named_total" in verify.stdout
    rebuilt = _cli(["tallies", "rebuild"], owner_url, settings)
    assert rebuilt.returncode == 0, rebuilt.stderr
    again = _cli(["tallies", "verify"], owner_url, settings)
    assert again.returncode == 0 and "agree" in again.stdout, again.stdout
    assert await placements.named_total() == 1
    assert await placements.drift() == []
