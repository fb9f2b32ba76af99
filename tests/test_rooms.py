"""Every domain under ``resolvers/`` has the same rooms (docs/architecture.md, "The rooms of a
domain"): ``repository`` (all its SQL), ``rules`` (pure), ``service`` (its operations),
``errors``, each a module or a package. Anything else in a domain is on the list below with
the reason it stands apart; a new module must find its room or argue its place here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOLVERS = ROOT / "resolvers"
ROOMS = ("repository", "rules", "service", "errors")

#: Rooms a domain may lack, because it has nothing of that kind.
ABSENT = {
    "audit": {"rules", "errors"},  # an append-only log: nothing to decide, nothing to refuse
    # reads a 12371 file and writes nothing: the domains that read one (reconciliation,
    # roster12371) own the operations and the SQL
    "imports12371": {"repository", "service"},
    # the roster file writes through the members' repository; its errors are the 12371
    # reader's (FileRefused) and the members' codes
    "roster12371": {"repository", "errors"},
    # reads only; a missing unit or period is the plans' error
    "feasibility": {"errors"},
    "reports": {"rules"},  # what a report holds is snapshot.py's; its states, service's checks
    "rollups": {"rules", "errors"},  # reads only; a missing unit or period is the plans' error
}
#: Modules outside the rooms, and why.
EXTRAS = {
    ("attachments", "archive.py"): "writes a new member's archive ZIP and its manifest workbook",
    ("attachments", "storage.py"): "the stores the attachments' bytes are kept in (the data "
    "directory, S3-compatible storage): infrastructure, not a rule",
    ("datacalls", "workbook.py"): "renders a data call's roll-up as a workbook",
    ("exports12371", "workbook.py"): "streams the 12371 export into a write-only workbook",
    ("imports12371", "reader.py"): "streams a 12371 file of recruits a batch of rows at a time",
    ("ledger", "workbook.py"): "renders the activists' ledger as a workbook",
    ("imports12371", "rows.py"): "the row read from a 12371 file, shared with its readers",
    ("imports12371", "workbook.py"): "opens an uploaded workbook safely and walks its rows, "
    "for every reader of 12371 files",
    ("plans", "linkage.py"): "the next-year formula, documented on its own for the commission",
    ("recruits", "pii.py"): "PII encryption and its key files: infrastructure, not a rule",
    ("recruits", "pii_keys.py"): "the PII key file's format, reading and rotation edits: "
    "infrastructure like pii.py",
    ("roster12371", "reader.py"): "streams a 12371 member export a batch of rows at a time",
    ("reconciliation", "evidence.py"): "the applied report's SHA-256, which a later "
    "verification recomputes from the stored rows",
    ("reports", "snapshot.py"): "freezes the live figures into a report's content",
    ("reports", "workbook.py"): "renders a report's content as a workbook",
    ("units", "ties.py"): "the declared ties of other domains to the tree, read by repository",
}
#: SQL is built only in a repository (and in the declared ties, which are SQL expressions).
SQL_CALLS = {"text", "select", "insert", "update", "delete"}


def domains() -> list[Path]:
    return sorted(p for p in RESOLVERS.iterdir() if (p / "__init__.py").exists())


def test_every_domain_has_its_rooms() -> None:
    missing = []
    for domain in domains():
        for room in ROOMS:
            present = (domain / f"{room}.py").exists() or (domain / room / "__init__.py").exists()
            if not present and room not in ABSENT.get(domain.name, set()):
                missing.append(f"{domain.name}/{room}")
            if present and room in ABSENT.get(domain.name, set()):
                missing.append(f"{domain.name}/{room} exists: take it off ABSENT")
    assert missing == []


def test_nothing_stands_outside_the_rooms_unexplained() -> None:
    strays = []
    for domain in domains():
        for path in sorted(domain.iterdir()):
            name = path.name
            if name in ("__init__.py", "__pycache__") or path.stem in ROOMS:
                continue
            if (domain.name, name) not in EXTRAS:
                strays.append(f"{domain.name}/{name}")
    assert strays == []


def _sql_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("sa", "sqlalchemy")
            and node.func.attr in SQL_CALLS
        ) or (isinstance(node, ast.Attribute) and node.attr == "execute"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_sql_lives_in_repositories() -> None:
    outside = []
    for domain in domains():
        for path in domain.rglob("*.py"):
            relative = path.relative_to(domain).parts
            if relative[0].removesuffix(".py") == "repository":
                continue
            if (domain.name, relative[0]) == ("units", "ties.py"):
                continue
            outside.extend(_sql_calls(path))
    assert outside == []
