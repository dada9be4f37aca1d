"""Files only the user can read: the data folder 0700, the database, its companions, the
report and the export 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest

from reciprocity.store import import_batches, open_db, write_export
from reciprocity.store.private import private_folder, private_writer

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")

Build = Callable[..., pl.DataFrame]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """The widest usual umask (002: group-writable), so a mode left to it would show."""
    before = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(before)


def test_a_new_database_is_0600_in_a_new_0700_folder_and_so_are_its_companions(
    tmp_path: Path, messages: Build
) -> None:
    path = tmp_path / "new" / "deeper" / "data.sqlite"
    with open_db(path) as db:
        chat = messages([("Sam", 1, "hi"), ("Alex", 2, "hello")])
        import_batches(db, iter([chat]), file="Alex.txt", me="Sam", format="whatsapp")
        companions = [p for p in path.parent.iterdir() if p != path]
        assert companions, "a WAL database has its log and index beside it while open"
        for made in [path, *companions]:
            assert mode(made) == 0o600, made
    assert mode(tmp_path / "new") == mode(tmp_path / "new" / "deeper") == 0o700


def test_an_older_database_readable_by_others_is_tightened_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    open_db(path).close()
    wal = path.with_name(path.name + "-wal")
    wal.write_bytes(b"")
    os.chmod(path, 0o644)
    os.chmod(wal, 0o644)
    with open_db(path):
        assert mode(path) == 0o600
        assert mode(wal) == 0o600


def test_a_folder_the_user_already_has_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    open_db(folder / "data.sqlite").close()
    assert mode(folder) == 0o755
    assert mode(folder / "data.sqlite") == 0o600


def test_the_default_data_folder_is_made_private_even_when_it_was_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "data" / "reciprocity"
    home.mkdir(parents=True)
    os.chmod(home, 0o755)
    monkeypatch.setattr("reciprocity.store.db.default_path", lambda: home / "reciprocity.sqlite")
    monkeypatch.delenv("RECIPROCITY_DB", raising=False)
    open_db().close()
    assert mode(home) == 0o700
    assert mode(home / "reciprocity.sqlite") == 0o600


def test_the_export_and_a_rewritten_file_are_0600(tmp_path: Path, messages: Build) -> None:
    with open_db(tmp_path / "data.sqlite") as db:
        chat = messages([("Sam", 1, "hi"), ("Alex", 2, "hello")])
        import_batches(db, iter([chat]), file="Alex.txt", me="Sam", format="whatsapp")
        written = write_export(db, tmp_path / "all.json")
    assert mode(written) == 0o600
    old = tmp_path / "old.html"
    old.write_text("before")
    os.chmod(old, 0o644)
    with private_writer(old) as out:
        out.write("after")
    assert mode(old) == 0o600
    assert old.read_text() == "after"


def test_private_folder_makes_every_missing_level_0700(tmp_path: Path) -> None:
    private_folder(tmp_path / "a" / "b" / "c")
    for level in ("a", "a/b", "a/b/c"):
        assert mode(tmp_path / level) == 0o700
