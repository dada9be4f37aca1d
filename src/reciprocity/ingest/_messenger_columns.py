"""A read of Messenger messages taken as columns, and the repair of Facebook's mojibake.

Most messages of a Messenger export are a sender, a time and words, or a photo or file with
them. :func:`plain_frame` takes those from a typed decoding of a whole read (:class:`Words`)
as columns, with the checks Polars does for every row at once; the few others (calls,
notices, stickers, reactions, values of an unexpected type) are left to the message-by-
message reading of :mod:`.messenger`, which is the reference: a test checks that both
readings give the same rows and the same problems for any messages.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import msgspec
import numpy as np
import polars as pl
from msgspec import UNSET, Raw, UnsetType

from reciprocity.ingest.base import MAX_MESSAGE_BYTES, MESSAGE_SCHEMA, messages_frame

#: Milliseconds before the year 10000; a later value cannot be a message's time.
MAX_MS = 253_402_300_800_000
# Words longer than this many characters are checked for their size by :func:`.messenger._row`.
LONG = MAX_MESSAGE_BYTES // 4
MEDIA_KEYS = (
    ("photos", "<photo>"),
    ("videos", "<video>"),
    ("gifs", "<GIF>"),
    ("audio_files", "<voice message>"),
    ("files", "<file>"),
)


class Words(msgspec.Struct, gc=False):
    """What is read of each message as columns (:func:`plain_frame`): the sender, the time
    and the words in either layout, and what makes a message more than words (the media
    and call fields are left undecoded: only whether they are there is looked at). Every
    other field is skipped. A value of another type than these makes the whole read go
    through :func:`.messenger._row`, which says what is wrong in its own words."""

    sender_name: str | None = None
    timestamp_ms: int | UnsetType = UNSET
    content: str | None = None
    senderName: str | None = None
    timestamp: int | None = None
    text: str | None = None
    type: str | None = None
    is_unsent: bool | None = None
    isUnsent: bool | None = None
    media: tuple[Raw, ...] = ()
    reactions: tuple[Raw, ...] = ()
    photos: tuple[Raw, ...] = ()
    videos: tuple[Raw, ...] = ()
    gifs: tuple[Raw, ...] = ()
    audio_files: tuple[Raw, ...] = ()
    files: tuple[Raw, ...] = ()
    sticker: Raw | UnsetType = UNSET
    call_duration: Raw | UnsetType = UNSET


WORDS = msgspec.json.Decoder(list[Words])
#: A read's rows: the message columns, then where each row sits in the file.
PLACED = {**MESSAGE_SCHEMA, "index": pl.Int64(), "sub": pl.Int64()}


@dataclass(frozen=True)
class _Layout:
    """Where one layout keeps a message's sender, time, words and "unsent" flag."""

    sender: attrgetter[Any]
    time: attrgetter[Any]
    words: attrgetter[Any]
    unsent: attrgetter[Any]
    said: tuple[str, ...]  # the message types that are words


_OLD = _Layout(
    attrgetter("sender_name"),
    attrgetter("timestamp_ms"),
    attrgetter("content"),
    attrgetter("is_unsent"),
    ("Generic",),
)
_E2EE = _Layout(
    attrgetter("senderName"),
    attrgetter("timestamp"),
    attrgetter("text"),
    attrgetter("isUnsent"),
    ("text",),
)
# The fields that make a message more than words, and their values when none is there.
_EXTRAS = attrgetter(
    "sticker", "call_duration", "reactions", "media", *(key for key, _ in MEDIA_KEYS)
)
_BARE = (UNSET, UNSET, (), (), *((),) * len(MEDIA_KEYS))


def _media_labels(values: list[Words], layout: _Layout) -> tuple[np.ndarray, list[str | None]]:
    """Which messages hold nothing but words (``bare``), and the placeholder of those of
    the older layout that hold a photo, video, GIF, voice message or file and nothing
    else :func:`.messenger._row` would look at (``None`` for the rest)."""
    count = len(values)
    bare = np.fromiter(map(_BARE.__eq__, map(_EXTRAS, values)), bool, count)
    labels: list[str | None] = [None] * count
    if layout is _OLD:
        for i in np.flatnonzero(~bare).tolist():
            m = values[i]
            if m.sticker is UNSET and m.call_duration is UNSET and not m.reactions:
                labels[i] = next((label for key, label in MEDIA_KEYS if getattr(m, key)), None)
    return bare, labels


