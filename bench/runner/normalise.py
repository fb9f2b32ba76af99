"""Whole GraphQL responses in one canonical form, so that two servers' answers to the same
data compare field by field (the agreement check, agreement.py).

The normalisation, applied recursively to the parsed JSON (nothing else is forgiven):

- **Key order** does not matter (dicts compare as dicts). **Key names** are folded to lower
  case without underscores (``openFindings``, ``open_findings`` → ``openfindings``;
  ``youth35`` = ``youth_35``), then renamed by the caller's ``renames`` (PostGraphile 5's
  ``rowId`` is the row's id: ``{"rowid": "id"}``).
- **Connections**: ``{"edges": [{"node": x}, …]}`` and ``{"nodes": [x, …]}`` are both the list
  of ``x``; ``pageInfo`` stays a field of the connection (a connection with ``pageInfo`` keeps
  its list under ``items``). ``__typename`` is dropped.
- **Ids**: under a key that is an id (``id`` or ending in ``id``), a global id
  (base64 of ``Type:123``), a decimal string (PostGraphile's ``BigInt``) or an int are the
  int ``123``.
- **Enums**: a string made of capitals, digits and underscores (``OPEN``, ``DEVELOPMENT_TARGET``)
  is its lower case (the database's value). Chinese text and mixed case are left alone.
- **Dates**: an ISO date stays ``YYYY-MM-DD``; a timestamp (``T`` or space, any offset, ``Z``)
  becomes UTC ISO with ``Z`` and microseconds only when non-zero.
- **Numbers**: floats are rounded to 6 decimals (a ratio computed in Python vs PostgreSQL).
- **Flattening**: keys named in ``flatten`` (an object of figures such as ``structure``) merge
  their fields into the parent, for a server that answers them flat. Keys named in
  ``prefixed`` merge theirs under a prefix: ``{"unitByUnitId": "unit"}`` makes PostGraphile's
  ``unitByUnitId { name }`` the parent's ``unitname``, as our ``unitName``.

``differences`` lists where two normalised values differ, by JSON path; empty means they agree.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_ENUM = re.compile(r"^[A-Z][A-Z0-9_]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")
_GLOBAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*:(-?\d+)$")
FLOAT_PLACES = 6


def fold(key: str) -> str:
    """A key's canonical name: lower case without underscores."""
    return key.replace("_", "").lower()


def _is_id_key(key: str) -> bool:
    return key == "id" or key.endswith("id")


def raw_id(value: Any) -> Any:
    """A global id, a decimal string or an int as the int row id; anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return value
    if isinstance(value, int):
        return value
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return value
    found = _GLOBAL.match(decoded)
    return int(found.group(1)) if found else value


def scalar(value: Any) -> Any:
    """Enums, timestamps and floats in their canonical form."""
    if isinstance(value, float):
        return round(value, FLOAT_PLACES)
    if not isinstance(value, str):
        return value
    if _ENUM.match(value):
        return value.lower()
    if _DATE.match(value):
        return value
    if _STAMP.match(value):
        text = value.replace(" ", "T").replace("Z", "+00:00")
        if re.search(r"[+-]\d{2}$", text):
            text += ":00"
        stamp = datetime.fromisoformat(text)
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(UTC).replace(tzinfo=None)
        return stamp.isoformat(timespec="microseconds" if stamp.microsecond else "seconds") + "Z"
    return value


def normalise(
    value: Any,
    *,
    renames: Mapping[str, str] | None = None,
    flatten: Iterable[str] = (),
    prefixed: Mapping[str, str] | None = None,
    drop: Iterable[str] = (),
) -> Any:
    """``value`` (parsed JSON) in canonical form; see the module's docstring. ``drop`` names
    (folded) keys to leave out, for fields documented as answered by one side only."""
    rules = _Rules(
        renames={fold(k): fold(v) for k, v in (renames or {}).items()},
        flat={fold(k) for k in flatten},
        prefixed={fold(k): fold(v) for k, v in (prefixed or {}).items()},
        drop={fold(k) for k in drop} | {"typename"},
    )
    return _walk(value, rules, key="")


@dataclass(frozen=True)
class _Rules:
    renames: dict[str, str]
    flat: set[str]
    prefixed: dict[str, str]
    drop: set[str]


def _walk(value: Any, rules: _Rules, key: str) -> Any:
    if isinstance(value, list):
        return [_walk(v, rules, key) for v in value]
    if isinstance(value, dict):
        return _object(value, rules)
    if _is_id_key(key):
        return raw_id(value)
    return scalar(value)


def _object(value: dict[str, Any], rules: _Rules) -> Any:
    out: dict[str, Any] = {}
    for name, item in value.items():
        key = fold(name)
        key = rules.renames.get(key, key)
        if key in rules.drop:
            continue
        if (key in rules.flat or key in rules.prefixed) and isinstance(item, dict):
            prefix = rules.prefixed.get(key, "")
            for inner, v in _object(item, rules).items():
                _put(out, prefix + inner, v)
            continue
        _put(out, key, _walk(item, rules, key))
    # A connection is its list of nodes (pageInfo kept beside it).
    items = out.pop("edges", None)
    if items is not None:
        items = [e["node"] if isinstance(e, dict) and "node" in e else e for e in items]
    else:
        items = out.pop("nodes", None)
    if items is None:
        return out
    if not out:
        return items
    out["items"] = items
    return out


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if key in out and out[key] != value:
        raise ValueError(f"two fields fold to {key!r} with different values")
    out[key] = value


def differences(a: Any, b: Any, limit: int = 5, path: str = "$") -> list[str]:
    """Where the normalised ``a`` and ``b`` differ, as ``path: a vs b`` (at most ``limit``)."""
    found: list[str] = []
    _diff(a, b, path, found, limit)
    return found


def _diff(a: Any, b: Any, path: str, found: list[str], limit: int) -> None:
    if len(found) >= limit or a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            if key not in a or key not in b:
                side = "only in the first" if key in a else "only in the second"
                found.append(f"{path}.{key}: {side}")
            else:
                _diff(a[key], b[key], f"{path}.{key}", found, limit)
            if len(found) >= limit:
                return
        return
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            found.append(f"{path}: {len(a)} items vs {len(b)}")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _diff(x, y, f"{path}[{i}]", found, limit)
            if len(found) >= limit:
                return
        return
    found.append(f"{path}: {a!r} vs {b!r}")


class Disagreement(RuntimeError):
    """Two servers answered the same question with different data: the run stops."""
