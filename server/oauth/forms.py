"""Reading parameters: the query string of the authorization endpoint and the urlencoded
bodies of the token endpoints and the pages.

Bodies are parsed here rather than by Starlette's form parser: only
``application/x-www-form-urlencoded`` is taken (no multipart, no file uploads), the body must
be ASCII as that format requires, percent-escapes must decode to valid UTF-8 (so no lone
surrogate can appear), and the number of fields is bounded. Anything else is None, which the
callers answer with a 400.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from partyplan.resolvers.oauth import rules

MAX_FIELDS = 32
#: The longest authorization query we carry through the sign-in pages.
MAX_QUERY = 8192
FORM = "application/x-www-form-urlencoded"

Pairs = list[tuple[str, str]]


def parse(text: str) -> Pairs | None:
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return None


async def read_form(request: Request) -> Pairs | None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM:
        return None
    body = await request.body()
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        return None
    return parse(text)


def protocol_parameters(pairs: Pairs | None, *, unique: bool) -> Pairs | None:
    """OAuth2 parameters: every value printable ASCII (RFC 6749 appendix A) and, with
    ``unique``, no name twice (section 3.2: "MUST NOT be included more than once")."""
    if pairs is None:
        return None
    if not all(rules.is_vschar(name) and rules.is_vschar(value) for name, value in pairs):
        return None
    if unique and len({name for name, _ in pairs}) != len(pairs):
        return None
    return pairs


def raw_query(request: Request) -> str | None:
    """The request's query string as sent, if ASCII (``request.url`` would raise on other
    bytes, which an HTTP server may pass through)."""
    try:
        return request.scope.get("query_string", b"").decode("ascii")
    except UnicodeDecodeError:
        return None


def carried_query(value: str | None) -> str | None:
    """The authorization query a page carries in its hidden field, as it came (printable
    ASCII, bounded), or None."""
    if value is None or len(value) > MAX_QUERY or not value.isascii() or not value.isprintable():
        return None
    return value


def field(pairs: Pairs, name: str) -> str | None:
    for key, value in pairs:
        if key == name:
            return value
    return None


def is_text(value: str | None, longest: int) -> bool:
    """A form field a person typed: present, bounded, no NUL or other control character
    (PostgreSQL text refuses NUL; none belongs in a username or password) and no lone
    surrogate (it cannot be encoded for hashing)."""
    return (
        value is not None
        and len(value) <= longest
        and all(c >= " " and c != "\x7f" and not "\ud800" <= c <= "\udfff" for c in value)
    )
