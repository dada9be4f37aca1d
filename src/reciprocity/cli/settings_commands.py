"""Commands for the settings: ``settings`` (your names, where the data lives), ``export``,
``delete-everything``, and ``people rename`` (merge and split are in :mod:`.people_commands`).

A thin layer over :mod:`reciprocity.store`, as the rest of the CLI: it reads arguments,
asks before anything it cannot undo, and prints what the library returns.
:func:`register` adds the commands to an app whose root has the ``--db`` option.
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


def _db(ctx: typer.Context) -> store.Database:
    """The database named by the root ``--db`` option (or the default)."""
    path = ctx.find_root().params.get("db")
    return store.open_db(path if isinstance(path, str) else None)


def _size(size: int | None) -> str:
    if size is None:
        return "a server database"
    if size < 1 << 20:
        return f"{max(size, 1) / 1024:.0f} KB"
    return f"{size / (1 << 20):.1f} MB"


def settings(ctx: typer.Context) -> None:
    """Show your names across your chats, where your data lives, and how to change them."""
    db = _db(ctx)
    me = store.get_me(db)
    where = store.location(db)
    if me is None:
        out.print("Your name: not known yet; it is learnt from your first import.")
    else:
        out.print(f"Your name: {escape(me)}", highlight=False)
        for identity in store.list_identities(db):
            if identity["is_me"]:
                out.print(
                    f"  {escape(str(identity['handle']))} on {identity['platform']}",
                    highlight=False,
                )
    lock = ", protected by a passphrase" if where.encrypted else ""
    out.print(f"Your data: {escape(where.shown)} ({_size(where.size)}{lock})", highlight=False)
    out.print(
        "To change them:\n"
        "  reciprocity people rename OLD NEW        the name the pages show\n"
        "  reciprocity people link APP NAME PERSON  add a name to a person (or you)\n"
        "  reciprocity people merge KEEP OTHER      two names, one person\n"
        "  reciprocity people split NAME            a name back out on its own\n"
        "  reciprocity people suggestions           who is likely one person\n"
        "  reciprocity export FILE                  everything, as one JSON file\n"
        "  reciprocity backup FILE                  a copy of everything, to restore later\n"
        "  reciprocity forget PERSON                one person removed from everything\n"
        "  reciprocity encrypt                      protect the file with a passphrase\n"
        "  reciprocity delete-everything            start again from nothing",
        highlight=False,
    )


def export(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help="The JSON file to write (a folder gets a dated file in it).")
    ],
    parquet: Annotated[
        bool,
        typer.Option(
            "--parquet",
            help="Instead, write the analysis into the folder PATH as Parquet tables (acts, "
            "figures, exchanges, ledger, balance, outcomes, reply speed), for DuckDB or a "
            "notebook.",
        ),
    ] = False,
) -> None:
    """Write all your data (messages, people, journal, needs, conversations) to one JSON file."""
    if parquet:
        from reciprocity.analysis_tables import write_tables

        rows = write_tables(_db(ctx), path)
        listed = ", ".join(f"{name} {count:,}" for name, count in rows.items())
        out.print(f"Tables written to {escape(str(path))} (rows: {listed}).", highlight=False)
        return
    written = store.write_export(_db(ctx), path)
    out.print(f"Everything written to {escape(str(written))}.", highlight=False)


def delete_everything(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
) -> None:
    """Delete all your data: every message, person, journal entry, need and conversation."""
    db = _db(ctx)
    where = store.location(db).shown
    if not yes and not typer.confirm(
        f"Delete everything in {where}? This cannot be undone", default=False
    ):
        out.print("Nothing deleted.")
        return
    store.delete_everything(db)
    out.print(
        f"Deleted everything in {escape(where)}. To look around with made-up chats: "
        "reciprocity demo",
        highlight=False,
    )


def people_rename(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Their name now (yours too).")],
    name: Annotated[str, typer.Argument(help="The name to show instead.")],
) -> None:
    """Change the name the pages and tables show for someone (or for you)."""
    old = store.rename_person(_db(ctx), person, name)
    out.print(f"{escape(old)} is now shown as {escape(name.strip())}.", highlight=False)


def register(app: typer.Typer, people_app: typer.Typer) -> None:
    """Add the settings commands to ``app`` and the name commands to ``people_app``."""
    app.command("settings")(settings)
    app.command("export")(export)
    app.command("delete-everything")(delete_everything)
    people_app.command("rename")(people_rename)
