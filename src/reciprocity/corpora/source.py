"""Reading a corpus: a ConvoKit folder or a Parquet/CSV table of utterances, in chunks.

A corpus is read once, a chunk at a time (a byte range of ``utterances.jsonl``, a slice
of a Parquet file, a batch of a CSV file), and each chunk's utterances are given a
*bucket* of conversations (a hash of the conversation id) and written as one Parquet file
under ``staging/``, sorted by bucket, in row groups of a few buckets' rows. A bucket
then holds every utterance of its conversations, so the analysis of one bucket needs
nothing from another: that is what lets the same function run in this process or on a
Dask worker. It reads its rows from every staged file with a filter on the bucket
column, and Polars skips the row groups whose statistics (the least and greatest bucket
in each) rule them out (:func:`read_bucket`). Each chunk is read alone, so memory is
bounded by the chunk size however big the corpus; the staging makes one file per chunk
(66 for 10 million utterances), not one per chunk and bucket (8,500).

ConvoKit's layout (its documentation's "Data Format" page): ``utterances.jsonl``, one
JSON object a line with ``id``, ``speaker`` (``user`` in old corpora),
``conversation_id`` (``root``), ``reply-to`` (``reply_to`` in some), ``timestamp``,
``text`` and ``meta``; beside it ``speakers.json``, ``conversations.json``,
``corpus.json`` and ``index.json``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import polars as pl

from reciprocity.errors import ImportFailed, Problem

__all__ = [
    "SHARE",
    "STAGED_SCHEMA",
    "Chunk",
    "ChunkStats",
    "CorpusSource",
    "open_source",
    "read_bucket",
    "read_buckets",
    "shared_out",
    "stage_chunk",
]

#: Columns of a staged bucket file: one row per utterance.
STAGED_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "conversation_id": pl.String(),
    "speaker": pl.String(),
    "reply_to": pl.String(),
    "timestamp": pl.Datetime("us", "UTC"),
    "text": pl.String(),
    # Position in the corpus (chunk number, then row in the chunk): the order of
    # utterances with the same time, and the pipeline's message number.
    "ordinal": pl.Int64(),
}

#: Bytes of ``utterances.jsonl`` (or rows of a table, times 200) per chunk.
CHUNK_BYTES = 32 * 1024 * 1024

#: Bytes of input per bucket, when the number of buckets is not given: about 100,000
#: utterances of a chat corpus, so a bucket's analysis stays well under a gigabyte.
BUCKET_BYTES = 16 * 1024 * 1024

#: The default number of buckets, and the number of chunks, are rounded up to a multiple
#: of this when more than one: the tasks of each step then share out evenly on 2, 4 or 8
#: workers. Every task of a step takes about as long, and the next step waits for the
#: last, so 13 buckets on two workers (7 and 6) took as long as 14, and 7 chunks as 8.
SHARE = 8


def shared_out(count: int) -> int:
    """``count`` tasks (at least one), more than one rounded up to a multiple of
    :data:`SHARE`.

    >>> [shared_out(n) for n in (0, 1, 2, 13, 16, 129)]
    [1, 1, 8, 16, 16, 136]
    """
    if count <= 1:
        return 1
    return -(-count // SHARE) * SHARE


_TABLE_REQUIRED = ("conversation_id", "speaker", "timestamp", "text")
# Bytes an utterance row of a table is taken to weigh, for the number of buckets.
_ROW_BYTES = 160
# Bits of the ordinal that number the rows within a chunk.
_ROW_BITS = 32


@dataclass(frozen=True)
class Chunk:
    """One piece of the input that one task reads alone."""

    number: int
    path: str
    kind: Literal["jsonl", "parquet", "csv"]
    start: int  # a byte offset (jsonl) or a row offset (parquet)
    stop: int  # exclusive; the whole file for csv


@dataclass(frozen=True)
class ChunkStats:
    """What staging a chunk found: rows, and the latest time (for the last 90 days)."""

    rows: int
    latest: datetime | None


@dataclass(frozen=True)
class CorpusSource:
    """A corpus to read: its kind, its files, its chunks and the number of buckets."""

    path: Path
    kind: Literal["convokit", "parquet", "csv"]
    chunks: tuple[Chunk, ...]
    size: int  # bytes of utterance input, for the default number of buckets

    def buckets(self, wanted: int | None = None) -> int:
        """``wanted``, or one bucket per :data:`BUCKET_BYTES` of input, more than one
        rounded up to a multiple of :data:`SHARE` (so that 2, 4 or 8 workers get as many
        each)."""
        if wanted is not None:
            if wanted < 1:
                raise ValueError("the number of partitions must be at least 1")
            return wanted
        return shared_out(-(-self.size // BUCKET_BYTES))


def open_source(path: str | Path, *, chunk_bytes: int = CHUNK_BYTES) -> CorpusSource:
    """The corpus at ``path``: a ConvoKit folder (with ``utterances.jsonl``), a Parquet
    file or a CSV file of utterances, cut into chunks of at most about ``chunk_bytes``
    (their number rounded up by :func:`shared_out`).

    >>> open_source("no/such/corpus")
    Traceback (most recent call last):
    ...
    reciprocity.errors.ImportFailed: no/such/corpus: no such file or folder
    """
    path = Path(path)
    if path.is_dir():
        utterances = path / "utterances.jsonl"
        if not utterances.is_file():
            raise ImportFailed(
                [Problem(str(path), None, "not a ConvoKit corpus folder (no utterances.jsonl)")]
            )
        # Absolute: the chunks may be read by Dask workers started in another folder.
        utterances = utterances.resolve()
        bounds = _line_bounds(utterances, chunk_bytes)
        chunks = tuple(
            Chunk(n, str(utterances), "jsonl", start, stop)
            for n, (start, stop) in enumerate(bounds)
        )
        return CorpusSource(path, "convokit", chunks, utterances.stat().st_size)
    if not path.is_file():
        raise ImportFailed([Problem(str(path), None, "no such file or folder")])
    path = path.resolve()
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
        _check_columns(path, pl.scan_parquet(path).collect_schema().names())
        chunks_wanted = shared_out(-(-rows * _ROW_BYTES // max(1, chunk_bytes)))
        step = max(1, -(-rows // chunks_wanted))
        chunks = tuple(
            Chunk(n, str(path), "parquet", at, min(rows, at + step))
            for n, at in enumerate(range(0, rows, step))
        )
        return CorpusSource(path, "parquet", chunks, rows * _ROW_BYTES)
    if suffix in (".csv", ".tsv"):
        header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
        _check_columns(path, header)
        return CorpusSource(path, "csv", (Chunk(0, str(path), "csv", 0, 0),), path.stat().st_size)
    raise ImportFailed(
        [
            Problem(
                str(path),
                None,
                "not a corpus: give a ConvoKit folder, or a .parquet or .csv file of utterances",
            )
        ]
    )


def _check_columns(path: Path, names: list[str]) -> None:
    missing = [c for c in _TABLE_REQUIRED if c not in names]
    if missing:
        raise ImportFailed([Problem(str(path), 1, f"missing column(s): {', '.join(missing)}")])


def _line_bounds(path: Path, chunk_bytes: int) -> list[tuple[int, int]]:
    """Byte ranges of at most about ``chunk_bytes`` that start and end at line breaks,
    as many as :func:`shared_out` makes of the ranges of ``chunk_bytes``."""
    size = path.stat().st_size
    chunk_bytes = max(1, -(-size // shared_out(-(-size // max(1, chunk_bytes)))))
    bounds: list[tuple[int, int]] = []
    start = 0
    with path.open("rb") as f:
        while start < size:
            stop = min(size, start + chunk_bytes)
            if stop < size:
                f.seek(stop)
                rest = f.readline()  # to the end of the line the cut falls in
                stop += len(rest)
            bounds.append((start, stop))
            start = stop
    return bounds


def stage_chunk(chunk: Chunk, staging: str | Path, buckets: int) -> ChunkStats:
    """Read ``chunk``, bring it to :data:`STAGED_SCHEMA` and write its rows with their
    bucket of conversation, sorted by bucket, as ``staging/part-N-P.parquet`` (one file
    per chunk; a CSV file, read in batches, one per batch). Raises
    :class:`~reciprocity.errors.ImportFailed` naming the file and line of a bad line."""
    staging = Path(staging)
    rows = 0
    latest: datetime | None = None
    for part, frame in enumerate(_read_chunk(chunk)):
        rows += frame.height
        found = frame["timestamp"].max()
        if isinstance(found, datetime) and (latest is None or found > latest):
            latest = found
        _write_buckets(frame, staging, buckets, f"part-{chunk.number:06d}-{part:04d}.parquet")
    return ChunkStats(rows, latest)


def bucket_of(conversation_id: pl.Expr, buckets: int) -> pl.Expr:
    """The bucket of each conversation id: a hash, the same in every process."""
    return (conversation_id.hash(seed=23) % buckets).cast(pl.UInt32)


#: Zstandard's level for the Parquet files a corpus run writes (its staging and its
#: tables): level 1 writes a bucket's tables in a sixth less processor time than
#: Polars' default (3), for files a tenth bigger; readers do not see the level (Polars,
#: DuckDB, pandas and Spark all read zstd Parquet).
WRITE_LEVEL = 1

#: The staged files' bucket column.
BUCKET_COLUMN = "_bucket"

#: Buckets per staged row group, about: a reader of one bucket decodes the bucket
#: column of the row groups that hold it and only its own rows of the others, so a row
#: group may hold several buckets; fewer, bigger row groups are quicker to write (a
#: third less than one bucket per row group, measured on a 32 MB chunk) and read as
#: fast up to four buckets each (about 1.8 ms a file per bucket, the same).
_GROUP_BUCKETS = 4

#: Fewest rows in a staged row group: a row group's own overhead (its statistics in the
#: footer, a page per column) outweighs its rows below that.
_MIN_GROUP_ROWS = 1024


def _write_buckets(frame: pl.DataFrame, staging: Path, buckets: int, name: str) -> None:
    """One file of ``frame``'s rows sorted by bucket (a stable sort: the chunk's order
    within a bucket), in row groups of about the rows of :data:`_GROUP_BUCKETS`
    buckets, so that a bucket's rows lie in one or two row groups and a reader of one
    bucket skips the rest."""
    if frame.is_empty():
        return
    keyed = frame.with_columns(
        bucket_of(pl.col("conversation_id"), buckets).alias(BUCKET_COLUMN)
    ).sort(BUCKET_COLUMN, maintain_order=True)
    group = max(_MIN_GROUP_ROWS, -(-frame.height * _GROUP_BUCKETS // buckets))
    staging.mkdir(parents=True, exist_ok=True)
    keyed.write_parquet(
        staging / name,
        row_group_size=group,
        statistics=True,
        compression="zstd",
        compression_level=WRITE_LEVEL,
    )


def read_bucket(staging: str | Path, bucket: int) -> pl.DataFrame:
    """The staged utterances of ``bucket`` (:data:`STAGED_SCHEMA`, in no set order): its
    rows of every staged file, read with a filter on the bucket column that Polars
    applies to the row groups' statistics first, so that it reads only the row groups
    holding the bucket, and of those decodes the other columns of its rows only."""
    return read_buckets(staging, [bucket]).get(bucket, pl.DataFrame(schema=STAGED_SCHEMA))


def read_buckets(staging: str | Path, buckets: list[int]) -> dict[int, pl.DataFrame]:
    """:func:`read_bucket` of each of ``buckets`` (those with rows), read in one scan of
    each staged file: a scan costs about a millisecond and a half a file whatever it
    reads, and a bucket task reads every chunk's file, so a task of several buckets
    pays it once for all of them (what matters when chunks and buckets number in the
    thousands)."""
    files = sorted(Path(staging).glob("*.parquet"))
    if not files or not buckets:
        return {}
    low, high = min(buckets), max(buckets)
    bucket = pl.col(BUCKET_COLUMN)
    # a range the statistics can rule row groups out by, then the buckets themselves
    wanted = bucket.is_between(low, high) & bucket.is_in(buckets)
    rows = (
        pl.scan_parquet(files, schema={**STAGED_SCHEMA, BUCKET_COLUMN: pl.UInt32()})
        .filter(wanted)
        .collect()
    )
    return {
        int(key): part.drop(BUCKET_COLUMN)
        for (key,), part in rows.partition_by(BUCKET_COLUMN, as_dict=True).items()
    }


def _read_chunk(chunk: Chunk) -> Iterator[pl.DataFrame]:
    if chunk.kind == "jsonl":
        yield _jsonl_chunk(chunk)
    elif chunk.kind == "parquet":
        frame = pl.scan_parquet(chunk.path).slice(chunk.start, chunk.stop - chunk.start).collect()
        yield _table_rows(frame, chunk.number, chunk.start, chunk.path)
    else:
        yield from _csv_batches(chunk)


def _csv_batches(chunk: Chunk) -> Iterator[pl.DataFrame]:
    # A CSV file may quote line breaks: one task reads it in order, a batch at a time
    # (Polars' streaming engine), and writes each batch before the next is read.
    at = 0
    scan = pl.scan_csv(chunk.path, infer_schema=False)
    try:
        for number, batch in enumerate(scan.collect_batches(chunk_size=200_000)):
            yield _table_rows(batch, number, at, chunk.path)
            at += batch.height
    except pl.exceptions.PolarsError as exc:
        problem = Problem(chunk.path, None, f"not a readable CSV file ({exc})")
        raise ImportFailed([problem]) from None


_JSON_FIELDS = (
    "id",
    "speaker",
    "user",
    "conversation_id",
    "root",
    "reply-to",
    "reply_to",
    "timestamp",
    "text",
)


def _jsonl_chunk(chunk: Chunk) -> pl.DataFrame:
    with open(chunk.path, "rb") as f:
        f.seek(chunk.start)
        data = f.read(chunk.stop - chunk.start)
    try:
        raw = pl.read_ndjson(
            io.BytesIO(data), schema=dict.fromkeys(_JSON_FIELDS, pl.String()), ignore_errors=False
        )
    except pl.exceptions.PolarsError:
        raise _bad_line(chunk, data) from None
    frame = raw.select(
        pl.col("id"),
        pl.coalesce("conversation_id", "root").alias("conversation_id"),
        pl.coalesce("speaker", "user").alias("speaker"),
        pl.coalesce("reply-to", "reply_to").alias("reply_to"),
        pl.col("timestamp"),
        pl.col("text"),
    )
    missing = frame.with_row_index("_row").filter(
        pl.col("id").is_null() | pl.col("conversation_id").is_null()
    )
    if missing.height:
        line = _line_number(chunk, data, int(missing["_row"][0]))
        raise ImportFailed(
            [Problem(chunk.path, line, "an utterance without an id or a conversation_id")]
        )
    return _finish(frame, chunk.number, chunk.path)


def _bad_line(chunk: Chunk, data: bytes) -> ImportFailed:
    """The first line of ``data`` that is not a JSON object, as a problem with its line."""
    for row, line in enumerate(data.splitlines()):
        if not line.strip():
            continue
        try:
            if isinstance(json.loads(line), dict):
                continue
        except ValueError:
            pass
        where = _line_number(chunk, data, row)
        return ImportFailed([Problem(chunk.path, where, "not a JSON object (an utterance)")])
    return ImportFailed([Problem(chunk.path, None, "utterances.jsonl could not be read")])


def _line_number(chunk: Chunk, data: bytes, row: int) -> int:
    """The 1-based line of the file of row ``row`` of the chunk (read only on error)."""
    before = 0
    with open(chunk.path, "rb") as f:
        left = chunk.start
        while left > 0:
            block = f.read(min(left, 1 << 20))
            before += block.count(b"\n")
            left -= len(block)
    return before + row + 1


def _table_rows(frame: pl.DataFrame, number: int, offset: int, path: str) -> pl.DataFrame:
    """A table's rows in the staged columns: the id is the row number when absent."""
    names = frame.columns
    row_id = (pl.int_range(pl.len(), dtype=pl.Int64) + offset).cast(pl.String)
    return _finish(
        frame.select(
            (pl.col("id").cast(pl.String) if "id" in names else row_id).alias("id"),
            pl.col("conversation_id").cast(pl.String),
            pl.col("speaker").cast(pl.String),
            (
                pl.col("reply_to").cast(pl.String)
                if "reply_to" in names
                else pl.lit(None, pl.String)
            ).alias("reply_to"),
            pl.col("timestamp"),
            pl.col("text").cast(pl.String),
        ),
        number,
        path,
    )


