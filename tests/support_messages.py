"""What a message a person reads must be: Chinese. Codes and fields are the machine contract;
the message is for the person at the screen, so it is written in Chinese, keeping only the
names a person types as they are (mutation names, codes such as ALL_OR_NONE, YYYY-MM-DD)."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Two English words in a row: what an untranslated message reads like (a mutation's name, a code
# or a value quoted in a Chinese message is one token). The same test as tests/schema's.
_ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,:;]+[A-Za-z]{2,}")


def assert_chinese(message: str | None) -> None:
    """``message`` is written in Chinese: it holds CJK and no English phrase."""
    assert message is not None and _CJK.search(message), message
    assert not _ENGLISH.search(message), message
