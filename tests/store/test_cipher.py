"""Encryption at rest: nothing readable on disk, the passphrase required and checked, and
backups, restores and forgetting working on an encrypted file as on a plain one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select

from reciprocity import journal, pipeline
from reciprocity.errors import StoreError
from reciprocity.store import Database, cipher, get_me, import_batches, open_db
from reciprocity.store.backup import backup, restore
from reciprocity.store.forget import forget
from reciprocity.store.models import Message

pytest.importorskip("sqlcipher3", reason="the encryption add-on (installed with the dev extra)")

Build = Callable[..., pl.DataFrame]
WORD = "Quetzalcoatlus"
SECRET = "tiger lily at dawn"


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No passphrase from the environment, no asker, no key remembered between tests."""
    monkeypatch.delenv(cipher.ENV_VAR, raising=False)
    cipher.set_asker(None)
    cipher.forget_keys()
    yield
    cipher.set_asker(None)
    cipher.forget_keys()


def _chat(messages: Build, who: str, word: str) -> pl.DataFrame:
    return messages(
        [("Sam", 1, "how was the museum?"), (who, 2, f"we saw a {word} skeleton")],
        conversation=who,
    )


def _on_disk(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def _count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Message)) or 0)


def _encrypted(tmp_path: Path, messages: Build, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "secret.sqlite"
    open_db(path).close()  # a new database, protected before anything goes in
    cipher.encrypt_file(path, SECRET)
    cipher.forget_keys()
    monkeypatch.setenv(cipher.ENV_VAR, SECRET)
    with open_db(path) as db:
        chat = _chat(messages, "Alex", WORD)
        import_batches(db, iter([chat]), file="Alex.txt", me="Sam", format="whatsapp")
        journal.add_entry(db, "Alex", energy=1, note="Zanzibarian tea together")
        pipeline.analyze(db)
        # While open: the write-ahead log and its index are on disk too.
        raw = _on_disk(path)
        assert len(raw) > 8192
        assert WORD.encode() not in raw
        assert b"Zanzibarian" not in raw
        assert b"Alex" not in raw
        assert b"SQLite format 3" not in raw
    cipher.forget_keys()
    return path


def test_the_file_holds_no_plaintext_and_opens_with_the_passphrase(
    tmp_path: Path, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _encrypted(tmp_path, messages, monkeypatch)
    raw = _on_disk(path)
    for word in (WORD, "Zanzibarian", "Alex", "Sam", "museum", "messages"):
        assert word.encode() not in raw, word
    with open_db(path) as db:
        assert get_me(db) == "Sam"
        assert _count(db) == 2
    # A plain SQLite reader sees no database at all.
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT * FROM sqlite_master").fetchall()


def test_a_wrong_or_missing_passphrase_is_refused_clearly(
    tmp_path: Path, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _encrypted(tmp_path, messages, monkeypatch)
    monkeypatch.setenv(cipher.ENV_VAR, "tiger lily at dusk")
    with pytest.raises(cipher.WrongPassphrase, match="passphrase does not open"):
        open_db(path)
    monkeypatch.delenv(cipher.ENV_VAR)
    with pytest.raises(cipher.PassphraseNeeded, match="protected by a passphrase"):
        open_db(path)
    asked: list[str] = []

    def asker(where: str) -> str:
        asked.append(where)
        return "wrong" if len(asked) < 3 else SECRET

    cipher.set_asker(asker)
    with open_db(path) as db:
        assert _count(db) == 2
    assert asked == [str(path.resolve())] * 3
    cipher.forget_keys()
    cipher.set_asker(lambda where: "always wrong")
    with pytest.raises(cipher.WrongPassphrase):
        open_db(path)


def test_the_file_is_standard_sqlcipher_opened_with_its_passphrase(
    tmp_path: Path, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlcipher3 import dbapi2

    path = _encrypted(tmp_path, messages, monkeypatch)
    conn = dbapi2.connect(str(path))
    conn.execute(f"PRAGMA key = '{SECRET}'")
    assert conn.execute("SELECT count(*) FROM messages").fetchone() == (2,)
    conn.close()


def test_changing_and_removing_the_passphrase(
    tmp_path: Path, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _encrypted(tmp_path, messages, monkeypatch)
    monkeypatch.setenv(cipher.ENV_VAR, SECRET)
    with pytest.raises(StoreError, match="already protected"):
        cipher.encrypt_file(path, "another")
    cipher.change_passphrase(path, "a new one")
    cipher.forget_keys()
    with pytest.raises(cipher.WrongPassphrase):
        open_db(path)
    monkeypatch.setenv(cipher.ENV_VAR, "a new one")
    with open_db(path) as db:
        assert _count(db) == 2
    cipher.decrypt_file(path)
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
    monkeypatch.delenv(cipher.ENV_VAR)
    with open_db(path) as db:
        assert _count(db) == 2
    with pytest.raises(StoreError, match="empty passphrase"):
        cipher.encrypt_file(path, "  ")


def test_backup_restore_and_forget_on_an_encrypted_database(
    tmp_path: Path, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _encrypted(tmp_path, messages, monkeypatch)
    monkeypatch.setenv(cipher.ENV_VAR, SECRET)
    with open_db(path) as db:
        copy = backup(db, tmp_path / "copy.sqlite")
        assert WORD.encode() not in copy.read_bytes()
        assert cipher.is_encrypted(copy)
        chat = _chat(messages, "Jordan", "Xylophagous")
        import_batches(db, iter([chat]), file="Jordan.txt", me="Sam", format="whatsapp")
        assert _count(db) == 4
        restore(db, copy)
        assert _count(db) == 2
        # A plain backup restored into the encrypted database keeps it encrypted.
        plain = tmp_path / "plain.sqlite"
        with open_db(plain) as other:
            chat = _chat(messages, "Riley", "Brontosaurus")
            import_batches(other, iter([chat]), file="Riley.txt", me="Sam", format="whatsapp")
            plain_copy = backup(other, tmp_path / "plain-copy.sqlite")
        restore(db, plain_copy)
        assert _count(db) == 2
        assert b"Brontosaurus" not in _on_disk(path)
        assert forget(db, "Riley").removed["messages"] == 2
    cipher.forget_keys()
    assert cipher.is_encrypted(path)
    with open_db(path) as db:
        assert _count(db) == 0
    # ...and an encrypted backup restored into a plain database leaves it plain.
    with open_db(tmp_path / "plain.sqlite") as other:
        restore(other, copy)
        assert _count(other) == 2
    assert (tmp_path / "plain.sqlite").read_bytes().startswith(b"SQLite format 3\x00")


def test_the_web_app_serves_an_encrypted_database(
    tmp_path: Path, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from reciprocity.web import create_app

    path = _encrypted(tmp_path, messages, monkeypatch)
    monkeypatch.delenv(cipher.ENV_VAR)
    with pytest.raises(cipher.PassphraseNeeded):
        create_app(path)
    monkeypatch.setenv(cipher.ENV_VAR, SECRET)
    app = create_app(path, uploads=tmp_path / "uploads")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "Alex" in page.text


def test_encrypting_a_file_another_program_holds_open_is_refused(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "busy.sqlite"
    open_db(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from reciprocity.store import open_db, get_me; db = open_db(sys.argv[1]);"
            " get_me(db); print('ready', flush=True); sys.stdin.readline()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="open in another program"):
            cipher.encrypt_file(path, SECRET)
        assert not cipher.is_encrypted(path)
    finally:
        holder.communicate("\n", timeout=30)
    cipher.encrypt_file(path, SECRET)
    assert cipher.is_encrypted(path)
