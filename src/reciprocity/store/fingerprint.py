"""Message fingerprints: the identity that lets a re-import recognise what it already has.

A fingerprint is a signed 64-bit integer, the first 8 bytes (big-endian) of a BLAKE2b hash of
a key that names the message:

- ``v1|<platform>|<conversation>|id|<source_id>`` when the platform gives the message an id
  of its own (Telegram does);
- ``v1|<platform>|<conversation>|msg|<sender>|<timestamp in µs since epoch UTC>|<text>``
  otherwise, with ``|<k>`` appended for the k-th repeat (k >= 1) of an identical
  (sender, timestamp, text) in the same conversation, counted in file order, so two "ok"s
  sent in the same minute stay two messages.

Free-form fields are written as ``<utf-8 byte length>:<value>`` (``~`` for a missing value),
so no text can imitate another key. The recipe only uses ``hashlib`` and must never change:
a changed fingerprint makes every earlier import look new. Stored with conversation and
timestamp in one unique key, 64 bits leave no practical room for collisions.

``<conversation>`` is the title of the stored conversation the message belongs to, fixed
when that conversation was created, not the title the file being imported gives: a chat
imported again under another file name is matched to its conversation by its messages
(:mod:`.conversations`) and keyed with that conversation's title, so nothing is doubled.

The same file also numbers messages while an import streams in (:class:`Sequencer`):
``ordinal`` (order among equal timestamps) and the repeat count ``k``, across batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import blake2b

import polars as pl

VERSION = "v1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _field(value: str | None) -> str:
    return "~" if value is None else f"{len(value.encode())}:{value}"


def micros(moment: datetime) -> int:
    """Microseconds since the epoch, UTC, for a time-zone-aware ``moment`` (exact)."""
    if moment.tzinfo is None:
        raise ValueError("a message time must be time-zone aware")
    return (moment - _EPOCH) // timedelta(microseconds=1)


def message_key(
    platform: str,
    conversation: str,
    sender: str | None,
    timestamp: datetime | int,
    text: str | None,
    source_id: str | None = None,
    repeat: int = 0,
) -> str:
    """The text a fingerprint hashes (see the module docstring); ``timestamp`` in µs or aware."""
    head = f"{VERSION}|{_field(platform)}|{_field(conversation)}"
    if source_id is not None:
        return f"{head}|id|{_field(source_id)}"
    stamp = timestamp if isinstance(timestamp, int) else micros(timestamp)
    key = f"{head}|msg|{_field(sender)}|{stamp}|{_field(text)}"
    return f"{key}|{repeat}" if repeat else key


def digest(key: bytes) -> int:
    """The signed 64-bit BLAKE2b digest of ``key``."""
    return int.from_bytes(blake2b(key, digest_size=8).digest(), "big", signed=True)


def fingerprint(
    platform: str,
    conversation: str,
    sender: str | None,
    timestamp: datetime | int,
    text: str | None,
    source_id: str | None = None,
    repeat: int = 0,
) -> int:
    """Fingerprint of one message; the reference the vectorised path is tested against.

    >>> from datetime import datetime, UTC
    >>> fingerprint("whatsapp", "Alex", "Sam", datetime(2024, 5, 1, 9, 30, tzinfo=UTC), "hi")
    3852199141489992423
    """
    key = message_key(platform, conversation, sender, timestamp, text, source_id, repeat)
    return digest(key.encode())


def _encoded(name: str) -> pl.Expr:
    column = pl.col(name)
    return (
        pl.when(column.is_null())
        .then(pl.lit("~"))
        .otherwise(pl.format("{}:{}", column.str.len_bytes(), column))
    )


def keys(frame: pl.DataFrame) -> pl.Series:
    """Fingerprint keys (without the repeat suffix) for a frame of messages.

    ``frame`` has the ``MESSAGE_SCHEMA`` string columns plus ``ts_us`` (Int64 µs).
    """
    head = [pl.lit(VERSION), _encoded("source"), _encoded("conversation")]
    by_id = pl.concat_str([*head, pl.lit("id"), _encoded("source_id")], separator="|")
    by_content = pl.concat_str(
        [
            *head,
            pl.lit("msg"),
            _encoded("sender"),
            pl.col("ts_us").cast(pl.String),
            _encoded("text"),
        ],
        separator="|",
    )
    expr = pl.when(pl.col("source_id").is_not_null()).then(by_id).otherwise(by_content)
    return frame.select(expr.alias("key")).to_series()


def digests(keys: pl.Series) -> pl.Series:
    """:func:`digest` of every key, as an Int64 series (the one per-row Python loop)."""
    # Copying an empty hash set up once is a third cheaper than making one per key (the
    # constructor's parameter handling is most of the cost for short keys).
    start = blake2b(digest_size=8).copy
    raw: list[bytes] = []
    keep = raw.append
    for key in keys.cast(pl.Binary).to_list():
        hash_ = start()
        hash_.update(key)
        keep(hash_.digest())
    # Polars turns the 8-byte digests into integers faster than int.from_bytes would.
    binary = pl.Series(keys.name, raw, dtype=pl.Binary)
    return binary.bin.reinterpret(dtype=pl.Int64, endianness="big")


@dataclass
class _Span:
    """The (timestamp, digest) pairs one batch brought for one conversation."""

    low: int
    high: int
    rows: pl.DataFrame


@dataclass
class Sequencer:
    """Numbers messages in file order across the batches of one import.

    For each batch :meth:`number` adds ``ordinal`` (position among the conversation's
    messages with the same timestamp) and ``repeat`` (how many identical messages came
    before). Only rows whose timestamp is not newer than everything already seen in their
    conversation need to look back, and then only at the earlier batches whose time span
    covers them; for files in time order that is the previous batch.
    """

    _latest: dict[int, int] = field(default_factory=dict)
    _spans: dict[int, list[_Span]] = field(default_factory=dict)

    def number(self, batch: pl.DataFrame) -> pl.DataFrame:
        """``batch`` (``conversation_id``, ``ts_us``, ``digest``, ``has_id``) plus the counts."""
        keys_ts = ["conversation_id", "ts_us"]
        keys_digest = ["conversation_id", "digest"]
        out = batch.with_columns(ordinal=_ordinals(batch), repeat=_repeats(batch))
        earlier = self._earlier(out)
        if earlier is not None:
            by_ts = earlier.group_by(keys_ts).agg(pl.len().alias("_before_ts"))
            by_digest = earlier.group_by(keys_digest).agg(pl.len().alias("_before_d"))
            out = (
                out.join(by_ts, on=keys_ts, how="left", maintain_order="left")
                .join(by_digest, on=keys_digest, how="left", maintain_order="left")
                .with_columns(
                    pl.col("ordinal") + pl.col("_before_ts").fill_null(0),
                    pl.col("repeat") + pl.col("_before_d").fill_null(0),
                )
                .drop("_before_ts", "_before_d")
            )
        self._remember(batch)
        # A platform id names one message however often it appears: no repeat numbering.
        return out.with_columns(
            pl.when(pl.col("has_id")).then(0).otherwise(pl.col("repeat")).alias("repeat")
        )

    def _earlier(self, batch: pl.DataFrame) -> pl.DataFrame | None:
        if not self._latest:
            return None
        latest = pl.DataFrame(
            {"conversation_id": list(self._latest), "_latest": list(self._latest.values())},
            schema={"conversation_id": pl.Int64, "_latest": pl.Int64},
        )
        looking_back = (
            batch.select("conversation_id", "ts_us")
            .join(latest, on="conversation_id", how="inner")
            .filter(pl.col("ts_us") <= pl.col("_latest"))
            .group_by("conversation_id")
            .agg(pl.col("ts_us").min().alias("low"), pl.col("ts_us").max().alias("high"))
        )
        parts = [
            span.rows.filter(pl.col("ts_us").is_between(low, high)).with_columns(
                pl.lit(conversation, pl.Int64).alias("conversation_id")
            )
            for conversation, low, high in looking_back.iter_rows()
            for span in self._spans[conversation]
            if span.low <= high and span.high >= low
        ]
        return pl.concat(parts) if parts else None

    def _remember(self, batch: pl.DataFrame) -> None:
        parts = batch.select("conversation_id", "ts_us", "digest").partition_by(
            "conversation_id", as_dict=True, include_key=False
        )
        for (conversation, *_), rows in parts.items():
            assert isinstance(conversation, int)
            low = rows["ts_us"].min()
            high = rows["ts_us"].max()
            assert isinstance(low, int)
            assert isinstance(high, int)
            self._spans.setdefault(conversation, []).append(_Span(low, high, rows))
            self._latest[conversation] = max(high, self._latest.get(conversation, high))


def _ordinals(batch: pl.DataFrame) -> pl.Series:
    """Position of each row among the batch's rows with the same conversation and time."""
    chat, stamp = pl.col("conversation_id"), pl.col("ts_us")
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    shape = batch.select(
        backwards=((chat == chat.shift()) & (stamp < stamp.shift())).any(),
        blocks=(chat != chat.shift()).fill_null(True).sum(),
        chats=chat.n_unique(),
    ).row(0)
    if not shape[0] and shape[1] == shape[2]:
        # Each chat in one block, in time order (the usual export): equal times are adjacent,
        # so counting from the start of each run is enough, without a hash-based window.
        starts = ((chat != chat.shift()) | (stamp != stamp.shift())).fill_null(True)
        ordinal = index - pl.when(starts).then(index).forward_fill()
    else:
        ordinal = index.over("conversation_id", "ts_us")
    return batch.select(ordinal.alias("ordinal")).to_series()


def _repeats(batch: pl.DataFrame) -> pl.Series:
    """How many identical messages (same digest) came earlier in the batch."""
    repeated = batch.select(pl.col("digest").is_duplicated()).to_series()
    zeros = pl.zeros(batch.height, pl.Int64, eager=True).alias("repeat")
    if not repeated.any():
        return zeros
    some = batch.with_row_index("_row").filter(repeated)
    counts = some.select(pl.int_range(pl.len(), dtype=pl.Int64).over("conversation_id", "digest"))
    return zeros.scatter(some["_row"], counts.to_series())
