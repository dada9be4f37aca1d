"""Tests for reading WhatsApp lines into messages piece by piece (``_whatsapp_lines``):
continuation lines of every kind, and a message that goes on over many pieces, read the same
however the text is cut."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reciprocity.ingest.whatsapp as whatsapp
from reciprocity.errors import ImportFailed
from reciprocity.ingest import _whatsapp_lines as lines
from reciprocity.ingest._whatsapp_patterns import HEADER, SHORTEST_HEADER
from reciprocity.ingest.base import Options

# A message going on with blank lines, short ones, a Windows line end, a line that holds a
# date without being a header, and a last message ending in a blank line.
CHAT = (
    "\n\n12/03/2024, 21:15 - Alex: hi\n\n\nok\n\r\nnot 12/03/2024, 21:15 - a header\n"
    "12/03/2024, 21:16 - Sam: one line\n"
    "12/03/2024, 21:17 - Alex: \n\n\n\n\n\nend\n"
    "12/03/2024, 21:18 - Sam: last\n\n"
)
TEXTS = [
    "hi\n\n\nok\n\nnot 12/03/2024, 21:15 - a header",
    "one line",
    "\n\n\n\n\n\nend",
    "last\n",
]


def outcome(path: Path) -> list[tuple[object, ...]] | str:
    """The messages read from ``path`` (line, sender, text), or the error it gave."""
    try:
        frames = list(whatsapp.parse(path, Options(timezone="UTC")))
    except ImportFailed as error:
        return str(error)
    frame = pl.concat(frames)
    return list(frame.select("line", "sender", "timestamp", "text").iter_rows())


def test_continuation_lines_are_joined_to_their_message(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(CHAT)
    read = outcome(path)
    assert isinstance(read, list)
    assert [row[3] for row in read] == TEXTS
    assert [row[0] for row in read] == [3, 9, 10, 17]
    assert [row[1] for row in read] == ["Alex", "Sam", "Alex", "Sam"]


@pytest.mark.parametrize("piece", [1, 2, 7, 40, 1 << 20])
@pytest.mark.parametrize("most", [2, 3, 5, 1 << 17])
def test_any_cut_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int, most: int
) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(CHAT)
    whole = outcome(path)
    monkeypatch.setattr(whatsapp, "PIECE_BYTES", piece)
    monkeypatch.setattr(lines, "MOST_LINES", most)
    assert outcome(path) == whole


_LINE = st.one_of(
    st.sampled_from(
        ["12/03/2024, 21:15 - Alex: ", "[12.03.24, 21:15:03] Sam: ", "12/03/2024, 21:16 - "]
    ).flatmap(lambda header: st.text(max_size=8).map(lambda text: header + text)),
    st.sampled_from(["", "\r", "ok", "\u200e", "13/03/2024 10:00", " 12/03/2024, 21:15 - x"]),
    st.text(max_size=20),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chat=st.lists(_LINE, max_size=25),
    end=st.sampled_from(["", "\n"]),
    piece=st.integers(1, 64),
    most=st.integers(2, 6),
)
def test_any_chat_reads_the_same_however_it_is_cut(
    tmp_path: Path, chat: list[str], end: str, piece: int, most: int
) -> None:
    """Messages, or the error, are the same when the text is read in pieces of ``piece``
    bytes and parsed ``most`` lines at a time."""
    path = tmp_path / "chat.txt"
    path.write_bytes(("\n".join(chat) + end).encode("utf-8", errors="replace"))
    whole = outcome(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(whatsapp, "PIECE_BYTES", piece)
        patch.setattr(lines, "MOST_LINES", most)
        assert outcome(path) == whole


@settings(max_examples=200, deadline=None)
@given(
    data=st.lists(st.sampled_from([b"\n", b"a", b"\r\n", b"xyz\n"]), max_size=60).map(b"".join),
    most=st.integers(2, 5),
)
def test_parts_hold_at_most_so_many_lines_and_make_the_whole(data: bytes, most: int) -> None:
    parts = lines._by_lines(data, most)
    assert b"".join(part for part, _ in parts) == data
    for part, breaks in parts:
        assert breaks == part.count(b"\n")
        assert breaks + (0 if part.endswith(b"\n") or not part else 1) <= most
    assert all(part.endswith(b"\n") for part, _ in parts[:-1])


@settings(max_examples=300, deadline=None)
@given(header=st.from_regex(HEADER, fullmatch=True))
def test_no_header_is_shorter_than_the_shortest(header: str) -> None:
    assert len(header.encode()) >= SHORTEST_HEADER


def test_the_shortest_header_is_that_short() -> None:
    shortest = "1/2/24 3:45] "
    assert re.match(HEADER, shortest)
    assert len(shortest.encode()) == SHORTEST_HEADER


def test_a_message_open_over_many_pieces_is_closed_once() -> None:
    reader = lines.MessageReader("chat.txt")
    assert reader.feed(b"12/03/2024, 21:15 - Alex: hi\n").height == 0
    for _ in range(3):
        assert reader.feed(b"\n\nok\n").height == 0
    assert reader.open_line == 1
    assert reader.open_bytes == len("Alex: hi" + "\n\n\nok" * 3)  # sender and text
    done = reader.feed(b"more\n12/03/2024, 21:16 - Sam: ok\n")
    assert done["text"].to_list() == ["hi" + "\n\n\nok" * 3 + "\nmore"]
    assert reader.open_line == 12
    assert reader.finish()["text"].to_list() == ["ok"]
    assert reader.finish().height == 0
