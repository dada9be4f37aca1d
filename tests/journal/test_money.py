"""Money like a shared-expenses app: exact amounts, a currency, a running balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reciprocity import store
from reciprocity.journal import (
    JournalError,
    add_entry,
    balances,
    default_currency,
    entries_frame,
    money_frame,
    settle,
)
from reciprocity.journal.money import MoneyError, format_money, to_minor


def test_amounts_are_exact_in_the_currencys_smallest_unit() -> None:
    assert to_minor("40", "EUR") == 4000
    assert to_minor("0.1", "EUR") + to_minor("0.2", "EUR") == to_minor("0.3", "EUR")
    assert to_minor("12,5", "GBP") == 1250
    assert to_minor("500", "JPY") == 500
    assert to_minor("1.234", "KWD") == 1234
    with pytest.raises(MoneyError, match="more decimals than EUR"):
        to_minor("1.005", "EUR")
    with pytest.raises(MoneyError, match="not an amount"):
        to_minor("forty", "EUR")
    assert format_money(4000, "EUR") == "€40.00"
    assert format_money(-1200, "GBP") == "-£12.00"
    assert format_money(1250, "CHF") == "CHF 12.50"
    assert format_money(500, "JPY") == "¥500"
    assert format_money(123456, "USD") == "$1,234.56"


def test_running_balance_per_person_and_currency(db: store.Database) -> None:
    add_entry(db, "Alex", giver="me", amount="40", currency="EUR", when=date(2024, 3, 2))
    add_entry(db, "Alex", giver="me", amount="0.10", currency="eur", when=date(2024, 3, 9))
    add_entry(db, "alex", kind="repayment", giver="them", amount="15", currency="EUR",
              when=date(2024, 5, 1))  # fmt: skip
    add_entry(db, "Alex", giver="them", amount="5", currency="GBP", when=date(2024, 6, 1))
    add_entry(db, "Jordan", giver="them", amount="12", currency="GBP", when=date(2024, 4, 1))
    add_entry(db, "Jordan", giver="me", amount="99", currency="GBP", settled=True,
              when=date(2024, 4, 2))  # fmt: skip  # paid back outside the journal
    owed = balances(entries_frame(db))
    eur, gbp = owed["alex"]
    assert (eur.currency, eur.owed, eur.entries) == ("EUR", 2510, 3)
    assert eur.since is not None
    assert eur.since.date() == date(2024, 3, 2)
    assert eur.text == "Alex owes you €25.10 since March 2024"
    assert gbp.text == "you owe Alex £5.00 since June 2024"
    assert owed["jordan"][0].text == "you owe Jordan £12.00 since April 2024"
    frame = money_frame(entries_frame(db))
    assert frame["owed"].to_list() == ["€25.10", "-£12.00", "-£5.00"]


def test_settling_up_zeroes_the_balance_and_a_new_debt_has_a_new_start(
    db: store.Database,
) -> None:
    add_entry(db, "Alex", giver="me", amount="40", currency="EUR", when=date(2024, 3, 2))
    entry = settle(db, "alex", "EUR", when=date(2024, 4, 1))
    assert (entry.kind, entry.giver, entry.amount) == ("repayment", "them", Decimal("40.00"))
    [done] = balances(entries_frame(db))["alex"]
    assert (done.owed, done.since, done.text) == (0, None, "settled with Alex (EUR)")
    with pytest.raises(JournalError, match="nothing is owed"):
        settle(db, "Alex", "EUR")
    add_entry(db, "Alex", giver="them", amount="7", currency="EUR", when=date(2024, 7, 1))
    [again] = balances(entries_frame(db))["alex"]
    assert again.text == "you owe Alex €7.00 since July 2024"


def test_default_currency_from_the_settings(db: store.Database) -> None:
    store.set_setting(db, "currency", "gbp")
    assert default_currency(db) == "GBP"
    entry = add_entry(db, "Alex", giver="me", amount="3.5")
    assert (entry.amount_minor, entry.currency, entry.money_text) == (350, "GBP", "£3.50")
    with pytest.raises(MoneyError, match="currency code"):
        add_entry(db, "Alex", giver="me", amount="3", currency="euros")


def test_a_repayment_gives_nothing_to_the_ledger(db: store.Database) -> None:
    from reciprocity.journal import ledger_frame

    add_entry(db, "Alex", giver="me", amount="40", currency="EUR")
    add_entry(db, "Alex", kind="repayment", giver="them", amount="40", currency="EUR")
    frame = ledger_frame(db)
    assert frame is not None
    assert frame["dimension"].to_list() == ["favours_money"]


def test_changing_the_currency_keeps_the_amount(db: store.Database) -> None:
    from reciprocity.journal import edit_entry

    entry = add_entry(db, "Alex", giver="me", amount="40", currency="EUR")
    changed = edit_entry(db, entry.id, currency="jpy")
    assert (changed.amount_minor, changed.currency, changed.money_text) == (40, "JPY", "¥40")
    with pytest.raises(JournalError, match="more decimals than JPY"):
        edit_entry(db, entry.id, amount="1.5")
