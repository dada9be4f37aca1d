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
        typer.Option(
            "--server",
            help="Server mode: several people sign in, each to their own data "
            "(add them with `reciprocity accounts add`).",
        ),
    ] = False,
    accounts: Annotated[
        str | None,
        typer.Option(
            "--accounts",
            help="Server mode: where the accounts live, a folder or a postgresql:// URL "
            "(default: $RECIPROCITY_SERVER, else a folder in your data folder).",
        ),
    ] = None,
    behind_proxy: Annotated[
        bool,
        typer.Option(
            "--behind-proxy",
            help="Server mode: a reverse proxy on this machine adds HTTPS in front of the app.",
        ),
    ] = False,
    public_host: Annotated[
        list[str] | None,
        typer.Option(
            "--public-host",
            help="Server mode: a name browsers reach the proxy by (repeat for several).",
        ),
    ] = None,
    certfile: Annotated[
        Path | None,
        typer.Option("--certfile", help="Server mode: serve HTTPS with this certificate."),
    ] = None,
    keyfile: Annotated[
        Path | None,
        typer.Option("--keyfile", help="Server mode: the certificate's private key."),
    ] = None,
) -> None:
    """Open the web app on this computer (http://127.0.0.1:8765 by default), or with
    --server for several people, each signing in to their own data."""
    from reciprocity.cli.allocator import return_big_blocks
    from reciprocity.web import NotLoopback, check_host
    from reciprocity.web import serve as run

    if (certfile is None) != (keyfile is None):
        err.print("[red]Error:[/] give both --certfile and --keyfile, or neither.")
        raise typer.Exit(2)
    tls = certfile is not None
    if not server and (tls or behind_proxy or public_host or accounts):
        err.print("[red]Error:[/] those options are for server mode: add --server.")
        raise typer.Exit(2)
    try:
        check_host(host, server=server, behind_proxy=behind_proxy, tls=tls)
    except NotLoopback as exc:
        err.print(f"[red]Error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from exc
    if server:
        from reciprocity.accounts import open_registry

        if not open_registry(accounts).accounts():
            err.print(
                "No accounts yet: nobody can sign in. Add one with "
                "`reciprocity accounts add NAME`.",
                highlight=False,
            )
    from reciprocity.web.serve import listen, url

    sock = listen(host, port)  # before saying anything: a busy port is one plain error
    # The app stays up: memory it reads a page's figures into goes back when freed.
    return_big_blocks()
    out.print(f"Serving on {escape(url(host, port, tls=tls))} (Ctrl+C to stop).")
    run(
        _db_path(ctx),
        host=host,
        port=port,
        open_browser=not no_browser and not server,
        server=server,
        sock=sock,
        accounts=accounts,
        behind_proxy=behind_proxy,
        certfile=certfile,
        keyfile=keyfile,
        public_hosts=public_host or (),
    )


def register(app: typer.Typer) -> None:
    """Add ``report`` and ``serve`` to ``app``."""
    app.command("report")(report)
    app.command("serve")(serve)
