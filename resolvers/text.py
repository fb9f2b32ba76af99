"""Free text as users type it: whitespace runs collapsed, optionally required, bounded, and
storable: PostgreSQL's text holds no NUL, and a lone surrogate is no UTF-8 at all, so either is
refused as the field's typed error, never left to fail in the database. Nor is text stored that
would show other than it reads: control characters (an ANSI escape rewrites the terminal of
whoever reads a log or an export) and bidi embeddings, overrides and isolates (U+202A–U+202E,
U+2066–U+2069: the text after one displays reordered, as in Trojan Source) are refused too.

Every free-text input goes through :func:`clean_text` (or, for text kept as written, such as a
step's datum, :func:`unsafe`); ``tests/security/test_fuzz.py`` sends each hostile character to
every field of the schema and scans every stored column for them.

Shared by every domain; each passes its own error type and codes so the payload error stays
typed (e.g. ``REASON_REQUIRED`` for a missing reason, ``INVALID_TEXT`` for one too long).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from .errors import DomainError


def squeeze(value: str | None) -> str:
    return " ".join((value or "").split())


def clean_text(
    value: str | None,
    field: str,
    *,
    required: bool,
    limit: int,
    error: type[DomainError],
    code: StrEnum,
    missing_code: StrEnum | None = None,
    label: str | None = None,
) -> str | None:
    """``value`` squeezed, or the field's typed error. Its message names the field by
    ``label``, as a person calls it (理由, 备注); ``field`` (the input path) when none is given."""
    cleaned = squeeze(value)
    name = label or field
    if not cleaned:
        if required:
            raise error(missing_code or code, f"{name}为必填项", field)
        return None
    if len(cleaned) > limit:
        raise error(code, f"{name}不能超过 {limit} 个字符", field)
    problem = unsafe(cleaned)
    if problem is not None:
        raise error(code, f"{name}{problem}", field)
    return cleaned


def storable(text: str) -> bool:
    """No NUL and no lone surrogate (what PostgreSQL's UTF-8 text cannot hold)."""
    return "\0" not in text and not any("\ud800" <= c <= "\udfff" for c in text)


#: Bidi embeddings and overrides (LRE RLE PDF LRO RLO) and isolates (LRI RLI FSI PDI).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
UNSTORABLE = "含有无法保存的字符"
INVISIBLE = "含有不可见的控制字符"


def unsafe(text: str) -> str | None:
    """What is wrong with ``text`` as free text (to follow the field's name in a message), or
    None: NUL or a lone surrogate (:data:`UNSTORABLE`), another control character but tab and
    line breaks (C0, DEL, C1) or a bidi control (:data:`INVISIBLE`)."""
    if not storable(text):
        return UNSTORABLE
    if any(_invisible(c) for c in text):
        return INVISIBLE
    return None


def _invisible(character: str) -> bool:
    if character in "\t\n\r":
        return False
    return unicodedata.category(character) == "Cc" or character in BIDI_CONTROLS


# --- a person's name ----------------------------------------------------------------------------

NAME_MAX_LENGTH = 50
_NAME_SEPARATOR = "·"  # U+00B7, the separator of transliterated names on ID cards
# Look-alikes that input methods produce instead of U+00B7 (bullet, hyphenation point, katakana
# and half-width middle dots, dot operators, full stops).
_NAME_SEPARATOR_LOOKALIKES = str.maketrans(dict.fromkeys("•‧・･∙⋅．.", _NAME_SEPARATOR))
_SPACES_AROUND_SEPARATOR = re.compile(rf" ?{_NAME_SEPARATOR} ?")


def _is_name_character(character: str) -> bool:
    if character in (_NAME_SEPARATOR, " "):
        return True
    category = unicodedata.category(character)
    # Letters of any script and combining marks (minority scripts); private-use code points
    # because household registration encodes some rare characters there (造字).
    return category[0] in "LM" or category == "Co"


def person_name(value: str, field: str, *, error: type[DomainError], code: StrEnum) -> str:
    """A person's name, normalised: 1–50 characters after whitespace normalisation (a recruit's,
    a roster member's: the same rule wherever a person is named).

    Whitespace runs collapse to one space and are trimmed; the separator of transliterated
    minority names (e.g. 阿依古丽·买买提) is normalised to U+00B7 with no spaces around it, and
    may not lead, trail or repeat. Digits and other punctuation are refused.

    >>> person_name(" 阿依古丽 • 买买提 ", "name", error=DomainError, code=StrEnum("C", "X").X)
    '阿依古丽·买买提'
    """
    name = " ".join(unicodedata.normalize("NFC", value).split())
    name = name.translate(_NAME_SEPARATOR_LOOKALIKES)
    name = _SPACES_AROUND_SEPARATOR.sub(_NAME_SEPARATOR, name)
    if not name:
        raise error(code, "姓名为必填项", field)
    if len(name) > NAME_MAX_LENGTH:
        raise error(code, f"姓名不能超过 {NAME_MAX_LENGTH} 个字符", field)
    if not all(_is_name_character(c) for c in name):
        raise error(code, "姓名只能包含文字、空格和间隔号“·”", field)
    if name[0] == _NAME_SEPARATOR or name[-1] == _NAME_SEPARATOR or "··" in name:
        raise error(code, "间隔号“·”只能用在姓名的两部分之间", field)
    return name
