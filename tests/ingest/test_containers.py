"""Folders and zips holding several exports: each found by its content, grouped by
format, unpacked within caps and never outside the private folder."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import types
import warnings
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity import ingest, pipeline, store
from reciprocity.errors import ImportFailed
from reciprocity.ingest import containers
from reciprocity.ingest.base import MESSAGE_SCHEMA, Options

from . import imessage_fixture

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ALEX = FIXTURES / "whatsapp" / "WhatsApp Chat with Alex.txt"
TELEGRAM = FIXTURES / "telegram" / "single_chat.json"


def zip_of(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def whatsapp_zip(name: str = "WhatsApp Chat with Alex.zip") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("WhatsApp Chat with Alex.txt", ALEX.read_bytes())
    return buffer.getvalue()


# --- a fake format made of many files, as Messenger's is --------------------------------------

FAKE = types.ModuleType("fake_many_files")
FAKE_SEEN: list[list[str]] = []


def _fake_detect(path: Path, head: bytes) -> bool:
    return head.startswith(b'{"fake_thread"')


def _fake_parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    raise AssertionError("a format with parse_files is given its files together")


def _fake_parse_files(paths: list[Path], options: Options) -> Iterator[pl.DataFrame]:
    FAKE_SEEN.append([p.name for p in paths])
    rows = []
    for path in paths:
        data = json.loads(path.read_text())
        for number, (sender, text) in enumerate(data["fake_thread"], start=1):
            rows.append(
                {
                    "source": "fake",
                    "conversation": data["title"],
                    "sender": sender,
                    "timestamp": datetime(2024, 1, 1, 12, number, tzinfo=UTC),
                    "text": text,
                    "kind": "text",
                    "reply_to": None,
                    "source_id": f"{path.name}:{number}",
                    "line": number,
                }
            )
    yield pl.DataFrame(rows, schema=MESSAGE_SCHEMA)


FAKE.NAME = "fake"  # type: ignore[attr-defined]
FAKE.detect = _fake_detect  # type: ignore[attr-defined]
FAKE.parse = _fake_parse  # type: ignore[attr-defined]
FAKE.parse_files = _fake_parse_files  # type: ignore[attr-defined]


def fake_thread(title: str, *lines: tuple[str, str]) -> bytes:
    return json.dumps({"fake_thread": list(lines), "title": title}).encode()


@pytest.fixture
def with_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    formats = {"fake": FAKE, **ingest.FORMATS}
    monkeypatch.setattr(ingest, "FORMATS", formats)
    monkeypatch.setattr(sys.modules["reciprocity.ingest"], "FORMATS", formats)
    FAKE_SEEN.clear()
    return


def export_folder(root: Path) -> Path:
    """A person's downloads: a folder of WhatsApp zips, a Telegram export folder with its
    photos, a many-file export, and things that are no export at all."""
    (root / "phone").mkdir(parents=True)
    (root / "phone" / "WhatsApp Chat with Alex.zip").write_bytes(whatsapp_zip())
    (root / "phone" / "notes.txt").write_text("shopping: milk, eggs\n")
    (root / "Telegram Desktop" / "ChatExport_2024-03-01" / "photos").mkdir(parents=True)
    # the same person as in the WhatsApp chat, under the same name
    (root / "Telegram Desktop" / "ChatExport_2024-03-01" / "result.json").write_text(
        TELEGRAM.read_text(encoding="utf-8").replace("Sam Lee", "Sam"), encoding="utf-8"
    )
    (root / "Telegram Desktop" / "ChatExport_2024-03-01" / "photos" / "a.jpg").write_bytes(
        b"\xff\xd8\xff\xe0 not really a photo"
    )
    (root / "Telegram Desktop" / "ChatExport_2024-03-01" / "empty.txt").write_bytes(b"")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return root


# --- walking --------------------------------------------------------------------------------


def test_a_folder_finds_each_export_by_content_and_lists_the_rest(tmp_path: Path) -> None:
    root = export_folder(tmp_path / "downloads")
    assert containers.is_container(root, ingest.FORMATS)
    with containers.open_container(root, ingest.FORMATS) as found:
        assert [(e.format, e.label) for e in found.exports] == [
            ("telegram", "Telegram Desktop/ChatExport_2024-03-01/result.json"),
            ("whatsapp", "phone/WhatsApp Chat with Alex.zip"),
        ]
        assert [(s.label, s.reason) for s in found.skipped] == [
            ("Telegram Desktop/ChatExport_2024-03-01/empty.txt", "empty"),
            (
                "Telegram Desktop/ChatExport_2024-03-01/photos/a.jpg",
                "a photo, video, sound or document",
            ),
            ("phone/notes.txt", "not an export Reciprocity reads"),
        ]


def test_a_databases_log_is_read_with_it_not_skipped(tmp_path: Path) -> None:
    root = tmp_path / "mac"
    root.mkdir()
    imessage_fixture.write(root / "chat.db")
    for companion in ("chat.db-wal", "chat.db-shm"):
        (root / companion).write_bytes(b"\0" * 32)
    (root / "chat.db-notes").write_text("mine")
    with containers.open_container(root, ingest.FORMATS) as found:
        assert [(e.format, e.label) for e in found.exports] == [("imessage", "chat.db")]
        assert [s.label for s in found.skipped] == ["chat.db-notes"]


def test_an_export_is_told_by_its_content_not_its_name(tmp_path: Path) -> None:
    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "renamed.txt").write_bytes(ALEX.read_bytes())
    (tmp_path / "box" / "WhatsApp Chat with Sam.txt").write_text("not a chat at all\n")
    with containers.open_container(tmp_path / "box", ingest.FORMATS) as found:
        assert [e.label for e in found.exports] == ["renamed.txt"]
        assert [s.label for s in found.skipped] == ["WhatsApp Chat with Sam.txt"]


def test_a_whatsapp_zip_is_one_export_not_a_container(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Alex.zip"
    path.write_bytes(whatsapp_zip())
    assert not containers.is_container(path, ingest.FORMATS)
    assert not containers.is_container(ALEX, ingest.FORMATS)
    assert not containers.is_container(tmp_path / "missing.zip", ingest.FORMATS)


def test_files_of_a_many_file_format_are_one_export(tmp_path: Path, with_fake: None) -> None:
    path = zip_of(
        tmp_path / "facebook-sam.zip",
        {
            "messages/inbox/alex_1/message_2.json": fake_thread("Alex", ("Alex", "older")),
            "messages/inbox/alex_1/message_1.json": fake_thread("Alex", ("Sam", "newer")),
            "messages/inbox/jo_2/message_1.json": fake_thread("Jo", ("Jo", "hey")),
            "messages/inbox/jo_2/photos/1.jpg": b"\xff\xd8\xff",
            "your_posts/posts.json": b'{"posts": []}',
        },
    )
    assert containers.is_container(path, ingest.FORMATS)
    with containers.open_container(path, ingest.FORMATS) as found:
        assert [(e.format, e.label, len(e.paths)) for e in found.exports] == [
            ("fake", "messages/inbox", 3)
        ]
        paths = found.exports[0].paths
        assert [p.name for p in paths] == ["message_1.json", "message_2.json", "message_1.json"]
        assert all(p.is_file() for p in paths)
        assert {s.label for s in found.skipped} == {
            "messages/inbox/jo_2/photos/1.jpg",
            "your_posts/posts.json",
        }
    assert not any(p.exists() for p in paths)  # the unpacked files are gone afterwards


def test_zips_inside_zips_are_opened(tmp_path: Path) -> None:
    inner = zip_of(tmp_path / "inner.zip", {"chats/WhatsApp Chat with Alex.zip": whatsapp_zip()})
    outer = zip_of(tmp_path / "outer.zip", {"backup/inner.zip": inner.read_bytes()})
    with containers.open_container(outer, ingest.FORMATS) as found:
        assert [e.label for e in found.exports] == [
            "backup/inner.zip/chats/WhatsApp Chat with Alex.zip"
        ]
        assert found.place(str(found.exports[0].paths[0])) == found.exports[0].label


def test_zip_member_names_never_reach_outside(tmp_path: Path) -> None:
    path = zip_of(
        tmp_path / "evil.zip",
        {
            "../escaped.txt": ALEX.read_bytes(),
            "/absolute.txt": ALEX.read_bytes(),
            "C:/windows.txt": ALEX.read_bytes(),
            "a/../../up.txt": ALEX.read_bytes(),
            "ok/WhatsApp Chat with Alex.txt": ALEX.read_bytes(),
        },
    )
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with containers.open_container(path, ingest.FORMATS, scratch) as found:
        assert [e.label for e in found.exports] == ["ok/WhatsApp Chat with Alex.txt"]
        inside = [p for p in scratch.rglob("*") if p.is_file()]
        assert [p.name for p in inside] == ["WhatsApp Chat with Alex.txt"]
        folder = next(scratch.iterdir())
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.zip", "scratch"]
    assert list(scratch.iterdir()) == []


def test_utf8_names_without_the_flag_are_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "mac.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("Чат.txt")
        archive.writestr(info, ALEX.read_bytes())
    # write the name's UTF-8 bytes without the UTF-8 flag, as Info-ZIP and macOS do
    data = path.read_bytes()
    assert b"\x00\x08" in data  # the flag bit 11 as zipfile set it
    raw = data.replace(b"\x00\x08\x08\x00", b"\x00\x00\x08\x00")
    path.write_bytes(raw)
    with containers.open_container(path, ingest.FORMATS) as found:
        assert [e.label for e in found.exports] == ["Чат.txt"]


def test_a_zip_over_the_caps_is_refused_before_anything_is_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = zip_of(tmp_path / "big.zip", {"a/x.txt": b"0" * 5000, "b/WhatsApp.txt": b"1" * 5000})
    monkeypatch.setattr(containers, "MAX_UNPACKED_BYTES", 8000)
    with (
        pytest.raises(ImportFailed, match="unpacks to"),
        containers.open_container(path, ingest.FORMATS),
    ):
        pass
    monkeypatch.setattr(containers, "MAX_UNPACKED_BYTES", 1 << 30)
    monkeypatch.setattr(containers, "MAX_MEMBERS", 1)
    with (
        pytest.raises(ImportFailed, match="holds 2 files"),
        containers.open_container(path, ingest.FORMATS),
    ):
        pass


def test_a_member_that_gives_more_than_it_declared_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = zip_of(tmp_path / "bomb.zip", {"x.txt": b"0" * 200_000})
    monkeypatch.setattr(containers, "RATIO_GRACE_BYTES", 1000)
    monkeypatch.setattr(containers, "MAX_RATIO", 2)
    with (
        pytest.raises(ImportFailed, match="more than it declared"),
        containers.open_container(path, ingest.FORMATS),
    ):
        pass


def test_a_damaged_zip_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ImportFailed) as caught, containers.open_container(path, ingest.FORMATS):
        pass
    assert str(caught.value).startswith(f"{path}: the zip is damaged")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(
        st.text(st.sampled_from("ab./\\:.. \x00é"), min_size=1, max_size=12),
        min_size=1,
        max_size=6,
    )
)
def test_any_member_names_stay_inside_or_fail_cleanly(tmp_path: Path, names: list[str]) -> None:
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    scratch = work / "scratch"
    scratch.mkdir(parents=True)
    path = work / "any.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as archive:
        warnings.simplefilter("ignore")  # duplicate names are part of the test
        for name in names:
            try:
                archive.writestr(name, b"hello\n")
            except (ValueError, IndexError):  # names zipfile itself will not write
                continue
    try:
        with containers.open_container(path, ingest.FORMATS, scratch) as found:
            for file in (p for p in scratch.rglob("*") if p.is_file()):
                assert scratch in file.resolve().parents
            assert len(found.exports) + len(found.skipped) <= len(names)
    except ImportFailed:
        pass
    assert sorted(os.listdir(work)) == ["any.zip", "scratch"]


# --- importing ------------------------------------------------------------------------------


def test_a_folder_imports_each_export_on_its_own_and_again_adds_nothing(tmp_path: Path) -> None:
    root = export_folder(tmp_path / "downloads")
    db = store.open_db(tmp_path / "db.sqlite")
    seen: list[tuple[int, int, str]] = []
    options = ingest.Options(timezone="UTC")
    first = pipeline.import_container(
        db, root, me="Sam", options=options, on_export=lambda *a: seen.append(a)
    )
    assert [n for n, _, _ in seen] == [1, 2]
    by_label = {e.label: e for e in first.exports}
    whatsapp = by_label["phone/WhatsApp Chat with Alex.zip"]
    assert whatsapp.outcome is not None
    assert whatsapp.outcome.result.messages_added > 0
    telegram = by_label["Telegram Desktop/ChatExport_2024-03-01/result.json"]
    assert telegram.error is None, telegram.error
    assert first.messages_added == sum(
        e.outcome.result.messages_added for e in first.exports if e.outcome
    )
    assert len(first.skipped) == 3
    again = pipeline.import_container(db, root, me="Sam", options=options)
    assert again.messages_added == 0


def test_one_bad_export_does_not_stop_the_others(tmp_path: Path) -> None:
    path = zip_of(
        tmp_path / "mixed.zip",
        {
            "good/WhatsApp Chat with Alex.zip": whatsapp_zip(),
            "bad/WhatsApp Chat with Jo.txt": (
                b"12/03/2024, 21:15 - Jo: hi\n31/02/2024, 10:00 - Jo: x\n"
            ),
        },
    )
    db = store.open_db(tmp_path / "db.sqlite")
    result = pipeline.import_container(db, path, me="Sam", options=ingest.Options(timezone="UTC"))
    bad, good = result.exports
    assert good.outcome is not None
    assert good.outcome.result.messages_added > 0
    assert bad.error is not None
    # the problem names its place in the zip, not the private folder it was unpacked in
    assert str(bad.error).startswith(f"{path}/bad/WhatsApp Chat with Jo.txt:2: the date 31/2/2024")
    assert "reciprocity-unpacked" not in str(bad.error)


def test_notes_name_the_place_in_the_zip(tmp_path: Path) -> None:
    german = FIXTURES / "whatsapp" / "locales" / "WhatsApp Chat mit Jonas.txt"
    path = zip_of(
        tmp_path / "chats.zip", {"de/x.zip": b"", "de/" + german.name: german.read_bytes()}
    )
    db = store.open_db(tmp_path / "db.sqlite")
    result = pipeline.import_container(db, path, me="Mira", options=ingest.Options(timezone="UTC"))
    (export,) = result.exports
    assert export.outcome is not None
    (note,) = export.outcome.notes
    assert note.startswith(f"{path}/de/{german.name}: no date in the chat shows")
    assert [s.label for s in result.skipped] == ["de/x.zip"]


def test_the_format_option_keeps_only_that_format(tmp_path: Path) -> None:
    root = export_folder(tmp_path / "downloads")
    db = store.open_db(tmp_path / "db.sqlite")
    result = pipeline.import_container(
        db, root, me="Sam", format="whatsapp", options=ingest.Options(timezone="UTC")
    )
    assert [e.format for e in result.exports] == ["whatsapp"]
    assert ("Telegram Desktop/ChatExport_2024-03-01/result.json", "a telegram export") in [
        (s.label, s.reason) for s in result.skipped
    ]


def test_a_many_file_export_is_one_import(tmp_path: Path, with_fake: None) -> None:
    path = zip_of(
        tmp_path / "facebook.zip",
        {
            "messages/inbox/alex_1/message_1.json": fake_thread(
                "Alex", ("Alex", "hi"), ("Sam", "yo")
            ),
            "messages/inbox/jo_2/message_1.json": fake_thread("Jo", ("Jo", "hey"), ("Sam", "hi")),
        },
    )
    db = store.open_db(tmp_path / "db.sqlite")
    result = pipeline.import_container(db, path, me="Sam")
    (export,) = result.exports
    assert FAKE_SEEN == [["message_1.json", "message_1.json"]]
    assert export.outcome is not None
    assert export.outcome.result.messages_added == 4
    assert export.outcome.result.conversations == 2


def test_one_conversation_name_cannot_name_a_folder_of_exports(tmp_path: Path) -> None:
    root = export_folder(tmp_path / "downloads")
    db = store.open_db(tmp_path / "db.sqlite")
    options = ingest.Options(timezone="UTC", conversation="Alex")
    with pytest.raises(ImportFailed, match="one conversation name cannot name them all"):
        pipeline.import_container(db, root, me="Sam", options=options)
