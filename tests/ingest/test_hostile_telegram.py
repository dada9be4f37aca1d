"""Telegram exports with values of the wrong type or size: each is read as written or refused
with its line, never dropped, replaced by a made-up value, or ended in a raw traceback."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from tests.ingest.hostile import MB, read_in_child, repeat, write_chunks

from reciprocity.errors import ImportFailed
from reciprocity.ingest import telegram
from reciprocity.ingest.base import Options

MESSAGE = {"id": 1, "type": "message", "date_unixtime": "1709284500", "from": "Alex"}


def chat(messages: list[object], **fields: object) -> str:
    meta = {"name": "Alex", "type": "personal_chat", "id": 5550001, **fields}
    return json.dumps({**meta, "messages": messages}, indent=1)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "result.json"
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path) -> pl.DataFrame:
    return pl.concat(list(telegram.parse(path, Options(timezone="UTC"))))


def failure(path: Path) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        list(telegram.parse(path, Options(timezone="UTC")))
    return caught.value


def test_a_number_as_the_text_is_read_as_that_text(tmp_path: Path) -> None:
    messages = [{**MESSAGE, "text": 12345}, {**MESSAGE, "id": 2, "text": ["call ", 911, "!"]}]
    assert read(write(tmp_path, chat(messages)))["text"].to_list() == ["12345", "call 911!"]


@pytest.mark.parametrize("name", [["Alex", "Morgan"], {"first": "Alex"}, True])
def test_a_chat_name_that_is_not_text_is_refused_with_its_line(
    tmp_path: Path, name: object
) -> None:
    path = write(tmp_path, chat([{**MESSAGE, "text": "hi"}], name=name))
    [problem] = failure(path).problems
    assert problem.line == 2
    assert problem.message.startswith("the chat's name is not text")


def test_a_number_as_the_chat_name_is_that_name(tmp_path: Path) -> None:
    path = write(tmp_path, chat([{**MESSAGE, "text": "hi"}], name=1984))
    assert read(path)["conversation"].to_list() == ["1984"]


def test_a_sender_that_is_not_text_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, chat([{**MESSAGE, "text": "hi", "from": ["Alex"]}]))
    [problem] = failure(path).problems
    assert problem.line == 6
    assert "sender's name" in problem.message


@pytest.mark.parametrize("key", ["date_unixtime", "id", "reply_to_message_id"])
def test_a_number_of_thousands_of_digits_is_refused_with_its_line(tmp_path: Path, key: str) -> None:
    text = chat([{**MESSAGE, "text": "hi"}, {**MESSAGE, "id": 2, "text": "x"}])
    value = json.dumps(str(MESSAGE.get(key, "")))
    huge = "9" * 5000
    if key == "reply_to_message_id":
        text = text.replace('"text": "x"', f'"text": "x", "{key}": {huge}')
    else:
        text = text.replace(f'"{key}": {value}', f'"{key}": {huge}', 1).replace(
            f'"{key}": {MESSAGE[key]}', f'"{key}": {huge}', 1
        )
    assert huge in text
    [problem] = failure(write(tmp_path, text)).problems
    assert "5,000 digits" in problem.message
    assert problem.line is not None


def test_a_long_legitimate_message_imports_whole(tmp_path: Path) -> None:
    long = "x" * (MB + 1)
    path = write(tmp_path, chat([{**MESSAGE, "text": long, "text_entities": [long]}]))
    assert read(path)["text"].to_list() == [long]


def test_a_message_over_the_cap_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, chat([{**MESSAGE, "text": "hi"}, {**MESSAGE, "text": "y" * 9 * MB}]))
    [problem] = failure(path).problems
    assert problem.line == 13
    assert problem.message.startswith("this message is longer than 8 MB")


def test_a_single_huge_value_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    head = chat([{**MESSAGE, "text": "hi"}]).rsplit("]", 1)[0] + ',\n {"text": "'
    path = write_chunks(
        tmp_path / "result.json", [head.encode(), *repeat(b"z" * MB, 200 * MB), b'"}]}']
    )
    outcome = read_in_child(path)
    assert outcome.error is not None
    assert "longer than 8 MB" in outcome.error
    assert outcome.peak < 500 * MB
