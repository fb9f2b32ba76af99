"""Reading the audit trail of an object the caller can see, and auditing what a request
disclosed."""

from __future__ import annotations

from dataclasses import dataclass, field

from partyplan.auth.permissions import Permission
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.session import Session

from . import repository


async def trail(
    session: Session,
    *,
    object_type: str,
    object_id: int,
    object_path: str,
    keyset: Keyset,
) -> Page:
    """Entries of one object, newest first. The caller resolved the object (NOT_FOUND outside
    scope) and passes its path; reading the trail needs ``audit.read`` there."""
    session.require(Permission.AUDIT_READ, object_path)
    return await repository.entries_for(session, object_type, object_id, keyset)


#: The operation of a disclosure entry: personal data shown in clear.
READ_PII = "readPii"


@dataclass
class _Disclosed:
    school_id: int | None
    unit_id: int
    # Field name -> shown only in a mutation's payload (which a failed request never sends).
    fields: dict[str, bool] = field(default_factory=dict)


class Disclosures:
    """Personal data shown in clear during one request, audited once, at the request's end.

    The request's context holds one; whatever returns an unmasked value records it
    (:meth:`record`) as it returns it: who is the request's principal, which object and which
    field(s) are recorded here, the client (the token's ``client_id``) and the time are the
    audit entry's own columns. A masked value is never recorded.

    :meth:`write` appends **one entry per object** (operation ``readPii``, ``after: {"fields":
    [...]}``) on the object's own unit and school chain, **in one statement** for the whole
    request. Per object rather than one per chain listing the objects, because then the entries
    are found where every other change of the object is: ``auditTrail(objectId: <recruit>)``
    through the log's (object_type, object_id) index, and seen by exactly those who see the
    object's unit (row-level security admits an entry with its unit), a commission's
    administrators included, another school never (one entry per chain would need a unit the
    reader reaches to hang it on, and a reader with roles at two branches reaches no common
    one). One statement keeps a page of recruits at one round trip (about 50 µs per entry:
    10 ms for a page of 200); the entries are sorted by school so that concurrent requests
    take the chains' head locks in one order.

    A value returned is disclosed whether or not the rest of the request succeeds: a query's
    response carries the data of its fields that succeeded beside the errors (wherever a
    nullable field failed; we do not rely on where the schema allows nulls). So the owner of
    the request writes these entries in its transaction when it commits, and in a transaction
    of its own when it rolls back (``server/request.py``). The one exception is a value shown
    in a mutation's payload (``with_writes``): a failed mutation document is answered as
    rolled back, every payload emptied (``schema/all_or_nothing.py``), so nothing of it left;
    :meth:`roll_back` forgets those, and no entry names an object that was never written.
    """

    def __init__(self) -> None:
        self._objects: dict[tuple[str, int], _Disclosed] = {}

    def record(
        self,
        *,
        object_type: str,
        object_id: int,
        unit_id: int,
        school_id: int | None,
        name: str,
        with_writes: bool = False,
    ) -> None:
        """``name`` (the API's field name) of the object was returned in clear; ``with_writes``
        when it was returned in a mutation's payload."""
        key = (object_type, object_id)
        disclosed = self._objects.get(key)
        if disclosed is None:
            disclosed = self._objects[key] = _Disclosed(school_id, unit_id)
        disclosed.fields[name] = disclosed.fields.get(name, True) and with_writes

    def roll_back(self) -> None:
        """The request failed: forget what only its mutations' payloads showed (never sent)."""
        for key, disclosed in list(self._objects.items()):
            disclosed.fields = {n: w for n, w in disclosed.fields.items() if not w}
            if not disclosed.fields:
                del self._objects[key]

    def __bool__(self) -> bool:
        return bool(self._objects)

    def entries(self) -> list[dict[str, object]]:
        """The audit entries to append, in chain order (school, then object)."""
        ordered = sorted(self._objects.items(), key=lambda i: (i[1].school_id or 0, i[0]))
        return [
            {
                "school_id": d.school_id,
                "unit_id": d.unit_id,
                "object_type": object_type,
                "object_id": object_id,
                "after": {"fields": sorted(d.fields)},
            }
            for (object_type, object_id), d in ordered
        ]

    async def write(self, session: Session) -> int:
        """Append the entries, as ``session``'s principal, in one statement; then forget them
        (a request writes them once). The number of entries written."""
        if not self._objects:
            return 0
        written = await repository.append_many(session, operation=READ_PII, entries=self.entries())
        self._objects.clear()
        return written
