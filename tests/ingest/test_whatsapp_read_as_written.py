"""WhatsApp files that used to be read as something else: a year ``0001`` read as 2001, a
zip of several chats refused as an unknown format. Each is read right or refused with its
place."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from reciprocity import ingest
from reciprocity.errors import ImportFailed
from reciprocity.ingest import whatsapp
from reciprocity.ingest.base import Options

ALEX = b"12/03/2024, 21:15 - Alex: hi Sam\n12/03/2024, 21:16 - Sam: hi Alex\n"
JORDAN = b"[13/03/2024, 08:00:00] Jordan: morning\n[13/03/2024, 08:01:00] Sam: morning!\n"


def read(path: Path, **options: object) -> pl.DataFrame:
    options.setdefault("timezone", "UTC")
    return pl.concat(list(whatsapp.parse(path, Options(**options))))  # type: ignore[arg-type]


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("year", ["0001", "0999", "1969", "9999"])
def test_a_four_digit_year_no_phone_writes_is_refused_with_its_line(
    tmp_path: Path, year: str
) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(f"13/03/2024, 10:00 - Sam: hi\n13/03/{year}, 10:01 - Sam: then\n")
    with pytest.raises(ImportFailed) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}:2: the year {year} cannot be a message's")


def test_years_are_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(
        "13/03/24, 10:00 - Sam: two digits\n"
        "13/03/2024, 10:01 - Sam: four\n"
        "13/03/1999, 10:02 - Sam: last century\n"
        "[2070-03-13, 10:03:00] Sam: year first\n"
    )
    assert [t.year for t in read(path)["timestamp"].to_list()] == [2024, 2024, 1999, 2070]


def test_a_zip_of_two_chats_reads_both_each_its_own_conversation(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "chats.zip", {"alex.txt": ALEX, "jordan.txt": JORDAN})
    assert ingest.detect(path) == "whatsapp"
    frame = ingest.load(path, timezone="UTC")
    assert frame.select("conversation", "sender", "line").rows() == [
        ("alex", "Alex", 1),
        ("alex", "Sam", 2),
        ("jordan", "Jordan", 1),
        ("jordan", "Sam", 2),
    ]
    assert frame["timestamp"][2] == datetime(2024, 3, 13, 8, 0, tzinfo=UTC)


def test_a_zip_of_exports_takes_titles_from_their_names_and_folders(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "backup.zip",
        {
            "WhatsApp Chat - Jordan/_chat.txt": JORDAN,
            "WhatsApp Chat with Alex.txt": ALEX,
            "__MACOSX/WhatsApp Chat - Jordan/._chat.txt": b"\x00\x05\x16\x07",
        },
    )
    assert read(path)["conversation"].unique(maintain_order=True).to_list() == ["Jordan", "Alex"]


def test_documents_sent_in_a_chat_are_not_taken_for_chats(tmp_path: Path) -> None:
    # an Android export "with media" holding a chat someone forwarded as a document
    path = make_zip(
        tmp_path / "WhatsApp Chat with Alex.zip",
        {"WhatsApp Chat with Jordan.txt": JORDAN, "WhatsApp Chat with Alex.txt": ALEX},
    )
    assert read(path)["conversation"].unique().to_list() == ["Alex"]


def test_two_chats_with_one_title_are_refused_naming_both(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "chats.zip",
        {"a/WhatsApp Chat with Alex.txt": ALEX, "b/WhatsApp Chat with Alex.txt": ALEX},
    )
    with pytest.raises(ImportFailed) as caught:
        read(path)
    message = str(caught.value)
    assert "'a/WhatsApp Chat with Alex.txt'" in message
    assert "'b/WhatsApp Chat with Alex.txt'" in message


def test_one_conversation_name_for_several_chats_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "chats.zip", {"alex.txt": ALEX, "jordan.txt": JORDAN})
    with pytest.raises(ImportFailed) as caught:
        read(path, conversation="Alex")
    assert "holds 2 chats" in str(caught.value)


def test_a_zip_of_text_that_is_no_chat_is_still_not_whatsapp(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "notes.zip", {"a.txt": b"shopping list\n", "b.txt": b"todo\n"})
    assert not whatsapp.detect(path, path.read_bytes())


def test_the_order_is_settled_from_a_sample_and_a_later_contradiction_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whatsapp, "PIECE_BYTES", 64)
    monkeypatch.setattr(whatsapp, "DATE_SAMPLE_BYTES", 256)
    # the second number changes more often: month-first, as far as the sample shows
    lines = [f"01/{day:02}/2020, 10:00 - Sam: day {day}\n" for day in range(1, 13)]
    path = tmp_path / "chat.txt"
    path.write_text("".join([*lines, "13/01/2020, 10:00 - Sam: but this is day-first\n"]))
    frames = whatsapp.parse(path, Options(timezone="UTC"))
    # frames come before the end of the file is read: nothing waits for the whole file
    assert next(frames)["timestamp"][0] == datetime(2020, 1, 1, 10, 0, tzinfo=UTC)
    with pytest.raises(ImportFailed) as caught:
        list(frames)
    [problem] = caught.value.problems
    assert problem.line == 13
    assert "date-order option" in problem.message
    # with the order given, it reads
    assert read(path, dayfirst=True)["timestamp"][-1] == datetime(2020, 1, 13, 10, 0, tzinfo=UTC)
