"""WhatsApp exports in other languages: one small chat per language, Android or iPhone.

In each, the placeholder for a file left out is media, the deleted message is a system
line that keeps its sender, and the app's encryption notice is a system line; dates in
each are ambiguous (every day is the 2nd or 3rd, never above 12), so the export's
language decides their order and a note says so.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reciprocity.ingest import _whatsapp_locales as locales
from reciprocity.ingest import whatsapp
from reciprocity.ingest._whatsapp_patterns import CALL, DELETED, MEDIA, TITLE
from reciprocity.ingest.base import Options

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp" / "locales"


def read(path: Path, notes: list[str] | None = None, **options: object) -> pl.DataFrame:
    frames = whatsapp.parse(path, Options(timezone="UTC", notes=notes, **options))  # type: ignore[arg-type]
    return pl.concat(list(frames))


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# file, language, title, kinds, senders (None: the app's own line), the third message's time
CASES = [
    (
        "WhatsApp Chat mit Jonas.txt",
        "German",
        "Jonas",
        ["system", "text", "text", "media", "system", "text"],
        [None, "Jonas", "Mira", "Jonas", "Mira", "Jonas"],
        utc(2021, 3, 2, 18, 9),
    ),
    (
        "Discussion WhatsApp avec Léa.txt",
        "French",
        "Léa",
        ["system", "text", "text", "media", "system", "call"],
        [None, "Léa", "Hugo", "Léa", "Hugo", "Léa"],
        utc(2021, 8, 3, 12, 40),
    ),
    (
        "_chat_es.txt",
        "Spanish",
        "_chat_es",
        ["system", "text", "media", "system", "text"],
        [None, "Lucía", "Diego", "Diego", "Lucía"],
        utc(2021, 4, 2, 9, 12, 33),
    ),
    (
        "_chat_pt.txt",
        "Portuguese",
        "_chat_pt",
        ["system", "text", "text", "media", "media", "system"],
        [None, "Ana", "Rafael", "Rafael", "Ana", "Ana"],
        utc(2021, 3, 2, 18, 7, 21),
    ),
    (
        "Chat WhatsApp con Giulia.txt",
        "Italian",
        "Giulia",
        ["system", "text", "text", "media", "system", "call"],
        [None, "Giulia", "Marco", "Giulia", "Marco", "Giulia"],
        utc(2021, 3, 2, 18, 6),
    ),
    (
        "_chat_nl.txt",
        "Dutch",
        "_chat_nl",
        ["system", "text", "text", "media", "system"],
        [None, "Sanne", "Pieter", "Pieter", "Sanne"],
        utc(2021, 3, 2, 18, 6, 30),
    ),
    (
        "_chat_tr.txt",
        "Turkish",
        "_chat_tr",
        ["system", "text", "text", "media", "system"],
        [None, "Elif", "Can", "Can", "Elif"],
        utc(2021, 3, 2, 18, 6, 30),
    ),
    (
        "Чат WhatsApp с Олей.txt",
        "Russian",
        "Олей",
        ["system", "text", "text", "media", "system", "call"],
        [None, "Оля", "Иван", "Оля", "Иван", "Оля"],
        utc(2021, 3, 2, 18, 7),
    ),
]


@pytest.mark.parametrize(
    ("name", "language", "title", "kinds", "senders", "third"),
    CASES,
    ids=[case[1] for case in CASES],
)
def test_each_language_reads_its_placeholders_deletions_and_notices(
    name: str,
    language: str,
    title: str,
    kinds: list[str],
    senders: list[str | None],
    third: datetime,
) -> None:
    notes: list[str] = []
    frame = read(FIXTURES / name, notes)
    assert frame["kind"].to_list() == kinds
    assert frame["sender"].to_list() == senders
    assert frame["conversation"][0] == title
    # the dates never go above 12: read day-first, as the language writes them
    assert frame["timestamp"][2] == third
    assert len(notes) == 1
    assert f"as {language} exports write them" in notes[0]
    assert "day first" in notes[0]
    # placeholders are kept as written, without the marks iOS puts before them
    media = frame.filter(pl.col("kind") == "media")["text"].to_list()
    assert all("\u200e" not in text and text for text in media)


def test_continuation_lines_join_in_a_localised_export() -> None:
    frame = read(FIXTURES / "WhatsApp Chat mit Jonas.txt")
    assert frame["text"][2] == "Ja, ab zehn Uhr\nbringe Kaffee mit"


def test_a_date_that_settles_the_order_needs_no_note(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat mit Jonas.txt"
    path.write_text(
        "13.03.21, 18:05 - Jonas: Hallo\n14.03.21, 18:06 - Mira: <Medien weggelassen>\n"
    )
    notes: list[str] = []
    frame = read(path, notes)
    assert frame["kind"].to_list() == ["text", "media"]
    assert notes == []


def test_the_date_order_option_wins_over_the_language(tmp_path: Path) -> None:
    notes: list[str] = []
    frame = read(FIXTURES / "WhatsApp Chat mit Jonas.txt", notes, dayfirst=False)
    assert frame["timestamp"][1] == utc(2021, 2, 3, 18, 5)
    assert notes == []


def test_an_english_export_says_how_its_order_was_guessed(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Alex.txt"
    path.write_text("02/03/21, 18:05 - Alex: hi\n02/04/21, 18:06 - Sam: <Media omitted>\n")
    notes: list[str] = []
    frame = read(path, notes)
    # English phones write either order: the number that changes (the second) is the day
    assert frame["timestamp"][1] == utc(2021, 2, 4, 18, 6)
    assert "month first" in notes[0]
    assert "second number changes more often" in notes[0]


@pytest.mark.parametrize(
    ("names", "texts", "code"),
    [
        (["WhatsApp Chat mit Alex.zip"], [], "de"),
        (["Discussion WhatsApp avec Léa.txt"], [], "fr"),
        (["chat.txt"], ["<Media weggelaten>"], "nl"),
        (["chat.txt"], ["Bu mesaj silindi"], "tr"),
        (["_chat.txt"], ["imagen omitida", "Se eliminó este mensaje."], "es"),
        (["_chat.txt"], ["Report.pdf • 3 páginas documento omesso"], "it"),
    ],
)
def test_language_of(names: list[str], texts: list[str], code: str) -> None:
    found = locales.language_of(names, texts)
    assert found is not None
    assert found.code == code


def test_nothing_says_the_language() -> None:
    assert locales.language_of(["chat.txt"], ["hello"]) is None


def _phrases(field: str) -> list[str]:
    return [phrase for locale in locales.LOCALES for phrase in getattr(locale, field)]


@pytest.mark.parametrize("phrase", _phrases("media"))
def test_every_android_media_placeholder_is_media(phrase: str) -> None:
    assert re.search(MEDIA, f"<{phrase}>")
    assert re.search(MEDIA, f"<{phrase[:1].lower()}{phrase[1:]}>")
    assert not re.search(MEDIA, f"I wrote <{phrase}> on purpose")


@pytest.mark.parametrize("phrase", _phrases("omitted") + _phrases("documents"))
def test_every_iphone_media_placeholder_is_media(phrase: str) -> None:
    assert re.search(MEDIA, phrase)


@pytest.mark.parametrize("phrase", _phrases("deleted") + _phrases("notices"))
def test_every_deleted_marker_and_notice_is_read_as_a_system_line(phrase: str) -> None:
    assert re.search(DELETED, phrase)
    assert not re.search(DELETED, f"she said: {phrase}")


@pytest.mark.parametrize("phrase", _phrases("calls"))
def test_every_missed_call_is_a_call(phrase: str) -> None:
    assert re.search(CALL, phrase)


@pytest.mark.parametrize("prefix", _phrases("titles"))
def test_every_file_name_gives_the_chat_title(prefix: str) -> None:
    found = TITLE.match(f"{prefix}Kim Lee (2)")
    assert found is not None
    assert found.group("title") == "Kim Lee"


@settings(max_examples=60, deadline=None)
@given(
    locale=st.sampled_from(locales.LOCALES),
    said=st.text(
        st.characters(codec="utf-8", exclude_characters="\n\r\u200e"), min_size=1, max_size=40
    ),
)
def test_text_around_a_placeholder_is_still_text(locale: locales.Locale, said: str) -> None:
    """A placeholder inside a longer message is something someone wrote, not media."""
    for phrase in locale.media:
        text = f"{said.strip() or 'x'} <{phrase}> !"
        assert not re.search(MEDIA, text)


def test_a_german_twelve_hour_clock(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat mit Jonas.txt"
    path.write_text(
        "14.01.21, 10:00 vorm. - Jonas: Guten Morgen\n"
        "14.01.21, 12:05 nachm. - Mira: Mittag!\n"
        "14.01.21, 3:00 nachm. - Jonas: <Medien ausgeschlossen>\n"
        "15.01.21, 12:10 vorm. - Mira: Gute Nacht\n",
        encoding="utf-8",
    )
    frame = read(path)
    assert frame["timestamp"].to_list() == [
        utc(2021, 1, 14, 10, 0),
        utc(2021, 1, 14, 12, 5),
        utc(2021, 1, 14, 15, 0),
        utc(2021, 1, 15, 0, 10),
    ]
    assert frame["kind"].to_list() == ["text", "text", "media", "text"]


# Android's note after a file's name in an export "with media", in Turkish and Russian
# (the wording of WhatsApp's own Android strings; see _whatsapp_locales' docstring).
@pytest.mark.parametrize(
    ("name", "language", "kinds", "attached"),
    [
        (
            "_chat_tr_android.txt",
            "Turkish",
            ["system", "text", "media", "media", "system"],
            "IMG-20210302-WA0001.jpg (dosya ekli)\nbahçeden bir fotoğraf",
        ),
        (
            "_chat_ru_android.txt",
            "Russian",
            ["text", "media", "text", "media"],
            "IMG-20210302-WA0004.jpg (файл добавлен)\nрассада уже готова",
        ),
    ],
)
def test_a_file_attached_in_an_android_export_with_media(
    name: str, language: str, kinds: list[str], attached: str
) -> None:
    notes: list[str] = []
    frame = read(FIXTURES / name, notes)
    assert frame["kind"].to_list() == kinds
    # The file's name, its note and the caption on the next line stay together, as media.
    assert frame.filter(pl.col("kind") == "media")["text"][0] == attached
    # The note alone tells the language, which reads the ambiguous dates day first.
    assert f"as {language} exports write them" in notes[0]
    assert frame["timestamp"].to_list()[-1].month == 4


@pytest.mark.parametrize(
    ("text", "code"),
    [("IMG-20210302-WA0001.jpg (dosya ekli)", "tr"), ("Alex.vcf (файл добавлен)", "ru")],
)
def test_the_attached_note_says_the_language(text: str, code: str) -> None:
    found = locales.language_of(["chat.txt"], [text])
    assert found is not None
    assert found.code == code


@pytest.mark.parametrize("phrase", _phrases("attached"))
def test_every_attached_note_marks_media(phrase: str) -> None:
    assert re.search(MEDIA, f"IMG-20240605-WA0003.jpg ({phrase})")
    assert re.search(MEDIA, f"IMG-20240605-WA0003.jpg ({phrase})\na caption")
    # Written by someone in the middle of a message, it is text.
    assert not re.search(MEDIA, f"it said ({phrase}) but nothing came")


FILE_NAMES = st.text(
    st.characters(codec="utf-8", exclude_characters="\n\r()<>\u200e"), min_size=1, max_size=30
)


@settings(max_examples=80, deadline=None)
@given(
    locale=st.sampled_from([loc for loc in locales.LOCALES if loc.attached]),
    name=FILE_NAMES,
    caption=st.text(st.characters(codec="utf-8", exclude_characters="\r"), max_size=30),
)
def test_any_file_name_with_an_attached_note_is_media(
    locale: locales.Locale, name: str, caption: str
) -> None:
    for phrase in locale.attached:
        assert re.search(MEDIA, f"{name} ({phrase})\n{caption}")
        # The note must end the line: more words after it are a message.
        assert not re.search(MEDIA, f"{name} ({phrase}) {name}x")
