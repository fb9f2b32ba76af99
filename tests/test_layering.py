"""The layering table of docs/architecture.md, held by reading every module's imports.

Imports point down the table only; `schema/` reaches a domain through its service, never its
repository; no two domains import each other (directly or round a longer loop), and no two
modules do. Imports under ``if TYPE_CHECKING:`` count: an annotation that names an upper layer
is still a dependency on it.
"""

from __future__ import annotations

import ast
import textwrap
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "partyplan"

#: layer -> the layers it may import (itself included). Anything not listed (tests, bench,
#: deploy) is outside the package and unconstrained.
LAYERS: dict[str, frozenset[str]] = {
    "server": frozenset(
        {"server", "schema", "resolvers", "tenants", "auth", "models", "migrations"}
    ),
    "schema": frozenset({"schema", "resolvers", "tenants", "auth", "models"}),
    "resolvers": frozenset({"resolvers", "tenants", "auth", "models"}),
    "tenants": frozenset({"tenants", "auth", "models"}),
    "auth": frozenset({"auth", "models"}),
    "models": frozenset({"models"}),
    "migrations": frozenset({"migrations", "models"}),
}
#: Folders whose subpackages are domains that must not import each other in a loop.
DOMAIN_FOLDERS = ("resolvers", "schema")


@dataclass(frozen=True)
class Import:
    source: str  # importing module, e.g. partyplan.schema.units.types
    target: str  # imported module or name, e.g. partyplan.resolvers.units.service
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE, *parts])


def imports_of(root: Path, path: Path) -> Iterator[Import]:
    """Every import of ``path`` resolved to absolute ``partyplan.…`` names; ``from a import b``
    yields both ``a`` and ``a.b`` (``b`` may be a submodule)."""
    source = module_name(root, path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(source, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield Import(source, module, node.lineno)
            for alias in node.names:
                yield Import(source, f"{module}.{alias.name}", node.lineno)


def all_imports(root: Path) -> list[Import]:
    found = []
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            found.extend(i for i in imports_of(root, path) if i.target.startswith(f"{PACKAGE}."))
    return found


def _layer(name: str) -> str:
    return name.split(".")[1]


def upward_imports(found: list[Import]) -> list[str]:
    return sorted(
        f"{i.source}:{i.line} imports {i.target}"
        for i in found
        if _layer(i.target) in LAYERS and _layer(i.target) not in LAYERS[_layer(i.source)]
    )


def schema_repository_imports(found: list[Import]) -> list[str]:
    return sorted(
        f"{i.source}:{i.line} imports {i.target}"
        for i in found
        if _layer(i.source) == "schema"
        and i.target.startswith(f"{PACKAGE}.resolvers.")
        and ".repository" in i.target
    )


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def domain_cycles(found: list[Import]) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for folder in DOMAIN_FOLDERS:
        prefix = f"{PACKAGE}.{folder}."
        for i in found:
            if i.source.startswith(prefix) and i.target.startswith(prefix):
                source = i.source[len(prefix) :].split(".")[0]
                target = i.target[len(prefix) :].split(".")[0]
                if source != target:
                    graph[f"{folder}/{source}"].add(f"{folder}/{target}")
    return _cycles(graph)


def module_cycles(found: list[Import]) -> list[list[str]]:
    modules = {i.source for i in found}
    graph: dict[str, set[str]] = defaultdict(set)
    for i in found:
        if i.target in modules and i.target != i.source:
            graph[i.source].add(i.target)
    return _cycles(graph)


def violations(root: Path) -> list[str]:
    found = all_imports(root)
    return [
        *(f"upward: {v}" for v in upward_imports(found)),
        *(f"schema reads a repository: {v}" for v in schema_repository_imports(found)),
        *(f"domain cycle: {' <-> '.join(c)}" for c in domain_cycles(found)),
        *(f"module cycle: {' <-> '.join(c)}" for c in module_cycles(found)),
    ]


def test_the_package_keeps_its_layers() -> None:
    assert violations(ROOT) == []


# --- the check itself fails on what it is meant to catch ----------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for layer in LAYERS:
        (tmp_path / layer).mkdir()
        (tmp_path / layer / "__init__.py").write_text("")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"schema/context.py": "from partyplan.server.settings import Settings\n"},
            "upward: partyplan.schema.context:1 imports partyplan.server.settings",
        ),
        (
            {
                "auth/tokens.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from ..server.settings import Settings
                """
            },
            "upward: partyplan.auth.tokens:4 imports partyplan.server.settings",
        ),
        (
            {"models/plans.py": "import partyplan.resolvers.plans.rules\n"},
            "upward: partyplan.models.plans:1 imports partyplan.resolvers.plans.rules",
        ),
        (
            {"schema/units/loaders.py": "from partyplan.resolvers.units import repository\n"},
            "schema reads a repository: partyplan.schema.units.loaders:1 imports "
            "partyplan.resolvers.units.repository",
        ),
        (
            {
                "resolvers/plans/reads.py": "from partyplan.resolvers.rollups import service\n",
                "resolvers/rollups/service.py": "from partyplan.resolvers.plans import rules\n",
            },
            "domain cycle: resolvers/plans <-> resolvers/rollups",
        ),
        (
            {
                "schema/units/types.py": "from . import loaders\n",
                "schema/units/loaders.py": "from .types import Unit\n",
            },
            "module cycle: partyplan.schema.units.loaders <-> partyplan.schema.units.types",
        ),
    ],
)
def test_the_check_reports(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    assert expected in violations(_tree(tmp_path, files))


def test_the_check_accepts_downward_imports(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "server/app.py": "from partyplan.schema import schema\n",
            "schema/units/queries.py": "from partyplan.resolvers.units import service\n",
            "resolvers/units/service.py": "from . import repository\n",
            "resolvers/units/repository.py": "from partyplan.models import units\n",
        },
    )
    assert violations(root) == []
