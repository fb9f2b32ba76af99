"""Relay global ids as our service writes them (base64 of ``Kind:row id``), for the request
bodies the scenarios send and the answers they read back."""

from __future__ import annotations

import base64


def gid(kind: str, row_id: int) -> str:
    return base64.b64encode(f"{kind}:{row_id}".encode()).decode()


def ungid(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().partition(":")[2])


__all__ = ["gid", "ungid"]
