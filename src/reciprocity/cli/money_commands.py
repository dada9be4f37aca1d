"""Commands for what sits beside the balance: ``money``, ``people important``,
``people quiet``, and the lines ``analyze --person`` adds (energy, money, last heard from).

A thin layer: the figures come from :func:`reciprocity.metrics.beside.beside_figures` and
:mod:`reciprocity.journal`; this module prints them.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from reciprocity import journal, pipeline, store
from reciprocity.metrics.beside import Across, beside_figures

out = Console()

__all__ = [
    "beside_json",
    "beside_lines",
    "money",
    "people_important",
    "people_quiet",
    "person_beside",
    "register",
]


def _db(ctx: typer.Context) -> store.Database:
    path = ctx.find_root().params.get("db")
    return store.open_db(path if isinstance(path, str) else None)


def beside_lines(across: Across, person: str) -> list[Text]:
    """The lines ``analyze --person`` prints under the balance for ``person``."""
    found = across.people.get(person.casefold())
    if found is None:
        return [Text("Nothing logged in the journal about them yet.")]
    return [Text("Beside the give and take", style="bold")] + [
        Text("  " + line) for line in found.lines()
    ]


def beside_json(across: Across) -> dict[str, Any]:
    """Everyone's energy afterwards, money owed and last contacts, for ``analyze --json``:
    the same records ``analyze --person`` prints."""

    def when(value: Any) -> str | None:
        return None if value is None else value.isoformat()

    people = []
    for found in across.people.values():
        energy = found.energy
        heard = found.heard
        people.append(
            {
                "person": found.person,
                "important": found.important,
                "energy": None
                if energy is None
                else {
                    "entries": energy.entries,
                    "mean": energy.mean,
                    "recent_mean": energy.recent_mean,
                    "recent_entries": energy.recent_entries,
                    "reading": energy.reading,
                    "months": [
                        {"month": m.month, "mean": m.mean, "entries": m.entries}
                        for m in energy.months
                    ],
                },
                "money": [
                    {
                        "currency": b.currency,
                        "owed_minor": b.owed,
                        "owed": journal.format_money(b.owed, b.currency),
                        "since": when(b.since),
                        "says": b.text,
                    }
                    for b in found.money
                ],
                "last_heard": None
                if heard is None
                else {
                    "last_from_them": when(heard.last_from_them),
                    "last_from_me": when(heard.last_from_me),
                    "last_started_by_them": when(heard.last_started_by_them),
                    "last_started_by_me": when(heard.last_started_by_me),
                    "last_contact": when(heard.last_contact),
                    "usual_gap_days": heard.usual_gap_days,
                    "days_quiet": heard.quiet_days,
                    "gone_quiet": found.important and heard.gone_quiet,
                },
            }
        )
    return {"beside": people}


def person_beside(
    db: store.Database, analysis: pipeline.Analysis, person: str, silence: timedelta
) -> list[Text]:
    """:func:`beside_lines` for ``person``, computed from ``analysis``."""
    return beside_lines(beside_figures(db, analysis.contacts, silence=silence), person)


def money(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the balances as JSON.")] = False,
    currency: Annotated[
        str | None,
        typer.Option(
            "--set-currency",
            help="Make this your usual currency (e.g. EUR, GBP) for amounts logged without one.",
        ),
    ] = None,
) -> None:
    """Who owes whom, per person and currency, from money lent, borrowed and paid back."""
    db = _db(ctx)
    if currency is not None:
        code = journal.money.check_currency(currency)
        store.set_setting(db, "currency", code)
        out.print(f"Amounts logged without a currency are now in {code}.")
    frame = journal.money_frame(journal.entries_frame(db))
    if as_json:
        rows: list[dict[str, Any]] = [
            {**r, "since": None if r["since"] is None else r["since"].isoformat()}
            for r in frame.to_dicts()
        ]
        sys.stdout.write(json.dumps({"balances": rows}, indent=2, ensure_ascii=False) + "\n")
        return
    if not frame.height:
        if currency is None:
            out.print(
                "Nothing lent or borrowed yet. Log it with: reciprocity log NAME --lent 40 "
                "(or --borrowed, --paid-back, --settle)"
            )
        return
    for row in frame.iter_rows(named=True):
        text = row["text"][:1].upper() + row["text"][1:]
        out.print(Text(f"• {text}"), style="bold" if row["owed_minor"] else "dim")
    out.print(f"Amounts logged without a currency are in {journal.default_currency(db)}.")


def people_important(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Their name as listed by 'reciprocity people'.")],
    off: Annotated[bool, typer.Option("--off", help="No longer important.")] = False,
) -> None:
    """Mark someone you want to keep close; 'people quiet' tells you when they go quiet."""
    name = store.set_important(_db(ctx), person, not off)
    if off:
        out.print(f"{escape(name)} is no longer marked as important.")
    else:
        out.print(f"{escape(name)} is marked as important.")


def people_quiet(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """Important people you have not heard from for longer than usual."""
    db = _db(ctx)
    across = beside_figures(db, pipeline.analyze(db, narrow=True).contacts)
    if as_json:
        rows = [
            {
                "person": h.person,
                "days_quiet": h.quiet_days,
                "usual_gap_days": h.usual_gap_days,
                "last_contact": None if h.last_contact is None else h.last_contact.isoformat(),
                "says": h.nudge,
            }
            for h in across.quiet
        ]
        sys.stdout.write(json.dumps({"gone_quiet": rows}, indent=2, ensure_ascii=False) + "\n")
        return
    if not store.important_people(db):
        out.print(
            "No one is marked as important yet. Mark someone with: "
            "reciprocity people important NAME"
        )
        return
    if not across.quiet:
        out.print("Everyone you marked as important has been in touch about as often as usual.")
        return
    for h in across.quiet:
        out.print(Text(f"• {h.person}: {h.nudge}"))


def register(app: typer.Typer, people_app: typer.Typer) -> None:
    """Add ``money`` to ``app`` and ``important`` and ``quiet`` to ``people_app``."""
    app.command("money")(money)
    people_app.command("important")(people_important)
    people_app.command("quiet")(people_quiet)
