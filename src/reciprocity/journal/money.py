"""Money between the user and each person: exact amounts, a currency, a running balance.

Like a shared-expenses app: every payment one way makes the other side owe that much, so
the balance per person and currency is simply what the user paid (lent, or paid back)
minus what they paid, over entries not marked settled. Positive: they owe the user;
negative: the user owes them. Amounts are whole numbers of the currency's smallest unit
(:func:`to_minor`), never floats, so sums are exact.

Currencies are ISO 4217 codes. Most have two decimals; :data:`_DECIMALS` lists those that
do not, and :data:`_SYMBOLS` the few symbols people expect to see (the code otherwise):
a short table rather than a locale library, as nothing else here needs locale data.

>>> format_money(4000, "EUR")
'€40.00'
>>> to_minor("12.5", "GBP")
1250
"""

from __future__ import annotations

import locale
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

import polars as pl

from reciprocity.errors import ReciprocityError

__all__ = [
    "DEFAULT_CURRENCY",
    "MONEY_SCHEMA",
    "Balance",
    "MoneyError",
    "balances",
    "check_currency",
    "format_money",
    "from_minor",
    "locale_currency",
    "money_frame",
    "to_minor",
]

DEFAULT_CURRENCY = "EUR"
"""The currency when neither the settings nor this computer's locale name one."""

# ISO 4217 minor units where they are not two.
_NO_DECIMALS = [
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "ISK",
    "JPY",
    "KMF",
    "KRW",
    "PYG",
    "RWF",
    "UGX",
    "UYI",
    "VND",
    "VUV",
    "XAF",
    "XOF",
    "XPF",
]
_THREE_DECIMALS = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
_DECIMALS = {**dict.fromkeys(_NO_DECIMALS, 0), **dict.fromkeys(_THREE_DECIMALS, 3)}
_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "INR": "₹", "KRW": "₩", "ILS": "₪"}
_CODE = re.compile(r"[A-Z]{3}")


class MoneyError(ReciprocityError):
    """An amount or currency that cannot be used; the message says what to write."""


def spelling(names: list[str]) -> str:
    """The spelling of a name used most often (the earliest of equals): "Alex" over a
    quickly typed "alex"."""
    return Counter(names).most_common(1)[0][0]


def check_currency(code: str) -> str:
    """``code`` as an upper-case three-letter currency code (``"eur"`` -> ``"EUR"``)."""
    value = code.strip().upper()
    if not _CODE.fullmatch(value):
        raise MoneyError(f"{code!r} is not a currency code; write three letters, like EUR or GBP")
    return value


def _decimals(currency: str | None) -> int:
    return _DECIMALS.get(currency or "", 2)


