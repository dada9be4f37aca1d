"""Reactions as answers to good news: a 🎉 put on "I got the job!" is a response to it.

A reaction is no message (:mod:`reciprocity.ingest.base`): it is never a turn or a reply, so
:mod:`.pairing` never sees one. But a reaction names the message it answers, and when
someone posts good news and the other side taps 🎉 or ❤️ on it without writing a word, the
news was not left unanswered. :func:`reaction_answers` narrows the store's reactions
(:func:`reciprocity.store.reactions_frame`) to the ones that answer the other side's
message; :func:`with_reaction_answers` gives each good-news message that got **no reply in
words** within the answer window the other side's reaction to it in that window
(``_reaction``: the emoji; ``_reaction_warm``: whether it is a warm one), and
:mod:`.outcomes` reads them:

- a **warm** reaction (:data:`WARM`: hearts, 🎉, 👍, 👏, a smile ...) is
  ``warm_reaction``. In the terms of the research on answering good news (Gable et al.
  2004) it is passive-constructive, quiet acknowledgement, but it is kept apart from a
  short warm reply because a tap takes less than a word: the pages say "reacted warmly
  without words", and the ledger counts it half of a brief warm reply;
- any **other** reaction (😮, 😢, 😂, 👎, a server's own emoji we cannot read) is
  ``other_reaction``: the news was seen, but nothing says it was celebrated;
- a reply in words, when there is one, decides as before, whatever the reactions: words
  say more than a tap, and the rules for them are the ones the figures were built on.

Of several reactions by the other side the earliest warm one counts, else the earliest.
A reaction dated before the news (Messenger and Discord date a reaction at its message's
time) is within the window. The user's own reactions answer the other's news the same way.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

__all__ = [
    "REACTION_ANSWERS_SCHEMA",
    "WARM",
    "is_warm",
    "reaction_answers",
    "with_reaction_answers",
]

WARM = frozenset(
    [
        # Hearts and love.
        *"❤🧡💛💚💙💜🤎🤍🩷🩵💕💖💗💓💞💘💝♥❣😍🥰😘😻",
        "❤\u200d🔥",
        # Celebration.
        *"🎉🎊🥳🍾🥂🎈🏆🥇🌟⭐✨💯🔥",
        # Approval and joy (not laughter: a 😂 on good news may be anything).
        *"👍👏🙌💪👌🤩😀😃😄😁😊☺🙂",
    ]
)
"""The reactions read as warm, compared without variation selectors and skin tones
(❤️ and ❤, 👍🏽 and 👍 are alike). What is not here is not a celebration: 😮 and 😢 are
surprise and sadness, 😂 and 😆 laughter, ‼️ and ❓ (iMessage's emphasis and question) no
warmth."""

# Variation selectors and the five skin tones: a 👍🏽 is a 👍.
_MODIFIERS = "[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]"

REACTION_ANSWERS_SCHEMA: dict[str, pl.DataType] = {
    "message_id": pl.Int64(),
    "_reacted_by_me": pl.Boolean(),
    "_reacted_at": pl.Datetime("us", "UTC"),
    "_reaction": pl.String(),
    "_reaction_warm": pl.Boolean(),
}
"""Columns of :func:`reaction_answers`: the message reacted to, who reacted, when, with
what and whether it is warm."""


def is_warm(reaction: pl.Expr) -> pl.Expr:
    """Whether a reaction (an emoji as the export writes it) is in :data:`WARM`.

    >>> pl.select(is_warm(pl.lit("👍🏽"))).item(), pl.select(is_warm(pl.lit("😮"))).item()
    (True, False)
    """
    bare = reaction.fill_null("").str.replace_all(_MODIFIERS, "").str.strip_chars()
    return bare.is_in(pl.Series(sorted(WARM), dtype=pl.String).implode())


def reaction_answers(reactions: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """The reactions (the store's reactions frame) that answer the other side's message, in
    :data:`REACTION_ANSWERS_SCHEMA`, earliest first: those whose message was found and was
    sent by the other side than the one who reacted."""
    return (
        reactions.lazy()
        .filter(
            pl.col("reply_to_message_id").is_not_null()
            & (pl.col("target_from_me") != pl.col("from_me")).fill_null(False)
        )
        .select(
            pl.col("reply_to_message_id").alias("message_id"),
            pl.col("from_me").alias("_reacted_by_me"),
            pl.col("timestamp").alias("_reacted_at"),
            pl.col("text").alias("_reaction"),
            is_warm(pl.col("text")).alias("_reaction_warm"),
        )
        .select([pl.col(c).cast(t) for c, t in REACTION_ANSWERS_SCHEMA.items()])
        .sort("_reacted_at", "message_id", maintain_order=True)
        .collect()
    )


def with_reaction_answers(
    paired: pl.LazyFrame, answers: pl.DataFrame | None, *, window: timedelta
) -> pl.LazyFrame:
    """``paired`` (exchanges before their outcomes: ``message_id``, ``from_me``,
    ``timestamp``, ``good_news`` and ``answered``) with ``_reaction`` and
    ``_reaction_warm``: the reaction that answers each good-news message left without a
    reply in words (see the module docstring), null elsewhere. ``answers``:
    :func:`reaction_answers`; ``None`` or empty adds null columns and joins nothing."""
    if answers is None or answers.is_empty():
        return paired.with_columns(
            pl.lit(None, pl.String).alias("_reaction"),
            pl.lit(None, pl.Boolean).alias("_reaction_warm"),
        )
    news = paired.filter(pl.col("good_news") & ~pl.col("answered")).select(
        "message_id", "from_me", "timestamp"
    )
    delay = pl.col("_reacted_at") - pl.col("timestamp")
    found = (
        news.join(answers.lazy(), on="message_id", how="inner")
        .filter((pl.col("_reacted_by_me") != pl.col("from_me")) & (delay <= window))
        # Warm ones first, then by time (the answers are in time order; the sort is stable).
        .sort("message_id", pl.col("_reaction_warm").not_(), maintain_order=True)
        .group_by("message_id", maintain_order=True)
        .agg(pl.col("_reaction").first(), pl.col("_reaction_warm").first())
    )
    return paired.join(found, on="message_id", how="left", maintain_order="left")