def plain_frame(
    values: list[Words], first: int, platform: str, conversation: str
) -> pl.DataFrame | None:
    """The messages of a read that are a sender, a time in range and words or media (in
    the older layout), with nothing else that :func:`.messenger._row` would look at, as rows (with
    ``index`` and ``sub``); the rest are left to :func:`.messenger._row`. ``None`` when the words
    hold what Polars cannot (a lone UTF-16 half): then :func:`.messenger._row` reads them all."""
    layout = _OLD if values[0].timestamp_ms is not UNSET else _E2EE
    stamps = list(map(layout.time, values))
    if layout is _OLD and UNSET in stamps:
        stamps = [None if stamp is UNSET else stamp for stamp in stamps]

    bare, labels = _media_labels(values, layout)
    columns = {
        "sender": list(map(layout.sender, values)),
        "ms": stamps,
        "text": list(map(layout.words, values)),
        "type": list(map(attrgetter("type"), values)),
        "unsent": list(map(layout.unsent, values)),
        "bare": bare,
        "label": labels,
    }
    schema = {
        "sender": pl.String,
        "ms": pl.Int64,
        "text": pl.String,
        "type": pl.String,
        "label": pl.String,
    }
    try:
        found = pl.DataFrame(columns, schema_overrides=schema)
    except UnicodeEncodeError:
        return None
    words = pl.col("text")
    found = found.with_row_index("i").filter(
        (pl.col("bare") | pl.col("label").is_not_null())
        & pl.col("ms").is_between(0, MAX_MS, closed="left")
        & (pl.col("sender").str.len_bytes() > 0)
        & (words.str.len_chars().is_between(1, LONG) | pl.col("label").is_not_null())
        & words.str.len_chars().fill_null(0).le(LONG)
        & (pl.col("type").is_null() | pl.col("type").is_in(layout.said))
        & pl.col("unsent").ne_missing(True)
        # words that might be a line some exports write for a reaction
        & ~(words.str.contains("eact", literal=True) | words.str.starts_with("Liked")).fill_null(
            False
        )
    )
    names = {name: repaired_name(name) for name in found["sender"].unique()}
    said = _repaired(found["text"].fill_null(""))
    return messages_frame(
        {
            "source": platform,
            "conversation": conversation,
            "sender": found["sender"].replace_strict(names, return_dtype=pl.String),
            "timestamp": found["ms"],
            "text": pl.select(
                pl.when(said.str.len_bytes() > 0).then(said).otherwise(found["label"])
            ).to_series(),
            "kind": found.select(
                pl.when(pl.col("label").is_null()).then(pl.lit("text")).otherwise(pl.lit("media"))
            ).to_series(),
            "line": found["i"].cast(pl.Int64) + first,
        },
        time_unit="ms",
    ).with_columns(pl.col("line").alias("index"), pl.lit(0, pl.Int64).alias("sub"))


def _repaired(texts: pl.Series) -> pl.Series:
    """:func:`repair` of every text of ``texts``. Done at once for them all when every one
    is mojibake or plain ASCII (each character fits in one byte, and those bytes are valid
    UTF-8), as in the older layout; else one text at a time."""
    each: list[str] = texts.to_list()
    joined = "\x00".join(each)
    if joined.count("\x00") == len(each) - 1:
        try:
            return pl.Series(joined.encode("latin-1").decode("utf-8").split("\x00"))
        except UnicodeError:
            pass
    odd = texts.str.len_bytes() != texts.str.len_chars()
    where = np.flatnonzero(odd.to_numpy())
    fixed = [repair(each[i]) for i in where.tolist()]
    return texts.clone().scatter(where, fixed) if len(where) else texts


def repair(text: str) -> str:
    """``text`` with Facebook's mojibake undone, or unchanged when it is not mojibake.

    >>> repair("JosÃ© ð\\x9f\\x91\\x8d")
    'José 👍'
    >>> repair("José 👍")
    'José 👍'
    """
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


@functools.lru_cache(maxsize=4096)
def repaired_name(name: str) -> str:
    # A chat has a handful of senders: each name is repaired once, not once per message.
    return repair(name)
