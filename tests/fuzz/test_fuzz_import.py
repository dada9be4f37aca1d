"""The import end to end on fuzzed files, into a database that already holds a chat:
a file that fails leaves the database byte-identical, one that loads imports once (a
second import of it adds nothing)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from reciprocity import ingest, pipeline, store
from reciprocity.errors import ReciprocityError

pytestmark = pytest.mark.fuzz

FUZZ = settings.get_profile("reciprocity-fuzz")
FIXTURES = Path(__file__).parent.parent / "fixtures"
ZONE = ingest.Options(timezone="Europe/London")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a closed database holding one imported chat (Sam is "me")."""
    path = tmp_path_factory.mktemp("base") / "base.sqlite"
    with store.open_db(path) as db:
        chat = FIXTURES / "whatsapp" / "WhatsApp Chat with Alex.txt"
        pipeline.import_file(db, chat, me="Sam", options=ZONE)
    assert not path.with_name(path.name + "-wal").exists()
    return path.read_bytes()


def files(path: Path) -> dict[str, bytes]:
    """The database file and whatever SQLite keeps beside it (a log, shared memory)."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))}


def import_once(database: Path, chat: Path, options: ingest.Options) -> store.ImportResult | None:
    """Import ``chat``; ``None`` when it fails with one of the errors the surfaces show."""
    try:
        with store.open_db(database) as db:
            return pipeline.import_file(db, chat, options=options).result
    except ReciprocityError:
        return None


def test_opening_and_closing_the_database_changes_no_byte(base: bytes, tmp_path: Path) -> None:
    """What the fuzz test below relies on: opening the file (its schema checked) and
    closing it writes nothing; only an import that succeeds may."""
    database = tmp_path / "db.sqlite"
    database.write_bytes(base)
    with store.open_db(database):
        pass
    assert files(database) == {"db.sqlite": base}
    broken = tmp_path / "broken.csv"
    broken.write_text("timestamp,sender,text\nnot a time,Alex,hi\n", encoding="utf-8")
    assert import_once(database, broken, ZONE) is None
    assert files(database) == {"db.sqlite": base}


@settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 2))
@given(data=st.data())
def test_a_failing_file_leaves_the_database_byte_identical(
    fuzz: ModuleType, base: bytes, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    # Files with whole lines repeated or swapped weigh more: they mostly still import,
    # which is where a second import must add nothing.
    kinds = [*sorted(fuzz.SAMPLES), "reordered", "reordered", "reordered"]
    sample = data.draw(fuzz.SAMPLES[data.draw(st.sampled_from(kinds), label="kind")], label="file")
    folder = tmp_path_factory.mktemp("import")
    chat = sample.write(folder)
    database = folder / "db.sqlite"
    database.write_bytes(base)
    options = ingest.Options(
        timezone="Europe/London", dayfirst=data.draw(st.sampled_from([None, True, False]))
    )
    with fuzz.hang_guard():
        first = import_once(database, chat, options)
    event("refused" if first is None else "imported")
    if first is None:
        assert files(database) == {"db.sqlite": base}
        return
    # It loaded: a second import of the same file adds nothing and changes no message.
    with store.open_db(database) as db:
        before = store.messages_frame(db)
    with fuzz.hang_guard():
        again = import_once(database, chat, options)
    assert again is not None
    assert again.messages_added == 0
    with store.open_db(database) as db:
        assert store.messages_frame(db).equals(before)
