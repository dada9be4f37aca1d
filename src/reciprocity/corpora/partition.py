"""The analysis of one bucket of conversations: the personal pipeline's stages, in order,
over every dyad in it, written as one Parquet file per stage.

This is the function that is mapped over buckets, in this process or on Dask workers: it
reads its staged utterances, runs acts -> (dyads) -> figures -> exchanges -> ledger ->
balance with the stage functions :mod:`reciprocity.pipeline` uses, and writes
``<stage>/bucket=K/part-0.parquet`` under the output folder. Buckets share nothing, so
the results do not depend on where or in which order they ran.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from reciprocity import acts, exchanges, ledger, metrics, pipeline
from reciprocity.acts import language as acts_language
from reciprocity.corpora.dyads import DYAD_KEYS, dyad_frame
from reciprocity.corpora.source import STAGED_SCHEMA, WRITE_LEVEL, read_bucket, read_buckets

__all__ = [
    "STAGES",
    "PartitionStats",
    "Settings",
    "analyze_bucket",
    "analyze_buckets",
    "empty_tables",
]

#: The tables written per bucket, in pipeline order.
STAGES = ("acts", "figures", "exchanges", "ledger", "balance", "outcomes", "reply_speed")


@dataclass(frozen=True)
class Settings:
    """What every bucket's analysis is run with (the same for all, so results agree)."""

    silence: timedelta
    as_of: datetime
    #: "auto": each conversation's language is found, and conversations in a language
    #: whose message kinds are not read get no acts; else a code taken for every one.
    language: str = "auto"


@dataclass(frozen=True)
class PartitionStats:
    """What one bucket held: utterances, conversations and dyads."""

    bucket: int
    utterances: int
    conversations: int
    dyads: int


def analyze_bucket(staging: str, out: str, bucket: int, settings: Settings) -> PartitionStats:
    """Analyse the staged utterances of ``bucket`` and write each stage's table.

    Reads the bucket's rows of ``staging/*.parquet`` (:func:`read_bucket`); writes
    ``out/<stage>/bucket=K/part-0.parquet`` for each of :data:`STAGES` (nothing for a
    bucket without utterances)."""
    return _analyze_staged(read_bucket(staging, bucket), out, bucket, settings)


def analyze_buckets(
    staging: str, out: str, buckets: list[int], settings: Settings
) -> list[PartitionStats]:
    """:func:`analyze_bucket` of each of ``buckets``, in turn, their rows read in one scan
    of each staged file (:func:`read_buckets`): memory holds the staged rows of all of
    them, the analysis one bucket at a time."""
    staged = read_buckets(staging, buckets)
    empty = pl.DataFrame(schema=STAGED_SCHEMA)
    stats = []
    for bucket in buckets:
        stats.append(_analyze_staged(staged.pop(bucket, empty), out, bucket, settings))
    return stats


def _analyze_staged(
    staged: pl.DataFrame, out: str, bucket: int, settings: Settings
) -> PartitionStats:
    if staged.is_empty():
        return PartitionStats(bucket, 0, 0, 0)
    utterances = _timed(
        staged.sort("conversation_id", "timestamp", "ordinal", nulls_last=True)
    ).with_row_index("row")
    tables = bucket_tables(utterances, settings)
    for stage, table in tables.items():
        target = Path(out) / stage / f"bucket={bucket}"
        target.mkdir(parents=True, exist_ok=True)
        table.write_parquet(
            target / "part-0.parquet", compression="zstd", compression_level=WRITE_LEVEL
        )
    return PartitionStats(
        bucket,
        utterances.height,
        utterances["conversation_id"].n_unique(),
        tables["figures"].height,
    )


def _timed(utterances: pl.DataFrame) -> pl.DataFrame:
    """Every utterance with a time. Some corpora have none (film scripts, transcripts):
    an utterance without one takes the time of the one before it in its conversation
    (untimed ones sort after the timed), and a conversation without any times gets one
    second per utterance from 1970-01-01, in file order, so that who answered whom is
    still read (reply times and the last 90 days then mean nothing)."""
    conversation = pl.col("conversation_id")
    seconds = pl.int_range(pl.len(), dtype=pl.Int64).over(conversation) * 1_000_000
    made_up = seconds.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    return utterances.with_columns(
        pl.coalesce(pl.col("timestamp").forward_fill().over(conversation), made_up).alias(
            "timestamp"
        )
    )


