"""What sits beside the give and take, per person: energy afterwards, money, last contact.

None of these is a share of what was given: energy is how the user felt (a scale of its
own), money is a running balance in a currency, and "last heard from" is a date. They are
computed once here, from the journal and the one-to-one exchanges, and every surface (the
CLI's ``analyze --person``, the web pages, the report) reads the same records.

>>> figures = beside_figures(db, analysis.contacts)  # doctest: +SKIP
>>> figures["alex"].money[0].text  # doctest: +SKIP
'Alex owes you €25.00 since March 2024'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from reciprocity import journal, store
from reciprocity.metrics.contact import LastHeard, gone_quiet, last_heard

__all__ = ["Across", "Beside", "beside_figures"]


@dataclass(frozen=True)
class Beside:
    """One person's figures beside the balance (any part may be missing)."""

    person: str
    energy: journal.EnergyTrend | None = None
    money: tuple[journal.Balance, ...] = ()
    heard: LastHeard | None = None
    important: bool = False

    def lines(self) -> list[str]:
        """Plain sentences for a terminal or a text export."""
        felt = (
            self.energy.text
            if self.energy
            else "not logged yet (log an energy from -2 drained to +2 uplifted)"
        )
        owed = "; ".join(b.text for b in self.money) or "nothing lent or borrowed"
        out = [f"How you feel afterwards: {felt}", f"Money: {owed}"]
        if self.heard is not None:
            out += self.heard.lines()
            if self.important and self.heard.gone_quiet:
                out.append(
                    f"Gone quiet ({self.heard.person} is marked important): {self.heard.nudge}"
                )
        return out


@dataclass(frozen=True)
class Across:
    """Everyone's :class:`Beside` (keyed by case-folded name), and the important ties gone
    quiet."""

    people: dict[str, Beside] = field(default_factory=dict)
    quiet: tuple[LastHeard, ...] = ()


def beside_figures(
    db: store.Database,
    exchanges: pl.DataFrame,
    *,
    silence: timedelta = timedelta(hours=6),
    now: datetime | None = None,
) -> Across:
    """Energy trend, money balances and last contacts for everyone in the journal or the
    one-to-one chats of ``exchanges`` (the pipeline's, with ``relationship_id``, ``person``,
    ``from_me`` and ``timestamp``); ``now`` is the day silences count to."""
    entries = journal.entries_frame(db)
    trends = journal.energy_trends(entries)
    owed = journal.balances(entries)
    important = store.important_people(db)
    heard = last_heard(exchanges, entries, silence=silence, now=now, important=important)
    marked = {name.casefold() for name in important}
    people: dict[str, Beside] = {}
    for key in sorted(set(trends) | set(owed) | set(heard)):
        names = [x.person for x in (trends.get(key), heard.get(key)) if x is not None]
        names += [b.person for b in owed.get(key, [])]
        people[key] = Beside(
            person=names[0],
            energy=trends.get(key),
            money=tuple(owed.get(key, [])),
            heard=heard.get(key),
            important=key in marked,
        )
    return Across(people=people, quiet=tuple(gone_quiet(heard)))
