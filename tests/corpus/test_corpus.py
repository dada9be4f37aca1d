"""Corpus mode on a tiny ConvoKit corpus the project wrote (tests/fixtures/convokit/tiny):
who is a dyad, what each table holds, the same tables from a table input, from any number
of buckets and from Dask, and bad input refused with nothing written."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from reciprocity import pipeline
from reciprocity.api import corpus_table
from reciprocity.cli import app
from reciprocity.corpora import partition
from reciprocity.corpora.convokit import write_convokit
from reciprocity.corpora.partition import STAGES
from reciprocity.corpora.run import CorpusRun, OutputExists, run_corpus
from reciprocity.corpora.source import (
    BUCKET_BYTES,
    SHARE,
    STAGED_SCHEMA,
    CorpusSource,
    bucket_of,
    open_source,
    read_bucket,
    read_buckets,
    shared_out,
    stage_chunk,
)
from reciprocity.errors import ImportFailed

TINY = Path(__file__).parents[1] / "fixtures" / "convokit" / "tiny"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    return run_corpus(TINY, tmp_path_factory.mktemp("tiny") / "out", partitions=2, language="en")


def _sorted(run: CorpusRun, table: str) -> pl.DataFrame:
    frame = run.table(table).drop("bucket").collect()
    return frame.sort(pl.all())


def test_dyads_are_pairs_who_reply_to_each_other(tiny_run: CorpusRun) -> None:
    dyads = _sorted(tiny_run, "figures").select("conversation_id", "speaker_a", "speaker_b")
    # c2: ben and cleo both answer ada, never each other; c3 has no reply links, so each
    # turn answers the one before; c4's one speaker talks to nobody.
    assert dyads.rows() == [
        ("c1", "jonas", "mira"),
        ("c2", "ada", "ben"),
        ("c2", "ada", "cleo"),
        ("c3", "dev", "eli"),
    ]
    assert (tiny_run.utterances, tiny_run.conversations, tiny_run.dyads) == (15, 4, 4)


def test_acts_one_row_per_utterance(tiny_run: CorpusRun) -> None:
    acts = _sorted(tiny_run, "acts")
    assert acts.height == 15
    assert acts["id"].n_unique() == 15
    by_id = {row["id"]: row for row in acts.iter_rows(named=True)}
    assert by_id["u1"]["distress"]
    assert by_id["u3"]["question"]
    assert not by_id["m1"]["question"]


def test_old_convokit_keys_read_the_same(tmp_path: Path, tiny_run: CorpusRun) -> None:
    # Older corpora write user, root and reply_to for speaker, conversation_id, reply-to.
    old = tmp_path / "old"
    shutil.copytree(TINY, old)
    renamed = []
    for line in (TINY / "utterances.jsonl").read_text().splitlines():
        u = json.loads(line)
        u["user"], u["root"], u["reply_to"] = (
            u.pop("speaker"),
            u.pop("conversation_id"),
            u.pop("reply-to"),
        )
        renamed.append(json.dumps(u))
    (old / "utterances.jsonl").write_text("\n".join(renamed) + "\n")
    run = run_corpus(old, tmp_path / "out", partitions=2, language="en")
    for stage in STAGES:
        assert_frame_equal(_sorted(run, stage), _sorted(tiny_run, stage))


def test_support_in_a_hard_time_goes_to_the_ledger(tiny_run: CorpusRun) -> None:
    ledger = tiny_run.table("ledger").collect()
    support = ledger.filter(pl.col("dimension") == "emotional_support")
    assert support.select("giver", "receiver", "id").rows() == [("jonas", "mira", "u2")]
    balance = tiny_run.table("balance").collect()
    row = balance.filter(
        (pl.col("conversation_id") == "c1")
        & (pl.col("dimension") == "emotional_support")
        & (pl.col("window") == "all")
    )
    # jonas is speaker_a: he gave the one support event
    assert row.select("given", "received").rows() == [(1.0, 0.0)]
    assert 0.0 <= row["low"][0] < row["estimate"][0] < row["high"][0] <= 1.0


def test_exchanges_name_the_answer(tiny_run: CorpusRun) -> None:
    exchanges = tiny_run.table("exchanges").collect()
    first = exchanges.filter(pl.col("id") == "u1")
    assert first.select("answered", "answer_id", "supported").rows() == [(True, "u2", True)]


def test_output_describes_its_tables(tiny_run: CorpusRun) -> None:
    info = json.loads((tiny_run.out / "schema.json").read_text())
    assert info["detector"] == pipeline.detector_id()
    assert set(info["tables"]) == set(STAGES)
    for stage in STAGES:
        written = tiny_run.table(stage).drop("bucket").collect_schema().names()
        assert written == list(info["tables"][stage]["columns"]), stage
    readme = (tiny_run.out / "README.md").read_text()
    assert "speaker_a" in readme
    assert "## balance" in readme
    assert not (tiny_run.out / "_staging").exists()


def test_same_tables_whatever_the_number_of_buckets(tmp_path: Path, tiny_run: CorpusRun) -> None:
    one = run_corpus(TINY, tmp_path / "one", partitions=1, language="en")
    for stage in STAGES:
        assert_frame_equal(_sorted(one, stage), _sorted(tiny_run, stage))


def test_same_tables_with_the_acts_memo_empty_or_full(tmp_path: Path, tiny_run: CorpusRun) -> None:
    # A worker keeps the acts of short texts from bucket to bucket: a run that starts
    # with an empty memo and one that finds every text in it give the same tables.
    partition._memos.memo = None
    empty = run_corpus(TINY, tmp_path / "empty", partitions=2, language="en")
    memo = partition._acts_memo()
    assert memo.table is not None
    assert memo.table.height > 0
    full = run_corpus(TINY, tmp_path / "full", partitions=2, language="en")
    assert partition._acts_memo() is memo
    for stage in STAGES:
        assert_frame_equal(_sorted(empty, stage), _sorted(tiny_run, stage))
        assert_frame_equal(_sorted(full, stage), _sorted(tiny_run, stage))


def test_default_buckets_and_chunks_share_out_evenly(tmp_path: Path) -> None:
    assert [shared_out(n) for n in (0, 1, 2, 7, 8, 13, 129)] == [1, 1, 8, 8, 8, 16, 136]
    source = CorpusSource(tmp_path, "convokit", (), 13 * BUCKET_BYTES - 5)
    assert source.buckets() == 16
    assert source.buckets(13) == 13  # a number asked for is kept
    assert CorpusSource(tmp_path, "convokit", (), 100).buckets() == 1
    # 1,000 lines of 100 bytes read in chunks of 15,000 bytes: 7 rounded up to 8,
    # whole lines each, the file covered once.
    folder = tmp_path / "corpus"
    folder.mkdir()
    line = '{"id": "u", "conversation_id": "c", "text": "' + "x" * 52 + '"}\n'
    assert len(line) == 100
    (folder / "utterances.jsonl").write_text(line * 1_000)
    chunks = open_source(folder, chunk_bytes=15_000).chunks
    assert len(chunks) == 8
    assert chunks[0].start == 0
    assert chunks[-1].stop == 100_000
    assert all(a.stop == b.start for a, b in itertools.pairwise(chunks))
    assert all(c.start % 100 == 0 and c.stop - c.start <= 15_000 for c in chunks)
    assert len(open_source(folder, chunk_bytes=200_000).chunks) == 1


def test_a_table_gives_the_same_as_the_convokit_folder(tmp_path: Path, tiny_run: CorpusRun) -> None:
    rows = [json.loads(line) for line in (TINY / "utterances.jsonl").read_text().splitlines()]
    table = pl.DataFrame(
        {
            "id": [r["id"] for r in rows],
            "conversation_id": [r.get("conversation_id", r.get("root")) for r in rows],
            "speaker": [r.get("speaker", r.get("user")) for r in rows],
            "reply_to": [r.get("reply-to", r.get("reply_to")) for r in rows],
            "timestamp": [r["timestamp"] for r in rows],
            "text": [r["text"] for r in rows],
        }
    )
    table.write_parquet(tmp_path / "u.parquet")
    table.write_csv(tmp_path / "u.csv")
    for name in ("u.parquet", "u.csv"):
        run = run_corpus(tmp_path / name, tmp_path / f"out-{name}", partitions=2, language="en")
        for stage in STAGES:
            assert_frame_equal(_sorted(run, stage), _sorted(tiny_run, stage))


def test_dask_gives_the_same_tables(tmp_path: Path, tiny_run: CorpusRun) -> None:
    run = run_corpus(
        TINY,
        tmp_path / "dask",
        partitions=2,
        language="en",
        engine="dask",
        workers=2,
        processes=False,  # threads: the same map, quicker to start than processes
    )
    assert run.engine == "dask"
    for stage in STAGES:
        assert_frame_equal(_sorted(run, stage), _sorted(tiny_run, stage))


def test_a_bad_line_names_file_and_line_and_writes_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "broken"
    shutil.copytree(TINY, corpus)
    lines = (corpus / "utterances.jsonl").read_text().splitlines()
    lines[6] = '{"id": "p1", "text": "cut off'
    (corpus / "utterances.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportFailed, match=r"utterances\.jsonl:7: not a JSON object"):
        run_corpus(corpus, tmp_path / "out", chunk_bytes=300)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken"]


def test_a_full_output_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("keep me")
    with pytest.raises(OutputExists):
        run_corpus(TINY, tmp_path / "out")
    assert (tmp_path / "out" / "mine.txt").read_text() == "keep me"


def test_a_table_without_the_needed_columns_is_refused(tmp_path: Path) -> None:
    (tmp_path / "u.csv").write_text("speaker,text\nann,hi\n")
    with pytest.raises(ImportFailed, match="missing column"):
        run_corpus(tmp_path / "u.csv", tmp_path / "out")


def test_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["corpus", str(TINY), "--out", str(tmp_path / "out"), "--language", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "15 utterances in 4 conversations: 4 pairs of speakers" in result.output
    assert (tmp_path / "out" / "balance").is_dir()


def test_command_chunk_and_task_sizes_change_no_table(tmp_path: Path) -> None:
    def tables(out: Path, *more: str) -> dict[str, pl.DataFrame]:
        args = ["corpus", str(TINY), "--out", str(out), "--language", "en", *more]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        # Which bucket a row was analysed in is the only thing the sizes may change.
        return {
            name: corpus_table(out, name).drop("bucket").collect() for name in ("acts", "balance")
        }

    plain = tables(tmp_path / "plain")
    sized = tables(
        tmp_path / "sized", "--chunk-mb", "1", "--partitions", "3", "--buckets-per-task", "2"
    )
    for name, frame in plain.items():
        assert sized[name].sort(frame.columns).equals(frame.sort(frame.columns)), name


def test_results_written_back_as_convokit_metadata(tmp_path: Path, tiny_run: CorpusRun) -> None:
    copy = write_convokit(TINY, tiny_run.out, tmp_path / "copy")
    utterances = [json.loads(line) for line in (copy / "utterances.jsonl").read_text().splitlines()]
    assert [u["id"] for u in utterances] == [
        json.loads(line)["id"] for line in (TINY / "utterances.jsonl").read_text().splitlines()
    ]
    by_id = {u["id"]: u for u in utterances}
    assert by_id["u1"]["meta"]["source"] == "fixture"  # the corpus's own metadata stays
    assert by_id["u3"]["meta"]["reciprocity_acts"] == ["question", "check_in", "gratitude"]
    assert by_id["m1"]["meta"]["reciprocity_acts"] == []
    conversations = json.loads((copy / "conversations.json").read_text())
    pairs = conversations["c2"]["meta"]["reciprocity_dyads"]
    assert [(p["speaker_a"], p["speaker_b"]) for p in pairs] == [("ada", "ben"), ("ada", "cleo")]
    assert conversations["c4"]["meta"]["reciprocity_dyads"] == []
    index = json.loads((copy / "index.json").read_text())
    assert "reciprocity_acts" in index["utterances-index"]
    assert (copy / "speakers.json").read_bytes() == (TINY / "speakers.json").read_bytes()
    with pytest.raises(OutputExists):
        write_convokit(TINY, tiny_run.out, copy)


def test_an_existing_dask_cluster_by_address(tmp_path: Path, tiny_run: CorpusRun) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=False, dashboard_address="127.0.0.1:0") as cluster:
        run = run_corpus(
            TINY,
            tmp_path / "out",
            partitions=2,
            language="en",
            scheduler=cluster.scheduler_address,
        )
    assert run.engine == "dask"
    for stage in STAGES:
        assert_frame_equal(_sorted(run, stage), _sorted(tiny_run, stage))


def test_a_corpus_without_times_still_pairs_answers(tmp_path: Path) -> None:
    corpus = tmp_path / "untimed"
    shutil.copytree(TINY, corpus)
    rows = [json.loads(line) for line in (TINY / "utterances.jsonl").read_text().splitlines()]
    for row in rows:
        row["timestamp"] = None  # as in ConvoKit's film and transcript corpora
    (corpus / "utterances.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    run = run_corpus(corpus, tmp_path / "out", language="en")
    exchanges = run.table("exchanges").collect()
    first = exchanges.filter(pl.col("id") == "u1")
    assert first.select("answered", "answer_id", "supported").rows() == [(True, "u2", True)]
    assert exchanges["timestamp"].null_count() == 0


def _started_with() -> dict[str, object]:
    """In a worker: the variables its process was started with, and Dask's profiler."""
    import os

    import dask

    raw = Path("/proc/self/environ").read_bytes().split(b"\0") if os.name == "posix" else []
    start = dict(item.decode().split("=", 1) for item in raw if b"=" in item)
    return {
        "allocator": start.get("_RJEM_MALLOC_CONF"),
        "threads": start.get("POLARS_MAX_THREADS"),
        "profiling": dask.config.get("distributed.worker.profile.enabled"),
    }


@pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="reads /proc (Linux)")
def test_local_cluster_workers_start_with_polars_settings() -> None:
    # The allocator's settings must be there when the worker process starts (Polars reads
    # them once, on import); set later they did nothing and workers kept freed memory.
    import os

    from reciprocity.corpora.engine import _POLARS_ALLOCATOR, open_engine

    with open_engine("dask", workers=1, threads=1) as engine:
        assert engine.client is not None
        found = list(engine.client.run(_started_with).values())
    allocator = os.environ.get("_RJEM_MALLOC_CONF", _POLARS_ALLOCATOR)  # the caller's wins
    assert found == [{"allocator": allocator, "threads": "1", "profiling": False}]


def test_same_tables_from_many_chunks_and_buckets(tmp_path: Path, tiny_run: CorpusRun) -> None:
    # Small chunks: each staged file holds a piece of many buckets, each bucket's rows
    # come from many files.
    run = run_corpus(TINY, tmp_path / "many", partitions=5, language="en", chunk_bytes=400)
    for stage in STAGES:
        assert_frame_equal(_sorted(run, stage), _sorted(tiny_run, stage))


def test_staging_writes_one_file_per_chunk_and_reads_each_bucket_whole(tmp_path: Path) -> None:
    # 20,000 rows in eight chunks (two of the size asked for, their number rounded up so
    # that workers share them out evenly), 40 buckets: each file holds most buckets, in
    # several row groups, and each bucket is read back from several files.
    n = 20_000
    frame = pl.DataFrame(
        {
            "id": [f"u{i}" for i in range(n)],
            "conversation_id": [f"c{i % 613}" for i in range(n)],
            "speaker": [f"s{i % 7}" for i in range(n)],
            "reply_to": [None] * n,
            "timestamp": [i * 1.0 for i in range(n)],
            "text": [f"text {i}" for i in range(n)],
        }
    )
    frame.write_parquet(tmp_path / "u.parquet")
    source = open_source(tmp_path / "u.parquet", chunk_bytes=10_000 * 160)
    assert len(source.chunks) == SHARE == 8
    assert [c.stop - c.start for c in source.chunks] == [2_500] * 8
    staging = tmp_path / "staging"
    for chunk in source.chunks:
        stage_chunk(chunk, staging, 40)
    assert len(list(staging.glob("*.parquet"))) == 8
    seen = 0
    for bucket in range(40):
        rows = read_bucket(staging, bucket)
        expected = frame.filter(bucket_of(pl.col("conversation_id"), 40) == bucket)
        assert rows.height > 0
        assert sorted(rows["id"]) == sorted(expected["id"])
        assert rows.schema == pl.Schema(STAGED_SCHEMA)
        seen += rows.height
    assert seen == n
    assert read_bucket(tmp_path / "nothing", 0).is_empty()