def bucket_tables(utterances: pl.DataFrame, settings: Settings) -> dict[str, pl.DataFrame]:
    """Every stage's table for ``utterances`` (one bucket, sorted, with ``row``)."""
    found = pipeline.detect_acts(utterances["text"], _acts_memo())
    langs = _languages(utterances, settings.language)
    acts_table = pl.concat(
        [
            utterances.select("id", "conversation_id", "speaker", "reply_to", "timestamp"),
            found.select(*acts.ACTS, "disclosure_depth"),
        ],
        how="horizontal",
    )
    acts_table = _blank_unread(acts_table, langs)
    frame, dyads = dyad_frame(utterances)
    ids = utterances.select(pl.col("ordinal").alias("message_id"), "id")
    features = pl.concat([utterances.select("row"), found], how="horizontal")
    frame = frame.join(features, on="row", how="left", maintain_order="left").drop("row")
    frame = pipeline.in_context(frame)
    frame = pipeline.unread_blanked(frame, _dyad_languages(langs, dyads))
    silence = settings.silence
    figures = metrics.relationship_figures(frame, silence=silence)
    paired = exchanges.exchanges(frame, window=silence)
    del frame
    events = ledger.ledger(paired, None, silence=silence)
    balance = metrics.balance(events, as_of=settings.as_of)
    outcomes = exchanges.exchange_figures(paired)
    speed = exchanges.reply_speed(paired)
    return {
        "acts": acts_table,
        "figures": _keyed(figures, dyads),
        "exchanges": _with_ids(
            _keyed(paired.drop("conversation_id", "ordinal", "kind"), dyads), ids
        ),
        "ledger": _givers(_with_ids(_keyed(events, dyads), ids)),
        "balance": _keyed(balance, dyads),
        "outcomes": _keyed(outcomes, dyads),
        "reply_speed": _keyed(speed, dyads),
    }


_memos = threading.local()


def _acts_memo() -> pipeline.ActsMemo:
    """This thread's memo of the acts found for short texts, kept from one bucket to the
    next (a worker analyses many): what "ok", "thanks" or "lol" hold is found once per
    worker, not once per bucket. Bounded (:class:`~reciprocity.pipeline.ActsMemo`: the
    first 50,000 texts of at most 256 characters); a text's acts do not depend on the
    texts around it, so the tables are the same with or without it. One per thread, since
    a memo is not safe to share between threads (Dask workers of ``processes=False``)."""
    memo: pipeline.ActsMemo | None = getattr(_memos, "memo", None)
    if memo is None:
        memo = pipeline.ActsMemo()
        _memos.memo = memo
    return memo


def _languages(utterances: pl.DataFrame, language: str) -> pl.DataFrame:
    """Per conversation: its language and whether its message kinds are read."""
    if language != "auto":
        readable = language in acts_language.read_languages()
        return (
            utterances.select("conversation_id")
            .unique()
            .with_columns(pl.lit(language).alias("language"), pl.lit(readable).alias("acts_read"))
        )
    found = acts_language.conversation_languages(
        utterances.select("conversation_id", "text"), by="conversation_id"
    )
    return found.select("conversation_id", "language", "acts_read")


def _blank_unread(table: pl.DataFrame, langs: pl.DataFrame) -> pl.DataFrame:
    if langs.is_empty() or bool(langs["acts_read"].all()):
        return table
    unread = langs.filter(~pl.col("acts_read"))["conversation_id"]
    off = pl.col("conversation_id").is_in(unread.implode())
    blanked = [pl.when(off).then(False).otherwise(pl.col(a)).alias(a) for a in acts.ACTS]
    zero = pl.lit(0).cast(table.schema["disclosure_depth"])
    blanked.append(pl.when(off).then(zero).otherwise(pl.col("disclosure_depth")))
    return table.with_columns(blanked)


def _dyad_languages(langs: pl.DataFrame, dyads: pl.DataFrame) -> pl.DataFrame:
    return dyads.join(langs, on="conversation_id", how="left").select(
        "relationship_id", pl.col("acts_read").fill_null(True)
    )


def _keyed(table: pl.DataFrame, dyads: pl.DataFrame) -> pl.DataFrame:
    """``table`` with its dyad named by :data:`DYAD_KEYS` instead of the relationship."""
    keyed = table.join(dyads, on="relationship_id", how="left", maintain_order="left")
    rest = [c for c in table.columns if c not in ("relationship_id", "person", *DYAD_KEYS)]
    return keyed.select(*DYAD_KEYS, *rest)


def _with_ids(table: pl.DataFrame, ids: pl.DataFrame) -> pl.DataFrame:
    """Message numbers (``message_id``, ``answer_message_id``) as the corpus's utterance
    ids (``id``, ``answer_id``)."""
    out = table.join(ids, on="message_id", how="left", maintain_order="left")
    if "answer_message_id" in table.columns:
        answers = ids.rename({"message_id": "answer_message_id", "id": "answer_id"})
        out = out.join(answers, on="answer_message_id", how="left", maintain_order="left")
        out = out.drop("answer_message_id")
    keys = [*DYAD_KEYS, "id"]
    return out.drop("message_id").select(*keys, pl.exclude(keys))


def _givers(events: pl.DataFrame) -> pl.DataFrame:
    """The ledger with who gave and who received as speakers, not "me" and "them"."""
    side = {"me": pl.col("speaker_a"), "them": pl.col("speaker_b")}

    def named(column: str) -> pl.Expr:
        return (
            pl.when(pl.col(column) == "me")
            .then(side["me"])
            .when(pl.col(column) == "them")
            .then(side["them"])
            .otherwise(pl.col(column))
            .alias(column)
        )

    return events.with_columns(named("giver"), named("receiver"))


def empty_tables() -> dict[str, pl.DataFrame]:
    """The tables of a corpus without utterances (their columns, no rows)."""
    empty = pl.DataFrame(schema=STAGED_SCHEMA).with_row_index("row")
    return bucket_tables(empty, Settings(timedelta(hours=6), datetime(2000, 1, 1), "en"))
