"""A big export parsed in a process of its own (:mod:`reciprocity.parse_apart`): the same
batches, notes and problems as the parse on a thread, and an import that stores the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def _big_file(folder: Path) -> Path:
    path = folder / "channel.json"
    with path.open("wb") as fh:
        fh.truncate(parse_apart.EARLY_BYTES)  # sparse: takes no room on the disk
    return path


def test_the_early_size_is_the_smallest_any_format_parses_apart() -> None:
    sizes = [
        getattr(module, "PARSE_APART_BYTES", parse_apart.MIN_BYTES)
        for module in ingest.FORMATS.values()
        if getattr(module, "PARSE_APART", False)
    ]
    assert min(sizes) == parse_apart.EARLY_BYTES


def test_importing_a_big_file_starts_its_parsing_process_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse_apart, "_early", None)
    big = _big_file(tmp_path)
    parse_apart.start_early(["reciprocity", "--db", "x.db", "import", str(big), "--me", "Sam"])
    early = parse_apart._early
    assert early is not None
    assert early.poll() is None
    started: list[object] = []
    popen = subprocess.Popen

    def counted(*args: Any, **kwargs: Any) -> Any:
        started.append(args)
        return popen(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", counted)
    # The next file parsed apart goes to that process; no other is started.
    path = FIXTURES / "discord" / "trail_runners_general.json"
    apart = pl.concat(_apart(path, Options(timezone="UTC")))
    here = pl.concat(ingest.batches(path, "discord", Options(timezone="UTC")))
    assert apart.equals(here)
    assert started == []
    assert early.returncode is not None  # done with, and waited for
    assert parse_apart._early is None
    # The one after that starts its own.
    _apart(path, Options(timezone="UTC"))
    assert len(started) == 1


@pytest.mark.parametrize(
    "words",
    [
        ["people"],
        ["import", "{small}"],
        ["import", "{folder}"],
        ["--db", "{big}", "people"],
        ["import", "missing.json"],
    ],
)
def test_no_process_is_started_early_for_other_commands_and_small_files(
    words: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse_apart, "_early", None)
    places = {"small": str(FILES[0]), "folder": str(FIXTURES), "big": str(_big_file(tmp_path))}
    parse_apart.start_early(["reciprocity", *(w.format(**places) for w in words)])
    assert parse_apart._early is None


def test_a_process_started_early_and_not_needed_ends_with_the_command(tmp_path: Path) -> None:
    big = _big_file(tmp_path)
    script = (
        "from reciprocity import parse_apart\n"
        f"parse_apart.start_early(['reciprocity', 'import', {str(big)!r}])\n"
        "print(parse_apart._early.pid)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # it stopped quietly, without a traceback
    with pytest.raises(ProcessLookupError):
        os.kill(int(done.stdout), 0)  # and was waited for, not left behind
