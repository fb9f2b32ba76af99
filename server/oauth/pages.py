"""The sign-in pages: plain server-rendered HTML in Chinese, one inline style sheet, nothing
loaded from anywhere else. Every value written into a page goes through ``html.escape``, and
every form carries the CSRF token.

Each page is sent with a policy that forbids scripts, frames and foreign resources
(``Content-Security-Policy``) and any framing of the page (clickjacking of the consent
buttons); ``form-action`` is deliberately absent, since browsers apply it to the redirect
that follows the consent form, which goes to the client's own address.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from starlette.responses import HTMLResponse

from partyplan.resolvers.access import rules as access_rules

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_STYLE = """
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f5f5;
margin:0;color:#222}
main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.5rem;
box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin-top:0;color:#b71c1c}
label{display:block;margin:1rem 0 .3rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1.2rem;padding:.6rem 1.2rem;font-size:1rem;border:0;border-radius:.3rem;
background:#b71c1c;color:#fff;cursor:pointer}
button.secondary{background:#777}
.alert{background:#fdecea;color:#8a1c1c;padding:.6rem;border-radius:.3rem}
.note{color:#666;font-size:.9rem}
form.inline{display:inline}
"""

TITLE = "发展党员工作管理"


def page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · {TITLE}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def _hidden(csrf: str, query: str) -> str:
    return (
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        f'<input type="hidden" name="query" value="{escape(query)}">'
    )


def _alert(message: str | None) -> str:
    return "" if not message else f'<p class="alert" role="alert">{escape(message)}</p>'


SIGN_IN_FAILED = access_rules.SIGN_IN_FAILED


def sign_in(
    csrf: str,
    query: str,
    message: str | None = None,
    status_code: int = 200,
    upstream: str | None = None,
) -> HTMLResponse:
    """The sign-in form; with ``upstream`` (the provider's name) also a button that signs in
    through the province's identity provider (``server/oauth/upstream.py``)."""
    body = (
        _alert(message)
        + '<form method="post" action="/oauth/sign-in">'
        + _hidden(csrf, query)
        + '<label for="username">用户名</label>'
        '<input id="username" name="username" maxlength="64"'
        ' autocomplete="username" required autofocus>'
        '<label for="password">密码</label>'
        '<input id="password" name="password" type="password" maxlength="128"'
        ' autocomplete="current-password" required>'
        '<button type="submit">登录</button></form>'
    )
    if upstream is not None:
        body += (
            '<form method="post" action="/oauth/upstream/start">'
            + _hidden(csrf, query)
            + f'<button class="secondary" type="submit">使用{escape(upstream)}登录</button></form>'
        )
    return page("登录", body, status_code)


def signed_in(csrf: str, display_name: str) -> HTMLResponse:
    body = f"<p>已登录：{escape(display_name)}。请回到应用继续操作。</p>" + _sign_out_form(csrf, "")
    return page("已登录", body)


def _sign_out_form(csrf: str, query: str) -> str:
    return (
        '<form class="inline" method="post" action="/oauth/sign-out">'
        + _hidden(csrf, query)
        + '<button class="secondary" type="submit">退出登录</button></form>'
    )


def consent(
    csrf: str, query: str, client_name: str, display_name: str, scope_titles: Iterable[str]
) -> HTMLResponse:
    items = "".join(f"<li>{escape(title)}</li>" for title in scope_titles)
    body = (
        f"<p>应用「{escape(client_name)}」请求以你（{escape(display_name)}）的身份：</p>"
        f"<ul>{items}</ul>"
        '<p class="note">只在你的账号本身拥有的权限范围内有效；可随时退出登录或撤销。</p>'
        '<form method="post" action="/oauth/authorize">'
        + _hidden(csrf, query)
        + '<button type="submit" name="decision" value="approve">同意</button> '
        '<button class="secondary" type="submit" name="decision" value="deny">拒绝</button>'
        '</form><p class="note">不是你？</p>' + _sign_out_form(csrf, query)
    )
    return page("授权确认", body)


def change_password(
    csrf: str, query: str, message: str | None = None, status_code: int = 200
) -> HTMLResponse:
    body = (
        "<p>初始密码或被重置的密码须先修改，才能继续。</p>"
        + _alert(message)
        + '<form method="post" action="/oauth/password">'
        + _hidden(csrf, query)
        + '<label for="current">当前密码</label>'
        '<input id="current" name="current" type="password" maxlength="128"'
        ' autocomplete="current-password" required autofocus>'
        '<label for="new">新密码</label>'
        '<input id="new" name="new" type="password" minlength="12" maxlength="128"'
        ' autocomplete="new-password" required>'
        '<label for="repeat">再次输入新密码</label>'
        '<input id="repeat" name="repeat" type="password" minlength="12" maxlength="128"'
        ' autocomplete="new-password" required>'
        '<p class="note">12 至 128 个字符，不能与用户名或当前密码相同。</p>'
        '<button type="submit">修改密码</button></form>'
    )
    return page("修改密码", body, status_code)


def signed_out() -> HTMLResponse:
    return page("已退出登录", "<p>你已退出登录。可以关闭此页面。</p>")


def refused_form() -> HTMLResponse:
    """A POST whose CSRF token is missing or wrong: nothing was done."""
    return page("请求已失效", "<p>页面已过期或请求来源无效，请返回应用重新开始。</p>", 403)


def bad_request() -> HTMLResponse:
    return page("请求无效", "<p>请求的格式不正确，请返回应用重新开始。</p>", 400)


_ERRORS = {
    "invalid_client": "应用未登记或已停用。",
    "invalid_request": "授权请求不完整或回调地址未登记。",
}


def authorization_error(error: str) -> HTMLResponse:
    """An authorization request that cannot be answered by a redirect: the client or its
    redirect URI is not known, so nothing may be sent there (RFC 6749 section 4.1.2.1)."""
    message = _ERRORS.get(error, "授权请求无效。")
    body = (
        f"<p>{escape(message)}请联系应用的提供方。</p>"
        f'<p class="note">错误代码：<code>{escape(error)}</code></p>'
    )
    return page("无法完成授权", body, 400)
