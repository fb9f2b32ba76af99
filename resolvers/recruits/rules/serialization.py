"""Rule overlays as JSON, so the commission can edit them as data (stored by the service).

:func:`overlay_to_json` turns an :class:`~.overlays.Overlay` into plain dicts, lists, strings and
integers; :func:`overlay_from_json` reads it back strictly: an unknown key, check type, step code
or severity, a wrong type, a negative integer, an empty string, a date that is not
``YYYY-MM-DD`` or a duplicate rule id raises :class:`OverlayFormatError` with the path of the
offending value (``rules/2/check/period/months``). The document carries ``"format": 1``; a
change of its shape is a new format number, read alongside the old one.

The codec is derived from the dataclasses' fields and type hints (nested :class:`Period`,
:class:`Tier`, tuples, enums, dates), not written per class. Checks are tagged by a stable
``"type"`` name from the explicit allow-list :data:`CHECK_TYPES`, rules by ``"kind"``. Fields
named ``step``/``steps`` hold step codes; ``after``/``anchor`` a step code or a derived anchor
(``table.ANCHORS``: ``"probation_end"`` …).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import MISSING, fields, is_dataclass
from datetime import date
from enum import Enum
from functools import cache
from types import MappingProxyType, NoneType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from .overlays import Overlay
from .steps import STEP_BY_CODE
from .table import (
    ANCHORS,
    Advisory,
    AnyMinimum,
    Check,
    DataShape,
    InOrder,
    IntRange,
    LeavesWithin,
    Majority,
    MaxInterval,
    MaxOccurrences,
    MemberCount,
    MinAge,
    MinInterval,
    NotBeforeProbationEnd,
    NotBeforeStep,
    Period,
    Precondition,
    Publicity,
    Quorum,
    RecordedValue,
    Rule,
    Tier,
    TimeLimit,
    VoteCounts,
)

__all__ = [
    "CHECK_TYPES",
    "FORMAT",
    "RULE_KINDS",
    "OverlayFormatError",
    "overlay_from_json",
    "overlay_schema_doc",
    "overlay_to_json",
]

FORMAT = 1

#: The check types an overlay may use, by their stable JSON name (never rename one: stored
#: overlays refer to it).
CHECK_TYPES: Mapping[str, type] = MappingProxyType(
    {
        "data_shape": DataShape,
        "in_order": InOrder,
        "max_occurrences": MaxOccurrences,
        "min_age": MinAge,
        "min_interval": MinInterval,
        "max_interval": MaxInterval,
        "member_count": MemberCount,
        "any_minimum": AnyMinimum,
        "vote_counts": VoteCounts,
        "quorum": Quorum,
        "majority": Majority,
        "recorded_value": RecordedValue,
        "int_range": IntRange,
        "not_before_probation_end": NotBeforeProbationEnd,
        "publicity": Publicity,
        "not_before_step": NotBeforeStep,
        "leaves_within": LeavesWithin,
    }
)
RULE_KINDS: Mapping[str, type] = MappingProxyType(
    {"precondition": Precondition, "time_limit": TimeLimit, "advisory": Advisory}
)
_TAGS: Mapping[type, tuple[str, str]] = MappingProxyType(
    {
        **{cls: ("type", name) for name, cls in CHECK_TYPES.items()},
        **{cls: ("kind", name) for name, cls in RULE_KINDS.items()},
    }
)
_PLAIN = (Overlay, Period, Tier)  # dataclasses encoded without a tag
_STEP_FIELDS = frozenset({"step", "steps"})
_ANCHOR_FIELDS = frozenset({"after", "anchor"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MISSING = "缺少此项"


class OverlayFormatError(ValueError):
    """A stored overlay is malformed; ``path`` locates the value (``""``: the document)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path or '整个文档'}：{reason}")


# --- encoding --------------------------------------------------------------------------------