def test_same_tables_with_several_buckets_a_task(tmp_path: Path, tiny_run: CorpusRun) -> None:
    # Buckets read in one scan per staged file and analysed in turn: 5 buckets in tasks
    # of 2, 2 and 1.
    run = run_corpus(
        TINY,
        tmp_path / "grouped",
        partitions=5,
        language="en",
        chunk_bytes=400,
        buckets_per_task=2,
    )
    assert run.partitions == 5
    for stage in STAGES:
        assert_frame_equal(_sorted(run, stage), _sorted(tiny_run, stage))


def test_read_buckets_gives_each_bucket_its_rows(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "id": [f"u{i}" for i in range(3_000)],
            "conversation_id": [f"c{i % 97}" for i in range(3_000)],
            "speaker": ["s"] * 3_000,
            "reply_to": [None] * 3_000,
            "timestamp": [float(i) for i in range(3_000)],
            "text": ["hi"] * 3_000,
        }
    )
    frame.write_parquet(tmp_path / "u.parquet")
    for chunk in open_source(tmp_path / "u.parquet", chunk_bytes=1_000 * 160).chunks:
        stage_chunk(chunk, tmp_path / "staging", 9)
    some = read_buckets(tmp_path / "staging", [2, 5, 6])
    assert set(some) <= {2, 5, 6}
    for bucket in (2, 5, 6):
        alone = read_bucket(tmp_path / "staging", bucket)
        assert sorted(some[bucket]["id"]) == sorted(alone["id"])
        assert alone.height > 0
