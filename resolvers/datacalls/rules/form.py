"""The form of a data call as data, an answer checked against it, and where a call stands.
Pure: no I/O; "today" is passed in (the roll-up is ``tally``'s).

**The form** is a list of fields, stored as JSON (``data_calls.form``) exactly as
:func:`check_form` returns it. Each field has a ``key`` (an ASCII identifier, the answers'
key), a Chinese ``label``, a ``kind`` and ``required``; its validation by kind:

* ``number``: ``min``/``max`` (optional, within ±:data:`NUMBER_LIMIT`) and ``decimals`` (0–2,
  the places an answer may carry; 0: whole numbers);
* ``text``: ``max_length`` (1–2000, default 500);
* ``choice``: ``options``, 2–50 distinct labels; an answer is one of them;
* ``date``: ``earliest``/``latest`` (optional), a calendar date.

**An answer** is an object keyed by the form's keys; every refusal names ``answers.<key>``.
Numbers are JSON numbers (never a string, a boolean, NaN or an infinity) within the field's
range and ±:data:`NUMBER_LIMIT`; text is stored as written, refused if it holds what no text
may (NUL, lone surrogates, control or bidi characters).

**Standing.** A call is *open* until its due date (Beijing time) has passed, then *past due*,
or *closed* once its issuer closed it. A unit answers once and revises while the call is open;
past due, a unit that never answered may still answer (late: the overdue warning asks it to),
but no answer is revised; a closed call takes nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from partyplan.resolvers.errors import DomainError, ValidationErrors
from partyplan.resolvers.text import clean_text, unsafe

from ..errors import DataCallError, DataCallErrorCode

__all__ = [
    "FIELD_KINDS",
    "NUMBER_LIMIT",
    "Standing",
    "check_answers",
    "check_form",
    "standing",
]

FIELD_KINDS = ("number", "text", "choice", "date")
KIND_LABELS = {"number": "数值", "text": "文本", "choice": "单选", "date": "日期"}
#: The largest magnitude a number (bound or answer) may have: a count or an amount of any
#: school, far below where a sum of every school's answers would lose a unit in a double.
NUMBER_LIMIT = 10**12
MAX_FIELDS = 50
MAX_OPTIONS = 50
LABEL_LIMIT = 60
TITLE_LIMIT = 100
TEXT_DEFAULT, TEXT_LIMIT = 500, 2000
MAX_DECIMALS = 2
_KEY = re.compile(r"[a-z][A-Za-z0-9_]{0,39}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _form_error(message: str, field_path: str) -> DataCallError:
    return DataCallError(DataCallErrorCode.INVALID_FORM, message, field_path)


def check_title(title: str | None) -> str:
    return clean_text(  # type: ignore[return-value]
        title,
        "title",
        required=True,
        limit=TITLE_LIMIT,
        error=DataCallError,
        code=DataCallErrorCode.INVALID_TEXT,
        label="标题",
    )


def _bound(value: Any, path: str, label: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _form_error(f"{label}应为数值", path)
    if abs(value) > NUMBER_LIMIT:
        raise _form_error(f"{label}的绝对值不能超过 {NUMBER_LIMIT:,}", path)
    return int(value) if float(value).is_integer() else float(value)


def _check_field(spec: Mapping[str, Any], at: str, seen: set[str]) -> dict[str, Any]:
    key = spec.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise _form_error(
            "字段键应以小写英文字母开头，只含英文字母、数字和下划线，不超过 40 个字符", f"{at}.key"
        )
    if key in seen:
        raise _form_error(f"字段键“{key}”重复", f"{at}.key")
    seen.add(key)
    label = clean_text(
        spec.get("label"),
        f"{at}.label",
        required=True,
        limit=LABEL_LIMIT,
        error=DataCallError,
        code=DataCallErrorCode.INVALID_FORM,
        label="字段名称",
    )
    kind = spec.get("kind")
    if kind not in FIELD_KINDS:
        raise _form_error("字段类型应为数值、文本、单选或日期之一", f"{at}.kind")
    checked: dict[str, Any] = {
        "key": key,
        "label": label,
        "kind": kind,
        "required": bool(spec.get("required", True)),
    }
    if kind == "number":
        low = _bound(spec.get("min"), f"{at}.min", "最小值")
        high = _bound(spec.get("max"), f"{at}.max", "最大值")
        if low is not None and high is not None and low > high:
            raise _form_error("最小值不能大于最大值", f"{at}.max")
        decimals = spec.get("decimals", 0)
        if isinstance(decimals, bool) or not isinstance(decimals, int):
            raise _form_error(f"小数位数应为 0 至 {MAX_DECIMALS} 的整数", f"{at}.decimals")
        if not 0 <= decimals <= MAX_DECIMALS:
            raise _form_error(f"小数位数应为 0 至 {MAX_DECIMALS} 的整数", f"{at}.decimals")
        checked |= {"min": low, "max": high, "decimals": decimals}
    elif kind == "text":
        limit = spec.get("max_length")
        limit = TEXT_DEFAULT if limit is None else limit
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= TEXT_LIMIT:
            raise _form_error(f"最大长度应为 1 至 {TEXT_LIMIT} 的整数", f"{at}.maxLength")
        checked["max_length"] = limit
    elif kind == "choice":
        checked["options"] = _options(spec.get("options"), f"{at}.options")
    else:
        earliest = _form_date(spec.get("earliest"), f"{at}.earliest")
        latest = _form_date(spec.get("latest"), f"{at}.latest")
        if earliest and latest and earliest > latest:
            raise _form_error("最早日期不能晚于最晚日期", f"{at}.latest")
        checked |= {
            "earliest": earliest and earliest.isoformat(),
            "latest": latest and latest.isoformat(),
        }
    return checked


def _options(options: Any, at: str) -> list[str]:
    if not isinstance(options, list | tuple) or not 2 <= len(options) <= MAX_OPTIONS:
        raise _form_error(f"单选字段应列出 2 至 {MAX_OPTIONS} 个选项", at)
    cleaned: list[str] = []
    for index, option in enumerate(options):
        text = clean_text(
            option if isinstance(option, str) else None,
            f"{at}.{index}",
            required=True,
            limit=LABEL_LIMIT,
            error=DataCallError,
            code=DataCallErrorCode.INVALID_FORM,
            label="选项",
        )
        if text in cleaned:
            raise _form_error(f"选项“{text}”重复", f"{at}.{index}")
        cleaned.append(text)  # type: ignore[arg-type]
    return cleaned


def _form_date(value: Any, at: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    raise _form_error("日期无效", at)


def check_form(fields: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The form as stored, each field checked (``fields.N.<name>`` names the one at fault)."""
    if not 1 <= len(fields) <= MAX_FIELDS:
        raise _form_error(f"表单应有 1 至 {MAX_FIELDS} 个字段", "fields")
    seen: set[str] = set()
    return [_check_field(spec, f"fields.{i}", seen) for i, spec in enumerate(fields)]


