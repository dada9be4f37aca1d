"""Hostile JSON for the streamed JSON formats (Messenger, Instagram, Discord): one endless
value, a message nesting lists thousands deep, a long legitimate message; each read in a
child process under a memory cap, holding to a few hundred megabytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.ingest.hostile import MB, read_in_child, repeat, write_chunks

from reciprocity.ingest import discord, messenger
from reciprocity.ingest.base import MAX_MESSAGE_BYTES, Options

DISCORD_HEAD = (
    b'{"guild": {"id": "1", "name": "G"}, "channel": {"name": "c"}, "messages": [\n'
    b'{"id": "1", "type": "Default", "timestamp": "2024-01-01T00:00:00+00:00", '
    b'"author": {"name": "a"}, "content": "'
)
MESSENGER_HEAD = (
    b'{"participants": [{"name": "A"}], "messages": [\n'
    b'{"sender_name": "A", "timestamp_ms": 1700000000000, "content": "'
)


@pytest.mark.parametrize(("name", "head"), [("c.json", DISCORD_HEAD), ("m.json", MESSENGER_HEAD)])
def test_an_endless_string_is_refused_without_holding_it(
    tmp_path: Path, name: str, head: bytes
) -> None:
    path = write_chunks(tmp_path / name, [head, *repeat(b"x" * MB, 600 * MB)])
    outcome = read_in_child(path)
    assert outcome.error is not None
    assert "message 1: it is longer than 8 MB" in outcome.error
    assert outcome.peak < 400 * MB


def test_lists_nested_thousands_deep_are_refused(tmp_path: Path) -> None:
    deep = b'["",' * 3_000_000
    path = write_chunks(tmp_path / "c.json", [DISCORD_HEAD, b'x", "attachments": ', deep])
    outcome = read_in_child(path)
    assert outcome.error is not None
    assert "nests lists inside one another" in outcome.error
    assert outcome.peak < 400 * MB


def test_a_long_legitimate_message_imports_whole(tmp_path: Path) -> None:
    text = "long line of text " * (2 * MB // 18)
    doc = {
        "participants": [{"name": "A"}],
        "messages": [{"sender_name": "A", "timestamp_ms": 1700000000000, "content": text}],
        "title": "A",
    }
    path = tmp_path / "message_1.json"
    path.write_text(json.dumps(doc))
    [frame] = list(messenger.parse(path, Options()))
    assert frame["text"].to_list() == [text]


def test_a_message_over_the_cap_is_refused(tmp_path: Path) -> None:
    doc = {
        "guild": {"id": "1", "name": "G"},
        "channel": {"name": "c"},
        "messages": [
            {
                "id": "1",
                "timestamp": "2024-01-01T00:00:00+00:00",
                "author": {"name": "a"},
                "content": "y" * (MAX_MESSAGE_BYTES + 10),
            }
        ],
    }
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(Exception, match="message 1: this message is longer than 8 MB"):
        list(discord.parse(path, Options(timezone="UTC")))
