"""The scanner that splits a big JSON file's ``messages`` array into items without
decoding it: whatever the items hold (quotes, backslashes, brackets and commas inside
text) and wherever the reads cut the file, the items are exactly those of the array."""

from __future__ import annotations

import io
import json
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reciprocity.errors import ImportFailed
from reciprocity.ingest import _json_items, _json_scan

# Text made of what JSON has to escape or that looks like structure.
tricky_text = st.text(
    alphabet=st.sampled_from(['"', "\\", "[", "]", "{", "}", ",", ":", " ", "a", "é", "😀", "\n"]),
    max_size=12,
)
scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | tricky_text
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3),
    max_leaves=8,
)
messages = st.lists(st.dictionaries(tricky_text, values, max_size=4) | scalars, max_size=8)


def _read(doc: bytes, key: str = "messages") -> list[Any]:
    return list(_json_items.items(io.BytesIO(doc), key, "chat.json", "the app"))


@settings(max_examples=300, deadline=None)
@given(
    items=messages,
    before=st.dictionaries(
        (tricky_text | st.sampled_from(["title", "a1", "guild"])).filter(lambda k: k != "messages"),
        values,
        max_size=3,
    ),
    after=values,
    indent=st.sampled_from([None, 0, 2]),
    read=st.integers(1, 64),
    ascii_only=st.booleans(),
)
def test_the_items_are_the_arrays_wherever_the_reads_cut(
    items: list[Any],
    before: dict[str, Any],
    after: Any,
    indent: int | None,
    read: int,
    ascii_only: bool,
) -> None:
    doc = {**before, "messages": items, "zz_after": after}
    raw = json.dumps(doc, indent=indent, ensure_ascii=ascii_only).encode()
    with patch.object(_json_scan, "READ_BYTES", read):
        assert _read(raw) == items
    for key, value in before.items():
        if key.isascii() and key.isalnum():  # what the parsers ask for: plain keys
            assert _json_items.first(io.BytesIO(raw), key) == value


def test_a_key_inside_text_or_deeper_is_not_the_array() -> None:
    doc = {
        "note": 'say "messages": [1, 2] here',
        "inner": {"messages": ["not these"]},
        "messages": [{"a": 1}, {"b": "x\\"}],
    }
    assert _read(json.dumps(doc).encode()) == [{"a": 1}, {"b": "x\\"}]


def test_an_empty_array_has_no_items() -> None:
    assert _read(b'{"messages": [ \n ], "title": "t"}') == []
    assert _read(b'{"title": "t"}') == []


@pytest.mark.parametrize("cut", [10, 30, 45])
def test_a_file_cut_short_says_after_which_message(cut: int) -> None:
    raw = json.dumps({"messages": [{"t": "one"}, {"t": "two"}, {"t": "three"}]}).encode()
    with pytest.raises(ImportFailed) as failed:
        _read(raw[:cut])
    done = raw[:cut].count(b"}, {")
    where = f"after message {done}" if done else "before the first message"
    assert f"the JSON breaks off {where}: the file ends in the middle of it" in str(failed.value)


def test_broken_json_inside_a_message_names_it_and_where() -> None:
    raw = b'{"messages": [{"t": "one"}, {"t": tw0}, {"t": "three"}]}'
    with pytest.raises(ImportFailed) as failed:
        _read(raw)
    message = str(failed.value)
    assert "the JSON breaks off after message 1 (near byte 27): what follows is not valid JSON" in (
        message
    )


def test_a_cut_emoji_reads_as_a_replacement_character() -> None:
    raw = b'{"messages": [{"t": "ok \\ud83d then"}, {"t": "\\ud83d\\ude00"}]}'
    assert _read(raw) == [{"t": "ok \ufffd then"}, {"t": "😀"}]


def test_a_value_is_read_from_the_top_level_only() -> None:
    raw = b'{"guild": {"title": "inner", "id": "1"}, "title": "outer", "messages": []}'
    assert _json_items.first(io.BytesIO(raw), "title") == "outer"
    assert _json_items.first(io.BytesIO(raw), "guild") == {"title": "inner", "id": "1"}
    assert _json_items.first(io.BytesIO(raw), "channel") is None
