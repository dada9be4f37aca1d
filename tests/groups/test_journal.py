"""A journal entry about someone known only from a group chat is theirs: it carries their
relationship, whether the analysis is computed whole or stored window by window."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from reciprocity import pipeline, store
from reciprocity.journal import entries

LINES = [
    "01/02/2024, 10:00 - Kim: anyone up for a walk on Saturday morning?",
    "01/02/2024, 10:01 - Me: yes! count me in, where shall we meet?",
    "01/02/2024, 10:02 - Lea: me too, by the old bridge at nine?",
    "01/02/2024, 10:03 - Kim: perfect, see you both there",
]


def _journal_rows(db: store.Database) -> pl.DataFrame:
    ledger = pipeline.analyze(db).ledger
    assert isinstance(ledger, pl.DataFrame)
    return ledger.filter(pl.col("source") == "journal")


def test_a_journal_entry_about_a_group_member_is_linked_to_them(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Walkers.txt"
    chat.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    found = []
    for name in ("windows", "whole"):
        with store.open_db(tmp_path / f"{name}.sqlite") as db:
            pipeline.import_file(db, chat, me="Me")
            entries.add_entry(
                db,
                "lea",
                giver="them",
                dimension="practical_help",
                when=datetime(2024, 2, 2, tzinfo=UTC),
            )
            entries.add_entry(
                db,
                "Nobody Known",
                giver="me",
                dimension="listening",
                when=datetime(2024, 2, 3, tzinfo=UTC),
            )
            if name == "windows":
                pipeline.prepare(db, rows=1)
            else:
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("DELETE FROM frame_cache")
            rows = _journal_rows(db)
            people = {r["person"]: r["relationship_id"] for r in rows.iter_rows(named=True)}
            # Matched by name, in the chat's spelling; someone never seen stays apart.
            assert people["Lea"] is not None
            assert people["Nobody Known"] is None
            # The same relationship as hers in the group's roles.
            roles = pipeline.analyze(db).groups.filter(pl.col("person") == "Lea")
            assert people["Lea"] == roles["relationship_id"][0]
            found.append(pipeline.analyze(db).ledger)
    windows, whole = found
    assert isinstance(windows, pl.DataFrame)
    assert windows.equals(whole)