def check_due(due_on: date, today: date) -> date:
    if due_on < today:
        raise DataCallError(
            DataCallErrorCode.INVALID_DUE_DATE, f"截止日期不能早于今天（{today}）", "dueOn"
        )
    return due_on


# --- answers -----------------------------------------------------------------------------------


def _answer_error(code: DataCallErrorCode, message: str, key: str) -> DataCallError:
    return DataCallError(code, message, f"answers.{key}")


def _number(spec: Mapping[str, Any], value: Any) -> int | float:
    label, key = spec["label"], spec["key"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _answer_error(DataCallErrorCode.INVALID_ANSWER, f"{label}应为数值", key)
    if isinstance(value, float) and not math.isfinite(value):
        raise _answer_error(DataCallErrorCode.INVALID_ANSWER, f"{label}应为有限的数值", key)
    if abs(value) > NUMBER_LIMIT:
        raise _answer_error(
            DataCallErrorCode.INVALID_ANSWER, f"{label}的绝对值不能超过 {NUMBER_LIMIT:,}", key
        )
    exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    decimals = spec.get("decimals", 0)
    if -exact.as_tuple().exponent > decimals and exact != exact.to_integral_value():  # type: ignore[operator]
        places = "整数" if decimals == 0 else f"最多 {decimals} 位小数的数值"
        raise _answer_error(DataCallErrorCode.INVALID_ANSWER, f"{label}应为{places}", key)
    low, high = spec.get("min"), spec.get("max")
    if low is not None and value < low:
        raise _answer_error(DataCallErrorCode.INVALID_ANSWER, f"{label}不能小于 {low}", key)
    if high is not None and value > high:
        raise _answer_error(DataCallErrorCode.INVALID_ANSWER, f"{label}不能大于 {high}", key)
    return int(exact) if exact == exact.to_integral_value() else float(exact)


def _text(spec: Mapping[str, Any], value: Any) -> str:
    label, key = spec["label"], spec["key"]
    if not isinstance(value, str):
        raise _answer_error(DataCallErrorCode.INVALID_ANSWER, f"{label}应为文本", key)
    problem = unsafe(value)
    if problem is not None:
        raise _answer_error(DataCallErrorCode.INVALID_ANSWER, f"{label}{problem}", key)
    text = value.strip()
    if len(text) > spec["max_length"]:
        raise _answer_error(
            DataCallErrorCode.INVALID_ANSWER, f"{label}不能超过 {spec['max_length']} 个字符", key
        )
    return text


def _choice(spec: Mapping[str, Any], value: Any) -> str:
    if not isinstance(value, str) or value not in spec["options"]:
        raise _answer_error(
            DataCallErrorCode.INVALID_ANSWER,
            f"{spec['label']}应为以下选项之一：{'、'.join(spec['options'])}",
            spec["key"],
        )
    return value


def _date(spec: Mapping[str, Any], value: Any) -> str:
    label, key = spec["label"], spec["key"]
    try:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise _answer_error(
            DataCallErrorCode.INVALID_ANSWER, f"{label}应为日期（YYYY-MM-DD）", key
        ) from None
    if spec.get("earliest") and value < spec["earliest"]:
        raise _answer_error(
            DataCallErrorCode.INVALID_ANSWER, f"{label}不能早于 {spec['earliest']}", key
        )
    if spec.get("latest") and value > spec["latest"]:
        raise _answer_error(
            DataCallErrorCode.INVALID_ANSWER, f"{label}不能晚于 {spec['latest']}", key
        )
    return day.isoformat()


_CHECKS = {"number": _number, "text": _text, "choice": _choice, "date": _date}


def check_answers(form: Sequence[Mapping[str, Any]], answers: Any) -> dict[str, Any]:
    """The answers as stored (fields left blank omitted), or every refusal at once."""
    if not isinstance(answers, dict):
        raise DataCallError(DataCallErrorCode.INVALID_ANSWER, "填报内容应为 JSON 对象", "answers")
    if len(answers) > 2 * MAX_FIELDS:  # far more keys than any form has: one refusal, not many
        raise DataCallError(
            DataCallErrorCode.UNKNOWN_FIELD, f"填报内容不能超过 {MAX_FIELDS} 个字段", "answers"
        )
    specs = {spec["key"]: spec for spec in form}
    errors: list[DomainError] = []
    for key in answers:
        if key not in specs:
            # A key that is no identifier is not echoed into the error's path.
            shown = key if isinstance(key, str) and _KEY.fullmatch(key) else None
            errors.append(
                DataCallError(
                    DataCallErrorCode.UNKNOWN_FIELD,
                    "表单中没有该字段" if shown is None else f"表单中没有字段“{shown}”",
                    "answers" if shown is None else f"answers.{shown}",
                )
            )
    checked: dict[str, Any] = {}
    for key, spec in specs.items():
        value = answers.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec["required"]:
                errors.append(
                    _answer_error(DataCallErrorCode.MISSING_ANSWER, f"{spec['label']}为必填项", key)
                )
            continue
        try:
            checked[key] = _CHECKS[spec["kind"]](spec, value)
        except DataCallError as error:
            errors.append(error)
    if errors:
        raise ValidationErrors(errors)
    return checked


# --- standing ----------------------------------------------------------------------------------


class Standing(StrEnum):
    OPEN = "open"
    PAST_DUE = "past_due"
    CLOSED = "closed"


def standing(due_on: date, closed: bool, today: date) -> Standing:
    if closed:
        return Standing.CLOSED
    return Standing.OPEN if today <= due_on else Standing.PAST_DUE


def check_answerable(state: Standing, answered_before: bool, due_on: date) -> None:
    """A closed call takes no answer; past due, only a first (late) one."""
    if state is Standing.CLOSED:
        raise DataCallError(
            DataCallErrorCode.CALL_CLOSED, "该数据征集已关闭，不再接受填报", "dataCallId"
        )
    if state is Standing.PAST_DUE and answered_before:
        raise DataCallError(
            DataCallErrorCode.DUE_DATE_PASSED,
            f"已过截止日期（{due_on}），不能再修改已填报的内容",
            "dataCallId",
        )
