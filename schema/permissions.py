"""Permissions declared as data on each field and printed into its description, so third-party
front ends read who may call what from the schema itself. The checks run in the services (they
need the object's place in the tree); this module only documents them."""

from __future__ import annotations

from partyplan.auth.permissions import Permission


def described(text: str, *permissions: Permission, where: str = "") -> str:
    if not permissions:
        return f"{text}\n\nRequires: an authenticated caller."
    names = ", ".join(f"`{p.value}`" for p in permissions)
    place = f" {where}" if where else ""
    return f"{text}\n\nRequires: {names}{place}. Objects outside the caller's units: NOT_FOUND."
