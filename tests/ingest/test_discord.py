"""DiscordChatExporter JSON and CSV: detection by content, senders, UTC times, kinds, replies
from ``reference.messageId``, DMs and server channels, problems named, re-imports adding
nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reciprocity import ingest, pipeline, store
from reciprocity.errors import ImportFailed
from reciprocity.ingest import discord
from reciprocity.ingest.base import MESSAGE_SCHEMA, Options

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "discord"
DM = FIXTURES / "dm_rio.json"
GUILD = FIXTURES / "trail_runners_general.json"
CSV = FIXTURES / "Direct Messages - Rio Kato [99000000000000001].csv"


def read(path: Path, **options: object) -> pl.DataFrame:
    parts = list(discord.parse(path, Options(**options)))  # type: ignore[arg-type]
    for part in parts:
        assert dict(part.schema) == MESSAGE_SCHEMA
    return pl.concat(parts) if parts else pl.DataFrame(schema=MESSAGE_SCHEMA)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_detected_by_content() -> None:
    assert ingest.detect(DM) == "discord"
    assert ingest.detect(GUILD) == "discord"
    assert ingest.detect(CSV) == "discord"
    csv_fixture = Path(__file__).resolve().parent.parent / "fixtures" / "csv"
    for other in csv_fixture.glob("*.csv"):
        assert not discord.detect(other, other.read_bytes()[:65536])


def test_direct_messages() -> None:
    df = read(DM, timezone="Asia/Tokyo").filter(
        pl.col("kind") != "reaction"
    )  # times carry offsets: the zone changes nothing
    rio, sam = "Rio Kato", "Sam Lee"
    said = df.filter(pl.col("kind") != "reaction")
    assert said.select("sender", "timestamp", "text", "kind", "reply_to", "source_id").rows() == [
        (rio, utc("2024-05-01T18:15:03.512+00:00"), "hey! are you coming to the meetup? 🎉",
         "text", None, "1100000000000000001"),
        (sam, utc("2024-05-01T18:16:10+00:00"), "Yes, with Zoë", "text",
         "1100000000000000001", "1100000000000000002"),
        (rio, utc("2024-05-01T18:17:00+00:00"), "<photo>", "media", None,
         "1100000000000000003"),
        (sam, utc("2024-05-01T19:00:00+00:00"), "<call, 125 s>", "call", None,
         "1100000000000000004"),
        (rio, utc("2024-05-01T19:05:00+00:00"), "<sticker Wave>", "media", None,
         "1100000000000000005"),
    ]  # fmt: skip
    assert set(df["conversation"]) == {"Rio Kato"}
    assert df["line"].to_list() == [1, 2, 3, 4, 5]


def test_server_channel_keeps_replies_mentions_and_notices() -> None:
    df = read(GUILD)
    assert set(df["conversation"]) == {"Trail Runners #general"}
    assert df.select("sender", "text", "kind", "reply_to").rows() == [
        ("Ned Brooks", "Joined the server.", "system", None),
        ("Ned Brooks", "Morning all! Anyone up for Sunday?", "text", None),
        ("Rio Kato", "@Ned Brooks count me in", "text", None),
        ("Sam Lee", "Same here 🙌", "text", "1200000000000000002"),
        # a pin points at a message too, but is no answer to it
        ("Ned Brooks", "Pinned a message.", "system", None),
    ]


def test_csv_layout_reads_wall_clock_times_in_the_given_zone() -> None:
    df = read(CSV, timezone="Europe/Berlin")
    assert df.select("sender", "timestamp", "text", "kind", "line").rows() == [
        ("rio_k", utc("2024-05-01T18:15:00+00:00"), "hey! are you coming to the meetup? 🎉",
         "text", 2),
        ("samlee", utc("2024-05-01T18:16:00+00:00"), 'Yes, with Zoë\nand maybe "Ned"', "text", 3),
        ("rio_k", utc("2024-05-01T18:17:00+00:00"), "<photo>", "media", 5),
    ]  # fmt: skip
    assert set(df["conversation"]) == {"Direct Messages - Rio Kato"}


@pytest.mark.parametrize(
    ("written", "dayfirst", "expected"),
    [
        ("14/03/2024 13:05", None, "2024-03-14T13:05"),
        ("03/04/2024 1:05 PM", None, "2024-03-04T13:05"),
        ("03/04/2024 13:05", None, "2024-04-03T13:05"),
        ("03/04/2024 13:05", False, "2024-03-04T13:05"),
        ("14.03.2024 13:05", None, "2024-03-14T13:05"),
        ("14-Mar-24 01:05 PM", None, "2024-03-14T13:05"),
        ("2024-03-14T13:05:00", None, "2024-03-14T13:05"),
    ],
)
def test_csv_date_layouts(
    tmp_path: Path, written: str, dayfirst: bool | None, expected: str
) -> None:
    path = tmp_path / "chan.csv"
    path.write_text(
        'AuthorID,Author,Date,Content,Attachments,Reactions\n"1","a","'
        + written
        + '","hi","",""\n',
        encoding="utf-8",
    )
    df = read(path, timezone="UTC", dayfirst=dayfirst)
    assert df["timestamp"].to_list() == [utc(expected + "+00:00")]


def test_csv_bad_date_is_named_by_line(tmp_path: Path) -> None:
    path = tmp_path / "chan.csv"
    path.write_text(
        'AuthorID,Author,Date,Content,Attachments,Reactions\n"1","a","someday","hi","",""\n'
    )
    with pytest.raises(ImportFailed) as failed:
        read(path, timezone="UTC")
    assert str(failed.value).startswith(f"{path}:2: the date 'someday'")


def test_bad_message_and_cut_short_file_are_named(tmp_path: Path) -> None:
    doc = json.loads(DM.read_text())
    doc["messages"][1]["timestamp"] = "yesterday"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ImportFailed) as failed:
        read(path)
    assert f"{path}: message 2: the time 'yesterday'" in str(failed.value)
    truncated = FIXTURES / "truncated.json"
    with pytest.raises(ImportFailed) as failed:
        read(truncated)
    assert str(failed.value).startswith(f"{truncated}: the JSON breaks off after message 3")


def test_reimport_adds_nothing_and_a_bad_file_writes_nothing(tmp_path: Path) -> None:
    with store.open_db(tmp_path / "db.sqlite") as db:
        first = pipeline.import_file(db, GUILD, me="Sam Lee")
        assert first.result.messages_added == 5
        assert pipeline.import_file(db, GUILD, me="Sam Lee").result.messages_added == 0
        with pytest.raises(ImportFailed):
            pipeline.import_file(db, FIXTURES / "truncated.json", me="Sam Lee")
        with db.engine.connect() as conn:
            count = conn.exec_driver_sql("SELECT COUNT(*) FROM messages").scalar()
            groups = conn.exec_driver_sql("SELECT COUNT(*) FROM conversations WHERE is_group")
            assert groups.scalar() == 1  # three people wrote in the channel
        assert count == 5


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_text, _text, st.integers(0, 2_000_000_000), st.booleans()),
        min_size=1,
        max_size=12,
    )
)
def test_any_written_channel_reads_back(messages: list[tuple[str, str, int, bool]]) -> None:
    import tempfile

    written = []
    for i, (name, content, seconds, reply) in enumerate(messages):
        entry: dict[str, object] = {
            "id": str(1000 + i),
            "type": "Reply" if reply and i else "Default",
            "timestamp": datetime.fromtimestamp(seconds, UTC).isoformat(),
            "content": content,
            "author": {"id": str(i), "name": "u", "nickname": name or "n"},
            "attachments": [],
        }
        if reply and i:
            entry["reference"] = {"messageId": str(1000 + i - 1)}
        written.append(entry)
    doc = {"guild": {"id": "5", "name": "G"}, "channel": {"name": "c"}, "messages": written}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.json"
        path.write_text(json.dumps(doc, indent=2))
        df = read(path)
    assert df["text"].to_list() == [m[1] for m in messages]
    nicknames = [m[0] or "n" for m in messages]
    assert df["sender"].to_list() == [n if n.strip() else "u" for n in nicknames]
    assert [int(t.timestamp()) for t in df["timestamp"]] == [m[2] for m in messages]
    replies = [str(1000 + i - 1) if m[3] and i else None for i, m in enumerate(messages)]
    assert df["reply_to"].to_list() == replies


def test_times_in_any_iso_form_read_the_same(tmp_path: Path) -> None:
    # Read together as the exporter writes them; the other forms one at a time.
    written = [
        "2024-05-01T20:15:03.512+02:00",
        "2024-05-01T18:15:03.512Z",
        "2024-05-01T18:15:03.512000+00:00",
        "2024-05-01T14:15:03.512",  # no offset: the zone given
    ]
    doc = json.loads(DM.read_text())
    doc["messages"] = [
        {**doc["messages"][0], "id": str(i), "timestamp": stamp} for i, stamp in enumerate(written)
    ]
    path = tmp_path / "times.json"
    path.write_text(json.dumps(doc))
    said = read(path, timezone="America/New_York").filter(pl.col("kind") != "reaction")
    times = said["timestamp"].to_list()
    assert times == [utc("2024-05-01T18:15:03.512+00:00")] * 4


_AUTHORS = st.sampled_from(
    [
        {"id": "1", "name": "rio", "nickname": "Rio"},
        {"id": "2", "name": "sam", "nickname": None},
        {"id": "3", "name": " ", "nickname": ""},
        {"id": "4", "name": "deleted"},
        {"name": ""},
    ]
)
_PARTS = {
    "type": st.sampled_from(
        ["Default", "Reply", "Call", "GuildMemberJoin", "ChannelPinnedMessage"]
    ),
    "attachments": st.lists(
        st.fixed_dictionaries({"fileName": st.sampled_from(["a.png", "b.mp4", "c.zip"])}),
        max_size=1,
    ),
    "stickers": st.lists(st.fixed_dictionaries({"name": st.just("wave")}), max_size=1),
    "reference": st.fixed_dictionaries(
        {"messageId": st.just("500"), "type": st.sampled_from([None, "Default", "Forward"])}
    ),
    "reactions": st.lists(
        st.fixed_dictionaries(
            {
                "emoji": st.fixed_dictionaries({"id": st.just(""), "name": st.just("👍")}),
                "users": st.lists(_AUTHORS, max_size=2),
            }
        ),
        max_size=1,
    ),
    "callEndedTimestamp": st.just("2024-03-01T14:07:00+00:00"),
}


@st.composite
def _message(draw: st.DrawFn) -> dict[str, object]:
    # Mostly words, each message with at most two of the parts that make it more.
    message: dict[str, object] = {
        "id": draw(st.sampled_from(["100", "101", "102", ""])),
        "timestamp": draw(
            st.sampled_from(
                [
                    "2024-03-01T14:05:00+01:00",
                    "2024-03-01T14:05:00.5+00:00",
                    "2024-03-01T14:05Z",
                    "yesterday",
                    None,
                ]
            )
        ),
        "content": draw(st.one_of(st.text(max_size=10), st.sampled_from(["hi", "", "@Rio ok"]))),
        "author": draw(_AUTHORS),
    }
    for key in draw(st.lists(st.sampled_from(sorted(_PARTS)), max_size=2, unique=True)):
        message[key] = draw(_PARTS[key])
    return message


def _read_or_problem(path: Path) -> pl.DataFrame | str:
    try:
        return read(path, timezone="UTC")
    except ImportFailed as failed:
        return str(failed)


@settings(max_examples=300, deadline=None)
@example(
    messages=[
        {
            "id": "100",
            "timestamp": "2024-03-01T14:05:00+00:00",
            "content": "",
            "author": {"id": "1", "name": "rio", "nickname": "Rio"},
            "attachments": [{"fileName": "a.png"}],
            "reactions": [
                {"emoji": {"id": "", "name": "👍"}, "users": [{"id": "2", "name": "sam"}]}
            ],
        }
    ],
    odd=None,
)
@given(
    messages=st.lists(_message(), max_size=10),
    odd=st.sampled_from([None, ("timestamp", 5), ("content", 7), ("author", None), ("id", 9)]),
)
def test_messages_read_as_columns_are_the_messages_read_one_by_one(
    tmp_path_factory: pytest.TempPathFactory,
    messages: list[dict[str, object]],
    odd: tuple[str, object] | None,
) -> None:
    # Most messages are taken as columns; the rest, and every read with a value of an
    # unexpected type (``odd``), one by one. Both must give the same rows and problems.
    if odd is not None and messages:
        messages[0][odd[0]] = odd[1]
    path = tmp_path_factory.mktemp("d") / "channel.json"
    channel = {"guild": {"id": "0", "name": "Direct Messages"}, "channel": {"id": "9"}}
    path.write_text(json.dumps({**channel, "messages": messages}))
    columns = _read_or_problem(path)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(discord, "_plain_frame", lambda messages, first: None)
        one_by_one = _read_or_problem(path)
    if isinstance(columns, str) or isinstance(one_by_one, str):
        assert columns == one_by_one
    else:
        assert columns.equals(one_by_one)


def test_server_channels_and_group_dms_are_groups_however_few_wrote(tmp_path: Path) -> None:
    groups: list[tuple[str, str]] = []
    read(GUILD, groups=groups)
    read(DM, groups=groups)
    assert groups == [("discord", "Trail Runners #general")]
    # A server channel in which only Rio and the user wrote: a group still, so the two are
    # not read as a chat of their own (their figures come from the group tables).
    doc = json.loads(DM.read_text(encoding="utf-8"))
    doc["guild"] = {"id": "77000000000000001", "name": "Trail Runners", "iconUrl": ""}
    doc["channel"] = {**doc["channel"], "type": "GuildTextChat", "name": "pace-talk"}
    two = tmp_path / "pace_talk.json"
    two.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    with store.open_db(tmp_path / "db.sqlite") as db:
        pipeline.import_file(db, two, me="Sam Lee")
        with db.engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT title, is_group FROM conversations").one()
        assert tuple(row) == ("Trail Runners #pace-talk", 1)
