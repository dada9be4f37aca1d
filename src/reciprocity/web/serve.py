"""Run the web app with uvicorn on a loopback address, opening the browser.

The port is taken (:func:`listen`) before anything says the app is being served, so a busy
port is one plain error (:class:`PortBusy`) instead of "Serving on ..." and a crash; the
socket taken is the one uvicorn then serves on, so no other program can slip in between.
"""

from __future__ import annotations

import errno
import socket
import threading
import webbrowser
from collections.abc import Sequence
from pathlib import Path

from reciprocity.errors import ReciprocityError
from reciprocity.web.app import create_app
from reciprocity.web.security import check_host

__all__ = ["PortBusy", "listen", "serve", "url"]


class PortBusy(ReciprocityError):
    """Another program (perhaps Reciprocity itself) already listens on the port."""

    setting = "port"


def url(host: str, port: int, *, tls: bool = False) -> str:
    """The address a browser opens for ``host`` and ``port``."""
    return f"{'https' if tls else 'http'}://{'[' + host + ']' if ':' in host else host}:{port}/"


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` and listening; :class:`PortBusy` when taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortBusy(
                f"Cannot listen on {url(host, port)}: "
                + (
                    "another program already uses that port (perhaps Reciprocity is already "
                    "open there)."
                    if exc.errno == errno.EADDRINUSE
                    else "this computer does not allow that port."
                )
            ) from exc
        raise PortBusy(f"Cannot listen on {url(host, port)}: {exc.strerror or exc}.") from exc


def serve(
    db_path: str | Path | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = True,
    server: bool = False,
    sock: socket.socket | None = None,
    accounts: str | Path | None = None,
    behind_proxy: bool = False,
    certfile: Path | None = None,
    keyfile: Path | None = None,
    public_hosts: Sequence[str] = (),
) -> None:
    """Serve the app until interrupted, on ``sock`` when given (from :func:`listen`), else
    on a socket taken here; raises :class:`NotLoopback` for a public host (or, in server
    mode, a public host without TLS) and :class:`PortBusy` for a busy port.

    ``server``: accounts from the registry at ``accounts`` (:mod:`reciprocity.accounts`),
    each signed-in person on their own store; ``db_path`` is then unused. ``certfile`` and
    ``keyfile``: uvicorn serves HTTPS itself. ``behind_proxy``: a reverse proxy on this
    machine ends TLS and passes requests on; its ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed (from 127.0.0.1 only) and the session cookie is
    always ``Secure``. ``public_hosts``: the names browsers use for the proxy.
    """
    tls = certfile is not None and keyfile is not None
    check_host(host, server=server, behind_proxy=behind_proxy, tls=tls)
    import uvicorn  # imported here: only serving needs it

    bound = sock if sock is not None else listen(host, port)
    # The port actually listened on (``0`` asks the system for a free one): the app
    # answers only requests sent to this host and port.
    port = int(bound.getsockname()[1])
    registry = None
    if server:
        from reciprocity.accounts import open_registry

        registry = open_registry(accounts)
    app = create_app(
        db_path,
        host=host,
        port=port,
        accounts=registry,
        public_hosts=public_hosts,
        secure_cookies=behind_proxy or tls,
    )
    if open_browser:
        # Give the server a moment to start before the browser asks for the page.
        threading.Timer(1.0, webbrowser.open, args=(url(host, port, tls=tls),)).start()
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=behind_proxy,
        ssl_certfile=str(certfile) if tls else None,
        ssl_keyfile=str(keyfile) if tls else None,
    )
    uvicorn.Server(config).run(sockets=[bound])
