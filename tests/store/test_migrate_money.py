"""Migration 0004: amounts become exact whole cents with a currency; people get "important"."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from reciprocity import journal
from reciprocity.store import open_db
from reciprocity.store.migrate import alembic_config


def test_old_float_amounts_become_exact_cents(tmp_path: Path) -> None:
    target = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{target}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0003")
        conn.exec_driver_sql(
            "INSERT INTO journal_entries (person, timestamp_us, kind, giver, dimension, amount,"
            " settled) VALUES ('Alex', 1709380800000000, 'money', 'me', 'favours_money', 12.3,"
            " 0), ('Alex', 1709467200000000, 'money', 'me', 'favours_money', 0.1, 0)"
        )
    engine.dispose()
    with open_db(target) as db:  # upgrades to head
        entries = journal.entries_frame(db)
        assert entries["amount_minor"].to_list() == [1230, 10]
        assert entries["currency"].to_list() == [None, None]
        # 12.30 + 0.10 is exactly 12.40 (as floats it is 12.400000000000002).
        owed = journal.balances(entries)["alex"][0]
        assert owed.owed == 1240
        assert owed.text.startswith("Alex owes you 12.40")
    engine = create_engine(f"sqlite:///{target}")
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0003")
        amounts = [r[0] for r in conn.exec_driver_sql("SELECT amount FROM journal_entries")]
    engine.dispose()
    assert amounts == [12.3, 0.1]
