"""Security for the local web app: CSRF tokens, security headers, upload limits, binding.

- CSRF: double-submit. A random token lives in a ``SameSite=Strict`` HttpOnly cookie; every
  form carries it in a hidden field (HTMX sends it as the ``X-CSRF-Token`` header); a POST
  whose field or header does not match the cookie is refused with 403.
- Headers: a strict Content-Security-Policy (scripts and styles from our own static files
  only, nothing inline), no sniffing, no referrer, no framing.
- Binding: without server mode (which needs accounts) only loopback addresses are allowed.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CSP",
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "NotLoopback",
    "SecurityHeaders",
    "check_host",
    "csrf_protect",
    "csrf_token",
]

CSRF_COOKIE = "reciprocity_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""The Content-Security-Policy of every response: no inline script or style, no other host."""

_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, adding the headers when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def csrf_token(request: Request) -> str:
    """This browser's CSRF token: the cookie's, or a new one (set on the response later)."""
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and len(existing) >= 32:
        return existing
    token: str | None = getattr(request.state, "new_csrf", None)
    if token is None:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


async def csrf_protect(request: Request) -> None:
    """FastAPI dependency: refuse a POST whose token does not match the cookie (403)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise HTTPException(
            status_code=403,
            detail="This form has expired or came from another site. "
            "Reload the page and try again.",
        )


class NotLoopback(ValueError):
    """The host to bind is reachable from other machines and server mode is off."""


def check_host(host: str, *, server: bool = False) -> None:
    """Refuse a host other than loopback unless ``server`` is set.

    Server mode (accounts, per-user isolation) is not built yet, so ``server=True`` is
    refused too, with a message saying so.
    """
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return
    if server:
        raise NotLoopback(
            "server mode (accounts for several people) is not available yet; "
            "serve on 127.0.0.1 and open it on this computer"
        )
    raise NotLoopback(
        f"refusing to listen on {host}: other machines could read your messages. "
        "Use 127.0.0.1 (the default), or --server once server mode with accounts exists"
    )
