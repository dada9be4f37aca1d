"""Opening databases: where they live, URLs, SQLite tuning, and refusing what we cannot use."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from reciprocity.errors import StoreError
from reciprocity.store import Database, default_path, open_db
from reciprocity.store.db import ENV_VAR, FILE_NAME


def tables(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_creates_file_and_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "data.sqlite"
    with open_db(target) as db:
        assert db.path == target
        assert target.is_file()
        assert {"people", "identities", "messages", "alembic_version"} <= tables(db)
        assert str(target) in db.url


def test_env_var_is_used_when_no_path_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "from-env.sqlite"
    monkeypatch.setenv(ENV_VAR, str(target))
    with open_db() as db:
        assert db.path == target
    assert target.is_file()


def test_explicit_path_beats_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.sqlite"))
    with open_db(tmp_path / "arg.sqlite") as db:
        assert db.path == tmp_path / "arg.sqlite"
    assert not (tmp_path / "env.sqlite").exists()


def test_default_is_in_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    asked: list[tuple[str, object]] = []

    def fake(appname: str, appauthor: object = None) -> Path:
        asked.append((appname, appauthor))
        return tmp_path / "data" / appname

    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(platformdirs, "user_data_path", fake)
    expected = tmp_path / "data" / "reciprocity" / FILE_NAME
    assert default_path() == expected
    with open_db() as db:
        assert db.path == expected
    assert expected.is_file()
    assert asked[0][0] == "reciprocity"


def test_sqlite_urls(tmp_path: Path) -> None:
    target = tmp_path / "url.sqlite"
    with open_db(f"sqlite:///{target}") as db:
        assert db.path == target
        assert db.is_sqlite
    with open_db("sqlite://") as memory:
        assert memory.path is None
        assert "messages" in tables(memory)


def test_other_databases_are_refused() -> None:
    with pytest.raises(StoreError, match="SQLite or PostgreSQL"):
        open_db("mysql://someone@localhost/chats")


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        open_db(tmp_path)


def test_sqlite_is_tuned(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_a_big_write_leaves_the_log_to_a_checkpoint_on_a_thread(tmp_path: Path) -> None:
    path = tmp_path / "big.sqlite"
    db = open_db(path)
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with db.big_write(raw), conn.begin():
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
            conn.exec_driver_sql("CREATE TABLE filler (x BLOB)")
            for _ in range(300):
                conn.exec_driver_sql("INSERT INTO filler VALUES (randomblob(8000))")
        # The commit left every page in the log, and the connection as it was.
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    log = Path(f"{path}-wal")
    assert log.stat().st_size > 2_000_000
    size = path.stat().st_size
    db.checkpoint_later()
    db.close()  # waits for the checkpoint
    assert path.stat().st_size > size + 2_000_000  # the pages are in the database now
    with sqlite3.connect(path) as plain:
        assert plain.execute("SELECT count(*) FROM filler").fetchone() == (300,)


def test_a_big_write_elsewhere_changes_nothing() -> None:
    with open_db("sqlite://") as db, db.engine.connect() as conn:
        with db.big_write(conn.connection.dbapi_connection):
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        db.checkpoint_later()  # nothing to do in memory


def test_reopening_a_current_database_skips_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_db(tmp_path / "x.sqlite").close()
    from alembic import command

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("upgrade ran on a database already at head")

    monkeypatch.setattr(command, "upgrade", refuse)
    open_db(tmp_path / "x.sqlite").close()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "future.sqlite"
    open_db(target).close()
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(StoreError, match="newer version of Reciprocity"):
        open_db(target)


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "someone-elses.sqlite"
    with sqlite3.connect(target) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(StoreError, match="not a Reciprocity database"):
        open_db(target)


def test_garbage_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "garbage.sqlite"
    target.write_bytes(b"this is not a database, just some text " * 200)
    with pytest.raises(StoreError, match="cannot open"):
        open_db(target)


def test_failed_transaction_leaves_no_tables_half_made(db: Database) -> None:
    # The begin-event recipe makes DDL transactional too; check it really is.
    def create_then_fail() -> None:
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE scratch (x INTEGER)"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert "scratch" not in tables(db)
