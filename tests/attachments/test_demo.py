"""The demo's attachments: stored through the service in the store it is given, once."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from partyplan.resolvers.attachments.storage import FilesystemStore
from partyplan.server.demo import load_demo


async def test_the_demo_attaches_documents_once(platform, owner_engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = FilesystemStore(tmp_path)
    for _ in range(2):  # idempotent
        await load_demo(platform.owner_url, platform.pii, store=store)
    async with owner_engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.text(
                    "SELECT r.name, s.step_code, a.document, a.storage_key, a.sha256"
                    " FROM attachments a JOIN recruits r ON r.id = a.recruit_id"
                    " JOIN recruit_steps s ON s.id = a.step_id ORDER BY a.id"
                )
            )
        ).all()
    assert [(r.name, r.step_code, r.document) for r in rows] == [
        ("张晓雨", "application", "application_letter"),
        ("张晓雨", "talk", "talk_record"),
    ]
    for row in rows:
        data = store.path_of(row.storage_key).read_bytes()
        assert data.startswith(b"%PDF-") and hashlib.sha256(data).digest() == bytes(row.sha256)
