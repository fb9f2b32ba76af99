"""The verification script of docs/spot-checks.md, run as a reader would run it, redoes a
draw made through the API: same names, same ranks, same tickets."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from support_spotchecks import commit, draw, records_of

DOC = Path(__file__).resolve().parents[2] / "docs" / "spot-checks.md"


def script() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    return blocks[0]


def redo(folder: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "redo.py", *args], cwd=folder, capture_output=True, text=True
    )


async def test_the_documented_script_redoes_the_draw(gql, world, targets, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await targets.add("A1a", 4)
    await targets.add("A2", 3)
    await targets.add("B1", 5)
    committed = (await commit(gql, world, share=0.3))["spotCheck"]
    drawn = (await draw(gql, world, committed["id"]))["spotCheck"]
    listed = [e["node"] for e in committed["candidates"]["edges"]]
    (tmp_path / "redo.py").write_text(script(), encoding="utf-8")
    (tmp_path / "candidates.json").write_text(json.dumps(listed, ensure_ascii=False), "utf-8")
    args = [drawn["seed"], f"share={drawn['share']}", drawn["listSha256"], "candidates.json"]
    done = redo(tmp_path, args)
    assert done.returncode == 0, done.stderr
    out = done.stdout.split("\n")
    redone = sorted(tuple(line.split(" ")) for line in out if line)
    records = await records_of(gql, world, "commission_admin", committed["id"])
    school_of = {c["drawKey"]: c["schoolKey"] for c in listed}
    keys = {c["ordinal"]: c["drawKey"] for c in listed}
    ours = sorted(
        (school_of[keys[r["ordinal"]]], str(r["rank"]), keys[r["ordinal"]], r["name"], r["ticket"])
        for r in records
    )
    assert redone == ours
    assert len(ours) == 3 + 2  # ceil(0.3 × 7), ceil(0.3 × 5)
    # A list that is not the published one is refused by the script.
    (tmp_path / "candidates.json").write_text(json.dumps(listed[1:], ensure_ascii=False), "utf-8")
    failed = redo(tmp_path, args)
    assert failed.returncode != 0 and "not the published list" in failed.stderr
