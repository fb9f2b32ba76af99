"""The access matrix's rows (``tests/security/test_access_matrix.py``), and the rows of each
domain kept beside it: a module ``support_matrix_<domain>.py`` holds ``CASES`` (field name →
``Case``) and may hold ``async def prepare(gql, world, owner_engine, field, ids) -> dict``,
which adds the ids its rows need to the matrix's context (called for every row: make it cheap,
or check ``field`` first)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

W = Any  # the conftest World


@dataclass(frozen=True)
class Case:
    document: str
    variables: Callable[[W, dict[str, str]], dict[str, Any]]
    ok: str  # account whose call succeeds
    wrong_role: tuple[str, str] | None  # (account, expected code) or None when every role may
    other_school: str | None  # account of another school/commission, expects NOT_FOUND
    note: str = ""
    #: A file sent as the variable ``f`` by the GraphQL multipart request convention.
    upload: Callable[[], bytes] | None = None


def _modules() -> list[ModuleType]:
    here = Path(__file__).parent
    return [importlib.import_module(p.stem) for p in sorted(here.glob("support_matrix_*.py"))]


def extra_cases(known: Mapping[str, Case]) -> dict[str, Case]:
    """Every domain module's rows; a field given twice is a mistake, not an override."""
    found: dict[str, Case] = {}
    for module in _modules():
        for field, case in module.CASES.items():
            assert field not in known and field not in found, f"{field} has two matrix rows"
            found[field] = case
    return found


async def prepare_extra(
    gql: Any, world: Any, owner_engine: Any, field: str | None, ids: dict[str, str]
) -> dict[str, str]:
    added: dict[str, str] = {}
    for module in _modules():
        prepare = getattr(module, "prepare", None)
        if prepare is not None:
            added |= await prepare(gql, world, owner_engine, field, {**ids, **added})
    return added
