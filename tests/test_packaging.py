"""One import package: the repository root is ``partyplan``; no top-level ``auth``, ``schema``
or ``server`` module is installed, and every subpackage is listed for the wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_SHIPPED = {"tests", "bench", "deploy", "build", "dist"}


def _listed() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["setuptools"]["package-dir"] == {"partyplan": "."}
    return set(config["tool"]["setuptools"]["packages"])


def _on_disk() -> set[str]:
    found = {"partyplan"}
    for init in ROOT.rglob("__init__.py"):
        relative = init.parent.relative_to(ROOT)
        if relative.parts and (
            relative.parts[0] in NOT_SHIPPED or relative.parts[0].startswith(".")
        ):
            continue
        if relative.parts:
            found.add(".".join(("partyplan", *relative.parts)))
    return found


def test_every_subpackage_is_in_the_wheel() -> None:
    assert _listed() == _on_disk()


def test_no_top_level_generic_modules() -> None:
    import importlib.util

    for name in ("auth", "schema", "models", "server", "tenants", "resolvers"):
        spec = importlib.util.find_spec(name)
        assert spec is None or "partyplan" not in str(spec.origin), name


def test_migrations_ship_inside_the_package() -> None:
    import partyplan.migrations

    folder = Path(partyplan.migrations.__file__).parent
    assert (folder / "env.py").exists() and list((folder / "versions").glob("0001_*.py"))
