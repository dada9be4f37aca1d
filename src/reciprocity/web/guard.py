"""Which requests reach the app: sent to its own address, from its own pages, of a bounded size.

Every check here runs before a byte of the request's body is read:

- **Host** (:class:`OwnHosts`): a web page elsewhere can point a name of its own at
  127.0.0.1 (DNS rebinding) and then read our pages as if they were its own. The app
  answers only the names it is reachable at on this computer (``127.0.0.1``,
  ``localhost``, ``[::1]`` and the address it listens on), decided by Starlette's
  ``TrustedHostMiddleware``; when the port is known, the ``Host`` must carry it too.
- **Origin** (:class:`RequestGuard`): a request that changes something (POST, PUT, PATCH,
  DELETE) is refused when the browser says it came from another site
  (``Sec-Fetch-Site: cross-site`` or ``same-site``, which is another port of this computer)
  or when its ``Origin`` is not the app's own. A page elsewhere may not embed ours
  either (a cross-site request that is not the person following a link).
- **Size**: a body whose ``Content-Length`` is over the limit is refused at once (413);
  a body without one (chunked) is counted as it arrives and cut off at the limit
  (:class:`TooLarge`, 413).
- **Uploads**: on the upload addresses the CSRF token must come in the
  ``X-CSRF-Token`` header or the address (``?csrf_token=``), so a request without it is
  refused before its file is read, not after.

A refusal sent before the body was read in full says ``Connection: close``, so the server
stops reading what is left of it instead of reading it to throw away.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reciprocity.web.security import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, Tokens

__all__ = [
    "LOOPBACK_NAMES",
    "OwnHosts",
    "RequestGuard",
    "TooLarge",
    "host_names",
    "refuse",
    "too_large_text",
]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
"""Names a browser on this computer reaches a loopback-bound app by."""

_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CLOSE = (b"connection", b"close")


def host_names(bound: str | None = None) -> list[str]:
    """The ``Host`` names the app answers: loopback, and the address it listens on.

    >>> host_names("::1")
    ['127.0.0.1', 'localhost', '[::1]']
    >>> host_names("127.0.0.2")
    ['127.0.0.1', 'localhost', '[::1]', '127.0.0.2']
    """
    names = list(LOOPBACK_NAMES)
    if bound:
        name = f"[{bound}]" if ":" in bound and not bound.startswith("[") else bound
        if name.lower() not in names:
            names.append(name.lower())
    return names


def too_large_text(limit: int) -> str:
    """What a person reads when a file is over ``limit`` bytes."""
    return f"The file is larger than {limit >> 20} MB; export the chat without media and try again."


class TooLarge(HTTPException):
    """The request's body went past its limit while it was being read (413)."""

    def __init__(self, limit: int, text: str | None = None) -> None:
        super().__init__(status_code=413, detail=text or too_large_text(limit))
        self.limit = limit


