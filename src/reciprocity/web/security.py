"""Security for the local web app: CSRF tokens, security headers, binding.

- CSRF: a signed double-submit token. The token is a random nonce with its HMAC under a
  secret made when the app starts and kept in its memory only (:class:`Tokens`). It lives
  in a ``SameSite=Strict`` HttpOnly cookie and every form carries it in a hidden field
  (HTMX sends it as the ``X-CSRF-Token`` header; the upload form in its address, so it is
  checked before the file is read). A POST is accepted only when the token sent equals
  the cookie *and* carries this app's signature, so another program on 127.0.0.1 that
  plants a cookie and a field of its own choosing is refused.
- Headers: a strict Content-Security-Policy (scripts and styles from our own static files
  only, nothing inline), no sniffing, no referrer to other sites, no framing.
- Binding: without server mode (which needs accounts) only loopback addresses are allowed;
  in server mode another address only with TLS (uvicorn's own, or a proxy in front).
  Which ``Host`` and ``Origin`` a request may carry, and how large its body may be, is
  checked by :mod:`.guard`.
"""

from __future__ import annotations

import base64
import hashlib
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
    "Tokens",
    "check_host",
    "csrf_protect",
    "csrf_token",
    "tokens_of",
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
    # "same-origin", not "no-referrer": with "no-referrer" browsers send ``Origin: null`` on
    # our own forms, and the origin check (:mod:`.guard`) needs the real one. Other sites
    # still get no referrer at all.
    (b"referrer-policy", b"same-origin"),
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


class Tokens:
    """CSRF tokens signed with a secret this app keeps in memory (a new one each start).

    >>> tokens = Tokens(b"k" * 32)
    >>> token = tokens.new()
    >>> tokens.valid(token), tokens.matches(token, token)
    (True, True)
    >>> tokens.valid("chosen-by-someone-else." + "A" * 43)
    False
    """

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)

    def _sign(self, nonce: str) -> str:
        mac = hmac.new(self._secret, nonce.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def new(self) -> str:
        """A fresh token: a random nonce, a dot, and its signature."""
        nonce = secrets.token_urlsafe(24)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, token: str) -> bool:
        """Whether ``token`` was made by this app (its signature checks out)."""
        nonce, dot, mac = token.partition(".")
        if not nonce or not dot or len(token) > 200:
            return False
        return hmac.compare_digest(mac.encode(), self._sign(nonce).encode())

    def matches(self, cookie: str, sent: str) -> bool:
        """Whether a request's cookie is this app's token and ``sent`` is that same token."""
        return self.valid(cookie) and hmac.compare_digest(cookie.encode(), sent.encode())


_FORM_EXPIRED = "This form has expired or came from another site. Reload the page and try again."


def tokens_of(request: Request) -> Tokens:
    """The app's :class:`Tokens` (kept in ``app.state.csrf`` by ``create_app``)."""
    tokens: Tokens = request.app.state.csrf
    return tokens


def csrf_token(request: Request) -> str:
    """This browser's CSRF token: the cookie's when this app signed it, else a new one
    (set on the response by the page renderer)."""
    tokens = tokens_of(request)
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and tokens.valid(existing):
        return existing
    token: str | None = getattr(request.state, "new_csrf", None)
    if token is None:
        token = tokens.new()
        request.state.new_csrf = token
    return token


async def csrf_protect(request: Request) -> None:
    """FastAPI dependency: refuse a POST whose token is not the cookie's signed one (403).

    The token is read from the ``X-CSRF-Token`` header, else from the form (whose size
    :mod:`.guard` has already bounded)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not tokens_of(request).matches(cookie, sent):
        raise HTTPException(status_code=403, detail=_FORM_EXPIRED)


class NotLoopback(ValueError):
    """The host to bind is reachable from other machines and server mode is off."""


def check_host(
    host: str, *, server: bool = False, behind_proxy: bool = False, tls: bool = False
) -> None:
    """Refuse a host other than loopback unless ``server`` is set (accounts), and in
    server mode refuse plain HTTP on such a host unless ``tls`` (uvicorn's own, with a
    certificate) or ``behind_proxy`` (a reverse proxy ends TLS in front of the app).

    >>> check_host("127.0.0.1")
    >>> check_host("0.0.0.0", server=True, tls=True)
    """
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return
    if not server:
        raise NotLoopback(
            f"refusing to listen on {host}: other machines could read your messages. "
            "Use 127.0.0.1 (the default), or --server, which asks everyone to sign in"
        )
    if not (behind_proxy or tls):
        raise NotLoopback(
            f"refusing plain HTTP on {host}: passwords and messages would cross the network "
            "unencrypted. Listen on 127.0.0.1 behind a reverse proxy that adds HTTPS "
            "(--behind-proxy), or give --certfile and --keyfile"
        )