def _finish(frame: pl.DataFrame, number: int, path: str) -> pl.DataFrame:
    ordinal = (pl.int_range(pl.len(), dtype=pl.Int64) + (number << _ROW_BITS)).alias("ordinal")
    return frame.with_columns(_times(frame["timestamp"], path), ordinal).select(
        [pl.col(c).cast(t) for c, t in STAGED_SCHEMA.items()]
    )


def _times(column: pl.Series, path: str) -> pl.Series:
    """Times in UTC: Unix seconds (ConvoKit's usual), ISO 8601 text or a datetime."""
    if isinstance(column.dtype, pl.Datetime):
        zone = column.dtype.time_zone
        moments = column.dt.convert_time_zone("UTC") if zone else column.dt.replace_time_zone("UTC")
        return moments.cast(pl.Datetime("us", "UTC"))
    if column.dtype.is_numeric():
        seconds = column.cast(pl.Float64)
    else:
        text = column.cast(pl.String).str.strip_chars()
        seconds = text.cast(pl.Float64, strict=False)
        words = text.filter(seconds.is_null() & text.is_not_null() & (text != ""))
        if words.len():
            return _iso_times(text, seconds, path)
    micros = (seconds * 1_000_000).round().cast(pl.Int64)
    return micros.cast(pl.Datetime("us")).dt.replace_time_zone("UTC").alias("timestamp")


def _iso_times(text: pl.Series, seconds: pl.Series, path: str) -> pl.Series:
    values: list[datetime | None] = []
    for n, (word, number) in enumerate(zip(text.to_list(), seconds.to_list(), strict=True)):
        if number is not None:
            values.append(datetime.fromtimestamp(number, UTC))
        elif not word:
            values.append(None)
        else:
            try:
                moment = datetime.fromisoformat(word)
            except ValueError:
                raise ImportFailed(
                    [Problem(path, None, f"row {n + 1}: {word[:40]!r} is not a time")]
                ) from None
            values.append(moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment)
    return pl.Series("timestamp", values, dtype=pl.Datetime("us", "UTC"))
