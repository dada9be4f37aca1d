"""Server mode's gate: which account a request is signed in as, and nothing without one.

:class:`AccountGate` reads the session cookie (:data:`SESSION_COOKIE`, made by
:mod:`.login_pages`), asks the registry which account it belongs to (sessions live in the
registry, so signing out everywhere takes effect on the next request), and binds that
account's store to the request (:class:`~.accounts_state.AccountStates`). A request
without a live session reaches only the sign-in page and the static files; any other is
sent to the sign-in page (303; for HTMX, a 401 with ``HX-Redirect``), before a route runs.
"""

from __future__ import annotations

from urllib.parse import quote

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from reciprocity.accounts import Registry
from reciprocity.web.accounts_state import AccountStates

__all__ = ["OPEN_PATHS", "SESSION_COOKIE", "AccountGate", "cookie_of"]

SESSION_COOKIE = "reciprocity_session"
"""The cookie that carries a signed-in browser's session."""

OPEN_PATHS = ("/login", "/static/", "/report.css")
"""Addresses answered without a session: the sign-in page and the files it needs."""


def cookie_of(scope: Scope) -> str:
    """The session cookie a request carries ("" when none)."""
    return cookie_parser(Headers(scope=scope).get("cookie", "")).get(SESSION_COOKIE, "")


def _open(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in OPEN_PATHS)


class AccountGate:
    """ASGI middleware: bind the signed-in account to the request, or send it to sign in."""

    def __init__(self, app: ASGIApp, *, registry: Registry, states: AccountStates) -> None:
        self.app = app
        self.registry = registry
        self.states = states

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass a signed-in request on with its account bound; turn the rest away."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = cookie_of(scope)
        # The registry and a store's first opening are file or network reads: off the loop.
        account = await anyio.to_thread.run_sync(self.registry.session, cookie) if cookie else None
        if account is None:
            if _open(scope["path"]):
                await self.app(scope, receive, send)
            else:
                await _to_sign_in(scope, send)
            return
        state = await anyio.to_thread.run_sync(self.states.state_for, account)
        scope["reciprocity.account"] = account
        token = self.states.bind(account, state)
        try:
            await self.app(scope, receive, send)
        finally:
            self.states.unbind(token)


async def _to_sign_in(scope: Scope, send: Send) -> None:
    """Answer with the way to the sign-in page (back to this page afterwards)."""
    headers = Headers(scope=scope)
    target = scope["path"]
    if scope.get("query_string"):
        target += "?" + scope["query_string"].decode("latin-1")
    where = "/login"
    if scope["method"] == "GET" and target != "/":
        where += "?next=" + quote(target, safe="")
    if headers.get("hx-request") == "true":
        status, extra = 401, [(b"hx-redirect", where.encode())]
    else:
        status, extra = 303, [(b"location", where.encode())]
    body = b"Sign in first."
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