def _refusal(status: int, text: str) -> list[Message]:
    """A small page saying ``text``: enough for a browser tab or an HTMX swap."""
    body = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Reciprocity</title>'
        f'</head><body><div class="problem" role="alert"><p>{html.escape(text)}</p></div>'
        "</body></html>"
    ).encode()
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        _CLOSE,
    ]
    return [
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


async def refuse(send: Send, status: int, text: str) -> None:
    """Answer ``status`` with a small page saying ``text`` (before any route ran)."""
    for message in _refusal(status, text):
        await send(message)


class OwnHosts:
    """ASGI middleware: answer only requests sent to one of ``names`` (and ``port``).

    The name is judged by Starlette's ``TrustedHostMiddleware`` (it parses the header,
    IPv6 brackets and all); its refusal is replaced by one in plain words.
    """

    def __init__(
        self,
        app: ASGIApp,
        names: Sequence[str],
        port: int | None = None,
        public: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.port = port
        self._with_port = {f"{name.lower()}:{port}" for name in names} if port else None
        # Names a reverse proxy passes on (server mode): with any port or none, since the
        # proxy, not this app, listens on the port the browser used.
        self._public = {name.lower() for name in public}
        self._trusted = TrustedHostMiddleware(
            self._name_ok, allowed_hosts=[*names, *public], www_redirect=False
        )
        shown = f"http://127.0.0.1:{port}/" if port else "http://127.0.0.1/"
        self._text = (
            "Reciprocity only answers at the address it was opened at on this computer, "
            f"such as {shown}. Open that address instead."
        )

    async def _name_ok(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["reciprocity.host_ok"] = True
        host = Headers(scope=scope).get("host", "").lower()
        public = host.rsplit(":", 1)[0] if host.rsplit(":", 1)[-1].isdigit() else host
        if (
            self._with_port is not None
            and host not in self._with_port
            and public not in self._public
        ):
            await refuse(send, 400, self._text)
            return
        await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass a request sent to one of our names on; refuse any other (400)."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        async def ours_only(message: Message) -> None:
            # The stock refusal ("Invalid host header") is dropped for ours, below.
            if scope.get("reciprocity.host_ok"):
                await send(message)

        await self._trusted(scope, receive, ours_only)
        if not scope.get("reciprocity.host_ok"):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await refuse(send, 400, self._text)


_OTHER_SITE = (
    "This request came from another web site, so Reciprocity did not act on it. "
    "Open Reciprocity's own page and try again there."
)
_NO_TOKEN = "This form has expired or came from another site. Reload the page and try again."
_FORM_TOO_LARGE = "This form sent far more than any of its boxes holds, so it was not read."
_BAD_LENGTH = "The request said its size in a way Reciprocity could not read; try again."


class RequestGuard:
    """ASGI middleware: the origin, size and upload-token checks (see the module's text).

    ``body_limit`` bounds every body; ``uploads`` maps an upload address to its own
    (larger) limit, and there the CSRF token is required in the header or the address.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        tokens: Tokens,
        body_limit: int,
        uploads: Mapping[str, int],
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.body_limit = body_limit
        self.uploads = dict(uploads)

    def _other_site(self, scope: Scope, headers: Headers) -> bool:
        """Whether the browser says the request comes from a page that is not ours."""
        site = headers.get("sec-fetch-site")
        if scope["method"] not in _CHANGES:
            # Reading: a person may follow a link from anywhere, but no other site may
            # fetch or embed our pages.
            return site == "cross-site" and headers.get("sec-fetch-mode") != "navigate"
        if site is not None and site not in ("same-origin", "none"):
            return True
        origin = headers.get("origin")
        if origin is None:
            return False  # not a browser (browsers send it with every POST)
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
        return origin.lower() != own.lower()

    def _token_sent(self, scope: Scope, headers: Headers) -> bool:
        """Whether an upload carries this browser's signed token outside its body."""
        cookie = cookie_parser(headers.get("cookie", "")).get(CSRF_COOKIE, "")
        sent = headers.get(CSRF_HEADER)
        if sent is None:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            sent = (query.get(CSRF_FIELD) or [""])[0]
        return self.tokens.matches(cookie, sent)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what the checks refuse; pass the rest on with its body counted."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self._other_site(scope, headers):
            await refuse(send, 403, _OTHER_SITE)
            return
        upload = scope["method"] == "POST" and scope["path"] in self.uploads
        limit = self.uploads[scope["path"]] if upload else self.body_limit
        too_large = too_large_text(limit) if upload else _FORM_TOO_LARGE
        if upload and not self._token_sent(scope, headers):
            await refuse(send, 403, _NO_TOKEN)
            return
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await refuse(send, 400, _BAD_LENGTH)
                return
            if int(declared) > limit:
                await refuse(send, 413, too_large)
                return
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        finished = not chunked and declared in (None, "0")
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received, finished
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if not message.get("more_body", False):
                    finished = True
                if received > limit:
                    raise TooLarge(limit, too_large)
            return message

        async def closing(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not finished:
                    # Answered before the whole body came: stop reading the rest.
                    message["headers"] = [*message.get("headers", []), _CLOSE]
            await send(message)

        try:
            await self.app(scope, counted, closing)
        except TooLarge as over:
            if started:
                raise
            await refuse(send, 413, str(over.detail))
