"""Signing in to the demo: one password for every demo person, so the console can be tried.

The password is random, made once per data directory (``demo-password``, mode 0600) and
printed by ``serve --demo`` at every start; it is never a constant of the code, so a demo left
listening somewhere is not opened by a password anyone can read here. A demo account's hash is
written only while the account has none (a password changed in the demo stays changed).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncConnection

FILE_NAME = "demo-password"


def demo_password(data_dir: Path) -> str:
    """The data directory's demo password, made on first use."""
    path = data_dir / FILE_NAME
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(password + "\n")
    return password


async def set_passwords(conn: AsyncConnection, usernames: list[str], password: str) -> None:
    """Give each named person account without a credential ``password`` (no forced change:
    the demo is for trying, and the password is printed at every start)."""
    hashed = await asyncio.to_thread(PasswordHasher().hash, password)
    await conn.execute(
        sa.text(
            "INSERT INTO user_credentials (user_id, password_hash, must_change, set_at)"
            " SELECT id, :hash, false, :now FROM users"
            " WHERE username = ANY(:names) AND kind = 'person'"
            " ON CONFLICT (user_id) DO NOTHING"
        ),
        {"hash": hashed, "now": datetime.now(UTC), "names": usernames},
    )
