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


# Objects nested in lists of objects: in a file indented by 0 or 1, the bytes between two
# messages also sit between two nested objects, so a cut guessed there can be wrong.
nested_items = st.lists(
    st.dictionaries(
        st.sampled_from(["id", "content", "users", "author"]),
        tricky_text | st.lists(st.dictionaries(tricky_text, tricky_text, max_size=2), max_size=3),
        max_size=4,
    ),
    max_size=12,
)


def _careful_only() -> Any:
    return patch.object(_json_scan, "_separator", lambda block: None)


@settings(max_examples=200, deadline=None)
@given(
    items=nested_items,
    indent=st.sampled_from([0, 1, 2, 4, "\t"]),
    crlf=st.booleans(),
    read=st.integers(8, 200),
)
def test_cuts_guessed_from_the_indentation_give_the_arrays_items(
    items: list[Any], indent: int | str, crlf: bool, read: int
) -> None:
    doc = {"title": "t", "messages": items, "after": [{"x": 1}, {"y": 2}]}
    raw = json.dumps(doc, indent=indent, ensure_ascii=False)
    if crlf:
        raw = raw.replace("\n", "\r\n")
    with patch.object(_json_scan, "READ_BYTES", read):
        assert _read(raw.encode()) == items


def test_an_indented_file_is_cut_by_search_after_its_first_read() -> None:
    users = [{"n": "a"}, {"n": "b"}]
    items = [{"id": str(i), "content": f"hi {i}", "users": users} for i in range(200)]
    raw = json.dumps({"messages": items}, indent=2).encode()
    seen: list[bool] = []
    with patch.object(_json_scan, "READ_BYTES", 4096):
        for block in _json_items.blocks(io.BytesIO(raw), "messages", "chat.json", "the app"):
            seen.append(block.guessed)
            assert [json.loads(block.item(i)) for i in range(len(block))] == items[
                block.first - 1 : block.first - 1 + len(block)
            ]
    assert len(seen) > 5
    assert not seen[0]
    assert all(seen[1:-1])


def test_a_nested_object_laid_out_like_a_message_does_not_cut_one() -> None:
    # Hand-edited: the reactions' objects are indented like the messages themselves.
    message = (
        '    {{\n      "id": "{0}",\n      "reactions": [\n    {{\n      "u": 1\n    }},\n    {{\n'
        '      "u": 2\n    }}\n      ]\n    }}'
    )
    messages = ",\n".join(message.format(i) for i in range(40))
    raw = ('{\n  "messages": [\n' + messages + "\n  ]\n}").encode()
    with patch.object(_json_scan, "READ_BYTES", 300):
        assert _read(raw) == [{"id": str(i), "reactions": [{"u": 1}, {"u": 2}]} for i in range(40)]


@pytest.mark.parametrize("bad", [3, 25, 39])
def test_broken_json_is_named_alike_with_and_without_the_search(bad: int) -> None:
    items = [json.dumps({"id": i, "t": "x" * 20}, indent=2) for i in range(40)]
    items = [item.replace("\n", "\n    ") for item in items]
    items[bad] = items[bad].replace('"t"', "t")
    raw = ('{\n  "messages": [\n    ' + ",\n    ".join(items) + "\n  ]\n}").encode()
    with patch.object(_json_scan, "READ_BYTES", 256), pytest.raises(ImportFailed) as guessed:
        _read(raw)
    with (
        patch.object(_json_scan, "READ_BYTES", 256),
        _careful_only(),
        pytest.raises(ImportFailed) as careful,
    ):
        _read(raw)
    assert str(guessed.value) == str(careful.value)
    assert f"after message {bad}" in str(guessed.value)


@pytest.mark.parametrize("depth", [300, 5000])
def test_a_message_nested_beyond_any_export_is_refused_by_name(depth: int) -> None:
    fine = ",\n    ".join(json.dumps({"id": i}) for i in range(30))
    deep = "[" * depth + "]" * depth
    raw = f'{{\n  "messages": [\n    {fine},\n    {{"id": 30, "x": {deep}}}\n  ]\n}}'.encode()
    with patch.object(_json_scan, "READ_BYTES", 128), pytest.raises(ImportFailed) as failed:
        _read(raw)
    assert "message 31 nests lists inside one another hundreds of times" in str(failed.value)


def test_parts_are_gathered_into_batches_and_the_rest_waits_for_their_end() -> None:
    import polars as pl

    def parts(fail: bool) -> Any:
        for i in range(40):
            yield pl.DataFrame({"text": ["ab"] * 4_000, "n": [i] * 4_000})
        if fail:
            raise ImportFailed.one("chat.json", None, "a problem found at the end")

    batches = [frame.height for frame in _json_items.gathered(parts(False))]
    # a small first batch (at least FIRST_ROWS), so the save starts early; then at least
    # BATCH_ROWS each, then the rest
    assert batches == [12_000, 100_000, 48_000]
    handed = _json_items.gathered(parts(True))
    assert [next(handed).height, next(handed).height] == [12_000, 100_000]
    with pytest.raises(ImportFailed):
        next(handed)  # the rest never goes out
    # a batch closes on its texts' size too
    with patch.object(_json_items, "BATCH_CHARS", 40_000):
        assert [f.height for f in _json_items.gathered(parts(False))][:3] == [
            12_000,
            20_000,
            20_000,
        ]
