"""Exchanges: each message paired with what answered it, and what the answer did.

The stage between ``acts`` and ``ledger`` in the pipeline. Input is the **acts frame**: the
store's analysis frame (``reciprocity.store.messages_frame``) with the columns of
``reciprocity.acts.detect`` appended (:func:`with_acts` builds it). :func:`exchanges` returns
one row per text or media message with:

- the answer (:mod:`.pairing`): ``answered``, ``latency_s`` and the answer turn's acts;
- outcomes (:mod:`.outcomes`, rules documented there): ``depth_matched`` for disclosures,
  ``supported`` for distress, ``good_news_response`` (with ``good_news_reaction``: the
  emoji when a reaction, not words, answered the news, :mod:`.reactions`),
  ``request_outcome``, ``after_decline``; check-ins are the ``check_in`` act with
  ``answered``.

:mod:`.summary` counts them per relationship, each way. Everything is window expressions over
``relationship_id`` and joins: no Python per message, and each relationship (or any set of
whole relationships) can be processed on its own partition. :func:`exchange_parts` gives
the same rows a bounded slice at a time, so even one partner's million-message chat never
has its sixty-odd columns in memory at once. :func:`.windowed.window_exchanges` gives them
from windows of the timeline (cut where nothing reaches across), and the summaries combine
from parts (:func:`combine_exchange_figures`, :func:`reply_turns` with
:func:`combine_reply_speed`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import polars as pl

from reciprocity.acts import ACTS, detect
from reciprocity.acts.context import LEAN_COLUMN, in_chat
from reciprocity.exchanges.outcomes import (
    AFTER_DECLINE,
    DISCLOSURE_RESPONSES,
    GOOD_NEWS_RESPONSES,
    REQUEST_OUTCOMES,
    RULES_VERSION,
    TEXT_FLAGS,
    TEXT_ROWS,
    classify_rows,
    support_times,
)
from reciprocity.exchanges.pairing import (
    INPUT_COLUMNS,
    ROWS_PER_PART,
    featured,
    has_features,
    paired_parts,
)
from reciprocity.exchanges.reactions import reaction_answers
from reciprocity.exchanges.summary import (
    combine_exchange_figures,
    combine_reply_speed,
    exchange_figures,
    reply_speed,
    reply_turns,
)

__all__ = [
    "AFTER_DECLINE",
    "ANSWER_WINDOW",
    "DISCLOSURE_RESPONSES",
    "GOOD_NEWS_RESPONSES",
    "REQUEST_OUTCOMES",
    "RULES_VERSION",
    "SUPPORT_WINDOW",
    "TEXT_FLAGS",
    "answer_texts",
    "combine_exchange_figures",
    "combine_reply_speed",
    "exchange_figures",
    "exchange_parts",
    "exchanges",
    "reaction_answers",
    "reply_speed",
    "reply_turns",
    "with_acts",
]

ANSWER_WINDOW = timedelta(hours=6)
"""Default: the other side's next turn answers a message when it starts within this time."""
SUPPORT_WINDOW = timedelta(hours=24)
"""Default: support for a hard time counts when it comes within this time."""

# Read by the outcomes, for the rows that need them only, and dropped once read.
_FLAG_COLUMNS = tuple(f"{side}_{name}" for side in ("answer", "follow") for name in TEXT_FLAGS)


def with_acts(frame: pl.DataFrame) -> pl.DataFrame:
    """The acts frame: ``frame`` with a Boolean per act and ``disclosure_depth`` appended.

    Runs :func:`reciprocity.acts.detect` on ``frame["text"]`` and reads the acts in
    context (:func:`reciprocity.acts.context.in_chat`); ``confidence`` and ``why`` are left
    out. (Later the acts will be read from the database instead.)
    """
    acts = detect(frame["text"]).select(*ACTS, "disclosure_depth", LEAN_COLUMN)
    joined = pl.concat([frame.drop(*acts.columns, strict=False), acts], how="horizontal")
    return in_chat(joined, ANSWER_WINDOW)


def _checked(
    acts: pl.DataFrame | pl.LazyFrame, window: timedelta, support_window: timedelta
) -> pl.DataFrame:
    names = acts.collect_schema().names()
    missing = [c for c in INPUT_COLUMNS if c not in names]
    if not has_features(names, tuple(TEXT_FLAGS)) and "text" not in names:
        missing.append("text")
    if missing:
        raise ValueError(
            f"the acts frame lacks column(s) {', '.join(missing)}; build it with with_acts()"
        )
    if window <= timedelta(0) or support_window <= timedelta(0):
        raise ValueError("windows must be positive durations")
    return featured(acts, TEXT_FLAGS)


