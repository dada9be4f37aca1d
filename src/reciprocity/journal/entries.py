"""Journal entries: saving, editing, deleting and reading the user's self-report.

One entry is one moment the chats cannot show: who gave what (a ledger dimension), how the
user felt afterwards (energy -2 drained ... +2 uplifted), money lent or borrowed and whether
it came back, money paid back, a favour and whether it was returned, a household or
parenting task and who did it, or a conflict a child saw and whether it was repaired.
``kind`` tells them apart (:data:`KINDS`); ``settled`` is "paid back", "returned" or
"repaired" depending on it. Amounts are exact: whole smallest units of their currency
(``amount_minor``, see :mod:`.money`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import insert, select, update

from reciprocity.errors import NotFound, ReciprocityError
from reciprocity.journal import money
from reciprocity.ledger import DIMENSIONS
from reciprocity.store import trash
from reciprocity.store.cache import touch_edits
from reciprocity.store.db import Database
from reciprocity.store.models_guide import JournalEntry
from reciprocity.store.settings import get_setting

__all__ = [
    "ENTRIES_SCHEMA",
    "KINDS",
    "Entry",
    "JournalError",
    "add_entry",
    "default_currency",
    "delete_entry",
    "edit_entry",
    "entries_frame",
    "get_entry",
    "not_in_future",
    "restore_entry",
    "settle",
    "to_utc",
    "undo_delete",
]

KINDS = ("interaction", "money", "repayment", "favour", "task", "conflict")
"""What an entry records."""
SIDES = ("me", "them")

ENTRIES_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "person": pl.String(),
    "timestamp": pl.Datetime("us", "UTC"),
    "kind": pl.String(),
    "giver": pl.String(),
    "dimension": pl.String(),
    "note": pl.String(),
    "energy": pl.Int8(),
    "amount_minor": pl.Int64(),
    "currency": pl.String(),
    "settled": pl.Boolean(),
}
"""Columns of :func:`entries_frame`."""


class JournalError(ReciprocityError):
    """An entry cannot be saved as given; the message says what to change."""


@dataclass(frozen=True)
class Entry:
    """One journal entry as stored (``when`` is UTC)."""

    id: int
    person: str
    when: datetime
    kind: str = "interaction"
    giver: str | None = None
    dimension: str | None = None
    note: str | None = None
    energy: int | None = None
    amount_minor: int | None = None
    currency: str | None = None
    settled: bool | None = None

    @property
    def amount(self) -> Decimal | None:
        """The exact amount of money, in ``currency``, or ``None``."""
        if self.amount_minor is None:
            return None
        return money.from_minor(self.amount_minor, self.currency)

    @property
    def money_text(self) -> str:
        """The amount as people write it ("€40.00"), or "" without one."""
        if self.amount_minor is None:
            return ""
        return money.format_money(self.amount_minor, self.currency)


def to_utc(when: datetime | date | None) -> datetime:
    """``when`` as an aware UTC time: now when ``None``; a bare date is taken at noon UTC
    so it stays the same calendar day in nearly every time zone; a naive time is UTC."""
    if when is None:
        return datetime.now(UTC)
    if not isinstance(when, datetime):
        return datetime.combine(when, time(12), tzinfo=UTC)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


_CLOCK_SLACK = timedelta(minutes=5)
"""How far past now a time may be (a clock a little ahead is not the future)."""


def not_in_future(when: datetime | date | None) -> None:
    """Raise :class:`JournalError` when ``when`` has not happened yet.

    A bare date may be today (this machine's calendar) or earlier; a time may be up to a
    few minutes ahead of now.
    """
    if when is None:
        return
    if isinstance(when, datetime):
        late = to_utc(when) > datetime.now(UTC) + _CLOCK_SLACK
        day = when.date()
    else:
        late = when > date.today()
        day = when
    if late:
        raise JournalError(
            f"{day.isoformat()} is in the future; note only what has already happened"
        )


def _micros(when: datetime) -> int:
    return int(when.timestamp()) * 1_000_000 + when.microsecond


def _from_micros(value: int) -> datetime:
    return datetime.fromtimestamp(value // 1_000_000, UTC).replace(microsecond=value % 1_000_000)


def normalise_dimension(name: str | None) -> str | None:
    """A ledger dimension from what a person types ("practical help", "Practical-Help")."""
    if name is None or not name.strip():
        return None
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"money": "favours_money", "favour": "favours_money", "favor": "favours_money"}
    key = aliases.get(key, key)
    if key not in DIMENSIONS or key == "energy":
        choices = ", ".join(d for d in DIMENSIONS if d != "energy")
        raise JournalError(f"{name!r} is not something one can give here; use one of: {choices}")
    return key


def _validate(values: dict[str, Any]) -> None:
    """Raise :class:`JournalError` with a plain message for the first thing that is off."""
    if not str(values.get("person") or "").strip():
        raise JournalError("say who the entry is about")
    if values["kind"] not in KINDS:
        raise JournalError(f"kind must be one of: {', '.join(KINDS)}")
    if values.get("giver") is not None and values["giver"] not in SIDES:
        raise JournalError("who gave is 'me' or 'them'")
    energy = values.get("energy")
    if energy is not None and not -2 <= energy <= 2:
        raise JournalError("energy goes from -2 (drained) to +2 (uplifted)")
    amount = values.get("amount_minor")
    if amount is not None and amount <= 0:
        raise JournalError("an amount of money must be more than zero")
    if values["kind"] in ("money", "repayment") and amount is None:
        raise JournalError("money lent, borrowed or paid back needs an amount")
    if values["kind"] in ("money", "repayment", "favour", "task") and values.get("giver") is None:
        raise JournalError(f"a {values['kind']} entry needs who gave or did it ('me' or 'them')")
    if values["kind"] == "interaction" and values.get("dimension") and not values.get("giver"):
        raise JournalError("say who gave it: 'me' or 'them'")
    if values["kind"] == "interaction" and not values.get("dimension") and energy is None:
        raise JournalError("an entry needs something given or an energy from -2 to +2")


def default_currency(db: Database) -> str:
    """The currency an amount is in when none is named: the ``currency`` setting, else
    this computer's locale, else :data:`~reciprocity.journal.money.DEFAULT_CURRENCY`."""
    saved = get_setting(db, "currency")
    return money.check_currency(saved or money.locale_currency() or money.DEFAULT_CURRENCY)


def _money_values(
    db: Database, amount: str | int | float | Decimal | None, currency: str | None
) -> tuple[int | None, str | None]:
    """``amount`` in smallest units and its currency code (the default when not named)."""
    if amount is None:
        return None, None
    code = money.check_currency(currency) if currency else default_currency(db)
    try:
        minor = money.to_minor(amount, code)
    except money.MoneyError as exc:
        raise JournalError(str(exc)) from exc
    return minor, code


def add_entry(
    db: Database,
    person: str,
    *,
    giver: str | None = None,
    dimension: str | None = None,
    note: str | None = None,
    energy: int | None = None,
    kind: str | None = None,
    amount: str | int | float | Decimal | None = None,
    currency: str | None = None,
    settled: bool | None = None,
    when: datetime | date | None = None,
) -> Entry:
    """Save one entry and return it with its id.

    ``kind`` defaults to ``money`` when an ``amount`` is given, ``favour`` for the
    ``favours_money`` dimension without one, else ``interaction``; money and favours get
    the ``favours_money`` dimension and start unsettled. A ``repayment`` (money paid back
    by ``giver``) gives nothing. ``amount`` is kept exactly, in ``currency`` (an ISO code;
    :func:`default_currency` when not named).

    >>> add_entry(db, "Alex", giver="me", dimension="practical_help", energy=-1)  # doctest: +SKIP
    >>> add_entry(db, "Alex", giver="me", amount="40", currency="EUR")  # doctest: +SKIP
    """
    dimension = normalise_dimension(dimension)
    if kind is None:
        if amount is not None:
            kind = "money"
        elif dimension == "favours_money":
            kind = "favour"
        else:
            kind = "interaction"
    if kind in ("money", "favour"):
        dimension = "favours_money"
        settled = bool(settled)
    if kind == "repayment":
        dimension = None
    minor, code = _money_values(db, amount, currency)
    values: dict[str, Any] = {
        "person": person.strip(),
        "kind": kind,
        "giver": giver,
        "dimension": dimension,
        "note": (note or "").strip() or None,
        "energy": energy,
        "amount_minor": minor,
        "currency": code,
        "settled": settled,
    }
    _validate(values)
    not_in_future(when)
    stamp = to_utc(when)
    with db.write() as conn:
        new_id = conn.execute(
            insert(JournalEntry).values(timestamp_us=_micros(stamp), **values)
        ).inserted_primary_key
        touch_edits(conn)
    assert new_id is not None
    return Entry(id=int(new_id[0]), when=stamp, **values)


def get_entry(db: Database, entry_id: int) -> Entry:
    """The entry with ``entry_id``; :class:`NotFound` when there is none."""
    with db.engine.connect() as conn:
        row = conn.execute(_query().where(JournalEntry.id == entry_id)).first()
    if row is None:
        raise NotFound(f"there is no journal entry {entry_id}; 'reciprocity journal' lists them")
    values = dict(zip(ENTRIES_SCHEMA, row, strict=True))
    values["when"] = _from_micros(values.pop("timestamp"))
    return Entry(**values)


def _query() -> Any:
    """Every column of :data:`ENTRIES_SCHEMA`, in order, oldest first."""
    return (
        select(
            JournalEntry.id,
            JournalEntry.person,
            JournalEntry.timestamp_us,
            JournalEntry.kind,
            JournalEntry.giver,
            JournalEntry.dimension,
            JournalEntry.note,
            JournalEntry.energy,
            JournalEntry.amount_minor,
            JournalEntry.currency,
            JournalEntry.settled,
        )
        .where(trash.kept(JournalEntry))
        .order_by(JournalEntry.timestamp_us, JournalEntry.id)
    )


_EDITABLE = {f.name for f in fields(Entry)} - {"id"}


def edit_entry(db: Database, entry_id: int, **changes: Any) -> Entry:
    """Change some fields of an entry (``person``, ``when``, ``giver``, ``dimension``,
    ``note``, ``energy``, ``amount``, ``currency``, ``settled``, ``kind``); returns the
    new entry. A value of ``None`` clears a field; ``amount`` is read in the entry's
    currency (or the new one)."""
    unknown = set(changes) - _EDITABLE - {"amount"}
    if unknown:
        raise JournalError(f"cannot change {', '.join(sorted(unknown))}")
    current = get_entry(db, entry_id)
    if "amount" in changes:
        amount = changes.pop("amount")
        currency = changes.get("currency", current.currency)
        changes["amount_minor"], changes["currency"] = _money_values(db, amount, currency)
    elif changes.get("currency") and current.amount is not None:
        # The same amount in the new currency (12.50 EUR -> 12.50 GBP), however many
        # decimals each has.
        minor, code = _money_values(db, current.amount, changes["currency"])
        changes["amount_minor"], changes["currency"] = minor, code
    elif changes.get("currency"):
        changes["currency"] = money.check_currency(changes["currency"])
    values = {f: getattr(current, f) for f in _EDITABLE} | changes
    if "dimension" in changes:
        values["dimension"] = normalise_dimension(values["dimension"])
    if "when" in changes:
        not_in_future(changes["when"])
    values["when"] = to_utc(values["when"])
    _validate(values)
    stored = {k: v for k, v in values.items() if k != "when"}
    with db.write() as conn:
        conn.execute(
            update(JournalEntry)
            .where(JournalEntry.id == entry_id)
            .values(timestamp_us=_micros(values["when"]), **stored)
        )
        touch_edits(conn)
    return Entry(id=entry_id, **values)


def delete_entry(db: Database, entry_id: int) -> Entry:
    """Delete an entry and return it as it was; :func:`restore_entry` (or
    :func:`undo_delete`) brings it back with the same id. :class:`NotFound` when there is
    none. The id is never given to another entry."""
    entry = get_entry(db, entry_id)
    trash.soft_delete(db, "journal", entry_id)
    return entry


def restore_entry(db: Database, entry_id: int) -> Entry:
    """Bring back the deleted entry ``entry_id``, as it was; :class:`NotFound` when no
    deleted entry has that id."""
    try:
        trash.restore(db, "journal", entry_id)
    except NotFound as missing:
        raise NotFound(
            f"there is no deleted journal entry {entry_id} to bring back; "
            "'reciprocity journal' lists the entries"
        ) from missing
    return get_entry(db, entry_id)


def undo_delete(db: Database) -> Entry:
    """Bring back the journal entry deleted last; :class:`NotFound` when none is deleted."""
    last = trash.last_deleted(db, "journal")
    if last is None:
        raise NotFound("no deleted journal entry to bring back")
    return restore_entry(db, last)


def entries_frame(db: Database, person: str | None = None) -> pl.DataFrame:
    """Every entry (or ``person``'s, case-insensitive), oldest first (:data:`ENTRIES_SCHEMA`)."""
    with db.engine.connect() as conn:
        rows = conn.execute(_query()).all()
    columns = list(ENTRIES_SCHEMA)
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    frame = pl.DataFrame(data, schema={**ENTRIES_SCHEMA, "timestamp": pl.Int64()})
    frame = frame.with_columns(pl.col("timestamp").cast(pl.Datetime("us", "UTC")))
    if person is not None:
        frame = frame.filter(pl.col("person").str.to_lowercase() == person.strip().lower())
    return frame


def settle(
    db: Database,
    person: str,
    currency: str | None = None,
    *,
    note: str | None = None,
    when: datetime | date | None = None,
) -> Entry:
    """Record that what is owed between the user and ``person`` in ``currency`` (the
    default currency when not named) was paid back in full: one ``repayment`` by whoever
    owed. :class:`JournalError` when nothing is owed."""
    code = money.check_currency(currency) if currency else default_currency(db)
    found = money.balances(entries_frame(db, person)).get(person.strip().casefold(), [])
    owed = next((b.owed for b in found if b.currency == code), 0)
    if owed == 0:
        raise JournalError(f"nothing is owed between you and {person.strip()} in {code}")
    return add_entry(
        db,
        person,
        kind="repayment",
        giver="them" if owed > 0 else "me",
        amount=money.from_minor(abs(owed), code),
        currency=code,
        note=note or "settled up",
        when=when,
    )
