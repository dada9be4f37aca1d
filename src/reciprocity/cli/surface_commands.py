"""Commands for the two page surfaces: ``report`` (one HTML file) and ``serve`` (the web app).

A thin layer: it reads arguments and calls :mod:`reciprocity.report` and
:mod:`reciprocity.web`. :func:`register` adds both commands to an app whose root has the
``--db`` option; the database path is read from that root state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from reciprocity import store

out = Console()
err = Console(stderr=True)


def _db_path(ctx: typer.Context) -> str | None:
    """The database named by the root ``--db`` option (``None``: the default one)."""
    path = ctx.find_root().params.get("db")
    return path if isinstance(path, str) else None


def report(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the HTML file.")
    ] = Path("report.html"),
) -> None:
    """Write one self-contained HTML report (charts included, works offline, prints to PDF)."""
    from reciprocity.report import write_report

    path = write_report(store.open_db(_db_path(ctx)), output)
    out.print(f"Report written to {escape(str(path))}. Open it in any browser; it loads nothing.")


def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; only this computer by default.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open the browser.")
    ] = False,
    server: Annotated[
        bool,
        typer.Option("--server", help="Server mode with accounts (not available yet)."),
    ] = False,
) -> None:
    """Open the web app on this computer (http://127.0.0.1:8765 by default)."""
    from reciprocity.cli.allocator import return_big_blocks
    from reciprocity.web import NotLoopback, check_host
    from reciprocity.web import serve as run

    try:
        check_host(host, server=server)
    except NotLoopback as exc:
        err.print(f"[red]Error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from exc
    from reciprocity.web.serve import listen, url

    sock = listen(host, port)  # before saying anything: a busy port is one plain error
    # The app stays up: memory it reads a page's figures into goes back when freed.
    return_big_blocks()
    out.print(f"Serving on {escape(url(host, port))} (Ctrl+C to stop).")
    run(_db_path(ctx), host=host, port=port, open_browser=not no_browser, server=server, sock=sock)


def register(app: typer.Typer) -> None:
    """Add ``report`` and ``serve`` to ``app``."""
    app.command("report")(report)
    app.command("serve")(serve)
