"""Pure checks of a client's registration: no I/O.

**Redirect URIs** (OAuth 2.1, RFC 8252 for native apps): absolute, ``https``, or ``http`` only
for a loopback host (``localhost``, ``127.0.0.1``, ``[::1]``), where a native app listens on
its own machine; no fragment (the code is appended to the query), no user info (it would let
``https://trusted@evil.example`` read as trusted), at most ``URI_MAX`` characters, printable
ASCII only (percent-encode the rest): a URI is compared byte for byte at authorization time,
so nothing is normalised and look-alike characters cannot slip in. A front end needs at least
one; a service (client credentials) has none, since it is never redirected to.

**Origins** are what a browser sends in ``Origin``: exactly ``scheme://host[:port]``, https or
loopback http, no path (not even ``/``), query, fragment or user info. Case and a default port
are normalised as the browser does (``HTTPS://App.Example:443`` → ``https://app.example``), so
the stored value is the one the browser will send. A service has none: a confidential client
must never run in a browser, where its secret would be public.

**Scopes** are names of ``auth.scopes`` (one per element); **roles** (a service's, held by its
account at the client's unit) are role names, which the service checks against the roles
table and the caller's own roles. The cost budget and the request rate are positive and
bounded; an absent one takes its default.

Every list element is checked on its own and reported with its index; every failure of an
input is reported at once (``ValidationErrors``).
"""

from __future__ import annotations

import base64
import ipaddress
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from partyplan.auth import scopes
from partyplan.resolvers.errors import DomainError, ValidationErrors

from .errors import ClientError, ClientErrorCode

T = TypeVar("T")

KINDS = ("front_end", "service")
NAME_MAX = 100
URI_MAX = 2000
ORIGIN_MAX = 300
LIST_MAX = 10
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_PORTS = {"https": 443, "http": 80}

#: A query's cost is counted by the cost limiter; what one request of this client may spend.
# Admits every document the benchmarks run (Q3, the costliest, is ~61k: README, "Limits").
DEFAULT_COST_BUDGET = 100_000
MAX_COST_BUDGET = 1_000_000
DEFAULT_REQUESTS_PER_MINUTE = 600
MAX_REQUESTS_PER_MINUTE = 60_000

_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_ROLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


def new_client_id() -> str:
    """``pp-`` and 26 lower-case base32 characters: 128 random bits, safe in a URL."""
    return "pp-" + base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def service_username(client_id: str) -> str:
    """The username of a service's account: told apart from a person's at a glance."""
    return f"svc.{client_id}"


def _unsafe(text: str) -> bool:
    """NUL, other control characters, lone surrogates: nothing a name or URI may hold."""
    return any(c < " " or c == "\x7f" or "\ud800" <= c <= "\udfff" for c in text)


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if _unsafe(cleaned) or not 1 <= len(cleaned) <= NAME_MAX:
        raise ClientError(
            ClientErrorCode.INVALID_NAME,
            f"名称应为 1 至 {NAME_MAX} 个字符，不含控制字符",
            "name",
        )
    return cleaned


def _host_problem(hostname: str, bracketed: bool) -> str | None:
    if bracketed:
        try:
            ipaddress.IPv6Address(hostname)
        except ValueError:
            return "方括号中的主机不是 IPv6 地址"
        return None
    labels = hostname.removesuffix(".").split(".")
    if not hostname or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return "主机名无效（请使用其 ASCII 形式，如 xn--…）"
    return None


@dataclass(frozen=True, slots=True)
class _Parsed:
    scheme: str
    host: str  # lower case, an IPv6 address in brackets
    port: int | None
    rest: str  # path, query and whatever follows the authority


def _parse(uri: str, limit: int) -> _Parsed | str:
    """The parts of an absolute https (or loopback http) URI, else why it is not one."""
    if len(uri) > limit:
        return f"不能超过 {limit} 个字符"
    if not uri or any(not "!" <= c <= "~" for c in uri):
        return "只能包含可打印的 ASCII 字符，不含空格（其他字符请用百分号编码）"
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return "不是有效的 URI"
    if parts.scheme not in DEFAULT_PORTS or not uri[: len(parts.scheme) + 3].endswith("://"):
        return "须为 https 开头的绝对 URI"
    if "#" in uri:
        return "不能含片段（#）"
    if "@" in parts.netloc:
        return "不能含用户信息（@）"
    if parts.netloc.endswith(":") or port == 0:
        return "端口应在 1 至 65535 之间"
    hostname = parts.hostname or ""
    bracketed = parts.netloc.startswith("[")
    problem = _host_problem(hostname, bracketed)
    if problem:
        return problem
    if parts.scheme == "http" and hostname not in LOOPBACK_HOSTS:
        return "须使用 https（仅 localhost、127.0.0.1 或 [::1] 可用 http）"
    host = f"[{hostname}]" if bracketed else hostname
    rest = uri[len(parts.scheme) + 3 + len(parts.netloc) :]
    return _Parsed(parts.scheme, host, port, rest)


def check_redirect_uri(uri: str, field: str) -> str:
    parsed = _parse(uri, URI_MAX)
    if isinstance(parsed, str):
        raise ClientError(ClientErrorCode.INVALID_REDIRECT_URI, f"回调地址无效：{parsed}", field)
    return uri


def clean_origin(origin: str, field: str) -> str:
    """The origin as a browser sends it: lower case, no default port."""
    parsed = _parse(origin, ORIGIN_MAX)
    if isinstance(parsed, str):
        raise ClientError(ClientErrorCode.INVALID_ORIGIN, f"来源无效：{parsed}", field)
    if parsed.rest:
        raise ClientError(
            ClientErrorCode.INVALID_ORIGIN,
            "来源无效：只能是 scheme://host[:port]，不能含路径（包括 /）",
            field,
        )
    port = "" if parsed.port in (None, DEFAULT_PORTS[parsed.scheme]) else f":{parsed.port}"
    return f"{parsed.scheme}://{parsed.host}{port}"