def overlay_to_json(overlay: Overlay) -> dict[str, Any]:
    """The overlay as a JSON-ready dict (``json.dumps`` takes it as is)."""
    return {"format": FORMAT, **_encode(overlay)}


def _encode(value: Any) -> Any:
    if is_dataclass(value):
        if type(value) not in _TAGS and not isinstance(value, _PLAIN):
            raise TypeError(f"{type(value).__name__} has no JSON type (add it to CHECK_TYPES)")
        tag = dict([_TAGS[type(value)]]) if type(value) in _TAGS else {}
        return tag | {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int):  # bool is an int
        return value
    raise TypeError(f"cannot encode {value!r}")


# --- decoding --------------------------------------------------------------------------------


def overlay_from_json(data: Mapping[str, Any]) -> Overlay:
    """Read an overlay written by :func:`overlay_to_json` (or by hand), refusing anything else."""
    if not isinstance(data, Mapping):
        raise OverlayFormatError("", f"应为对象，实为{_kind(data)}")
    if "format" not in data:
        raise OverlayFormatError("format", _MISSING)
    if type(data["format"]) is not int or data["format"] != FORMAT:
        raise OverlayFormatError("format", f"不支持格式 {data['format']!r}，应为 {FORMAT}")
    return _dataclass(Overlay, {k: v for k, v in data.items() if k != "format"}, "")


def _at(path: str, key: object) -> str:
    return f"{path}/{key}" if path else str(key)


