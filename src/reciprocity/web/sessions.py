"""Server mode's gate: which account a request is signed in as, and nothing without one.

:class:`AccountGate` reads the session cookie (:data:`SESSION_COOKIE`, made by
:mod:`.login_pages`), asks the registry which account it belongs to (sessions live in the
registry, so signing out everywhere takes effect on the next request), and binds that
account's store to the request (:class:`~.accounts_state.AccountStates`). A request
without a live session reaches only the sign-in page and the static files; any other is
sent to the sign-in page (303; for HTMX, a 401 with ``HX-Redirect``), before a route runs.
A session looking at another account's data (shared with it, :mod:`.share_pages`) is bound
to that account's store and may only read the pages in :data:`VIEW_PATHS` (403 for the
rest), so a read-only view is enforced here too, not by each route.
"""

from __future__ import annotations

from urllib.parse import quote

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from reciprocity.accounts import Registry
from reciprocity.web.accounts_state import AccountStates
from reciprocity.web.guard import refuse

__all__ = ["OPEN_PATHS", "SESSION_COOKIE", "VIEW_PATHS", "AccountGate", "cookie_of"]

SESSION_COOKIE = "reciprocity_session"
"""The cookie that carries a signed-in browser's session."""

OPEN_PATHS = ("/login", "/static/", "/report.css")
"""Addresses answered without a session: the sign-in page and the files it needs."""


VIEW_PATHS = ("/", "/relationship/", "/group/", "/report", "/report.css", "/journal",
              "/expectations", "/account", "/static/")  # fmt: skip
"""What an account may read of another's data that is shared with it (GET only); the rest
(settings, imports, exports, the coach, check-ins) stays the owner's."""

#: What an account looking at another's data may still send: going back, signing out.
_VIEW_POSTS = ("/viewing/stop", "/logout", "/logout/everywhere")

_READ_ONLY = (
    "You are looking at someone else's data, read-only: this page is not part of what "
    "they share. Go back to your own data to use it."
)


def _viewer_may(method: str, path: str) -> bool:
    if method in ("GET", "HEAD"):
        return any(path == p or (p != "/" and path.startswith(p)) for p in VIEW_PATHS) and not (
            path.startswith("/journal/")  # editing and deleting forms
        )
    return method == "POST" and path in _VIEW_POSTS


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
        found = await anyio.to_thread.run_sync(self.registry.signed_in, cookie) if cookie else None
        if found is None:
            if _open(scope["path"]):
                await self.app(scope, receive, send)
            else:
                await _to_sign_in(scope, send)
            return
        account, viewing = found
        if viewing is not None and not _viewer_may(scope["method"], scope["path"]):
            await refuse(send, 403, _READ_ONLY)
            return
        owner = viewing or account
        state = self.states.known(owner)
        if state is None:  # the store's first opening: off the loop
            state = await anyio.to_thread.run_sync(self.states.state_for, owner)
        scope["reciprocity.account"] = account
        token = self.states.bind(account, state, viewing)
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
