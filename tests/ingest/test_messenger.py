"""Messenger and Instagram "Download your information" JSON, and Messenger's encrypted-chat
export: detection by content, senders, time order across message_N.json files, kinds,
mojibake repaired only where it is mojibake, problems named, re-imports adding nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reciprocity import ingest, pipeline, store
from reciprocity.errors import ImportFailed
from reciprocity.ingest import instagram, messenger
from reciprocity.ingest.base import MESSAGE_SCHEMA, Options

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
JOSE = FIXTURES / "messenger" / "inbox" / "joseramirez_10158"
GROUP = FIXTURES / "messenger" / "inbox" / "climbingcrew_20477" / "message_1.json"
E2EE = FIXTURES / "messenger" / "e2ee" / "mia_chen_1.json"
INSTAGRAM = (
    FIXTURES
    / "instagram"
    / "your_instagram_activity"
    / "messages"
    / "inbox"
    / "lucas.m_17841400"
    / "message_1.json"
)
START = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def read_all(frames: object) -> pl.DataFrame:
    parts = list(frames)  # type: ignore[call-overload]
    for part in parts:
        assert dict(part.schema) == MESSAGE_SCHEMA
    return pl.concat(parts) if parts else pl.DataFrame(schema=MESSAGE_SCHEMA)


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(START.timestamp() + seconds, UTC)


def test_formats_are_told_apart_by_content() -> None:
    assert ingest.detect(JOSE / "message_1.json") == "messenger"
    assert ingest.detect(E2EE) == "messenger"
    assert ingest.detect(INSTAGRAM) == "instagram"
    # Not by name: a Telegram or Discord export called message_1.json is still itself.
    head = (FIXTURES / "telegram" / "single_chat.json").read_bytes()[:65536]
    assert not messenger.detect(Path("message_1.json"), head)


def test_a_conversations_files_are_one_import_in_time_order() -> None:
    # Passed newest file first, as a folder lists them: the oldest messages still lead.
    df = read_all(
        messenger.parse_files([JOSE / "message_1.json", JOSE / "message_2.json"], Options())
    ).filter(pl.col("kind") != "reaction")
    jose, sam = "José Ramírez", "Sam Lee"
    assert df.filter(pl.col("kind") != "reaction").select(
        "sender", "timestamp", "text", "kind"
    ).rows() == [
        (jose, at(60), "¡Hola Sam! ¿Qué tal el viaje? 😀", "text"),
        (sam, at(180), "Great, thanks! Back on Sunday.", "text"),
        (sam, at(185), "<photo>", "media"),
        (jose, at(3600), "<call, 754 s>", "call"),
        (jose, at(86_400), "<sticker>", "media"),
        (sam, at(86_460), "Look at this: https://example.org/trail", "text"),
        (jose, at(86_500), "<message removed>", "system"),
        (jose, at(86_520), "Perfecto, nos vemos allí. Ünïcödé ✓", "text"),
        (sam, at(90_000), "<missed call>", "call"),
    ]
    assert set(df["conversation"]) == {jose}
    assert set(df["source"]) == {"messenger"}
    assert df["source_id"].null_count() == df.height  # the export has no message ids


def test_message_position_points_into_its_file() -> None:
    df = read_all(messenger.parse(JOSE / "message_2.json", Options()))
    written = json.loads((JOSE / "message_2.json").read_text())["messages"]
    for line, stamp in df.select("line", "timestamp").rows():
        assert written[line - 1]["timestamp_ms"] * 1000 == int(stamp.timestamp() * 1_000_000)


def test_group_keeps_equal_times_in_sent_order_and_reactions_are_not_words() -> None:
    df = read_all(messenger.parse(GROUP, Options()))
    assert df.select("sender", "text", "kind").rows() == [
        ("Ana Souza", "Ana created the group.", "text"),
        ("Sam Lee", "Sam added Bea Klein to the group.", "system"),
        ("Bea Klein", "Thanks! Saturday at 10?", "text"),
        ("Sam Lee", "Works for me", "text"),
        ("Ana Souza", "Ana reacted 👍 to your message ", "system"),
    ]
    assert set(df["conversation"]) == {"Climbing crew"}


def test_encrypted_chat_export_reads_as_written() -> None:
    df = read_all(messenger.parse(E2EE, Options()))
    assert df.filter(pl.col("kind") != "reaction").select("sender", "text", "kind").rows() == [
        ("Mia Chen", "Did you see the new café? ☕", "text"),
        ("Sam Lee", "<photo>", "media"),
        ("Mia Chen", "<message removed>", "system"),
        ("Sam Lee", "Yes — Zoë said it's great", "text"),
    ]
    assert df["timestamp"][0] == at(200_000)
    assert set(df["conversation"]) == {"Mia Chen"}


def test_instagram_is_saved_as_instagram() -> None:
    df = read_all(instagram.parse(INSTAGRAM, Options()))
    assert set(df["source"]) == {"instagram"}
    assert set(df["conversation"]) == {"Lúcas Müller"}
    assert df.select("sender", "text", "kind").rows() == [
        ("Lúcas Müller", "Olá! Já viste isto? 🙌", "text"),
        ("Sam Lee", "<link: https://www.instagram.com/p/Cabc123/>", "media"),
        ("Lúcas Müller", "Liked a message", "system"),
        ("Lúcas Müller", "Reacted 😍 to your message ", "system"),
        ("Sam Lee", "Haha yes, amazing place", "text"),
    ]


def test_a_title_written_before_the_messages_is_found(tmp_path: Path) -> None:
    doc = {"title": "Pat", "messages": [{"sender_name": "Pat", "timestamp_ms": 1, "content": "x"}]}
    path = tmp_path / "message_1.json"
    path.write_text(json.dumps(doc))
    assert read_all(messenger.parse(path, Options()))["conversation"].to_list() == ["Pat"]


def test_bad_message_is_named_by_its_position_and_nothing_is_yielded(tmp_path: Path) -> None:
    doc = {
        "participants": [{"name": "A"}],
        "messages": [
            {"sender_name": "A", "timestamp_ms": 1709280000000, "content": "fine"},
            {"sender_name": "A", "timestamp_ms": "soon", "content": "broken"},
        ],
        "title": "A",
    }
    path = tmp_path / "message_1.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ImportFailed) as failed:
        read_all(messenger.parse(path, Options()))
    assert f"{path}: message 2: the time 'soon'" in str(failed.value)


def test_cut_short_file_says_where(tmp_path: Path) -> None:
    text = (JOSE / "message_1.json").read_text()
    path = tmp_path / "message_1.json"
    path.write_text(text[: text.index('"Look at this')])
    with pytest.raises(ImportFailed) as failed:
        read_all(messenger.parse(path, Options()))
    message = str(failed.value)
    assert message.startswith(
        f"{path}: the JSON breaks off after message 3: the file ends in the middle"
    )
    assert "Download your information" in message


def test_reimport_adds_nothing_and_a_bad_file_writes_nothing(tmp_path: Path) -> None:
    with store.open_db(tmp_path / "db.sqlite") as db:
        first = pipeline.import_file(db, JOSE / "message_1.json", me="Sam Lee")
        assert first.result.messages_added == 5
        again = pipeline.import_file(db, JOSE / "message_1.json", me="Sam Lee")
        assert again.result.messages_added == 0
        broken = tmp_path / "message_2.json"
        text = (JOSE / "message_2.json").read_text()
        broken.write_text(text[:-40])
        with pytest.raises(ImportFailed):
            pipeline.import_file(db, broken, me="Sam Lee")
        with db.engine.connect() as conn:
            count = conn.exec_driver_sql("SELECT COUNT(*) FROM messages").scalar()
        assert count == 5


# ---- mojibake -----------------------------------------------------------------------------


def _mojibake(text: str) -> str:
    """What Facebook writes for ``text``: each UTF-8 byte as its own Latin-1 character."""
    return text.encode("utf-8").decode("latin-1")


@given(st.text())
def test_mojibake_is_repaired_to_the_text_that_was_sent(text: str) -> None:
    assert messenger.repair(_mojibake(text)) == text


@given(st.text())
def test_text_that_is_not_mojibake_comes_through_unchanged(text: str) -> None:
    try:
        decodes = text.encode("latin-1").decode("utf-8") != text
    except (UnicodeEncodeError, UnicodeDecodeError):
        decodes = False
    # Only a string whose characters are all bytes spelling other UTF-8 text is changed.
    if not decodes:
        assert messenger.repair(text) == text


@pytest.mark.parametrize(
    "text", ["José", "Zoë 👍", "naïve café", "日本語", "Ünïcödé ✓", "plain", "€100", "😀"]
)
def test_right_text_with_accents_and_emoji_is_kept(text: str) -> None:
    assert messenger.repair(text) == text


_names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
_words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(_names, _words, st.integers(0, 4_000_000_000_000)), max_size=15),
    st.integers(1, 4),
)
def test_any_conversation_split_into_files_reads_back_in_time_order(
    sent: list[tuple[str, str, int]], files: int
) -> None:
    """Written as Facebook writes them (newest first, mojibake, split over message_N files),
    messages read back as sent, oldest first, however the files are handed over."""
    import tempfile

    ordered = sorted(enumerate(sent), key=lambda item: (item[1][2], item[0]))
    newest_first = [
        {"sender_name": _mojibake(name), "timestamp_ms": ms, "content": _mojibake(words)}
        for _, (name, words, ms) in reversed(ordered)
    ]
    size = max(1, -(-len(newest_first) // files))
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, start in enumerate(range(0, max(len(newest_first), 1), size), start=1):
            doc = {"participants": [], "messages": newest_first[start : start + size]}
            path = Path(folder) / f"message_{number}.json"
            path.write_text(json.dumps({**doc, "title": "T"}, indent=2, ensure_ascii=True))
            paths.append(path)
        df = read_all(messenger.parse_files(list(reversed(paths)), Options()))
    expected = [(name, words) for _, (name, words, _ms) in ordered]
    got = df.select("sender", "text").rows()
    # Words that happen to read like a reaction notice ("Liked a message") are kept as
    # written but filed as notices: compare the words.
    assert [(s, t) for s, t in got] == [(n, w or "") for n, w in expected]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    stamps = [(t - epoch) // timedelta(milliseconds=1) for t in df["timestamp"]]
    assert stamps == [m for _, (_, _, m) in ordered]


def _mojibake(text: str) -> str:
    """``text`` as the older export writes it: each UTF-8 byte as its own character."""
    return text.encode("utf-8").decode("latin-1")


_WORDS = st.one_of(
    st.sampled_from(["ok", "see you at 8", "Liked a message", "Reacted 😂 to your message", ""]),
    st.text(max_size=12),
    st.text(max_size=8).map(_mojibake),
)
_OLD_EXTRAS = {
    "type": st.sampled_from(["Generic", "Share", "Call", "Subscribe", "Unsubscribe"]),
    "is_unsent": st.booleans(),
    "photos": st.lists(st.fixed_dictionaries({"uri": st.just("p.jpg")}), max_size=2),
    "videos": st.lists(st.fixed_dictionaries({"uri": st.just("v.mp4")}), max_size=1),
    "files": st.lists(st.fixed_dictionaries({"uri": st.just("f.pdf")}), max_size=1),
    "sticker": st.fixed_dictionaries({"uri": st.just("s.png")}),
    "share": st.fixed_dictionaries({"link": st.just("https://example.org")}),
    "call_duration": st.integers(0, 300),
    "reactions": st.lists(
        st.fixed_dictionaries(
            {"reaction": st.sampled_from(["👍", "❤"]).map(_mojibake), "actor": st.just("Sam")}
        ),
        max_size=2,
    ),
    "is_geoblocked_for_viewer": st.booleans(),
}


@st.composite
def _old_message(draw: st.DrawFn) -> dict[str, object]:
    # Mostly plain messages, each with at most two of the fields that make it more.
    message: dict[str, object] = {
        "sender_name": draw(st.sampled_from(["Sam", "José", ""]).map(_mojibake)),
        "timestamp_ms": draw(st.integers(-5, 2_000_000_000_000)),
    }
    if draw(st.integers(0, 4)):
        message["content"] = draw(_WORDS)
    for key in draw(st.lists(st.sampled_from(sorted(_OLD_EXTRAS)), max_size=2, unique=True)):
        message[key] = draw(_OLD_EXTRAS[key])
    return message


_OLD_MESSAGE = _old_message()
_E2EE_MESSAGE = st.fixed_dictionaries(
    {
        "senderName": st.sampled_from(["Sam Lee", "Mia Chen", ""]),
        "timestamp": st.integers(0, 2_000_000_000_000),
        "text": _WORDS,
        "type": st.sampled_from(["text", "media", "call"]),
        "isUnsent": st.booleans(),
        "media": st.lists(st.fixed_dictionaries({"uri": st.just("./m.jpg")}), max_size=1),
        "reactions": st.lists(
            st.fixed_dictionaries({"reaction": st.just("😂"), "actor": st.just("Sam Lee")}),
            max_size=2,
        ),
    }
)


def _read(path: Path) -> pl.DataFrame | str:
    try:
        return read_all(messenger.parse(path, Options(conversation="Chat")))
    except ImportFailed as failed:
        return str(failed)


@example(
    messages=[
        {
            "sender_name": "Sam",
            "timestamp_ms": 1_700_000_000_000,
            "photos": [{"uri": "p.jpg"}],
            "reactions": [{"reaction": _mojibake("❤"), "actor": "Alex"}],
        },
        {"sender_name": "Alex", "timestamp_ms": 1_700_000_001_000, "content": "lovely"},
    ],
    newest_first=True,
    odd=None,
)
@settings(max_examples=300, deadline=None)
@given(
    messages=st.one_of(st.lists(_OLD_MESSAGE, max_size=12), st.lists(_E2EE_MESSAGE, max_size=12)),
    newest_first=st.booleans(),
    odd=st.sampled_from([None, ("timestamp_ms", 1.5e12), ("content", 7), ("sender_name", None)]),
)
def test_messages_read_as_columns_are_the_messages_read_one_by_one(
    tmp_path_factory: pytest.TempPathFactory,
    messages: list[dict[str, object]],
    newest_first: bool,
    odd: tuple[str, object] | None,
) -> None:
    # Most messages are taken as columns from a typed decoding; the rest, and every read
    # the typed decoding refuses (``odd``: one value of an unexpected type), by the
    # message-by-message reading. Both must agree on every message, whatever it holds, and
    # on every problem.
    messages = sorted(messages, key=lambda m: str(m.get("timestamp_ms", m.get("timestamp"))))
    if newest_first:
        messages.reverse()
    if odd is not None and messages:
        messages[0][odd[0]] = odd[1]
    path = tmp_path_factory.mktemp("m") / "message_1.json"
    path.write_text(json.dumps({"participants": [{"name": "Sam"}], "messages": messages}))
    columns = _read(path)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(messenger, "typed", lambda block, decoder: None)
        one_by_one = _read(path)
    if isinstance(columns, str) or isinstance(one_by_one, str):
        assert columns == one_by_one
    else:
        assert columns.equals(one_by_one)


def test_a_chat_of_three_or_more_is_recorded_as_a_group() -> None:
    groups: list[tuple[str, str]] = []
    read_all(messenger.parse(GROUP, Options(groups=groups)))
    read_all(messenger.parse(JOSE / "message_1.json", Options(groups=groups)))
    assert groups == [("messenger", "Climbing crew")]
