"""A sync request: a job's batch of records for one school, under an idempotency key.

Order of a request, and why:

1. The key and the shape (how many records, how deep their data nest) are checked, then the
   school: ``sync.exchange`` there (NOT_FOUND outside the caller's scope, FORBIDDEN inside
   without it).
2. Nothing may be held yet (SYNC_FIRST): a request that has already written or locked something
   and then waited for the school's lock could wait on a transaction waiting on it.
3. **The school's lock**, a transaction-scoped advisory lock: every sync of the school, whatever
   its key, takes it before reading anything, and holds it until its transaction ends. Two jobs
   syncing one school run one after the other, the second seeing all the first committed (the
   request runs at READ COMMITTED: each statement reads what is committed when it starts), so
   neither loses the other's updates, and a person both batches create is created once and
   found by the second. Row locks in a fixed order could not do this: a record to create has no
   row to lock yet. One lock, always taken first and only by a request holding nothing else
   (2.), cannot close a cycle: no deadlock.
4. **The key**, in the namespace (the token's client id — "" for a token without a client, an
   operator's —, the school). Under the school's lock no other request of this school can be
   writing a key, so the lookup is final: a stored answer with the same body's hash is returned
   as it was (``replayed``) and nothing is written; with another hash the request is refused
   (IDEMPOTENCY_CONFLICT). A request with the same key sent while the first still runs waits
   for the school's lock, then finds the first's answer and replays it.
5. The records, each in a savepoint (a refused one leaves nothing behind), all inside one
   savepoint for the batch. ALL_OR_NONE with a refused record rolls the batch back: nothing
   written, nothing stored (a retry runs again), every result reported. Otherwise the answer is
   stored with the body's hash in the same transaction as the writes, so a retry finds it
   exactly when the writes stand.
"""

from __future__ import annotations

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository, rules
from ..errors import SyncError, SyncErrorCode
from ..rules import Mode, Outcome, RecordResult, SyncAnswer, SyncRequest
from .records import upsert

#: The key namespace of a token without a client (an operator's ``partyplan token``).
NO_CLIENT = ""


async def sync_recruits(
    session: Session, cipher: PiiCipher, timezone: str, request: SyncRequest
) -> SyncAnswer:
    key = rules.check_key(request.key)
    rules.check_shape(request.records)
    school = await visible_unit(session, request.school_id, Permission.SYNC_EXCHANGE, "schoolId")
    if school.kind != "school":
        raise SyncError(
            SyncErrorCode.NOT_A_SCHOOL, "同步以学校为单位：所选单位不是学校党委", "schoolId"
        )
    if await repository.holds_locks(session):
        raise SyncError(
            SyncErrorCode.SYNC_FIRST,
            "syncRecruits 须在请求中最先执行，在写入任何数据之前（最好单独发送）",
        )
    await repository.lock_school(session, school.id)
    client_id = session.principal.client_id or NO_CLIENT
    body_hash = rules.body_hash(request.mode, request.records)
    stored = await repository.stored_answer(session, client_id, school.id, key)
    if stored is not None:
        if bytes(stored.body_hash) != body_hash:
            raise SyncError(
                SyncErrorCode.IDEMPOTENCY_CONFLICT,
                "该幂等键已用于内容不同的请求：新的批次须使用新的键",
                "idempotencyKey",
            )
        return rules.answer_from_json(stored.answer)
    batch = await session.conn.begin_nested()
    try:
        answer = await _run(session, cipher, timezone, school, request)
        if not answer.written:
            await batch.rollback()
            return answer
        await repository.store_answer(
            session,
            school,
            client_id=client_id,
            key=key,
            body_hash=body_hash,
            answer=rules.answer_to_json(answer),
        )
    except BaseException:
        await batch.rollback()
        raise
    await batch.commit()
    return answer


async def _run(
    session: Session, cipher: PiiCipher, timezone: str, school: sa.Row, request: SyncRequest
) -> SyncAnswer:
    results = []
    for index, record in enumerate(request.records):
        savepoint = await session.conn.begin_nested()
        try:
            outcome, recruit_id = await upsert(session, cipher, timezone, school, record)
        except DomainError as failure:
            await savepoint.rollback()
            results.append(rules.refused(index, failure))
            continue
        except BaseException:
            await savepoint.rollback()
            raise
        await savepoint.commit()
        results.append(RecordResult(index, outcome, recruit_id))
    refused = any(r.outcome is Outcome.REFUSED for r in results)
    if refused and request.mode is Mode.ALL_OR_NONE:
        # Nothing was written: the other records' results say what would have been done.
        results = [
            r if r.outcome is Outcome.REFUSED else RecordResult(r.index, r.outcome, None)
            for r in results
        ]
        return SyncAnswer(tuple(results), written=False)
    return SyncAnswer(tuple(results))


__all__ = ["NO_CLIENT", "sync_recruits"]
