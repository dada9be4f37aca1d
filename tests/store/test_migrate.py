"""The packaged Alembic migrations: they agree with the models and run from code."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import polars as pl
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

from reciprocity.store import Database, import_batches, open_db
from reciprocity.store.migrate import HEAD, alembic_config, current_revision, known_revisions
from reciprocity.store.models import Base


def test_head_constant_matches_the_scripts() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD]
    assert HEAD in known_revisions()


def _by_scripts(path: Path) -> Engine:
    """A database built by running every migration script from nothing."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    return engine


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    engine = _by_scripts(tmp_path / "scripts.sqlite")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def _schema(path: Path) -> set[tuple[str, str, tuple[str, ...]]]:
    """Every table and index of a SQLite file: its type, name, and the clauses of its SQL
    (a table's columns and constraints in any order)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    schema = set()
    for kind, name, sql in rows:
        text = " ".join((sql or "").split())
        head, _, body = text.partition("(")
        clauses = re.split(r",(?![^(]*\))", body.rstrip(")")) if kind == "table" else [body]
        schema.add((kind, name, (head.strip(), *sorted(c.strip() for c in clauses))))
    return schema


def test_a_new_database_gets_the_schema_the_scripts_build(tmp_path: Path) -> None:
    # open_db creates a new database from the models, without running the scripts.
    open_db(tmp_path / "new.sqlite").close()
    _by_scripts(tmp_path / "scripts.sqlite").dispose()
    created, scripted = _schema(tmp_path / "new.sqlite"), _schema(tmp_path / "scripts.sqlite")
    assert len(created) > 20
    assert created == scripted


def test_a_current_database_is_checked_by_open_db_too(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert current_revision(conn) == HEAD
    assert diff == []


def test_upgrade_from_empty_creates_every_table(tmp_path: Path) -> None:
    with open_db(tmp_path / "fresh.sqlite") as db, db.engine.connect() as conn:
        assert current_revision(conn) == HEAD
        assert set(inspect(conn).get_table_names()) == {*Base.metadata.tables, "alembic_version"}


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    target = tmp_path / "roundtrip.sqlite"
    open_db(target).close()
    engine = create_engine(f"sqlite:///{target}")
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == ["alembic_version"]
        assert current_revision(conn) is None
    engine.dispose()
    with open_db(target) as db, db.engine.connect() as conn:
        assert current_revision(conn) == HEAD


def test_the_frame_cache_is_emptied_when_its_format_changes(tmp_path: Path) -> None:
    target = tmp_path / "cached.sqlite"
    open_db(target).close()
    engine = create_engine(f"sqlite:///{target}")

    def cached_rows() -> int:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM frame_cache").scalar_one())

    def put_one() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO frame_cache (name, version, data) VALUES ('f', '1:1', x'00')"
            )

    put_one()
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    assert cached_rows() == 0  # the older version finds no frame it cannot read
    put_one()
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
        assert current_revision(conn) == HEAD
    assert cached_rows() == 0
    engine.dispose()


def test_a_database_before_soft_delete_keeps_its_entries_and_gains_undo(tmp_path: Path) -> None:
    from sqlalchemy import text

    from reciprocity import journal

    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0003")
        conn.execute(
            text(
                "INSERT INTO journal_entries (person, timestamp_us, kind, energy) "
                "VALUES ('Alex', 0, 'interaction', 1), ('Jordan', 1, 'interaction', -1)"
            )
        )
    engine.dispose()
    with open_db(path) as db:
        assert journal.entries_frame(db)["person"].to_list() == ["Alex", "Jordan"]
        journal.delete_entry(db, 2)
        assert journal.entries_frame(db)["person"].to_list() == ["Alex"]
        assert journal.add_entry(db, "Riley", energy=0).id == 3  # 2 is not given again
        assert journal.undo_delete(db).person == "Jordan"


def test_the_group_flag_marks_existing_groups(
    tmp_path: Path, messages: Callable[..., pl.DataFrame]
) -> None:
    # A database from before the flag: on upgrade the chat three people wrote in is
    # marked a group, the one-to-one chat is not.
    with open_db(tmp_path / "old.sqlite") as db:
        quiz = messages([("Sam", 1, "hi"), ("Alex", 2, "hey"), ("Jordan", 3, "yo")],
                        conversation="Quiz")  # fmt: skip
        alex = messages([("Sam", 4, "hello"), ("Alex", 5, "hi Sam")], conversation="Alex")
        import_batches(db, iter([quiz, alex]), file="chats.csv", me="Sam", format="csv")
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE conversations SET is_group = FALSE"))
            command.downgrade(alembic_config(conn), "0005_money_and_important")
            command.upgrade(alembic_config(conn), "head")
        with db.engine.connect() as conn:
            flags = dict(conn.execute(text("SELECT title, is_group FROM conversations")).all())
    assert flags == {"Quiz": 1, "Alex": 0}


def test_the_people_links_upgrade_keys_every_identity_and_merges_no_one(
    tmp_path: Path, messages: Callable[..., pl.DataFrame]
) -> None:
    # One friend under two notations of a number, saved as before link keys (none was
    # stored, so the second import could not link them): the upgrade gives both the same
    # key and leaves them two people, offered as one.
    from reciprocity.store import list_people, suggestions

    with open_db(tmp_path / "old.sqlite") as db:
        one = messages([("Sam", 1, "hi"), ("+44 7700 900123", 2, "hey")], conversation="A")
        two = messages([("Sam", 3, "hi"), ("+447700900123", 4, "yo")], source="telegram",
                       conversation="B")  # fmt: skip
        import_batches(db, iter([one]), file="a.csv", me="Sam", format="whatsapp")
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE identities SET link_key = NULL"))
        import_batches(db, iter([two]), file="b.json", me="Sam", format="telegram")
        assert len(list_people(db)) == 2
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0006_group_flag")
            command.upgrade(alembic_config(conn), "head")
            keys = dict(conn.execute(text("SELECT handle, link_key FROM identities")).all())
        assert keys["+44 7700 900123"] == keys["+447700900123"] == "tel:+447700900123"
        assert keys["Sam"] is None
        assert len(list_people(db)) == 2
        (offered,) = suggestions(db)
        assert offered.reason == "phone"


def test_old_databases_opened_at_once_on_threads_all_come_up_to_date(tmp_path: Path) -> None:
    """A server opens several accounts' stores at once, each on a thread: Alembic's
    globals must not mix their upgrades (each ends at HEAD, none fails)."""
    import threading

    paths = [tmp_path / f"old{i}.sqlite" for i in range(6)]
    for path in paths:
        engine = create_engine(f"sqlite:///{path}")
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0003")
        engine.dispose()
    problems: list[BaseException] = []
    start = threading.Barrier(len(paths))

    def open_one(path: Path) -> None:
        start.wait()
        try:
            open_db(path).close()
        except BaseException as problem:  # reported by the test
            problems.append(problem)

    threads = [threading.Thread(target=open_one, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    for path in paths:
        engine = create_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            assert current_revision(conn) == HEAD
        engine.dispose()
