"""Forgetting one person: nothing of theirs left in any table, nor in the file's bytes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import text

from reciprocity import guide, journal, pipeline
from reciprocity.store import Database, import_batches, list_people, resolve_person
from reciprocity.store import read as store_read
from reciprocity.store.cache import _decode
from reciprocity.store.forget import forget, plan
from reciprocity.store.names import UnknownPerson

Build = Callable[..., pl.DataFrame]

# Words that appear nowhere but in what Alex wrote or what was written about Alex.
ALEX_WORDS = ("Quetzalcoatlus", "Zanzibarian", "Xylophagous", "Alexandrina")


def _fill(db: Database, messages: Build) -> None:
    one_to_one = messages(
        [
            ("Sam", 1, "hi there"),
            ("Alexandrina", 2, "I saw a Quetzalcoatlus skeleton"),
            ("Sam", 3, "wow, tell me more"),
            ("Alexandrina", 4, "it was huge, I feel so small today"),
        ],
        conversation="Alexandrina",
    )
    import_batches(db, iter([one_to_one]), file="Alexandrina.txt", me="Sam", format="whatsapp")
    # The same chat again under another name: adds nothing, but its file names her.
    import_batches(
        db, iter([one_to_one]), file="chat with alexandrina.txt", me="Sam", format="whatsapp"
    )
    group = messages(
        [
            ("Sam", 10, "who is coming on Friday?"),
            ("Jordan", 11, "me! bringing cake"),
            ("Alexandrina", 12, "Zanzibarian spices from me", "text", None, "m3"),
            ("Jordan", 13, "great, thanks", "text", "m3", "m4"),
        ],
        conversation="Friday dinner",
        source="telegram",
    )
    import_batches(db, iter([group]), file="result.json", me="Sam", format="telegram")
    jordan = messages(
        [("Sam", 20, "how are you?"), ("Jordan", 21, "good, and you?")], conversation="Jordan"
    )
    import_batches(db, iter([jordan]), file="Jordan.txt", me="Sam", format="whatsapp")

    journal.add_entry(db, "Alexandrina", energy=-1, note="Xylophagous beetles talk")
    journal.add_entry(db, "alexandrina", giver="me", amount="40", currency="EUR")
    gone = journal.add_entry(db, "Alexandrina", energy=1, note="deleted Quetzalcoatlus note")
    journal.delete_entry(db, gone.id)
    journal.add_entry(db, "Jordan", energy=2, note="lovely walk", when=date(2024, 5, 2))
    guide.add_expectation(db, "Alexandrina", "check_in", 7)
    guide.record_conversation(db, "Alexandrina", statement="I feel Xylophagous")


def _everything(db: Database) -> str:
    """Every value of every row of every table (cached frames decoded), as one text."""
    found: list[str] = []
    with db.engine.connect() as conn:
        tables = conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
        for table in list(tables):
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes):
                        if table == "frame_cache":
                            frame = _decode(value, None)
                            found.append(str(frame.to_dicts()))
                        continue
                    found.append(str(value))
    return "\n".join(found)


def test_forget_removes_every_trace_of_one_person_and_keeps_the_rest(
    sqlite_db: Database, messages: Build
) -> None:
    db = sqlite_db
    _fill(db, messages)
    pipeline.analyze(db)  # derived frames now cached, with her in them
    before = _everything(db)
    assert all(word.casefold() in before.casefold() for word in ALEX_WORDS)

    preview = plan(db, "alexandrina")
    done = forget(db, "alexandrina")
    assert done.person == "Alexandrina"
    assert done.removed == preview.removed
    assert done.removed["messages"] == 5  # four in her chat, one in the group
    assert done.removed["conversations"] == 1
    assert done.removed["journal_entries"] == 3  # the deleted one too
    assert done.removed["expectations"] == done.removed["conversation_records"] == 1
    assert done.removed["imports"] == 2

    pipeline.analyze(db)  # derived figures rebuilt: still nothing of hers
    after = _everything(db).casefold()
    for word in ALEX_WORDS:
        assert word.casefold() not in after, word
    assert "lovely walk" in after
    assert "bringing cake" in after
    assert "great, thanks" in after
    assert list_people(db)["person"].to_list() == ["Jordan"]
    with pytest.raises(UnknownPerson):
        resolve_person(db, "Alexandrina")
    with db.engine.connect() as conn:
        assert conn.scalar(text("PRAGMA integrity_check")) == "ok"
        assert conn.scalar(text("PRAGMA foreign_key_check")) is None
        # The group's reply to her message stays, without its link.
        assert (
            conn.scalar(text("SELECT reply_to_id FROM messages WHERE text = 'great, thanks'"))
            is None
        )

    assert db.path is not None
    db.close()
    raw = b"".join(
        p.read_bytes() for p in Path(db.path).parent.iterdir() if p.name.startswith(db.path.name)
    )
    for word in ALEX_WORDS:
        assert word.encode() not in raw, word


def test_forget_finds_a_name_as_every_command_does(sqlite_db: Database, messages: Build) -> None:
    _fill(sqlite_db, messages)
    with pytest.raises(UnknownPerson, match="Did you mean Alexandrina"):
        plan(sqlite_db, "Alexandrna")
    assert forget(sqlite_db, "Jordan").removed["messages"] == 4  # their chat, two in the group
    names = list_people(sqlite_db)["person"].to_list()
    assert "Jordan" not in names


def test_a_group_stays_a_group_when_one_of_its_three_people_is_forgotten(
    sqlite_db: Database, messages: Build
) -> None:
    # "Friday dinner" had Sam, Jordan and Alexandrina writing. Once she is forgotten only
    # Sam and Jordan wrote in it; it must not turn into a second one-to-one chat with
    # Jordan, which would change every figure of that relationship.
    db = sqlite_db
    _fill(db, messages)
    before = pipeline.analyze(db)
    with db.engine.connect() as conn:
        private_before = sorted(store_read.one_to_one(conn))
    forget(db, "alexandrina")
    with db.engine.connect() as conn:
        titles = dict(conn.execute(text("SELECT id, title FROM conversations")).all())
        private_after = sorted(store_read.one_to_one(conn))
        assert conn.scalar(text("SELECT is_group FROM conversations WHERE title = 'Friday dinner'"))
    assert [titles[c] for c in private_after] == ["Jordan"]
    assert set(private_after) <= set(private_before)
    after = pipeline.analyze(db)
    figures = {
        name: frame.filter(pl.col("person") == "Jordan").drop("relationship_id", strict=False)
        for name, frame in (("before", before.figures), ("after", after.figures))
    }
    assert figures["before"].height == 1
    assert figures["before"].equals(figures["after"]), figures