def _kind(value: object) -> str:
    names = {dict: "对象", list: "列表", str: "字符串", bool: "布尔值", int: "整数", float: "小数"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _dataclass(cls: type, value: Any, path: str) -> Any:
    if not isinstance(value, Mapping):
        raise OverlayFormatError(path, f"应为对象，实为{_kind(value)}")
    known = {f.name for f in fields(cls)}
    for key in value:
        if key not in known:
            raise OverlayFormatError(_at(path, key), "未知的键")
    kwargs = {}
    for f in fields(cls):
        if f.name in value:
            kwargs[f.name] = _decode(_hints(cls)[f.name], value[f.name], _at(path, f.name), f.name)
        elif f.default is MISSING and f.default_factory is MISSING:
            raise OverlayFormatError(_at(path, f.name), _MISSING)
    try:
        return cls(**kwargs)
    except ValueError as error:  # the dataclass's own invariants (e.g. a time limit's tiers)
        raise OverlayFormatError(path, str(error)) from None


def _tagged(value: Any, path: str, key: str, registry: Mapping[str, type], what: str) -> Any:
    if not isinstance(value, Mapping):
        raise OverlayFormatError(path, f"应为对象，实为{_kind(value)}")
    if key not in value:
        raise OverlayFormatError(_at(path, key), _MISSING)
    tag = value[key]
    if not isinstance(tag, str) or tag not in registry:
        raise OverlayFormatError(_at(path, key), f"未知的{what} {tag!r}")
    return _dataclass(registry[tag], {k: v for k, v in value.items() if k != key}, path)


def _decode(hint: Any, value: Any, path: str, name: str) -> Any:
    if hint == Check:
        return _tagged(value, path, "type", CHECK_TYPES, "检查类型")
    if hint == Rule:
        return _tagged(value, path, "kind", RULE_KINDS, "规则种类")
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, UnionType):  # X | None
        if value is None and NoneType in args:
            return None
        (inner,) = (a for a in args if a is not NoneType)
        return _decode(inner, value, path, name)
    if origin is tuple:
        if not isinstance(value, list):
            raise OverlayFormatError(path, f"应为列表，实为{_kind(value)}")
        if len(args) == 2 and args[1] is Ellipsis:
            items = tuple(_decode(args[0], v, _at(path, i), name) for i, v in enumerate(value))
            if args[0] == Rule:
                _unique_ids(items, path)
            return items
        if len(value) != len(args):
            raise OverlayFormatError(path, f"应有 {len(args)} 项，实有 {len(value)} 项")
        pairs = enumerate(zip(args, value, strict=True))
        return tuple(_decode(a, v, _at(path, i), name) for i, (a, v) in pairs)
    if is_dataclass(hint):
        return _dataclass(hint, value, path)
    if isinstance(hint, type) and issubclass(hint, Enum):
        allowed = [m.value for m in hint]
        if not isinstance(value, str) or value not in allowed:
            raise OverlayFormatError(path, f"{name} 的取值 {value!r} 未知，应为 {allowed} 之一")
        return hint(value)
    if hint is date:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise OverlayFormatError(path, f"应为 YYYY-MM-DD 格式的日期，实为 {value!r}")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise OverlayFormatError(path, f"日期 {value!r} 不存在") from None
    if hint is bool:
        if type(value) is not bool:
            raise OverlayFormatError(path, f"应为布尔值，实为{_kind(value)}")
        return value
    if hint is int:
        if type(value) is not int or value < 0:
            raise OverlayFormatError(path, f"应为不小于 0 的整数，实为 {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str) or not value:
            raise OverlayFormatError(path, f"应为非空字符串，实为{_kind(value)}")
        anchor = name in _ANCHOR_FIELDS and value in ANCHORS
        if name in _STEP_FIELDS | _ANCHOR_FIELDS and not anchor and value not in STEP_BY_CODE:
            raise OverlayFormatError(path, f"未知的步骤代码 {value!r}")
        return value
    raise TypeError(f"no JSON codec for {hint!r}")  # a new field type: teach this module


def _unique_ids(rules: tuple[Rule, ...], path: str) -> None:
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.id in seen:
            raise OverlayFormatError(_at(path, f"{i}/id"), f"规则标识 {rule.id!r} 重复")
        seen.add(rule.id)


# --- documentation ---------------------------------------------------------------------------


def _describe(hint: Any, name: str) -> str:
    if hint == Check:
        return "check"
    if hint == Rule:
        return "rule"
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, UnionType):
        return " | ".join("null" if a is NoneType else _describe(a, name) for a in args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"[{_describe(args[0], name)}, ...]"
        return "[" + ", ".join(_describe(a, name) for a in args) + "]"
    if is_dataclass(hint):
        return hint.__name__.lower()
    if isinstance(hint, type) and issubclass(hint, Enum):
        return " | ".join(f'"{m.value}"' for m in hint)
    if hint is date:
        return '"YYYY-MM-DD"'
    names = {bool: "bool", int: "int", str: "anchor" if name in _ANCHOR_FIELDS else "str"}
    return "step" if name in _STEP_FIELDS else names[hint]


def _shape(cls: type, tag: str = "") -> str:
    parts = [tag] if tag else []
    for f in fields(cls):
        optional = "?" if f.default is not MISSING else ""
        parts.append(f"{f.name}{optional}: {_describe(_hints(cls)[f.name], f.name)}")
    return "{" + ", ".join(parts) + "}"


def overlay_schema_doc() -> str:
    """A short description of the format, for the API docs."""
    lines = [
        f"Rule overlay JSON, format {FORMAT}. Unknown keys are refused; key? is optional; int is",
        ">= 0; strings are non-empty; step is a step code; anchor is a step code or one of "
        + ", ".join(f'"{a}"' for a in ANCHORS)
        + ".",
        "overlay: " + _shape(Overlay, f"format: {FORMAT}"),
        *("rule: " + _shape(cls, f'kind: "{kind}"') for kind, cls in RULE_KINDS.items()),
        "tier: " + _shape(Tier) + " (ascending; the first is the normal deadline)",
        "period: " + _shape(Period) + " (months, then days, then working days)",
        "check, one of:",
        *("  " + _shape(cls, f'type: "{name}"') for name, cls in CHECK_TYPES.items()),
    ]
    return "\n".join(lines)
