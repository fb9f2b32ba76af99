"""Run a multi-statement SQL script through Alembic.

asyncpg prepares every statement, and a prepared statement holds one command, so a script is
split into statements first. The splitter understands ``$$``-quoted bodies, quoted strings and
``--`` comments, which is all our migrations use.
"""

from __future__ import annotations

from alembic import op


def split_statements(script: str) -> list[str]:
    statements: list[str] = []
    current: list[str] = []
    in_dollar = in_quote = in_comment = False
    i = 0
    while i < len(script):
        ch = script[i]
        if in_comment:
            if ch == "\n":
                in_comment = False
            current.append(ch)
        elif in_dollar:
            if script.startswith("$$", i):
                in_dollar = False
                current.append("$$")
                i += 1
            else:
                current.append(ch)
        elif in_quote:
            current.append(ch)
            if ch == "'":
                in_quote = False
        elif script.startswith("--", i):
            in_comment = True
            current.append(ch)
        elif script.startswith("$$", i):
            in_dollar = True
            current.append("$$")
            i += 1
        elif ch == "'":
            in_quote = True
            current.append(ch)
        elif ch == ";":
            statements.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    tail = "".join(current).strip()
    if tail:
        statements.append(tail)
    return [s for s in statements if _has_code(s)]


def _has_code(statement: str) -> bool:
    return any(
        line.strip() and not line.strip().startswith("--") for line in statement.splitlines()
    )


def execute_script(script: str) -> None:
    for statement in split_statements(script):
        op.execute(statement)


def app_role() -> str:
    """The service role the migrations grant to (passed by ``partyplan db upgrade``)."""
    role = op.get_context().config.attributes.get("app_role", "partyplan_app")
    if not role.replace("_", "").isalnum():
        raise ValueError(f"unsafe role name {role!r}")
    return role


def protect(table: str, using: str, check: str | None = None) -> None:
    """Row-level security, enabled and forced: the service role sees the rows ``using``
    admits (and writes those ``check`` admits, default the same); the migrating owner keeps an
    explicit all-rows policy for administration."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {table}_scope ON {table} USING ({using}) WITH CHECK ({check or using})"
    )
    op.execute(
        f"CREATE POLICY {table}_owner ON {table} TO CURRENT_USER USING (true) WITH CHECK (true)"
    )
