"""Run the web app with uvicorn on a loopback address, opening the browser."""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

from reciprocity.web.app import create_app
from reciprocity.web.security import check_host

__all__ = ["serve"]


def serve(
    db_path: str | Path | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = True,
    server: bool = False,
) -> None:
    """Serve the app until interrupted; raises :class:`NotLoopback` for a public host."""
    check_host(host, server=server)
    import uvicorn  # imported here: only serving needs it

    app = create_app(db_path)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    if open_browser:
        # Give the server a moment to bind before the browser asks for the page.
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
