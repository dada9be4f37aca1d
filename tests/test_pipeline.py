"""The pipeline's speed-ups must not change results: stored analysis, chunked and de-duplicated
act detection, lazy frames in :class:`Analysis`, and the parser running ahead of the save."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from reciprocity import acts, exchanges, ingest, pipeline, store
from reciprocity.errors import ImportFailed, Problem
from reciprocity.metrics import textual
from reciprocity.metrics.balance import window_end


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[store.Database]:
    """The demo exports imported into a fresh database (nothing analysed yet)."""
    from reciprocity import demo

    folder = tmp_path_factory.mktemp("pipeline")
    with store.open_db(folder / "demo.sqlite") as database:
        for file in demo.write_demo(folder / "exports"):
            pipeline.import_file(
                database, file, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE)
            )
        yield database


def _cached_names(db: store.Database) -> set[str]:
    with db.engine.connect() as conn:
        return {row[0] for row in conn.exec_driver_sql("SELECT name FROM frame_cache")}


def test_analysis_read_back_equals_the_computed_one(demo_db: store.Database) -> None:
    first = pipeline.analyze(demo_db)
    computed = {name: getattr(first, name) for name in _FRAMES}
    stored = _cached_names(demo_db)
    assert {n.split("/")[0] for n in stored} >= {
        "figures",
        "exchanges",
        "ledger",
        "balance",
        "patterns",
    }
    again = pipeline.analyze(demo_db)
    # Only read back: no stage recomputed (the frame and the acts were never needed).
    assert "read" not in again.timings.stages
    assert "acts" not in again.timings.stages
    for name, frame in computed.items():
        assert getattr(again, name).equals(frame), name


def test_a_narrow_analysis_is_the_same_with_fewer_exchange_columns(
    demo_db: store.Database, tmp_path: Path
) -> None:
    """``narrow`` (what the pages and guides use) leaves out only the exchanges' columns that
    nothing after them reads, whether it reads them back or builds them itself."""
    whole = pipeline.analyze(demo_db)
    for built in (False, True):
        db = _uncached(demo_db) if built else demo_db
        narrow = pipeline.analyze(db, narrow=True)
        assert ("exchanges" in narrow.timings.stages) is built
        assert narrow.exchanges.columns == list(pipeline.DOWNSTREAM_COLUMNS)
        assert narrow.exchanges.equals(whole.exchanges.select(pipeline.DOWNSTREAM_COLUMNS))
        for name in _FRAMES:
            if name != "exchanges":
                assert getattr(narrow, name).equals(getattr(whole, name)), name


_FRAMES = (
    "figures",
    "exchanges",
    "ledger",
    "balance",
    "exchange_figures",
    "reply_speed",
    "patterns",
    "groups",
    "sources",
)


def test_stored_analysis_follows_a_change_of_kind(demo_db: store.Database) -> None:
    before = pipeline.analyze(demo_db).patterns
    people = store.list_people(demo_db)
    person = people["person"][0]
    old_kind = people["kind"][0]
    store.set_relationship_kind(demo_db, person, "child" if old_kind != "child" else "friend")
    try:
        fresh = pipeline.analyze(demo_db)
        kinds = store.list_people(demo_db)
        assert kinds.filter(pl.col("person") == person)["kind"][0] != old_kind
        # The stored results were replaced, not reused: same as computing from scratch.
        rebuilt = pipeline.analyze(_uncached(demo_db))
        assert fresh.patterns.equals(rebuilt.patterns)
        assert fresh.balance.equals(rebuilt.balance)
        assert isinstance(before, pl.DataFrame)
    finally:
        store.set_relationship_kind(demo_db, person, old_kind)


def _uncached(db: store.Database) -> store.Database:
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM frame_cache")
    return db


def test_analysis_loads_big_frames_only_when_asked(demo_db: store.Database) -> None:
    pipeline.prepare(demo_db)
    calls: list[str] = []

    def loader() -> pl.DataFrame:
        calls.append("x")
        return pl.DataFrame({"a": [1]})

    analysis = pipeline.analyze(demo_db)
    lazy = pipeline.Analysis(
        figures=analysis.figures,
        exchanges=loader,
        ledger=loader,
        balance=analysis.balance,
        exchange_figures=analysis.exchange_figures,
        reply_speed=analysis.reply_speed,
        patterns=analysis.patterns,
        timings=analysis.timings,
    )
    assert calls == []
    assert lazy.exchanges.height == 1
    assert lazy.exchanges.height == 1
    assert lazy.ledger.height == 1
    assert calls == ["x", "x"]


def test_who_wrote_when_is_the_exchanges_own_columns_cached_or_not(
    demo_db: store.Database,
) -> None:
    # The "last heard from" figures read four columns of the exchanges, loaded alone.
    pipeline.prepare(demo_db)
    whole = pipeline.analyze(demo_db).exchanges.select(pipeline.CONTACT_COLUMNS)
    cached = pipeline.analyze(demo_db)
    assert cached.contacts.equals(whole)
    assert not isinstance(cached._exchanges, pl.DataFrame)  # the rest was never loaded
    assert pipeline.analyze(_uncached(demo_db)).contacts.equals(whole)
    loaded = pipeline.analyze(demo_db)
    assert loaded.exchanges.height == whole.height
    assert loaded.contacts.equals(whole)


def test_text_features_give_what_the_text_gives(demo_db: store.Database) -> None:
    """The acts frame carries word counts, the question rule and the answer flags instead
    of the text: figures and exchanges come out as they do from the texts themselves."""
    from reciprocity import metrics

    with_text = store.messages_frame(demo_db)
    featured = pipeline.acts_frame(demo_db)
    assert "text" not in featured.columns
    assert metrics.relationship_figures(featured).equals(metrics.relationship_figures(with_text))
    from_texts = exchanges.exchanges(exchanges.with_acts(with_text))
    assert exchanges.exchanges(featured).equals(from_texts)
    assert from_texts["answer_words"].sum() > 0


def test_detect_acts_equals_one_call_of_the_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small chunks, so the threaded path runs on a small input.
    monkeypatch.setattr(pipeline, "ACTS_CHUNK", 3)
    texts = pl.Series(
        [
            "thank you so much!",
            None,
            "are you free tomorrow?",
            "ok",
            "",
            "I got the job!!",
            "ok",
            "you never listen",
            "I feel so alone lately",
            "thank you so much!",
        ],
        dtype=pl.String,
    )
    expected = pl.concat(
        [
            acts.detect(texts).select(*acts.ACTS, "disclosure_depth", "leans_support"),
            texts.to_frame("text").select(textual.text_features(exchanges.TEXT_FLAGS)),
        ],
        how="horizontal",
    )
    found = pipeline.detect_acts(texts)
    assert found.columns == list(pipeline.FOUND_COLUMNS)
    assert found.equals(expected)
    assert found["gratitude"].to_list()[0] is True
    assert found["words"].to_list()[:3] == [4, 0, 4]
    assert found["text_question"].to_list()[2] is True
    # With a memo over calls (a window at a time): the same rows, and what the memo holds
    # (short texts, up to its size) is not detected again.
    monkeypatch.setattr(pipeline.ActsMemo, "size", 4)
    monkeypatch.setattr(pipeline.ActsMemo, "chars", 16)
    memo = pipeline.ActsMemo()
    detected: list[str | None] = []
    real = pipeline._found

    calls: list[int] = []

    def spy(texts: pl.Series) -> pl.DataFrame:
        calls.append(texts.len())
        detected.extend(texts.to_list())
        return real(texts)

    monkeypatch.setattr(pipeline, "_found", spy)
    windows = [texts.slice(0, 4), texts.slice(4, 3), texts.slice(7, 3), texts]
    parts = [pipeline.detect_acts(window, memo) for window in windows]
    assert pl.concat(parts).equals(
        pl.concat([expected.slice(0, 4), expected.slice(4, 6), expected])
    )
    assert memo.table is not None
    assert memo.table["text"].to_list() == [None, "ok", "", "I got the job!!"]
    # Each text once, except those the memo could not hold: the long ones, and those
    # that came after it was full.
    assert sorted(t for t in detected if t is not None) == sorted(
        [
            *("thank you so much!", "are you free tomorrow?", "ok", "", "I got the job!!"),
            *("you never listen", "I feel so alone lately", "thank you so much!"),
            *("thank you so much!", "are you free tomorrow?", "you never listen"),
            "I feel so alone lately",
        ]
    )
    # A window of texts the memo holds asks the detector nothing.
    before = len(calls)
    known = pl.Series(["ok", None, "ok", "I got the job!!"], dtype=pl.String)
    again = pipeline.detect_acts(known, memo)
    assert len(calls) == before
    assert again.equals(pipeline.detect_acts(known))


def test_parser_errors_reach_the_import_and_nothing_is_written(tmp_path: Path) -> None:
    good = pl.DataFrame(
        {
            "source": ["whatsapp"],
            "conversation": ["Alex"],
            "sender": ["Sam"],
            "timestamp": [pl.datetime(2024, 1, 1, time_zone="UTC")],
            "text": ["hi"],
            "kind": ["text"],
            "reply_to": [None],
            "source_id": [None],
            "line": [1],
        }
    )

    def batches() -> Iterator[pl.DataFrame]:
        yield good
        raise ImportFailed([Problem("chat.txt", 7, "broken line")])

    seen: list[pl.DataFrame] = []
    ahead = pipeline._ahead(batches())
    with pytest.raises(ImportFailed, match=r"chat\.txt:7"):
        seen.extend(ahead)
    assert len(seen) == 1


def test_consumer_stopping_early_ends_the_parser_thread() -> None:
    made: list[int] = []

    def batches() -> Iterator[pl.DataFrame]:
        for i in range(100):
            made.append(i)
            yield pl.DataFrame({"i": [i]})

    ahead = pipeline._ahead(batches())
    assert next(ahead)["i"][0] == 0
    ahead.close()
    # The producer stopped a few batches ahead instead of reading the whole input.
    assert len(made) < 10


def _demo_db(path: Path, files: list[Path]) -> store.Database:
    from reciprocity import demo
    from reciprocity.journal import entries

    db = store.open_db(path)
    for file in files:
        pipeline.import_file(db, file, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
    # Journal entries about people of the chats, spread over their time, and one about
    # someone without a chat: the journal's events go into the windows and after them.
    frame = store.messages_frame(db)
    people = frame["person"].unique().sort().to_list()[:2]
    times = frame["timestamp"].sort()
    for i in range(12):
        when = times[(i * (times.len() - 1)) // 11]
        entries.add_entry(
            db,
            people[i % 2],
            giver="me" if i % 3 else "them",
            dimension="practical_help",
            energy=i % 5 - 2,
            when=when,
        )
    entries.add_entry(
        db, "Someone Unknown", giver="them", dimension="listening", energy=1, when=times[-1]
    )
    return db


@pytest.mark.parametrize("rows", [1, 400, pipeline.WINDOW_ROWS])
def test_prepare_window_by_window_stores_what_analyze_computes_whole(
    tmp_path: Path, rows: int
) -> None:
    """``prepare`` (the timeline a window at a time, of the whole only sums) leaves exactly
    what ``analyze`` computes over the whole frames, on several relationships and
    conversations with a journal, however small the windows."""
    from reciprocity import demo

    files = demo.write_demo(tmp_path / "exports")
    results = []
    for name in ("windows", "whole"):
        with _demo_db(tmp_path / f"{name}.sqlite", files) as db:
            if name == "windows":
                timings = pipeline.prepare(db, rows=rows)
                assert {"read", "acts", "figures", "exchanges", "ledger"} <= set(timings.stages)
                parts = [n for n in _cached_names(db) if "#" in n]
                # A part per window (the demo is one window of the default size).
                assert any(n.startswith("message_acts/") for n in parts) is (rows < 1000)
                assert pipeline.prepare(db, rows=rows).stages == {}  # all stored
            result = pipeline.analyze(db)
            if name == "windows":
                assert set(result.timings.stages) <= {"figures", "balance", "patterns", "groups"}
            results.append({frame: getattr(result, frame) for frame in _FRAMES})
            results[-1]["acts"] = pipeline.acts_frame(db)
    windows, whole = results
    assert windows["exchanges"]["relationship_id"].n_unique() >= 3
    assert windows["ledger"]["person"].is_in(["Someone Unknown"]).any()
    for frame in (*_FRAMES, "acts"):
        assert windows[frame].equals(whole[frame]), frame


def test_prepare_in_an_in_memory_database(tmp_path: Path) -> None:
    """An in-memory database has one connection per thread: prepare reads no window ahead
    on a thread, writes its frames at the end, and stores what analyze computes."""
    from reciprocity import demo

    files = demo.write_demo(tmp_path / "exports")
    results = []
    for prepared in (True, False):
        with store.open_db("sqlite://") as db:
            for file in files:
                pipeline.import_file(
                    db, file, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE)
                )
            if prepared:
                pipeline.prepare(db, rows=400)
            result = pipeline.analyze(db)
            if prepared:
                assert set(result.timings.stages) <= {"figures", "balance", "patterns", "groups"}
            results.append({frame: getattr(result, frame) for frame in _FRAMES})
    for frame in _FRAMES:
        assert results[0][frame].equals(results[1][frame]), frame


def test_acts_detected_while_saving_are_those_detected_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import into an empty database detects the acts as it saves, so ``prepare`` reads
    no text and detects nothing; what it stores is what detecting from the stored text
    gives. The export holds two chats, newest message first, so the messages' ids do not
    follow the timeline's order (relationship, then time)."""
    from reciprocity import demo

    kai = next(f for f in demo.write_demo(tmp_path / "exports") if f.suffix == ".csv")
    rows = pl.read_csv(kai, infer_schema=False)
    robin = rows.with_columns(pl.col("sender", "conversation").str.replace("Kai", "Robin"))
    export = tmp_path / "two chats.csv"
    pl.concat([rows, robin]).sort("timestamp", descending=True).write_csv(export)
    options = ingest.Options(timezone=demo.TIMEZONE)
    results = []
    for during in (True, False):
        with store.open_db(tmp_path / f"{during}.sqlite") as db:
            pipeline.import_file(db, export, me=demo.ME, options=options)
            assert store.is_cached(db, pipeline._acts_name())
            if during:
                stored = store.cached(db, pipeline._acts_name())
                assert stored is not None
                ids = store.messages_frame(db, cache=False)["message_id"]
                assert not stored["message_id"].equals(ids)  # id order, not the timeline's
                with monkeypatch.context() as patch:
                    patch.setattr(pipeline, "detect_acts", _no_detection)
                    timings = pipeline.prepare(db, rows=400)
                assert "acts" in timings.stages  # only joined to the windows
                # Prepared again for another silence gap: the windows need no text either.
                with monkeypatch.context() as patch:
                    patch.setattr(pipeline, "detect_acts", _no_detection)
                    patch.setattr(store, "messages_frame", _no_detection)
                    pipeline.prepare(db, rows=400, silence=timedelta(hours=2))
            else:
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("DELETE FROM frame_cache WHERE name LIKE 'message_acts/%'")
                pipeline.prepare(db, rows=400)
            result = pipeline.analyze(db)
            results.append({frame: getattr(result, frame) for frame in _FRAMES})
            # The acts are stored: the whole analysis reads the key columns, not the text.
            with monkeypatch.context() as patch:
                patch.setattr(store, "messages_frame", _no_detection)
                results[-1]["acts"] = pipeline.acts_frame(db)
                later = pipeline.analyze(db, silence=timedelta(hours=2))
                results[-1]["later"] = later.balance
            with monkeypatch.context() as patch:
                patch.setattr(store, "is_cached", lambda *_: False)
                results[-1]["acts from the text"] = pipeline.acts_frame(db)
    during, after = results
    assert during["exchanges"]["relationship_id"].n_unique() == 2
    assert during["acts"].equals(during["acts from the text"])
    for frame in (*_FRAMES, "acts", "later", "acts from the text"):
        assert during[frame].equals(after[frame]), frame