def exchange_parts(
    acts: pl.DataFrame | pl.LazyFrame,
    *,
    window: timedelta = ANSWER_WINDOW,
    support_window: timedelta = SUPPORT_WINDOW,
    rows: int = ROWS_PER_PART,
    reactions: pl.DataFrame | None = None,
) -> Iterator[pl.DataFrame]:
    """:func:`exchanges`, at most ``rows`` rows at a time, in order: concatenated, the parts
    are exactly its result. Only one part's wide columns (sixty-odd: the message, its
    answer's and follow-up's acts, the outcomes) are built at a time, so a caller that
    stores or reduces each part as it comes keeps memory bounded however long one
    relationship's chat is. The texts are read once, up front; hand the frame over (keep
    no reference to it) and they are freed while the parts are built. ``reactions``: see
    :func:`exchanges`."""
    frame = _checked(acts, window, support_window)
    answers = _reaction_answers(reactions)
    parts = paired_parts(
        frame,
        window=window,
        rows=rows,
        carry=support_times(),
        # Only a message of distress reads when support came (classify_rows).
        carry_for=pl.col("distress"),
        flags=TEXT_FLAGS,
        flags_for=TEXT_ROWS,
    )
    # The texts were read once, above (word counts and flags): a caller that hands its
    # frame over lets them go here.
    del acts, frame
    for part in parts:
        classified = classify_rows(
            part, support_window=support_window, window=window, reactions=answers
        )
        yield classified.drop(*_FLAG_COLUMNS).collect()


def exchanges(
    acts: pl.DataFrame | pl.LazyFrame,
    *,
    window: timedelta = ANSWER_WINDOW,
    support_window: timedelta = SUPPORT_WINDOW,
    reactions: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per text or media message of the acts frame, with its answer and outcomes.

    Columns: the analysis-frame columns, the acts, ``turn``, ``answered``, ``latency_s``,
    ``answer_message_id``, ``answer_words``, ``answer_disclosure_depth``, ``answer_<act>``,
    ``follow_request``/``follow_contempt``/``follow_you_accusation`` (the sender's next
    turn), ``depth_matched``, ``supported``, ``good_news_response``,
    ``good_news_reaction``, ``request_outcome``, ``after_decline``.
    Rows are in timeline order (relationship, time, conversation, ordinal).

    ``reactions``: the store's reactions frame (:func:`reciprocity.store.reactions_frame`,
    or :func:`reaction_answers` of it): a reaction answers good news left without a reply
    in words (:mod:`.reactions`). Without it no reaction answers anything.
    """
    parts = list(
        exchange_parts(acts, window=window, support_window=support_window, reactions=reactions)
    )
    return parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical")


def _reaction_answers(reactions: pl.DataFrame | None) -> pl.DataFrame | None:
    """The reactions that answer a message, from the store's frame or already narrowed."""
    if reactions is None or "_reaction" in reactions.columns:
        return reactions
    return reaction_answers(reactions)


def answer_texts(
    exchanges: pl.DataFrame,
    rows: pl.DataFrame,
    texts: Callable[[pl.Series], pl.DataFrame],
) -> pl.DataFrame:
    """``message_id`` and ``answer_text`` (the answering turn's messages joined by spaces,
    null when unanswered) for ``rows`` of ``exchanges``, in their order.

    The exchanges carry ids, not texts: ``texts`` gives ``message_id`` and ``text`` for a
    series of ids (``lambda ids: store.message_texts(db, ids)``), and is asked only for
    the messages of the answering turns, so a page's worth of rows reads a few dozen.
    """
    wanted = rows.filter(pl.col("answered")).select(
        "message_id", "relationship_id", (pl.col("turn") + 1).alias("turn")
    )
    members = (
        exchanges.lazy()
        .select("relationship_id", "turn", "message_id")
        .join(
            wanted.lazy().select("relationship_id", "turn").unique(),
            on=["relationship_id", "turn"],
            how="semi",
            maintain_order="left",
        )
        .collect()
    )
    found = texts(members["message_id"])
    joined = (
        members.join(found, on="message_id", how="left", maintain_order="left")
        .group_by("relationship_id", "turn", maintain_order=True)
        .agg(pl.col("text").fill_null("").str.join(" ").alias("answer_text"))
    )
    answered = wanted.join(joined, on=["relationship_id", "turn"], how="left")
    return rows.select("message_id").join(
        answered.select("message_id", "answer_text"),
        on="message_id",
        how="left",
        maintain_order="left",
    )
