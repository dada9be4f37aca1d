"""``reciprocity people list | suggestions | region | apart``, and ``--json`` for ``merge``
and ``split``: one person across apps, from the command line.

A thin layer over :mod:`reciprocity.store` (the links, suggestions and the per-app list
are computed there); :func:`register` adds the commands to the ``people`` group, whose
root has the ``--db`` option.
"""

from __future__ import annotations

import shlex
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from reciprocity import store
from reciprocity.cli import render

out = Console()

_JSON = typer.Option("--json", help="Print the result as JSON instead of text.")


def _db(ctx: typer.Context) -> store.Database:
    path = ctx.find_root().params.get("db")
    return store.open_db(path if isinstance(path, str) else None)


def _apps(person: dict[str, Any]) -> str:
    parts = []
    for app in person["apps"]:
        names = ", ".join(
            i["handle"] + (f" ({i['linked_by']})" if i["linked_by"] else "")
            for i in app["identities"]
        )
        parts.append(f"{app['app']}: {names}")
    return "; ".join(parts)


def people_list(ctx: typer.Context, as_json: Annotated[bool, _JSON] = False) -> None:
    """List everyone with their names on each app (you first), most active first."""
    db = _db(ctx)
    people = store.people_directory(db)
    if as_json:
        sys.stdout.write(render.json_text({"people": people}))
        return
    if not people:
        out.print("No one yet. Import an export first: reciprocity import <file> --me <your name>")
        return
    table = Table(title="People and their names on each app")
    table.add_column("Person", style="bold")
    table.add_column("Names on each app")
    table.add_column("Messages", justify="right")
    for person in people:
        name = Text(str(person["person"]) + (" (you)" if person["is_me"] else ""))
        sent = "" if person["messages"] is None else f"{person['messages']:,}"
        table.add_row(name, Text(_apps(person)), sent)
    out.print(table)
    out.print(
        Text(
            "(phone) or (email): tied to the same person on other apps by that number or "
            "address. Merge two people: reciprocity people merge KEEP OTHER",
            style="dim",
        )
    )


def people_suggestions(ctx: typer.Context, as_json: Annotated[bool, _JSON] = False) -> None:
    """People who are likely one person (the same number, similar names on two apps)."""
    db = _db(ctx)
    found = store.suggestions(db)
    region = store.phone_region(db)
    if as_json:
        sys.stdout.write(
            render.json_text(
                {
                    "suggestions": [s.to_json() for s in found],
                    "phone_region": {"code": region.code, "source": region.source},
                }
            )
        )
        return
    if not found:
        out.print("Nothing to suggest: no two people look like one.")
    for s in found:
        out.print(
            Text(f"{s.keep} ({', '.join(s.keep_platforms)}) and {s.other} "
                 f"({', '.join(s.other_platforms)}): {s.why}.")
        )  # fmt: skip
        keep, other = shlex.quote(str(s.keep_id)), shlex.quote(str(s.other_id))
        out.print(
            f"  one person:  reciprocity people merge {keep} {other}\n"
            f"  two people:  reciprocity people apart {keep} {other}",
            highlight=False,
        )
    out.print(Text(region.describe(), style="dim"))


def people_merge(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(help="The person to keep (a name or an id).")],
    other: Annotated[str, typer.Argument(help="Another name (or id) of the same person.")],
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Say that two people are one (e.g. the same friend on WhatsApp and Telegram): their
    chats then count as one relationship. Undo with `people split`."""
    db = _db(ctx)
    store.merge_people(db, _who(keep), _who(other))
    if as_json:
        kept = next(p for p in store.people_directory(db) if _matches(p, keep))
        sys.stdout.write(render.json_text({"person": kept}))
        return
    out.print(f"{escape(other)} and {escape(keep)} are now one person.", highlight=False)


def people_split(
    ctx: typer.Context,
    person: Annotated[
        str, typer.Argument(help="The person (with IDENTITY), or the name to move out.")
    ],
    identity: Annotated[
        str | None,
        typer.Argument(help="One of PERSON's names or handles (or its id) to move out."),
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="whatsapp, telegram, csv ... when needed.")
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Move one name back out to a person of its own (undoes a merge; or: this is not me).

    `people split PERSON IDENTITY` moves IDENTITY out of PERSON; `people split NAME`
    finds the name alone (add --platform when it is on several apps)."""
    db = _db(ctx)
    if identity is None:
        identity_id = store.find_identity(db, person, platform)
        shown = person
    else:
        identity_id = store.identity_of(db, _who(person), identity)
        shown = identity
    was = next(
        p["person_id"]
        for p in store.people_directory(db)
        for app in p["apps"]
        for i in app["identities"]
        if i["identity_id"] == identity_id
    )
    new_id = store.split_identity(db, identity_id)
    if as_json:
        moved = next(p for p in store.people_directory(db) if p["person_id"] == new_id)
        sys.stdout.write(render.json_text({"person": moved}))
        return
    out.print(
        f"{escape(shown)} is now a person of their own. To undo: reciprocity people merge "
        f"{was} {new_id}",
        highlight=False,
    )


def people_apart(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="A person (a name or an id).")],
    other: Annotated[str, typer.Argument(help="Someone else they are not.")],
) -> None:
    """Say that two people suggested as one are two: they are not suggested again."""
    store.keep_apart(_db(ctx), _who(person), _who(other))
    out.print(
        f"{escape(person)} and {escape(other)} stay two people and are not suggested again.",
        highlight=False,
    )


def people_region(
    ctx: typer.Context,
    code: Annotated[
        str | None,
        typer.Argument(help="Two letters (GB, US, DE ...); leave out to see the current one."),
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Go back to your computer's language settings.")
    ] = False,
) -> None:
    """The country that phone numbers written without a country code belong to."""
    db = _db(ctx)
    if reset:
        region = store.set_phone_region(db, None)
    elif code is not None:
        region = store.set_phone_region(db, code)
    else:
        region = store.phone_region(db)
    out.print(region.describe(), highlight=False)


def _who(text: str) -> int | str:
    """A person given on the command line: an id when it is a number, else a name."""
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else text


def _matches(person: dict[str, Any], text: str) -> bool:
    who = _who(text)
    if isinstance(who, int):
        return bool(person["person_id"] == who)
    return str(person["person"]).casefold() == who.strip().casefold()


def register(people_app: typer.Typer) -> None:
    """Add the commands to the ``people`` group."""
    people_app.command("list")(people_list)
    people_app.command("suggestions")(people_suggestions)
    people_app.command("merge")(people_merge)
    people_app.command("split")(people_split)
    people_app.command("apart")(people_apart)
    people_app.command("region")(people_region)
