"""A big export parsed in a process of its own (:mod:`reciprocity.parse_apart`): the same
batches, notes and problems as the parse on a thread, and an import that stores the same."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest

from reciprocity import ingest, parse_apart, pipeline, store
from reciprocity.errors import ImportFailed
from reciprocity.ingest.base import Options

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# One file of every format whose parser says it may be parsed apart.
FILES = [
    FIXTURES / "messenger" / "inbox" / "joseramirez_10158" / "message_1.json",
    FIXTURES / "messenger" / "e2ee" / "mia_chen_1.json",
    FIXTURES / "discord" / "trail_runners_general.json",
    FIXTURES / "email" / "inbox.mbox",
    FIXTURES / "sms" / "backup.xml",
    FIXTURES / "telegram" / "reactions.json",
    FIXTURES / "signal" / "AlexMorgan" / "data.json",
    FIXTURES / "signal" / "AlexMorgan" / "chat.md",
]


def _apart(path: Path, options: Options) -> list[pl.DataFrame]:
    name = ingest.detect(path)
    return list(
        parse_apart.batches_apart(ingest.batches, (path, name, options), options, str(path))
    )


@pytest.mark.parametrize("path", FILES, ids=[p.parent.name + "/" + p.name for p in FILES])
def test_batches_made_apart_are_the_batches_made_here(path: Path) -> None:
    name = ingest.detect(path)
    assert getattr(ingest.FORMATS[name], "PARSE_APART", False)
    options = Options(timezone="UTC", own_addresses=("sam@example.org",))
    here = pl.concat(ingest.batches(path, name, options))
    apart = pl.concat(_apart(path, options))
    assert apart.equals(here)


def test_notes_made_apart_reach_the_import() -> None:
    # A German export whose dates never say which comes first: the parser notes its choice.
    path = FIXTURES / "whatsapp" / "locales" / "WhatsApp Chat mit Jonas.txt"
    options = Options(timezone="UTC", notes=[])
    frames = _apart(path, options)
    assert sum(frame.height for frame in frames) == 6
    assert len(options.notes or []) == 1
    assert "German" in (options.notes or [""])[0]


def test_the_groups_found_apart_reach_the_import() -> None:
    options = Options(timezone="UTC", groups=[])
    _apart(FIXTURES / "discord" / "trail_runners_general.json", options)
    assert options.groups == [("discord", "Trail Runners #general")]


def test_a_problem_found_apart_is_raised_here(tmp_path: Path) -> None:
    path = tmp_path / "message_1.json"
    good = {"sender_name": "Sam", "timestamp_ms": 1_700_000_000_000, "content": "hi"}
    bad = {"sender_name": "Sam", "timestamp_ms": "yesterday", "content": "hi"}
    path.write_text(json.dumps({"participants": [], "messages": [good, bad]}))
    with pytest.raises(ImportFailed) as here:
        list(ingest.batches(path, "messenger", Options()))
    with pytest.raises(ImportFailed) as apart:
        _apart(path, Options())
    assert apart.value.problems == here.value.problems
    assert "message 2" in str(apart.value)


def test_stopping_early_ends_the_parsing_process(tmp_path: Path) -> None:
    path = tmp_path / "channel.json"
    messages = [
        {
            "id": str(i),
            "type": "Default",
            "timestamp": "2024-03-01T14:05:00+00:00",
            "content": "x" * 200,
            "author": {"id": "1", "name": "rio"},
        }
        for i in range(40_000)
    ]
    path.write_text(json.dumps({"guild": {"id": "0"}, "channel": {}, "messages": messages}))
    options = Options(timezone="UTC")
    make = ingest.batches
    batches = parse_apart.batches_apart(make, (path, "discord", options), options, str(path))
    first = next(batches)
    assert first.height > 0
    batches.close()  # the process is stopped and waited for, not left behind


def test_an_import_parsed_apart_stores_what_one_parsed_here_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = FIXTURES / "discord" / "dm_rio.json"
    here = store.open_db(tmp_path / "here.db")
    pipeline.import_file(here, path, me="Sam Lee")
    monkeypatch.setattr(parse_apart, "MIN_BYTES", 0)
    assert parse_apart.worth_it("discord", [path])
    apart = store.open_db(tmp_path / "apart.db")
    outcome = pipeline.import_file(apart, path, me="Sam Lee")
    assert outcome.result.messages_added == 5
    assert outcome.result.reactions_added == 1
    columns = ["person", "from_me", "timestamp", "text", "kind"]
    assert (
        store.messages_frame(apart)
        .select(columns)
        .equals(store.messages_frame(here).select(columns))
    )
    # Again: nothing new, as for any re-import.
    assert pipeline.import_file(apart, path, me="Sam Lee").result.messages_added == 0


def test_small_files_and_other_formats_are_parsed_here() -> None:
    assert not parse_apart.worth_it("messenger", [FILES[0]])
    assert not parse_apart.worth_it("whatsapp", [FIXTURES / "whatsapp" / "_chat.txt"])


def test_a_parse_that_dies_is_a_problem_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "message_1.json"
    path.write_text("{}")
    # The parsing process ends at once, sending nothing, as one killed for its memory would.
    with pytest.raises(ImportFailed) as failed:
        list(parse_apart.batches_apart(os._exit, (3,), Options(), str(path)))
    assert "stopped before the end" in str(failed.value)
    assert str(path) in str(failed.value)
