"""Shared by the 12371 export's tests: recruits walked to a stage, and downloads."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import support_recruits as recruits_api
from support import id_number

#: How far each stage's recruit is walked (the index in ``support_recruits.WALK`` after which it
#: stands in that stage).
UNTIL = {
    "applicant": "talk",
    "activist": "contacts",
    "probationary": "oath",
}


async def create_walked(gql, world, stage: str, sequence: int, **overrides: Any) -> dict:  # type: ignore[no-untyped-def]
    """A recruit of branch A1a walked to ``stage``; its ID number is made from ``sequence``."""
    created = await recruits_api.create(
        gql, world, idNumber=id_number("20030504", sequence), **overrides
    )
    recruit = created["recruit"]
    for code, on, data, account in recruits_api.WALK:
        await recruits_api.step(gql, world, recruit["id"], code, on, data, account)
        if code == UNTIL[stage]:
            break
    return recruit


async def download(client, path: str, token: str | None = None, **headers: str):  # type: ignore[no-untyped-def]
    """The response to ``GET path`` with the bearer token, if any."""
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return await client.get(path, headers=headers)


def book_of(response: Any) -> openpyxl.Workbook:
    assert response.status_code == 200, response.text
    return openpyxl.load_workbook(io.BytesIO(response.content))


def table(book: openpyxl.Workbook, title: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in book[title].iter_rows(values_only=True)]


APPROVED_ON = next(on for code, on, _, _ in recruits_api.WALK if code == "approval")
assert isinstance(APPROVED_ON, date)
