"""A whole corpus run: read and bucket the input, analyse each bucket, describe the output.

:func:`run_corpus` is what ``reciprocity corpus`` and :func:`reciprocity.api.corpus` call.
The output folder is built beside its final place and moved there at the end, so a run
that fails (a bad line in the input) leaves nothing behind.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from reciprocity import __version__, pipeline
from reciprocity.corpora.engine import EngineName, open_engine
from reciprocity.corpora.partition import STAGES, PartitionStats, Settings, analyze_buckets
from reciprocity.corpora.schema import describe
from reciprocity.corpora.source import CHUNK_BYTES, open_source, stage_chunk
from reciprocity.errors import ReciprocityError
from reciprocity.metrics.balance import window_end

__all__ = ["CorpusRun", "OutputExists", "run_corpus"]


class OutputExists(ReciprocityError):
    """The output folder already holds files; nothing was written."""


@dataclass(frozen=True)
class CorpusRun:
    """What a corpus run wrote and how long it took."""

    out: Path
    utterances: int
    conversations: int
    dyads: int
    partitions: int
    engine: str
    as_of: datetime
    seconds: dict[str, float] = field(default_factory=dict)

    def table(self, stage: str) -> pl.LazyFrame:
        """The ``stage`` table (one of :data:`~reciprocity.corpora.partition.STAGES`),
        lazily, over every bucket."""
        if stage not in STAGES:
            raise ValueError(f"no table {stage!r}; the tables are {', '.join(STAGES)}")
        return scan_table(self.out, stage)


def scan_table(out: str | Path, stage: str) -> pl.LazyFrame:
    """One stage's table of a corpus output folder, lazily (hive-partitioned by bucket)."""
    return pl.scan_parquet(Path(out) / stage / "**" / "*.parquet", hive_partitioning=True)


def run_corpus(
    corpus: str | Path,
    out: str | Path,
    *,
    engine: EngineName = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    processes: bool = True,
    silence: timedelta = timedelta(hours=6),
    partitions: int | None = None,
    language: str = "auto",
    as_of: datetime | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    buckets_per_task: int = 1,
    progress: Callable[[str, int], Callable[[], None]] | None = None,
) -> CorpusRun:
    """Analyse the corpus at ``corpus`` (a ConvoKit folder, a Parquet or CSV file of
    utterances) into Parquet tables under ``out`` (a new or empty folder).

    ``partitions`` buckets of conversations (default: one per 16 MB of input, rounded up
    to a multiple of 8) are analysed by the ``engine`` (``local``: here; ``dask``: a local
    cluster of ``workers`` processes, or the cluster at ``scheduler``; ``processes=False``:
    worker threads of this process); the tables are the same either way. At most about
    ``chunk_bytes`` of input are read per task (the chunks' number rounded up too), and
    ``buckets_per_task`` buckets analysed per task, read in one scan (for corpora of
    hundreds of millions of utterances, where every bucket reading every chunk's staged
    file costs more than the analysis: see bench/README.md). ``as_of`` ends
    the "last 90 days" (default: the end of the day of the latest utterance). ``progress``
    is called with a step's name and task count and returns what to call per task done.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutputExists(f"{out} already exists and is not empty; choose a new folder")
    source = open_source(corpus, chunk_bytes=chunk_bytes)
    buckets = source.buckets(partitions)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Absolute: Dask workers may have started in another folder.
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent.resolve()))
    seconds: dict[str, float] = {}

    def tick(step: str, count: int) -> Callable[[], None] | None:
        return None if progress is None else progress(step, count)

    try:
        with open_engine(
            engine, workers=workers, scheduler=scheduler, processes=processes
        ) as runner:
            started = time.perf_counter()
            staging = str(work / "_staging")
            chunks = runner.map(
                stage_chunk,
                source.chunks,
                staging,
                buckets,
                on_done=tick("read", len(source.chunks)),
            )
            seconds["read"] = time.perf_counter() - started
            latest = max((c.latest for c in chunks if c.latest is not None), default=None)
            ends = as_of or window_end(latest or datetime(1970, 1, 1, tzinfo=UTC))
            settings = Settings(silence=silence, as_of=ends, language=language)
            started = time.perf_counter()
            step = max(1, buckets_per_task)
            groups = [list(range(at, min(buckets, at + step))) for at in range(0, buckets, step)]
            done: list[list[PartitionStats]] = runner.map(
                _analyze,
                groups,
                staging,
                str(work),
                settings,
                on_done=tick("analyse", len(groups)),
            )
            stats = [s for group in done for s in group]
            seconds["analyse"] = time.perf_counter() - started
            name = runner.name
        shutil.rmtree(work / "_staging", ignore_errors=True)
        run = CorpusRun(
            out=out,
            utterances=sum(s.utterances for s in stats),
            conversations=sum(s.conversations for s in stats),
            dyads=sum(s.dyads for s in stats),
            partitions=buckets,
            engine=name,
            as_of=ends,
            seconds=seconds,
        )
        _describe(work, source.path, run, settings)
        if out.exists():
            out.rmdir()
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return run


def _analyze(
    buckets: list[int], staging: str, out: str, settings: Settings
) -> list[PartitionStats]:
    return analyze_buckets(staging, out, buckets, settings)


def _describe(work: Path, corpus: Path, run: CorpusRun, settings: Settings) -> None:
    """``schema.json`` and ``README.md`` beside the tables."""
    info = {
        "reciprocity_version": __version__,
        "detector": pipeline.detector_id(),
        "analysis_version": pipeline.ANALYSIS_VERSION,
        "corpus": str(corpus),
        "utterances": run.utterances,
        "conversations": run.conversations,
        "dyads": run.dyads,
        "partitions": run.partitions,
        "partitioning": "hive, bucket=K: a hash of conversation_id",
        "silence_s": settings.silence.total_seconds(),
        "as_of": run.as_of.isoformat(),
        "language": settings.language,
        "tables": describe(),
    }
    (work / "schema.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    (work / "README.md").write_text(_readme(info), encoding="utf-8")


def _readme(info: dict[str, object]) -> str:
    tables = info["tables"]
    assert isinstance(tables, dict)
    lines = [
        "# Reciprocity corpus results",
        "",
        f"From `{info['corpus']}`: {info['utterances']} utterances, "
        f"{info['conversations']} conversations, {info['dyads']} dyads. "
        f"Reciprocity {info['reciprocity_version']}, act detector `{info['detector']}`.",
        "",
        "A dyad is two speakers who reply to each other in one conversation. In every "
        "table `speaker_a` (the first of the two in text order) is the side the personal "
        'tool calls "me", `speaker_b` the side it calls "them": columns ending in `_me` '
        "are speaker_a's, `_them` speaker_b's; in `balance`, `given` is what speaker_a "
        "gave and `received` what speaker_a received.",
        "",
        "Each table is a folder of Parquet files, hive-partitioned by `bucket` (a hash of "
        "the conversation id). Read one with Polars "
        '(`pl.scan_parquet("balance/**/*.parquet")`), DuckDB '
        "(`SELECT * FROM 'balance/*/*.parquet'`), pandas or Spark.",
        "",
    ]
    for name, table in tables.items():
        lines += [f"## {name}", "", str(table["about"]), "", "| column | type |", "|---|---|"]
        lines += [f"| `{c}` | {t} |" for c, t in table["columns"].items()]
        lines.append("")
    return "\n".join(lines)
