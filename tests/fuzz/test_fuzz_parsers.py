"""Every parser, fuzzed from the fixtures: valid messages or a documented error, never a
crash or a hang (the property and the breakages are in ``conftest.py``)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.fuzz

FUZZ = settings.get_profile("reciprocity-fuzz")


@pytest.mark.parametrize(
    "kind",
    ["whatsapp", "whatsapp-zip", "telegram", "telegram-tree", "csv", "reordered", "sms", "email"],
)
@settings(FUZZ)
@given(data=st.data())
def test_broken_fixtures_load_or_fail_cleanly(
    fuzz: ModuleType, tmp_path_factory: pytest.TempPathFactory, kind: str, data: st.DataObject
) -> None:
    sample = data.draw(fuzz.SAMPLES[kind], label="file")
    options = data.draw(fuzz.OPTIONS, label="options")
    path = sample.write(tmp_path_factory.mktemp("fuzz"))
    fuzz.check_load(path, lines=sample.lines, **options)


@settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 2))
@given(data=st.data())
def test_any_format_forced_on_any_file_fails_cleanly(
    fuzz: ModuleType, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """``--format`` names the parser: each must cope with every other format's files."""
    kind = data.draw(st.sampled_from(sorted(fuzz.SAMPLES)), label="kind")
    sample = data.draw(fuzz.SAMPLES[kind], label="file")
    format = data.draw(fuzz.FORMATS, label="format")
    path = sample.write(tmp_path_factory.mktemp("forced"))
    fuzz.check_load(path, format=format, lines=sample.lines, timezone="UTC")


@settings(FUZZ)
@given(data=st.data())
def test_generated_files_load_or_fail_cleanly(
    fuzz: ModuleType, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """Files built from scratch: chat-like WhatsApp lines, CSV rows, Telegram messages."""
    sample = data.draw(fuzz.GENERATED, label="file")
    options = data.draw(fuzz.OPTIONS, label="options")
    path = sample.write(tmp_path_factory.mktemp("generated"))
    fuzz.check_load(path, lines=sample.lines, **options)


def test_the_fixtures_themselves_hold_the_property(fuzz: ModuleType, tmp_path: Path) -> None:
    """The starting points, unbroken; most of them load (the rest are the fixtures of
    errors), so the fuzzing starts from files the parsers accept."""
    loaded = 0
    for name, data in [*fuzz.WHATSAPP, *fuzz.TELEGRAM, *fuzz.CSV]:
        path = fuzz.Sample(name, data, fuzz.line_count(data)).write(tmp_path)
        outcome = fuzz.check_load(path, lines=fuzz.line_count(data), timezone="UTC")
        loaded += outcome.frame is not None and outcome.frame.height > 0
    assert loaded >= 12


def test_the_property_catches_a_crash(
    fuzz: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check is not vacuous: a parser raising anything undocumented fails it."""
    from reciprocity.ingest import whatsapp

    def crash(*_args: object) -> object:
        raise KeyError("sender")

    monkeypatch.setattr(whatsapp, "parse", crash)
    name, data = fuzz.WHATSAPP[0]
    path = fuzz.Sample(name, data, None).write(tmp_path)
    with pytest.raises(KeyError):
        fuzz.check_load(path, timezone="UTC")


def test_the_property_catches_a_line_outside_the_file(fuzz: ModuleType) -> None:
    import polars as pl

    from reciprocity import ingest

    frame = pl.DataFrame(
        {
            "source": ["csv"],
            "conversation": ["Jo"],
            "sender": ["Jo"],
            "timestamp": [0],
            "text": ["hi"],
            "kind": ["text"],
            "reply_to": [None],
            "source_id": [None],
            "line": [7],
        },
        schema={**ingest.MESSAGE_SCHEMA, "timestamp": pl.Int64()},
    ).with_columns(pl.col("timestamp").cast(ingest.MESSAGE_SCHEMA["timestamp"]))
    fuzz.check_frame(frame, lines=7)
    with pytest.raises(AssertionError):
        fuzz.check_frame(frame, lines=6)
    with pytest.raises(AssertionError):
        fuzz.check_frame(frame.with_columns(kind=pl.lit("poem")))


def test_the_hang_guard_stops_a_loop(fuzz: ModuleType) -> None:
    def spin() -> None:
        with fuzz.hang_guard(1):
            while True:
                pass

    with pytest.raises(fuzz.Hang):
        spin()
