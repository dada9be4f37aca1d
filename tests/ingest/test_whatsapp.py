"""Tests for the WhatsApp importer, one fixture per quirk of the real exports."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import reciprocity.ingest.whatsapp as whatsapp
from reciprocity.errors import ImportFailed
from reciprocity.ingest import base
from reciprocity.ingest.base import MESSAGE_SCHEMA, Options

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp"
ANDROID = FIXTURES / "WhatsApp Chat with Alex.txt"
IOS = FIXTURES / "_chat.txt"
LRM = "\u200e"


def read(path: Path, **options: object) -> pl.DataFrame:
    """All frames ``parse`` yields, checked against the schema, as one frame."""
    options.setdefault("timezone", "UTC")
    frames = list(whatsapp.parse(path, Options(**options)))  # type: ignore[arg-type]
    for frame in frames:
        assert frame.schema == pl.Schema(MESSAGE_SCHEMA)
    return pl.concat(frames) if frames else pl.DataFrame(schema=MESSAGE_SCHEMA)


def rows(frame: pl.DataFrame) -> list[tuple[object, ...]]:
    return list(frame.select("line", "sender", "timestamp", "kind", "text").iter_rows())


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def failure(path: Path, **options: object) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        read(path, **options)
    return caught.value


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# --- layouts -------------------------------------------------------------------------------


def test_android_24_hour_day_first() -> None:
    frame = read(ANDROID)
    assert rows(frame) == [
        (
            1,
            None,
            utc(2024, 3, 2, 9, 0),
            "system",
            "Messages and calls are end-to-end encrypted. No one outside of this chat, not "
            "even WhatsApp, can read or listen to them. Tap to learn more.",
        ),
        (
            2,
            "Sam",
            utc(2024, 3, 2, 9, 1),
            "text",
            "Morning! Are we still on for the hike?",
        ),
        (3, "Alex", utc(2024, 3, 2, 9, 14), "text", "Yes!! Can't wait"),
        (
            4,
            "Alex",
            utc(2024, 3, 2, 9, 15),
            "text",
            "I'll bring snacks:\n- trail mix\n- two apples\n\nsee you at 8",
        ),
        (9, "Sam", utc(2024, 3, 2, 9, 20), "media", "<Media omitted>"),
        (10, "Alex", utc(2024, 3, 2, 12, 47), "call", "Missed voice call"),
        (11, "Sam", utc(2024, 3, 2, 12, 50), "system", "This message was deleted"),
        (12, "Alex", utc(2024, 3, 13, 18, 5), "text", "Running 10 min late, sorry"),
        (13, "Sam", utc(2024, 3, 13, 18, 6), "text", "no worries: I'm at the café ☕"),
        (
            14,
            None,
            utc(2024, 3, 13, 18, 30),
            "system",
            "Your security code with Alex changed. Tap to learn more.",
        ),
    ]
    assert frame["source"].unique().to_list() == ["whatsapp"]
    assert frame["conversation"].unique().to_list() == ["Alex"]
    assert frame["reply_to"].null_count() == frame["source_id"].null_count() == frame.height


def test_android_us_12_hour_clock_with_narrow_space_is_month_first() -> None:
    frame = read(FIXTURES / "android_us_12h.txt")
    assert frame["timestamp"].to_list() == [
        utc(2024, 3, 9, 21, 15),
        utc(2024, 3, 9, 23, 58),
        utc(2024, 3, 10, 0, 5),  # 12:05 AM is just after midnight
        utc(2024, 3, 10, 12, 30),  # 12:30 PM is just after noon
        utc(2024, 3, 14, 7, 2),
    ]
    assert frame["text"][0] == "did you get home ok?"


def test_ios_marks_seconds_events_and_placeholders() -> None:
    frame = read(IOS)
    assert rows(frame) == [
        (
            1,
            None,
            utc(2024, 3, 2, 9, 0, 12),
            "system",
            "Messages and calls are end-to-end encrypted. No one outside of this chat, not "
            "even WhatsApp, can read or listen to them.",
        ),
        (2, "Sam", utc(2024, 3, 2, 9, 1, 40), "text", "Hi! How was the interview?"),
        (
            3,
            "Alex Morgan",
            utc(2024, 3, 2, 9, 3, 5),
            "text",
            "It went well I think\nThey asked about the gap year\nand I didn't panic",
        ),
        (6, "Alex Morgan", utc(2024, 3, 2, 9, 4, 51), "media", "image omitted"),
        (
            7,
            "Sam",
            utc(2024, 3, 2, 9, 5, 20),
            "media",
            "<attached: 00000007-PHOTO-2024-03-02-09-05-20.jpg>",
        ),
        (8, "Sam", utc(2024, 3, 2, 9, 6), "text", "So proud of you"),
        (
            9,
            "Alex Morgan",
            utc(2024, 3, 2, 21, 40, 33),
            "call",
            "Missed voice call, Tap to call back",
        ),
        (10, "Sam", utc(2024, 3, 17, 10, 11, 2), "system", "This message was deleted."),
        (11, "Alex Morgan", utc(2024, 3, 17, 10, 12, 45), "media", "Contact card omitted"),
        (
            12,
            "Alex Morgan",
            utc(2024, 3, 17, 10, 13),
            "media",
            "Location: https://maps.google.com/?q=52.5200,13.4050",
        ),
    ]
    assert not frame["text"].str.contains(LRM).any()


def test_german_export_with_dots_and_two_digit_year() -> None:
    frame = read(FIXTURES / "WhatsApp Chat mit Alex.txt")
    assert frame["conversation"][0] == "Alex"
    assert frame["kind"].to_list() == ["system", "text", "text", "media", "system", "call"]
    assert frame["sender"].to_list() == [None, "Alex", "Sam", "Alex", "Sam", "Alex"]
    assert frame["timestamp"][1] == utc(2024, 3, 12, 21, 16)
    assert frame["timestamp"][5] == utc(2024, 4, 1, 8, 0)


def test_dashes_in_ios_brackets() -> None:
    frame = read(FIXTURES / "dashes_2digit_ios.txt")
    assert rows(frame) == [
        (1, "Sam", utc(2024, 3, 13, 7, 45, 10), "text", "on my way"),
        (2, "Alex", utc(2024, 3, 13, 7, 59, 59), "text", "👍"),
        (3, "Sam", utc(2024, 4, 1, 0, 0, 0), "text", "April fools!"),
    ]


def test_spanish_a_m_p_m() -> None:
    frame = read(FIXTURES / "spanish_12h.txt")
    assert frame["timestamp"].to_list() == [
        utc(2024, 3, 12, 21, 15),
        utc(2024, 3, 12, 21, 17),
        utc(2024, 3, 13, 0, 10),
        utc(2024, 3, 13, 8, 5),
    ]
    assert frame["text"][1] == "¡sí! a las 8"
    assert frame["kind"][2] == "media"


def test_year_first_dates(tmp_path: Path) -> None:
    path = write(
        tmp_path, "chat.txt", "2024-03-12, 21:15 - Alex: hej\n2024-03-13, 07:00 - Sam: hej hej\n"
    )
    assert read(path)["timestamp"].to_list() == [utc(2024, 3, 12, 21, 15), utc(2024, 3, 13, 7, 0)]


def test_media_placeholders_in_several_languages() -> None:
    frame = read(FIXTURES / "media_languages.txt")
    assert frame["kind"].to_list() == [*["media"] * 8, "call", "text", "system", "text"]
    assert frame["text"][7] == "IMG-20240605-WA0003.jpg (file attached)\nlook at this view"
    # Android wraps phone numbers used as names in directional marks
    assert frame["sender"][-1] == "+49 151 23456789"


# --- date order -------------------------------------------------------------------------------


def test_order_settled_by_a_late_line() -> None:
    frame = read(FIXTURES / "late_order.txt")
    # only the last line (1/13/25) shows the month comes first; every earlier date follows it
    assert frame["timestamp"][0] == utc(2024, 1, 5, 9, 0)
    assert frame["timestamp"][2] == utc(2024, 2, 5, 9, 0)
    assert frame["timestamp"][-1] == utc(2025, 1, 13, 18, 30)


def test_ambiguous_dates_follow_the_number_that_changes_most(tmp_path: Path) -> None:
    text = "".join(f"{d}/4/24, 10:00 - Sam: day {d}\n" for d in range(1, 9))
    path = write(tmp_path, "chat.txt", text)
    assert read(path)["timestamp"][1] == utc(2024, 4, 2, 10, 0)
    assert read(path, dayfirst=False)["timestamp"][1] == utc(2024, 2, 4, 10, 0)


def test_forcing_the_wrong_order_names_the_line() -> None:
    error = failure(FIXTURES / "android_us_12h.txt", dayfirst=True)
    [problem] = error.problems
    assert problem.line == 5
    assert "day-first" in problem.message


def test_forced_order_wins_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "chat.txt", "05/06/2024, 10:00 - Sam: hi\n")
    assert read(path, dayfirst=True)["timestamp"][0] == utc(2024, 6, 5, 10, 0)
    assert read(path, dayfirst=False)["timestamp"][0] == utc(2024, 5, 6, 10, 0)


def test_impossible_date_names_its_line() -> None:
    error = failure(FIXTURES / "impossible_date.txt")
    assert str(error).startswith(f"{FIXTURES / 'impossible_date.txt'}:2: ")


def test_impossible_time_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "chat.txt", "13/03/2024, 10:00 - Sam: hi\n13/03/2024, 25:61 - Sam: ?\n")
    assert failure(path).problems[0].line == 2


# --- time zones -------------------------------------------------------------------------------


def test_timezone_option_converts_wall_clock_to_utc() -> None:
    frame = read(ANDROID, timezone="Europe/Berlin")
    assert frame["timestamp"][1] == utc(2024, 3, 2, 8, 1)  # CET is UTC+1


def test_default_timezone_is_the_machines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "local_timezone_name", lambda: "Asia/Tokyo")
    frames = list(whatsapp.parse(ANDROID, Options()))
    assert frames[0]["timestamp"][1] == utc(2024, 3, 2, 0, 1)


def test_daylight_saving_gaps_and_repeats_do_not_fail(tmp_path: Path) -> None:
    text = (
        "31/03/2024, 01:59 - Sam: before the gap\n"
        "31/03/2024, 02:30 - Sam: inside the gap\n"
        "31/03/2024, 03:00 - Sam: after the gap\n"
        "27/10/2024, 02:30 - Sam: happens twice\n"
    )
    frame = read(write(tmp_path, "chat.txt", text), timezone="Europe/Berlin")
    assert frame["timestamp"].to_list() == [
        utc(2024, 3, 31, 0, 59),
        utc(2024, 3, 31, 1, 30),  # read with the offset before the gap (CET)
        utc(2024, 3, 31, 1, 0),
        utc(2024, 10, 27, 0, 30),  # the earlier of the two (CEST)
    ]


def test_unknown_timezone_is_an_import_failure() -> None:
    assert "time zone" in str(failure(ANDROID, timezone="Mars/Olympus"))


# --- titles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "member", "title"),
    [
        ("WhatsApp Chat with Alex.txt", None, "Alex"),
        ("WhatsApp Chat - Alex Morgan.zip", "_chat.txt", "Alex Morgan"),
        ("WhatsApp Chat mit Oma & Opa.txt", None, "Oma & Opa"),
        ("Chat de WhatsApp con Carla.txt", None, "Carla"),
        ("WhatsApp Chat with Alex (2).txt", None, "Alex"),
        ("export.zip", "WhatsApp Chat with Bea.txt", "Bea"),
        ("export.zip", "_chat.txt", "export"),
        ("WhatsApp Chat - Bea/_chat.txt", None, "Bea"),
        ("notes.txt", None, "notes"),
    ],
)
def test_conversation_title_from_file_names(name: str, member: str | None, title: str) -> None:
    assert whatsapp.conversation_title(Path(name), member) == title


def test_conversation_option_overrides_the_file_name() -> None:
    assert read(ANDROID, conversation="Hiking buddy")["conversation"].unique().to_list() == [
        "Hiking buddy"
    ]


# --- zips -------------------------------------------------------------------------------------


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_ios_zip_reads_like_its_text(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "WhatsApp Chat - Alex Morgan.zip",
        {"00000007-PHOTO-2024-03-02-09-05-20.jpg": b"\xff\xd8\xff", "_chat.txt": IOS.read_bytes()},
    )
    frame = read(path)
    assert rows(frame) == rows(read(IOS))
    assert frame["conversation"][0] == "Alex Morgan"
    assert whatsapp.detect(path, path.read_bytes()[:65536])


def test_android_zip_reads_like_its_text(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "WhatsApp Chat with Alex.zip",
        {"WhatsApp Chat with Alex.txt": ANDROID.read_bytes(), "IMG-20240302-WA0001.jpg": b"jpg"},
    )
    assert rows(read(path)) == rows(read(ANDROID))
    assert read(path)["conversation"][0] == "Alex"


def test_zip_member_paths_are_never_used_on_disk(tmp_path: Path) -> None:
    inside = tmp_path / "inside"
    inside.mkdir()
    path = make_zip(inside / "chat.zip", {"../../escape/_chat.txt": IOS.read_bytes()})
    before = sorted(tmp_path.rglob("*"))
    assert read(path).height == 10
    assert sorted(tmp_path.rglob("*")) == before


def test_damaged_zip_names_the_file(tmp_path: Path) -> None:
    whole = make_zip(tmp_path / "whole.zip", {"_chat.txt": IOS.read_bytes() * 50})
    path = write(tmp_path, "WhatsApp Chat - Alex.zip", whole.read_bytes()[:300])
    assert whatsapp.detect(path, path.read_bytes())
    error = failure(path)
    assert str(error).startswith(f"{path}: ")
    assert "damaged" in str(error)


def test_zip_without_chat_text(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "photos.zip", {"a.jpg": b"1", "b.jpg": b"2"})
    assert not whatsapp.detect(path, path.read_bytes())
    assert "no WhatsApp chat" in str(failure(path))


def test_errors_inside_a_zip_name_the_member_and_line(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "chat.zip", {"_chat.txt": (FIXTURES / "impossible_date.txt").read_bytes()}
    )
    assert str(failure(path)).startswith(f"{path} (_chat.txt):2: ")


# --- detection and errors -----------------------------------------------------------------------


def test_detect() -> None:
    for path in [ANDROID, IOS, FIXTURES / "android_us_12h.txt", FIXTURES / "spanish_12h.txt"]:
        assert whatsapp.detect(path, path.read_bytes()[:65536]), path
    assert not whatsapp.detect(
        FIXTURES / "not_a_chat.txt", (FIXTURES / "not_a_chat.txt").read_bytes()
    )
    assert not whatsapp.detect(Path("chat.csv"), ANDROID.read_bytes())


def test_text_that_is_not_a_chat_fails_at_its_first_line() -> None:
    error = failure(FIXTURES / "not_a_chat.txt")
    assert error.problems[0].line == 1
    assert "does not look like a WhatsApp" in error.problems[0].message


def test_blank_lines_before_the_first_message_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "chat.txt", "\n\n12/03/2024, 21:15 - Alex: hi\n")
    assert read(path)["line"].to_list() == [3]
    bad = write(tmp_path, "bad.txt", "\n\nhello\n12/03/2024, 21:15 - Alex: hi\n")
    assert failure(bad).problems[0].line == 3


def test_invalid_utf8_names_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "chat.txt", b"12/03/2024, 21:15 - Alex: hi\n12/03/2024, 21:16 - Alex: \xff\n"
    )
    error = failure(path)
    assert error.problems[0].line == 2
    assert "UTF-8" in error.problems[0].message


def test_empty_file_is_an_import_failure(tmp_path: Path) -> None:
    assert "empty" in str(failure(write(tmp_path, "chat.txt", "")))


def test_windows_line_endings_and_byte_order_mark(tmp_path: Path) -> None:
    text = ANDROID.read_text(encoding="utf-8").replace("\n", "\r\n")
    path = write(tmp_path, "WhatsApp Chat with Alex.txt", "\ufeff" + text)
    assert rows(read(path)) == rows(read(ANDROID))


def test_unusual_control_characters_are_kept(tmp_path: Path) -> None:
    # a unit separator or a lone carriage return sends the text down the careful path
    text = "12/03/2024, 21:15 - Alex: a\x1fb\rc\n12/03/2024, 21:16 - Sam: ok\n"
    frame = read(write(tmp_path, "chat.txt", text))
    assert frame["text"].to_list() == ["a\x1fb\rc", "ok"]
    assert frame["line"].to_list() == [1, 2]


def test_pieces_cut_anywhere_give_the_same_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    windows = ANDROID.read_text(encoding="utf-8").replace("\n", "\r\n")
    marked = write(tmp_path, "marked.txt", "\ufeff" + windows)
    whole = [rows(read(path)) for path in (ANDROID, IOS, marked)]
    for size in (2, 37, 200):
        monkeypatch.setattr(whatsapp, "PIECE_BYTES", size)
        assert [rows(read(path)) for path in (ANDROID, IOS, marked)] == whole, size


def test_load_detects_text_and_zip(tmp_path: Path) -> None:
    from reciprocity.ingest import load

    path = make_zip(tmp_path / "WhatsApp Chat - Alex Morgan.zip", {"_chat.txt": IOS.read_bytes()})
    assert rows(load(path, timezone="UTC")) == rows(read(IOS))
    assert rows(load(ANDROID, timezone="UTC")) == rows(read(ANDROID))


def test_order_evidence_is_gathered_across_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whatsapp, "PIECE_BYTES", 100)
    frame = read(FIXTURES / "late_order.txt")
    assert frame["timestamp"][2] == utc(2024, 2, 5, 9, 0)


# --- never anything but frames or ImportFailed --------------------------------------------------

_HEADERS = st.sampled_from(
    [
        "12/03/2024, 21:15 - ",
        "3/14/24, 9:15\u202fPM - ",
        "[12.03.24, 21:15:03] ",
        "\u200e[1-2-2024 0:00:00] ",
        "2024-03-12, 21:15 - ",
        "31/02/2024, 10:00 - ",
        "13/13/24, 12:00 pm - ",
    ]
)
_LINE = st.one_of(
    st.tuples(_HEADERS, st.text(max_size=30)).map("".join),
    st.text(max_size=30),
    st.sampled_from(["Alex: <Media omitted>", "\u200eimage omitted", "Sam: ", ""]),
)


# tmp_path is shared by the examples of one test; each example overwrites the same file.
_FIXTURE_CHECK = [HealthCheck.function_scoped_fixture]


def _parse_or_fail(path: Path, dayfirst: bool | None = None) -> None:
    try:
        for frame in whatsapp.parse(path, Options(timezone="Europe/Berlin", dayfirst=dayfirst)):
            assert frame.schema == pl.Schema(MESSAGE_SCHEMA)
            assert frame["kind"].is_in(["text", "media", "call", "system"]).all()
    except ImportFailed:
        pass


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
@example(data=b"x\x01\x02\x01")  # looks like a zlib stream to the fast line reader
@example(data=b"\x1f\x8b\x08\x00")  # and a gzip one
def test_arbitrary_bytes_load_or_fail_cleanly(tmp_path: Path, data: bytes) -> None:
    _parse_or_fail(write(tmp_path, "chat.txt", data))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(_LINE, max_size=12), dayfirst=st.sampled_from([None, True, False]))
def test_chat_like_text_loads_or_fails_cleanly(
    tmp_path: Path, lines: list[str], dayfirst: bool | None
) -> None:
    _parse_or_fail(write(tmp_path, "chat.txt", "\n".join(lines)), dayfirst)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_arbitrary_zip_members_load_or_fail_cleanly(tmp_path: Path, data: bytes) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_chat.txt", data)
    _parse_or_fail(write(tmp_path, "chat.zip", buffer.getvalue()))
