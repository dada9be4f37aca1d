"""Telegram Desktop result.json: both layouts, text entities, service and media messages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity.errors import ImportFailed
from reciprocity.ingest import base, telegram
from reciprocity.ingest.base import KINDS, MESSAGE_SCHEMA, Options

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "telegram"
SINGLE = FIXTURES / "single_chat.json"
ACCOUNT = FIXTURES / "account" / "result.json"


def read(path: Path, **options: str | None) -> pl.DataFrame:
    frames = list(telegram.parse(path, Options(**options)))  # type: ignore[arg-type]
    for frame in frames:
        assert dict(frame.schema) == MESSAGE_SCHEMA
    return pl.concat(frames) if frames else pl.DataFrame(schema=MESSAGE_SCHEMA)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def write(tmp_path: Path, text: str, name: str = "result.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def chat_json(messages: Sequence[object], **chat: object) -> str:
    """A single-chat export laid out the way Telegram Desktop writes it."""
    body = {"name": "Alex Rivera", "type": "personal_chat", "id": 5550001, **chat}
    return json.dumps({**body, "messages": messages}, indent=1, ensure_ascii=False)


def test_single_chat_rows_match_the_export() -> None:
    df = read(SINGLE, timezone="America/New_York")
    rows = df.select("sender", "timestamp", "text", "kind", "reply_to", "source_id", "line")
    alex, sam = "Alex Rivera", "Sam Lee"
    assert rows.rows() == [
        (alex, utc("2024-03-01T09:15:00"), "Hey Sam! Are you free on Saturday?", "text",
         None, "1", 6),
        (sam, utc("2024-03-01T09:17:30"),
         "Yes! Finally a free weekend. Route: https://example.org/park", "text", None, "2", 21),
        (alex, utc("2024-03-01T09:20:05"), "Great, let's walk the loop\nand then get lunch?",
         "text", "2", "3", 59),
        (sam, utc("2024-03-01T18:02:00"), "<call, 125 s>", "call", None, "4", 75),
        (alex, utc("2024-03-02T10:02:11"), "<photo>", "media", None, "5", 88),
        (sam, utc("2024-03-02T10:03:40"), "the view from the top", "media", None, "6", 101),
        (alex, utc("2024-03-02T10:04:00"), "<sticker 👍>", "media", None, "7", 119),
        (alex, utc("2024-03-03T20:45:00"), "<missed call>", "call", None, "8", 135),
        (sam, utc("2024-03-03T20:46:10"), "pinned a message", "system", None, "9", 147),
        (sam, utc("2024-03-03T21:00:00"), "<voice message>", "media", None, "11", 163),
        (alex, utc("2024-03-04T07:30:00"), "Thanks Sam, see this map 🙂", "text", "11", "12",
         177),
    ]  # fmt: skip
    assert set(df["source"]) == {"telegram"}
    assert set(df["conversation"]) == {"Alex Rivera"}


def test_line_points_at_the_opening_brace_of_the_message() -> None:
    lines = SINGLE.read_text(encoding="utf-8").splitlines()
    for line, source_id in read(SINGLE).select("line", "source_id").rows():
        assert lines[line - 1].strip() == "{"
        assert lines[line].strip() == f'"id": {source_id},'


def test_old_export_without_unixtime_reads_date_in_the_given_zone() -> None:
    old = FIXTURES / "old_export.json"
    berlin = read(old, timezone="Europe/Berlin")["timestamp"].to_list()
    # summer time (+02:00) in July, standard time (+01:00) in December
    assert berlin == [utc("2019-07-14T06:30:00"), utc("2019-12-01T20:05:00")]
    plain = read(old, timezone="UTC")["timestamp"].to_list()
    assert plain == [utc("2019-07-14T08:30:00"), utc("2019-12-01T21:05:00")]


def test_old_export_defaults_to_the_machine_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "local_timezone_name", lambda: "Asia/Tokyo")
    assert read(FIXTURES / "old_export.json")["timestamp"][0] == utc("2019-07-13T23:30:00")


def test_account_export_gives_one_conversation_per_chat() -> None:
    frames = list(telegram.parse(ACCOUNT, Options()))
    titles = [frame["conversation"].unique().to_list() for frame in frames]
    assert titles == [["Kim Park"], ["Deleted account 8880003"], ["Book club"]]
    df = pl.concat(frames)
    assert df.select("sender", "text", "kind", "reply_to", "source_id").rows() == [
        ("Kim Park", "How did the interview go?", "text", None, "101"),
        ("Sam Lee", "Really well, I think. Thank you for asking!", "text", "101", "102"),
        ("Deleted account 8880003", "Merry Christmas!", "text", None, "7"),
        ("Kim Park", "added members: Sam Lee, deleted account", "system", None, "1"),
        ("Sam Lee", "Hi all, glad to be here", "text", None, "2"),
    ]
    assert df["line"].to_list() == [45, 60, 83, 110, 125]


def test_conversation_option_renames_a_single_chat_only() -> None:
    assert set(read(SINGLE, conversation="Alex")["conversation"]) == {"Alex"}
    assert "Kim Park" in set(read(ACCOUNT, conversation="Alex")["conversation"])


def test_account_owner_names_the_account_holder(tmp_path: Path) -> None:
    assert telegram.account_owner(ACCOUNT) == "Sam Lee"
    assert telegram.account_owner(SINGLE) is None
    assert telegram.account_owner(tmp_path / "missing.json") is None
    assert telegram.account_owner(write(tmp_path, "")) is None
    only_first = '{\n "personal_information": {\n  "first_name": "Ana",\n  "last_name": ""\n }\n}'
    assert telegram.account_owner(write(tmp_path, only_first)) == "Ana"


def test_truncated_file_fails_at_the_decoder_line() -> None:
    path = FIXTURES / "truncated.json"
    with pytest.raises(ImportFailed) as caught:
        list(telegram.parse(path, Options()))
    [problem] = caught.value.problems
    assert (problem.source, problem.line) == (str(path), 67)
    assert "export it again" in problem.message


def test_file_cut_between_messages_fails_at_its_end(tmp_path: Path) -> None:
    text = SINGLE.read_text(encoding="utf-8")
    cut = text[: text.index('  {\n   "id": 3,')]  # ends with "},\n"
    with pytest.raises(ImportFailed, match="ends early") as caught:
        list(telegram.parse(write(tmp_path, cut), Options()))
    assert caught.value.problems[0].line == cut.count("\n") + 1


def test_every_message_without_a_usable_date_is_reported(tmp_path: Path) -> None:
    messages = [
        {"id": 1, "type": "message", "date_unixtime": "1709284500", "from": "A", "text": "ok"},
        {"id": 2, "type": "message", "from": "A", "text": "no date"},
        {"id": 3, "type": "message", "date_unixtime": "soon", "from": "A", "text": "bad"},
        {"id": 4, "type": "message", "date": "31/12/2023 10:00", "from": "A", "text": "bad"},
    ]
    path = write(tmp_path, chat_json(messages))
    with pytest.raises(ImportFailed) as caught:
        list(telegram.parse(path, Options()))
    lines = path.read_text().splitlines()
    problems = caught.value.problems
    assert [lines[p.line - 1 + 1].strip() for p in problems if p.line] == [
        '"id": 2,',
        '"id": 3,',
        '"id": 4,',
    ]
    assert "no date" in problems[0].message
    assert "'soon'" in problems[1].message
    assert "31/12/2023" in problems[2].message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"foo": [1, 2]}', "not a Telegram Desktop export"),
        ("[1, 2]", "not a JSON object"),
        ("", "not a JSON object"),
        ('{"messages": []} trailing', "after the end"),
        ('{"messages": [] "name": 1}', "',' or '}'"),
    ],
)
def test_json_that_is_not_an_export_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ImportFailed, match=message):
        list(telegram.parse(write(tmp_path, text), Options()))


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(b'{\n "name": "A",\n "x": "\xff"\n}')
    with pytest.raises(ImportFailed, match="not UTF-8") as caught:
        list(telegram.parse(path, Options()))
    assert caught.value.problems[0].line == 3


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ImportFailed, match="Mars/Olympus"):
        list(telegram.parse(SINGLE, Options(timezone="Mars/Olympus")))


def test_hex_escapes_written_by_telegram_are_read(tmp_path: Path) -> None:
    # Telegram Desktop writes rare control characters as \x0B, which strict JSON refuses;
    # an escaped backslash followed by "x" must stay as written.
    text = chat_json([{"id": 1, "date_unixtime": "1709284500", "from": "A", "text": "T"}])
    text = text.replace('"text": "T"', r'"text": "tab\x0Bhere \\x41"')
    assert read(write(tmp_path, text))["text"].to_list() == ["tab\x0bhere \\x41"]


def test_chats_without_a_name_get_a_placeholder(tmp_path: Path) -> None:
    message = {"id": 1, "date_unixtime": "1709284500", "from": "Sam Lee", "text": "note"}
    saved = json.dumps({"type": "saved_messages", "id": 9, "messages": [message]}, indent=1)
    assert read(write(tmp_path, saved))["conversation"].to_list() == ["Saved Messages"]
    group = chat_json([message], name=None, type="private_group")
    assert read(write(tmp_path, group))["conversation"].to_list() == ["Unnamed chat 5550001"]


def test_other_key_order_and_minified_files_still_load(tmp_path: Path) -> None:
    data = json.loads(SINGLE.read_text(encoding="utf-8"))
    expected = read(SINGLE).drop("line")
    reordered = write(tmp_path, json.dumps(data, sort_keys=True, indent=2), "sorted.json")
    assert read(reordered).drop("line").equals(expected)  # "name" comes after "messages"
    minified = read(write(tmp_path, json.dumps(data), "min.json"))
    assert minified.drop("line").equals(expected)
    assert set(minified["line"]) == {1}


def test_media_placeholders_and_odd_fields(tmp_path: Path) -> None:
    base = {"type": "message", "date_unixtime": "1709284500", "from": "A", "text": ""}
    messages = [
        {**base, "id": 1, "file": "files/notes.pdf", "mime_type": "application/pdf"},
        {**base, "id": 2, "media_type": "animation", "file": "x.mp4"},
        {**base, "id": 3, "poll": {"question": "Pizza or pasta?", "answers": []}},
        {**base, "id": 4, "location_information": {"latitude": 1.0, "longitude": 2.0}},
        {**base, "id": 5, "from": None, "from_id": "user42", "text": "gone"},
        {**base, "id": 6, "from": None, "text": "anonymous"},
        {**base, "id": 7, "type": "service", "actor": None, "action": "edit_group_title",
         "title": "Walkers"},
        {**base, "id": 8, "type": "service", "actor": "A", "action": "group_call",
         "duration": 60},
        {**base, "id": 9, "type": "service", "actor": "A", "action": "some_new_action"},
        {**base, "id": 11, "type": "service", "actor": None, "actor_id": "user42",
         "action": "phone_call", "discard_reason": "busy"},
        {**base, "id": 10, "text": 42},
    ]  # fmt: skip
    df = read(write(tmp_path, chat_json(messages)))
    assert df.select("sender", "text", "kind").rows() == [
        ("A", "<file>", "media"),
        ("A", "<GIF>", "media"),
        ("A", "<poll: Pizza or pasta?>", "media"),
        ("A", "<location>", "media"),
        ("Deleted account 42", "gone", "text"),
        ("Unknown sender", "anonymous", "text"),
        (None, "renamed the group: Walkers", "system"),
        ("A", "<group call, 60 s>", "call"),
        ("A", "some new action", "system"),
        ("Deleted account 42", "<call, busy>", "call"),
        ("A", "42", "text"),  # a number is the text it spells
    ]


def test_long_chats_come_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telegram, "BATCH_ROWS", 4)
    frames = list(telegram.parse(SINGLE, Options()))
    assert [len(f) for f in frames] == [4, 4, 3]
    assert pl.concat(frames).equals(read(SINGLE))


@pytest.mark.parametrize("chunk", [1, 5, 13])
def test_small_read_chunks_give_the_same_result(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, chunk: int
) -> None:
    # chunk edges fall inside emoji, numbers, escapes and keys; nothing may change
    escaped = chat_json([{"id": 1234, "date_unixtime": "1709284500", "from": "Ä", "text": "T"}])
    escaped = escaped.replace('"text": "T"', r'"text": "a\x0Bb 👍"')
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + SINGLE.read_bytes())
    paths = [SINGLE, ACCOUNT, FIXTURES / "old_export.json", write(tmp_path, escaped), bom]
    expected = [read(path, timezone="UTC").rows() for path in paths]
    assert expected[3][0][4] == "a\x0bb 👍"
    monkeypatch.setattr(telegram, "CHUNK_BYTES", chunk)
    assert [read(path, timezone="UTC").rows() for path in paths] == expected
    with pytest.raises(ImportFailed) as caught:
        list(telegram.parse(FIXTURES / "truncated.json", Options()))
    assert caught.value.problems[0].line == 67


def test_detect_recognises_exports_only(tmp_path: Path) -> None:
    for path in (SINGLE, ACCOUNT, FIXTURES / "old_export.json"):
        assert telegram.detect(path, path.read_bytes()[:65536])
    head = SINGLE.read_bytes()
    assert not telegram.detect(tmp_path / "result.txt", head)
    assert not telegram.detect(tmp_path / "package.json", b'{"name": "x", "version": "1"}')
    # a big contact list can push "chats" past the head; personal_information is enough
    assert telegram.detect(tmp_path / "result.json", b'{\n "about": "",\n "personal_information"')


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
MESSAGE_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.integers() | st.text(),
        "type": st.sampled_from(["message", "service", "unsupported"]) | st.text(),
        "date": st.text() | st.just("2024-01-01T10:00:00") | JSON_VALUES,
        "date_unixtime": st.from_regex(r"-?\d{1,16}", fullmatch=True) | JSON_VALUES,
        "from": st.text() | st.none(),
        "actor": st.text() | st.none(),
        "action": st.sampled_from(["phone_call", "invite_members"]) | st.text(),
        "text": st.text() | st.lists(st.text() | st.dictionaries(st.text(), JSON_VALUES)),
        "photo": st.text(),
        "media_type": st.text(),
        "members": JSON_VALUES,
        "reply_to_message_id": JSON_VALUES,
    },
)


def check_parse(path: Path) -> None:
    """The property: frames with exactly the schema, or ImportFailed; nothing else."""
    try:
        frames = list(telegram.parse(path, Options(timezone="UTC")))
    except ImportFailed:
        return  # ImportFailed cannot be built without a Problem
    for frame in frames:
        assert dict(frame.schema) == MESSAGE_SCHEMA
        assert set(frame["kind"]) <= set(KINDS)
        assert frame["timestamp"].null_count() == 0
        assert frame["line"].min() >= 1  # type: ignore[operator]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_load_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("bytes") / "result.json"
    path.write_bytes(data)
    check_parse(path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    messages=st.lists(MESSAGE_FIELDS | JSON_VALUES, max_size=6),
    account=st.booleans(),
    chat=st.dictionaries(st.sampled_from(["name", "type", "id"]), JSON_VALUES),
    cut=st.integers(min_value=0, max_value=2000),
)
def test_hostile_exports_load_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory,
    messages: list[object],
    account: bool,
    chat: dict[str, object],
    cut: int,
) -> None:
    body: dict[str, object] = {**chat, "messages": messages}
    if account:
        body = {"personal_information": {}, "chats": {"list": [body]}}
    text = json.dumps(body, indent=1)
    path = tmp_path_factory.mktemp("export") / "result.json"
    path.write_text(text[: len(text) - cut] if cut % 3 == 0 else text, encoding="utf-8")
    check_parse(path)


def outcome(path: Path) -> object:
    try:
        return [frame.rows() for frame in telegram.parse(path, Options(timezone="UTC"))]
    except ImportFailed as failed:
        return [(problem.line, problem.message) for problem in failed.problems]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    messages=st.lists(MESSAGE_FIELDS | JSON_VALUES, max_size=5),
    cut=st.integers(min_value=0, max_value=300),
    chunk=st.integers(min_value=1, max_value=40),
)
def test_reading_in_chunks_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory, messages: list[object], cut: int, chunk: int
) -> None:
    text = chat_json(messages)
    path = tmp_path_factory.mktemp("chunks") / "result.json"
    path.write_text(text[: len(text) - cut] if cut % 2 else text, encoding="utf-8")
    whole = outcome(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(telegram, "CHUNK_BYTES", chunk)
        assert outcome(path) == whole


def test_groups_are_recorded_and_personal_chats_are_not() -> None:
    groups: list[tuple[str, str]] = []
    list(telegram.parse(ACCOUNT, Options(groups=groups)))
    assert groups == [("telegram", "Book club")]
    groups.clear()
    list(telegram.parse(SINGLE, Options(groups=groups)))
    assert groups == []
