"""Re-encrypting the stored PII under the current key version: the second half of a PII key
rotation (docs/operations.md "Keys" gives the whole procedure).

What is stored under a key version, and what re-encrypting does to it:

* ``recruits``: ``id_number_enc`` with ``id_number_hash`` (always under the same version: both
  are written together, here as everywhere) and ``phone_enc``: decrypted with their version,
  encrypted and hashed again with the current one.
* the entries of **open** reconciliation reports: ``id_number_enc`` and ``phone_enc`` likewise
  (applying a decision decrypts them). Their ``id_number_lookup`` stays as written: it is never
  looked up, and it is part of a report's evidence (``reconciliation/evidence.py``).
* an **applied** report is frozen evidence (migration 0015 refuses any change to it) and its
  ciphertexts are never read again: they stay under the version they were written with, and
  become unreadable once that version is retired — as retiring a key intends.

Invariants:

* Runs as the owner (every school), a batch of rows per transaction, in key order. A batch locks
  its rows ``FOR UPDATE SKIP LOCKED``: a row the service is writing is neither overwritten with
  an older value nor waited for (the rotation never waits on a row lock, so it takes part in no
  deadlock); it is left for the next pass. A report's entries are rewritten under the report's
  own lock, the lock ``applyReconciliation`` takes first, so the report cannot be applied
  half-way through a batch. A crash loses at most the batch in flight.
* Idempotent and resumable: only values under another version than the current one are
  rewritten, so running it again (after a crash, or twice) finishes the work and changes nothing
  else.
* Meanwhile the service holds both versions: every value decrypts, and searches and duplicate
  checks compare with the lookup hash under each version (``PiiCipher.lookup_hashes``), so a
  person is found and a duplicate refused whether their row was re-encrypted yet or not.
* An updated recruit row is a change for the change feed (migration 0013): its consumers see
  each recruit once more, with the same values.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..pii import PiiCipher
from ..repository import pii as repository
from ..repository.pii import versions_in_use
from .records import ID_CONTEXT, PHONE_CONTEXT

__all__ = ["DEFAULT_BATCH_SIZE", "Rotation", "reencrypt", "stale_count", "versions_in_use"]

DEFAULT_BATCH_SIZE = 500
#: Passes over the tables at most: a pass leaves behind only rows the service held locked.
MAX_PASSES = 5

#: The encrypted columns of both tables, each with the context its values are bound to.
_ENCRYPTED = (("id_number_enc", ID_CONTEXT), ("phone_enc", PHONE_CONTEXT))

#: A batch: its rows rewritten, and the last key it read (None: nothing left after it).
_Batch = Callable[[AsyncConnection], Awaitable[tuple[int, int | None]]]
_Run = Callable[[str, _Batch], Awaitable[int | None]]


@dataclass
class Rotation:
    """What a run did: the version written, rows rewritten per table, batches committed, and
    the values still under another version afterwards (``versions_in_use``'s ``stale``)."""

    version: int
    rewritten: dict[str, int] = field(default_factory=lambda: {"recruits": 0, "entries": 0})
    batches: int = 0
    remaining: int = 0


def stale_count(used: dict[str, dict[int, int]], version: int) -> int:
    """Values that must still be rewritten to ``version`` (applied reports' never are)."""
    return sum(
        n
        for name, counts in used.items()
        if not name.startswith("applied_reports.")
        for v, n in counts.items()
        if v != version
    )


async def reencrypt(
    engine: AsyncEngine,
    cipher: PiiCipher,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_batches: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> Rotation:
    """Rewrite every value stored under another version than ``cipher.current_version``, a
    batch per transaction, in passes until none is left (or ``MAX_PASSES``). ``max_batches``
    stops early (a run may be spread out, or observed half-way); ``progress(table, rewritten
    so far)`` is called after each batch."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    done = Rotation(cipher.current_version)

    def more() -> bool:
        return max_batches is None or done.batches < max_batches

    async def run(table: str, batch: _Batch) -> int | None:
        """One batch in its own transaction; the last key it read (None: nothing left)."""
        async with engine.begin() as conn:
            rewritten, last = await batch(conn)
        done.batches += 1
        done.rewritten[table] += rewritten
        if progress is not None:
            progress(table, done.rewritten[table])
        return last

    for _ in range(MAX_PASSES):
        after: int | None = 0
        while after is not None and more():
            after = await _run_recruits(run, cipher, after, batch_size)
        async with engine.connect() as conn:
            reports = await repository.open_report_ids(conn)
        for report_id in reports:
            ordinal: int | None = 0
            while ordinal is not None and more():
                ordinal = await _run_entries(run, cipher, report_id, ordinal, batch_size)
        async with engine.connect() as conn:
            done.remaining = stale_count(await versions_in_use(conn), done.version)
        if not done.remaining or not more():
            break
    return done


async def _run_recruits(run: _Run, cipher: PiiCipher, after: int, size: int) -> int | None:
    async def batch(conn: AsyncConnection) -> tuple[int, int | None]:
        rows = await repository.recruits_batch(conn, after, size)
        changes = [c for row in rows if (c := _rewrite(cipher, row, hashed=True))]
        if changes:
            await repository.rewrite_recruits(conn, changes)
        return len(changes), rows[-1].id if rows else None

    return await run("recruits", batch)


async def _run_entries(
    run: _Run, cipher: PiiCipher, report_id: int, after: int, size: int
) -> int | None:
    async def batch(conn: AsyncConnection) -> tuple[int, int | None]:
        # The report's lock first, as applyReconciliation takes it: an applied (or applying)
        # report is left alone.
        if not await repository.lock_open_report(conn, report_id):
            return 0, None
        rows = await repository.entries_batch(conn, report_id, after, size)
        changes = [c for row in rows if (c := _rewrite(cipher, row, hashed=False))]
        if changes:
            await repository.rewrite_entries(conn, report_id, changes)
        return len(changes), rows[-1].ordinal if rows else None

    return await run("entries", batch)


def _rewrite(cipher: PiiCipher, row: Any, *, hashed: bool) -> dict[str, Any] | None:
    """The row's parameters for its update (every encrypted column, stale or not, so that one
    statement serves the batch), or None when all of it is under the current version."""
    current = cipher.current_version
    values = row._mapping
    stale = [
        (column, context)
        for column, context in _ENCRYPTED
        if values[column] is not None and cipher.version_of(values[column]) != current
    ]
    if not stale:
        return None
    key = "id" if "id" in values else "ordinal"
    change = {f"k_{key}": values[key]}
    change.update({f"v_{column}": values[column] for column, _context in _ENCRYPTED})
    if hashed:
        change["v_id_number_hash"] = values["id_number_hash"]
    for column, context in stale:
        plaintext = cipher.decrypt(values[column], context=context)
        change[f"v_{column}"] = cipher.encrypt(plaintext, context=context)
        if hashed and column == "id_number_enc":
            # The hash is always under the version of the ciphertext beside it.
            change["v_id_number_hash"] = cipher.lookup_hash(plaintext, context=context)
    return change