def to_minor(amount: str | int | float | Decimal, currency: str | None) -> int:
    """``amount`` in the currency's smallest unit, exactly; :class:`MoneyError` for text
    that is not a number, or more decimals than the currency has."""
    try:
        value = Decimal(str(amount).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise MoneyError(f"{amount!r} is not an amount; write it like 40 or 12.50") from exc
    if not value.is_finite():
        raise MoneyError(f"{amount!r} is not an amount; write it like 40 or 12.50")
    scaled = value.scaleb(_decimals(currency))
    if scaled != scaled.to_integral_value():
        places = _decimals(currency)
        raise MoneyError(
            f"{amount} has more decimals than {currency or 'an amount'} uses ({places})"
        )
    return int(scaled)


def from_minor(minor: int, currency: str | None) -> Decimal:
    """The exact amount of ``minor`` smallest units (``4000, "EUR"`` -> ``Decimal("40.00")``)."""
    return Decimal(minor).scaleb(-_decimals(currency))


def format_money(minor: int, currency: str | None) -> str:
    """An amount as people write it: ``€40.00``, ``CHF 12.50``, ``¥500``; a bare number
    when the currency is unknown (amounts saved before currencies were kept)."""
    amount = from_minor(abs(minor), currency)
    text = f"{amount:,.{_decimals(currency)}f}"
    sign = "-" if minor < 0 else ""
    if not currency:
        return f"{sign}{text}"
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{currency} {text}"


def locale_currency() -> str | None:
    """The currency of this computer's locale (``LC_MONETARY``), when it names one."""
    try:
        saved = locale.setlocale(locale.LC_MONETARY)
        try:
            locale.setlocale(locale.LC_MONETARY, "")
            code = str(locale.localeconv().get("int_curr_symbol") or "").strip()
        finally:
            locale.setlocale(locale.LC_MONETARY, saved)
    except locale.Error:
        return None
    return code if _CODE.fullmatch(code) else None


@dataclass(frozen=True)
class Balance:
    """What is owed between the user and one person in one currency.

    ``owed`` is in the smallest unit: positive when they owe the user, negative when the
    user owes them, zero when settled. ``since`` is when the current debt began (the first
    payment after the balance last stood at zero); ``None`` when settled.
    """

    person: str
    currency: str | None
    owed: int
    since: datetime | None
    entries: int
    last: datetime

    @property
    def amount(self) -> str:
        """The amount owed, either way, as people write it."""
        return format_money(abs(self.owed), self.currency)

    @property
    def text(self) -> str:
        """ "Alex owes you €40.00 since March 2026", "you owe Jordan £12.00 since ...",
        or "settled with Alex"."""
        since = "" if self.since is None else f" since {self.since:%B %Y}"
        if self.owed > 0:
            return f"{self.person} owes you {self.amount}{since}"
        if self.owed < 0:
            return f"you owe {self.person} {self.amount}{since}"
        return f"settled with {self.person}" + (f" ({self.currency})" if self.currency else "")

    @property
    def sentence(self) -> str:
        """:attr:`text` starting with a capital letter (names keep theirs)."""
        return self.text[:1].upper() + self.text[1:]


MONEY_KINDS = ("money", "repayment")

MONEY_SCHEMA: dict[str, pl.DataType] = {
    "person": pl.String(),
    "currency": pl.String(),
    "owed_minor": pl.Int64(),
    "owed": pl.String(),
    "since": pl.Datetime("us", "UTC"),
    "entries": pl.Int64(),
    "text": pl.String(),
}
"""Columns of :func:`money_frame`: one row per person and currency."""


def balances(entries: pl.DataFrame) -> dict[str, list[Balance]]:
    """Each person's running :class:`Balance` per currency, keyed by the case-folded name.

    ``entries`` is :func:`reciprocity.journal.entries_frame`; money lent or borrowed
    (kind ``money``) and paid back (``repayment``) count, except entries marked settled
    (paid back in full outside the journal). The person keeps the spelling used most.
    """
    rows = (
        entries.filter(
            pl.col("kind").is_in(MONEY_KINDS)
            & pl.col("amount_minor").is_not_null()
            & ~pl.col("settled").fill_null(False)
        )
        .sort("timestamp", "id")
        .iter_rows(named=True)
    )
    running: dict[tuple[str, str | None], _Running] = {}
    for row in rows:
        key = (str(row["person"]).strip().casefold(), row["currency"])
        state = running.setdefault(key, _Running(last=row["timestamp"]))
        before = state.owed
        state.owed += row["amount_minor"] if row["giver"] == "me" else -row["amount_minor"]
        if state.owed == 0:
            state.since = None
        elif before == 0 or (before > 0) != (state.owed > 0):
            state.since = row["timestamp"]  # a new debt starts, or turns the other way
        state.entries += 1
        state.names.append(str(row["person"]).strip())
        state.last = row["timestamp"]
    out: dict[str, list[Balance]] = {}
    for (folded, currency), state in sorted(
        running.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
    ):
        out.setdefault(folded, []).append(
            Balance(
                person=spelling(state.names),
                currency=currency,
                owed=state.owed,
                since=state.since,
                entries=state.entries,
                last=state.last,
            )
        )
    return out


@dataclass
class _Running:
    """A balance while the entries are summed, oldest first."""

    last: datetime
    owed: int = 0
    since: datetime | None = None
    entries: int = 0
    names: list[str] = field(default_factory=list)


def money_frame(entries: pl.DataFrame) -> pl.DataFrame:
    """:func:`balances` as a frame (:data:`MONEY_SCHEMA`): open debts first, largest first
    within a currency, then settled ones."""
    flat = [b for found in balances(entries).values() for b in found]
    flat.sort(key=lambda b: (b.owed == 0, b.currency or "", -abs(b.owed), b.person.casefold()))
    return pl.DataFrame(
        [
            {
                "person": b.person,
                "currency": b.currency,
                "owed_minor": b.owed,
                "owed": format_money(b.owed, b.currency),
                "since": b.since,
                "entries": b.entries,
                "text": b.text,
            }
            for b in flat
        ],
        schema=MONEY_SCHEMA,
    )