def _no_detection(*args: object, **kwargs: object) -> pl.DataFrame:
    raise AssertionError("the text was read or detected again")


def test_the_analysis_runs_on_the_in_memory_engine_and_gives_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reciprocity import demo

    seen: list[object] = []
    figure_part = pipeline.figure_part

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(pl.Config.state(if_set=True).get("POLARS_ENGINE_AFFINITY"))
        return figure_part(*args, **kwargs)

    monkeypatch.setattr(pipeline, "figure_part", recording)
    monkeypatch.delenv("POLARS_ENGINE_AFFINITY", raising=False)
    alex = demo.write_demo(tmp_path / "exports")[0]
    with store.open_db(tmp_path / "engine.sqlite") as db:
        pipeline.import_file(db, alex, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
        pipeline.prepare(db)
    assert seen
    assert set(seen) == {"in-memory"}
    assert "POLARS_ENGINE_AFFINITY" not in pl.Config.state(if_set=True)


def test_an_error_building_exchanges_ahead_reaches_prepare_and_nothing_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reciprocity import demo

    def broken(windows: Iterator[pl.DataFrame], **kwargs: Any) -> Iterator[Any]:
        yield from []
        next(windows)
        raise ValueError("exchanges broke")

    alex = demo.write_demo(tmp_path / "exports")[0]
    with store.open_db(tmp_path / "broken.sqlite") as db:
        pipeline.import_file(db, alex, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
        before = _cached_names(db)
        monkeypatch.setattr(pipeline, "exchanges_by_window", broken)
        with pytest.raises(ValueError, match="exchanges broke"):
            pipeline.prepare(db)
        assert _cached_names(db) == before
        monkeypatch.undo()
        timings = pipeline.prepare(db)
        assert "waiting" in timings.stages  # the exchanges were built on a thread
        assert store.is_cached(db, pipeline._names(timedelta(hours=6), None, window_end()).balance)


def test_an_entry_logged_today_leaves_the_chats_last_90_days_alone(tmp_path: Path) -> None:
    # Issue 19: the window counted back from the newest journal entry, so one entry logged
    # today emptied Alex's and Jordan's chat figures. It ends today (here: the demo's last
    # day), whatever the journal holds; seen from a later day, it is empty and says when
    # the latest event was.
    from datetime import UTC, datetime

    from reciprocity import demo, journal
    from reciprocity.demo.script import LAST_DAY

    db = store.open_db(tmp_path / "demo.sqlite")
    for file in demo.write_demo(tmp_path / "exports"):
        pipeline.import_file(db, file, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
    then = datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day, 12, tzinfo=UTC)

    def recent(now: datetime, person: str) -> int:
        record = next(r for r in pipeline.analyze(db, now=now).records if r.person == person)
        return sum(r.events for r in record.window("last_90_days"))

    before = {p: recent(then, p) for p in ("Alex", "Jordan")}
    assert all(n > 20 for n in before.values())
    journal.add_entry(db, "Riley", giver="me", dimension="listening", when=datetime.now(UTC))
    assert {p: recent(then, p) for p in ("Alex", "Jordan")} == before
    today = datetime.now(UTC)
    late = next(r for r in pipeline.analyze(db, now=today).records if r.person == "Alex")
    assert late.window("last_90_days") == []
    latest = late.latest_event()
    assert latest is not None
    assert latest.date() <= LAST_DAY


def test_prepare_starts_over_when_an_import_lands_while_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import saved while the analysis starts (the acts it stored are then for older
    data) makes the analysis start over from the new data, not fail."""
    from reciprocity import demo

    files = demo.write_demo(tmp_path / "exports")
    db = store.open_db(tmp_path / "db.sqlite")
    pipeline.import_file(db, files[0], me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
    real = store.analysis_windows
    calls: list[bool] = []

    def windows_after_an_import(*args: Any, **kwargs: Any) -> Any:
        if not calls:  # another program's import lands first
            options = ingest.Options(timezone=demo.TIMEZONE)
            pipeline.import_file(db, files[1], me=demo.ME, options=options)
        calls.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "analysis_windows", windows_after_an_import)
    pipeline.prepare(db)
    assert len(calls) == 2
    assert pipeline.prepare(db).stages == {}  # everything stored, for the new data
    db.close()


def test_the_people_list_counts_messages_as_the_figures_do(tmp_path: Path) -> None:
    """Jordan's Telegram chat has calls. The people list counts what the figures call
    messages (their app split says so), whether its counts were kept by the import or are
    counted again from the table."""
    from reciprocity import demo

    chat = next(f for f in demo.write_demo(tmp_path / "exports") if f.suffix == ".json")
    with store.open_db(tmp_path / "one.sqlite") as db:
        pipeline.import_file(db, chat, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
        (record,) = pipeline.analyze(db).records
        assert sum(p.calls.them for p in record.platforms) > 0
        written = sum(p.messages.them for p in record.platforms)

        def listed() -> int:
            people = store.list_people(db)
            return int(people.filter(pl.col("person") == record.person)["messages"].item())

        assert listed() == written  # the counts the import kept
        assert listed() == written  # and read back
        _uncached(db)
        assert listed() == written  # counted again from the messages table
