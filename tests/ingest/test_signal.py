"""Signal Desktop chats as signal-export writes them: data.json (JSON lines) and chat.md."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity import ingest, pipeline, store
from reciprocity.errors import ImportFailed
from reciprocity.ingest import signal
from reciprocity.ingest.base import MESSAGE_SCHEMA, Options

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "signal"
ALEX_JSON = FIXTURES / "AlexMorgan" / "data.json"
ALEX_MD = FIXTURES / "AlexMorgan" / "chat.md"
GROUP_MD = FIXTURES / "Bookclub" / "chat.md"


def read(path: Path, **options: object) -> pl.DataFrame:
    options.setdefault("timezone", "UTC")
    frames = list(signal.parse(path, Options(**options)))  # type: ignore[arg-type]
    for frame in frames:
        assert frame.schema == pl.Schema(MESSAGE_SCHEMA)
    return pl.concat(frames)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


EXPECTED = [
    ("Alex Morgan", utc(2024, 3, 12, 21, 15, 3), "text", "are you around this weekend?"),
    ("Me", utc(2024, 3, 12, 21, 16, 40), "text", "yes! Saturday works\nSunday too"),
    ("Alex Morgan", utc(2024, 3, 12, 21, 17), "media", "IMG_0042.jpg"),
    ("Me", utc(2024, 3, 12, 21, 17, 30), "text", "that beach 😍"),
    ("Alex Morgan", utc(2024, 3, 13, 8, 2), "call", "Missed voice call"),
    ("Me", utc(2024, 3, 13, 8, 5, 11), "call", "Outgoing video call (accepted, 4m 12s)"),
    ("Alex Morgan", utc(2024, 3, 13, 9, 0), "media", "🐢"),
    ("Me", utc(2024, 3, 13, 9, 1), "system", None),
]


def rows(frame: pl.DataFrame) -> list[tuple[object, ...]]:
    """The messages of ``frame`` (reactions are tested apart)."""
    return list(
        frame.filter(pl.col("kind") != "reaction")
        .with_columns(pl.col("timestamp").dt.truncate("1s"))
        .select("sender", "timestamp", "kind", "text")
        .iter_rows()
    )


def test_data_json_reads_senders_times_kinds_and_text() -> None:
    frame = read(ALEX_JSON).filter(pl.col("kind") != "reaction")
    assert [row[:3] for row in rows(frame)] == [row[:3] for row in EXPECTED]
    assert [row[3] for row in rows(frame)][:7] == [row[3] for row in EXPECTED][:7]
    assert frame["conversation"].unique().to_list() == ["AlexMorgan"]
    assert frame["line"].to_list() == list(range(1, 9))
    assert frame["source"][0] == "signal"
    # fractions of a second are kept
    assert frame["timestamp"][1] == datetime(2024, 3, 12, 21, 16, 40, 250000, tzinfo=UTC)


def test_chat_md_reads_the_same_messages_as_data_json() -> None:
    md = read(ALEX_MD).filter(pl.col("kind") != "reaction")
    assert [row[:3] for row in rows(md)] == [row[:3] for row in EXPECTED]
    assert [row[3] for row in rows(md)][:7] == [row[3] for row in EXPECTED][:7]
    assert md["text"][7] == "(This message was deleted)"
    assert md["line"].to_list() == [1, 3, 7, 9, 15, 17, 19, 22]


def test_a_deleted_message_with_reactions_reads_alike_in_both_files(tmp_path: Path) -> None:
    folder = tmp_path / "Alex"
    folder.mkdir()
    (folder / "chat.md").write_text(
        "[2024-03-12 21:15:03] Alex: (This message was deleted)\n(- Me: 👍 -)\n\n"
        "[2024-03-12 21:16:00] Me: ok  \n(- Alex: ❤️ -)\n\n",
        encoding="utf-8",
    )
    (folder / "data.json").write_text(
        json.dumps(
            {"date": "2024-03-12T21:15:03", "sender": "Alex", "body": "", "quote": "",
             "sticker": "", "reactions": [["Me", "👍"]], "attachments": [], "deleted": True,
             "call": False, "missed": False}
        ) + "\n" + json.dumps(
            {"date": "2024-03-12T21:16:00", "sender": "Me", "body": "ok  ", "quote": "",
             "sticker": "", "reactions": [["Alex", "❤️"]], "attachments": [],
             "deleted": False, "call": False, "missed": False}
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    for name in ("chat.md", "data.json"):
        frame = read(folder / name)
        assert frame["kind"].to_list() == ["system", "text", "reaction"], name
        assert frame["sender"].to_list() == ["Alex", "Me", "Alex"], name


def test_older_markdown_dates_and_an_unnamed_sender() -> None:
    frame = read(GROUP_MD)
    assert frame["sender"].to_list() == ["Priya", "Me", None]
    assert frame["kind"].to_list() == ["text", "text", "system"]
    assert frame["timestamp"][0] == utc(2023, 11, 2, 19, 0)
    assert frame["conversation"][0] == "Bookclub"


def test_times_are_read_in_the_exporting_machines_zone() -> None:
    frame = read(ALEX_JSON, timezone="Europe/Berlin")
    assert frame["timestamp"][0] == utc(2024, 3, 12, 20, 15, 3)


def test_detect_by_content() -> None:
    assert ingest.detect(ALEX_JSON) == "signal"
    assert ingest.detect(ALEX_MD) == "signal"
    telegram = Path(__file__).resolve().parents[1] / "fixtures" / "telegram" / "single_chat.json"
    assert ingest.detect(telegram) == "telegram"
    assert not signal.detect(Path("notes.md"), b"# My notes\n\n[2024-03-12] not a chat\n")
    assert not signal.detect(Path("data.json"), b'{"posts": []}\n')
    assert not signal.detect(Path("data.txt"), ALEX_JSON.read_bytes())


def test_a_whole_export_reads_each_chat_once(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "db.sqlite")
    result = pipeline.import_container(db, FIXTURES, options=ingest.Options(timezone="UTC"))
    (export,) = result.exports  # every chat of the export: one import
    assert export.format == "signal"
    assert export.outcome is not None
    assert export.outcome.result.messages_added == 11  # 8 from data.json, none from chat.md, 3
    assert export.outcome.result.conversations == 2
    assert export.outcome.result.me == "Me"  # the user, whatever the import was told
    again = pipeline.import_container(db, FIXTURES, me="Sam")
    assert again.messages_added == 0


def test_one_file_imports_with_me_as_the_user(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "db.sqlite")
    outcome = pipeline.import_file(db, ALEX_JSON, me="Sam", options=Options(timezone="UTC"))
    assert outcome.result.messages_added == 8
    assert outcome.result.me == "Me"


def test_a_line_that_is_not_a_message_is_named(tmp_path: Path) -> None:
    path = tmp_path / "Jo" / "data.json"
    path.parent.mkdir()
    good = ALEX_JSON.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(f"{good}\n{{not json\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"data.json:2: this line is not a message"):
        read(path)
    path.write_text(good.replace("2024-03-12T21:15:03", "yesterday") + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"data.json:1: the date 'yesterday' is not one"):
        read(path)
    md = tmp_path / "Jo" / "chat.md"
    md.write_text("hello\n[2024-03-12 21:15:03] Jo: hi\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"chat.md:1: this line does not start like"):
        read(md)


def test_a_line_over_the_cap_is_refused_without_being_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signal, "MAX_LINE_BYTES", 100)
    path = tmp_path / "Jo" / "data.json"
    path.parent.mkdir()
    good = ALEX_JSON.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(good.replace("weekend?", "weekend?" + "!" * 200) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"data.json:1: this line is longer"):
        read(path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    messages=st.lists(
        st.tuples(
            st.sampled_from(["Me", "Alex", "No-Sender"]),
            st.text(st.characters(codec="utf-8", exclude_characters="\r"), max_size=40),
            st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2030, 1, 1)),
            st.booleans(),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_any_messages_come_back_as_written(
    tmp_path: Path, messages: list[tuple[str, str, datetime, bool]]
) -> None:
    """What the exporter writes (any text, any sender, any time) reads back unchanged."""
    path = tmp_path / "Any" / "data.json"
    path.parent.mkdir(exist_ok=True)
    lines = [
        json.dumps(
            {
                "date": when.isoformat(),
                "sender": sender,
                "body": body + "  ",
                "quote": "",
                "sticker": "",
                "reactions": [],
                "attachments": [],
                "deleted": deleted,
                "call": False,
                "missed": False,
            },
            ensure_ascii=False,
        )
        for sender, body, when, deleted in messages
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = read(path)
    assert frame.height == len(messages)
    for (sender, body, when, deleted), row in zip(
        messages, frame.iter_rows(named=True), strict=True
    ):
        assert row["text"] == body
        assert row["timestamp"] == when.replace(tzinfo=UTC)
        assert row["sender"] == (None if sender == "No-Sender" else sender)
        if deleted or sender == "No-Sender":
            assert row["kind"] == "system"
