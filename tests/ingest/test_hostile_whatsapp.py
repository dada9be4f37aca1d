"""WhatsApp exports built to exhaust memory or time: each is read in a child process under
a memory limit (see :mod:`tests.ingest.hostile`) and must end in a clear refusal naming the
file (and the line, where there is one), or in the messages, with memory flat."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from tests.ingest.hostile import MB, declare_size, read_in_child, repeat, write_chunks, zip_chunks

from reciprocity import ingest
from reciprocity.errors import ImportFailed
from reciprocity.ingest import _whatsapp_source as source
from reciprocity.ingest import whatsapp
from reciprocity.ingest.base import MAX_MESSAGE_BYTES, Options
from reciprocity.ingest.containers import open_container

HEADER = b"01/03/2020, 10:00 - Alex: "
# Resident memory a child may reach: the interpreter with Polars is about 100 MB.
FLAT = 400 * MB


def test_a_zip_declaring_more_text_than_the_cap_is_refused_before_reading(
    tmp_path: Path,
) -> None:
    path = tmp_path / "WhatsApp Chat with Alex.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("WhatsApp Chat with Alex.txt", HEADER + b"hi\n")
    declare_size(path, 2 * 1024 * MB)
    outcome = read_in_child(path)
    assert outcome.error is not None
    assert outcome.error.startswith(f"{path} (WhatsApp Chat with Alex.txt): the chat text")
    assert "2,147 MB" in outcome.error
    assert "unzip it yourself" in outcome.error
    assert outcome.peak < FLAT


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path: Path) -> None:
    # 96 MB of one line packs into about 100 KB: a thousand times, where chats pack 3 to 5.
    path = zip_chunks(tmp_path / "bomb.zip", "_chat.txt", [HEADER, *repeat(b"a" * MB, 96 * MB)])
    outcome = read_in_child(path)
    assert outcome.error is not None
    assert "times its packed size" in outcome.error
    assert outcome.peak < FLAT


def test_a_zip_understating_its_size_stops_at_the_size_it_declared(tmp_path: Path) -> None:
    path = zip_chunks(tmp_path / "liar.zip", "_chat.txt", [HEADER, *repeat(b"a" * MB, 64 * MB)])
    declare_size(path, 1000)
    outcome = read_in_child(path)
    assert outcome.error is not None
    assert "damaged" in outcome.error
    assert outcome.peak < FLAT


def test_bytes_are_counted_as_they_come_out_of_the_zip(tmp_path: Path) -> None:
    chat = source.ChatText(tmp_path, "chat.zip (_chat.txt)", "_chat.txt", io.BytesIO(b"x" * 50), 20)
    with pytest.raises(ImportFailed) as caught:
        list(source.read_pieces(chat, 8))
    assert str(caught.value).startswith("chat.zip (_chat.txt): the chat text unpacks to more")


def test_a_single_huge_line_is_refused_with_its_line_without_reading_it_whole(
    tmp_path: Path,
) -> None:
    path = write_chunks(
        tmp_path / "chat.txt",
        [HEADER + b"hi\n", HEADER, *repeat(b"a" * MB, 200 * MB)],
    )
    outcome = read_in_child(path)
    assert outcome.error is not None
    assert outcome.error.startswith(f"{path}:2: this line is longer than 8 MB")
    assert outcome.peak < FLAT


def test_a_message_of_many_lines_over_the_cap_is_refused_at_its_first_line(
    tmp_path: Path,
) -> None:
    line = b"a" * 99 + b"\n"
    path = write_chunks(
        tmp_path / "chat.txt",
        [HEADER + b"hi\n", HEADER + b"start\n", *repeat(line * 10_000, 12 * MB)],
    )
    outcome = read_in_child(path)
    assert outcome.error is not None
    assert outcome.error.startswith(f"{path}:2: this message is longer than 8 MB")
    assert outcome.peak < FLAT


def test_dates_that_never_say_the_order_keep_memory_flat(tmp_path: Path) -> None:
    # 01/03/2020 is 1 March or 3 January: nothing in these files ever settles it. Four
    # times the text must not take more memory (the parts were all held until the end).
    line = HEADER + b"all these dates could be either\n"
    peaks = []
    for size in (20 * MB, 80 * MB):
        count = size // len(line)
        path = write_chunks(tmp_path / "chat.txt", repeat(line * 10_000, count * len(line)))
        outcome = read_in_child(path)
        assert outcome.error is None
        assert outcome.rows == count
        peaks.append(outcome.peak)
    assert peaks[1] < peaks[0] + 40 * MB, [peak // MB for peak in peaks]


def test_a_legitimate_long_message_imports_whole(tmp_path: Path) -> None:
    one_line = "x" * MB
    many_lines = "\n".join(["y" * 1000] * 1000)
    text = f"01/03/2020, 10:00 - Alex: {one_line}\n13/03/2020, 10:01 - Sam: {many_lines}\n"
    path = tmp_path / "chat.txt"
    path.write_text(text)
    frames = list(whatsapp.parse(path, Options(timezone="UTC")))
    texts = [t for frame in frames for t in frame["text"].to_list()]
    assert texts == [one_line, many_lines]
    assert MAX_MESSAGE_BYTES >= 8 * MB


def test_a_zip_member_with_no_name_is_passed_over(tmp_path: Path) -> None:
    # A damaged zip can name a member "": zipfile's own is_dir() fails on it (found by the
    # fuzz test of broken fixtures).
    path = tmp_path / "WhatsApp Chat - Alex.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo(""), b"not a chat")
        archive.writestr(
            "WhatsApp Chat with Alex.txt",
            "02/03/2024, 09:01 - Sam: hi\n02/03/2024, 09:02 - Alex: hello\n",
        )
    assert ingest.detect(path) == "whatsapp"
    assert ingest.load(path, timezone="UTC")["text"].to_list() == ["hi", "hello"]
    # and a folder holding it unpacks it as one export among others
    folder = tmp_path / "exports"
    folder.mkdir()
    outer = folder / "all.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(""), b"")
        archive.write(path, "WhatsApp Chat - Alex.zip")
    with open_container(outer, ingest.FORMATS) as found:
        assert [export.format for export in found.exports] == ["whatsapp"]