def _each(
    values: Sequence[str],
    field: str,
    clean: Callable[[str, str], str],
    errors: list[DomainError],
) -> list[str]:
    """Each value cleaned (``clean(value, "field.i")``), duplicates dropped, order kept; the
    failures appended to ``errors``."""
    if len(values) > LIST_MAX:
        errors.append(
            ClientError(ClientErrorCode.TOO_MANY_VALUES, f"最多填写 {LIST_MAX} 项", field)
        )
        return []
    cleaned: list[str] = []
    for index, value in enumerate(values):
        try:
            result = clean(value, f"{field}.{index}")
        except ClientError as error:
            errors.append(error)
            continue
        if result not in cleaned:
            cleaned.append(result)
    return cleaned


def _scope(name: str, field: str) -> str:
    try:
        parsed = scopes.parse(name) if not _unsafe(name) else ()
    except scopes.UnknownScope:
        parsed = ()
    if parsed != (name,):
        known = "、".join(scopes.SCOPES)
        raise ClientError(ClientErrorCode.UNKNOWN_SCOPE, f"授权范围应为以下之一：{known}", field)
    return name


def _role(name: str, field: str) -> str:
    if not _ROLE_NAME.fullmatch(name):
        raise ClientError(ClientErrorCode.UNKNOWN_ROLE, "不是有效的角色名（可查询 roles）", field)
    return name


def _bounded(
    value: int | None, default: int, maximum: int, field: str, code: ClientErrorCode
) -> int:
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise ClientError(code, f"应在 1 至 {maximum} 之间", field)
    return value


@dataclass(frozen=True, slots=True)
class Registration:
    name: str
    kind: str
    redirect_uris: list[str]
    allowed_origins: list[str]
    allowed_scopes: list[str]
    #: Each role with the index it had in the input (duplicates dropped), to name it on failure.
    roles: list[tuple[int, str]]
    trusted_documents_only: bool
    cost_budget: int
    requests_per_minute: int


def check_registration(
    *,
    name: str,
    kind: str,
    redirect_uris: Sequence[str],
    allowed_origins: Sequence[str],
    allowed_scopes: Sequence[str],
    roles: Sequence[str],
    trusted_documents_only: bool,
    cost_budget: int | None,
    requests_per_minute: int | None,
) -> Registration:
    """The registration cleaned, or ``ValidationErrors`` naming every field at fault."""
    assert kind in KINDS, kind
    errors: list[DomainError] = []

    def attempt(check: Callable[[], T]) -> T | None:
        try:
            return check()
        except ClientError as error:
            errors.append(error)
            return None

    cleaned_name = attempt(lambda: clean_name(name))
    uris = _each(redirect_uris, "redirectUris", check_redirect_uri, errors)
    origins = _each(allowed_origins, "allowedOrigins", clean_origin, errors)
    scope_names = _each(allowed_scopes, "allowedScopes", _scope, errors)
    role_names = _each(roles, "roles", _role, errors)
    service = kind == "service"
    refusals = (
        (
            not service and not redirect_uris,
            ClientError(
                ClientErrorCode.REDIRECT_URI_REQUIRED,
                "前端应用至少需要一个回调地址",
                "redirectUris",
            ),
        ),
        (
            service and bool(redirect_uris),
            ClientError(
                ClientErrorCode.REDIRECT_URIS_NOT_ALLOWED,
                "服务不会被重定向，请勿填写回调地址",
                "redirectUris",
            ),
        ),
        (
            service and bool(allowed_origins),
            ClientError(
                ClientErrorCode.ORIGINS_NOT_ALLOWED,
                "服务不在浏览器中运行，请勿填写允许的来源",
                "allowedOrigins",
            ),
        ),
        (
            not allowed_scopes,
            ClientError(ClientErrorCode.SCOPE_REQUIRED, "至少需要一个授权范围", "allowedScopes"),
        ),
        (
            service and not roles,
            ClientError(
                ClientErrorCode.ROLE_REQUIRED,
                "服务以其服务账号的角色操作，请至少填写一个角色",
                "roles",
            ),
        ),
        (
            not service and bool(roles),
            ClientError(
                ClientErrorCode.ROLES_NOT_ALLOWED,
                "前端应用以登录用户的角色操作，请勿填写角色",
                "roles",
            ),
        ),
    )
    errors.extend(error for wrong, error in refusals if wrong)
    budget = attempt(
        lambda: _bounded(
            cost_budget,
            DEFAULT_COST_BUDGET,
            MAX_COST_BUDGET,
            "costBudget",
            ClientErrorCode.INVALID_COST_BUDGET,
        )
    )
    rate = attempt(
        lambda: _bounded(
            requests_per_minute,
            DEFAULT_REQUESTS_PER_MINUTE,
            MAX_REQUESTS_PER_MINUTE,
            "requestsPerMinute",
            ClientErrorCode.INVALID_RATE,
        )
    )
    if errors:
        raise ValidationErrors(errors)
    assert cleaned_name is not None and budget is not None and rate is not None
    return Registration(
        name=cleaned_name,
        kind=kind,
        redirect_uris=uris,
        allowed_origins=origins,
        allowed_scopes=[s for s in scopes.SCOPES if s in scope_names],
        roles=[(list(roles).index(role), role) for role in role_names],
        trusted_documents_only=trusted_documents_only,
        cost_budget=budget,
        requests_per_minute=rate,
    )
