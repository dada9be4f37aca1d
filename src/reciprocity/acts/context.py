"""Message acts read in context: support is a reply, and who is going through it matters.

:func:`reciprocity.acts.detect` reads each text on its own. :func:`in_context` then reads the
acts of a conversation in order, speaker by speaker, and corrects what one message cannot
show on its own. Three hand-written rules, each named in ``why`` (``"<act>:<rule>"``):

* **after-distress** (support is a reply): a message right after the other person's hard
  time or plea for support, or to the one going through it in this episode, whose own reading
  leans to comfort (:data:`LEAN_COLUMN`: the model's comfort score past a lower cut,
  :data:`reciprocity.acts.LEAN_CUT`), is emotional support, though it would not count on
  its own.
* **supporting** (seeking vs disclosing): the one comforting and helping in this episode
  (at least two messages of support, more than anyone else), or anyone who has supported
  the one going through it: their own story ("I have felt the same way", "I went through
  that too") is a disclosure to support, not a hard time of their own or a request for
  support, so their distress and support seeking are dropped in this episode.
* **still-telling**: the one going through it (most messages of their own hard time; else,
  beside a clear helper, the one being helped) keeps telling it: after they first told it,
  their further disclosures in the episode are part of that hard time (distress).

An *episode* is a stretch of one conversation with no silence longer than ``gap`` (or a
whole dialogue when no timestamps are given). Everything is window expressions over the
episode: no Python runs per message.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

#: The column :func:`reciprocity.acts.detect` adds for the after-distress rule: this message
#: would be comfort if it answered someone's hard time.
LEAN_COLUMN = "leans_support"

_SEEKING = ("distress", "support_seek")
_SUPPORT = ("support_emotional", "support_practical")


def _prior(expr: pl.Expr, over: list[str]) -> pl.Expr:
    """Whether ``expr`` held on any earlier row of the same group (not this row)."""
    return (expr.cast(pl.UInt32).cum_sum().over(over) - expr.cast(pl.UInt32)) > 0


def in_context(
    frame: pl.DataFrame,
    *,
    conversation: str,
    speaker: str,
    timestamp: str | None = None,
    gap: timedelta = timedelta(hours=6),
) -> pl.DataFrame:
    """``frame`` (acts in conversation order) with the context rules applied.

    ``frame`` has the act columns of :func:`reciprocity.acts.detect` (``distress``,
    ``support_seek``, ``support_emotional``, ``support_practical``, ``question``,
    ``disclosure``), optionally :data:`LEAN_COLUMN` and ``why``, plus the ``conversation``
    and ``speaker`` key columns (and ``timestamp``, to cut episodes at silences longer than
    ``gap``). Rows must be in time order within each conversation. Other columns pass
    through unchanged; the helper columns are dropped.

    >>> f = pl.DataFrame({
    ...     "c": [1, 1, 1], "who": ["a", "b", "b"],
    ...     "distress": [True, False, True], "support_seek": [False, False, False],
    ...     "support_emotional": [False, True, False], "support_practical": [False] * 3,
    ...     "question": [False] * 3, "disclosure": [True, False, True]})
    >>> in_context(f, conversation="c", speaker="who")["distress"].to_list()
    [True, False, False]
    """
    names = frame.columns
    lean = pl.col(LEAN_COLUMN) if LEAN_COLUMN in names else pl.lit(False)
    work = frame.with_row_index("_row")
    if timestamp is not None:
        silence = pl.col(timestamp).diff().over(conversation) > gap
        work = work.with_columns(
            silence.fill_null(False).cast(pl.UInt32).cum_sum().over(conversation).alias("_ep")
        )
    else:
        work = work.with_columns(pl.lit(0, pl.UInt32).alias("_ep"))
    episode = [conversation, "_ep"]
    seeking = pl.any_horizontal(pl.col(a) for a in _SEEKING)
    pl.any_horizontal(pl.col(a) for a in _SUPPORT)
    # the other person's last turn before this message (a turn: one speaker's messages in a
    # row); "turn" numbers the turns of the episode
    changed = (pl.col(speaker) != pl.col(speaker).shift(1).over(episode)).fill_null(True)
    work = work.with_columns(changed.cast(pl.UInt32).cum_sum().over(episode).alias("_turn"))
    turns = work.group_by(*episode, "_turn").agg(
        pl.col(speaker).first().alias("_who"), seeking.any().alias("_turn_seeking")
    )
    previous = turns.select(
        *episode,
        (pl.col("_turn") + 1).alias("_turn"),
        pl.col("_turn_seeking").alias("_after_seeking"),
    )
    work = work.join(previous, on=[*episode, "_turn"], how="left").with_columns(
        pl.col("_after_seeking").fill_null(False)
    )
    # comfort read as a reply (after-distress)
    reply_comfort = ~pl.col("support_emotional") & lean & pl.col("_after_seeking")
    gives = pl.col("support_emotional") | pl.col("support_practical") | reply_comfort
    # a plea that also comforts ("sorry you're having a bad day") is not one's own hard time
    own_trouble = seeking & ~gives & ~lean
    per_speaker = [*episode, speaker]
    work = work.with_columns(
        reply_comfort.alias("_reply_comfort"),
        own_trouble.cast(pl.UInt32).sum().over(per_speaker).alias("_n_trouble"),
        gives.cast(pl.UInt32).sum().over(per_speaker).alias("_n_gives"),
        pl.when(own_trouble).then(pl.col("_row")).min().over(per_speaker).alias("_first_trouble"),
    )
    told_own = own_trouble | (pl.col("disclosure") & ~gives)
    work = work.with_columns(
        pl.when(told_own).then(pl.col("_row")).min().over(per_speaker).alias("_first_told"),
        pl.col("disclosure").cast(pl.UInt32).sum().over(per_speaker).alias("_n_told"),
    )
    stats = work.group_by(*episode, speaker).agg(
        pl.col("_n_trouble", "_n_gives", "_first_trouble", "_n_told", "_first_told").first()
    )
    # the one comforting and helping in this episode: at least two messages of support and
    # more than anyone else
    top_gives = pl.col("_n_gives").max().over(episode)
    second = pl.col("_n_gives").sort(descending=True).get(1, null_on_oob=True).over(episode)
    helper = stats.filter(
        (pl.col("_n_gives") == top_gives)
        & (pl.col("_n_gives") >= 2)
        & (pl.col("_n_gives") > second.fill_null(0))
    ).select(*episode, pl.col(speaker).alias("_helper"))
    stats = stats.join(helper, on=episode, how="left")
    not_helper = (pl.col(speaker) != pl.col("_helper")).fill_null(True)
    # the one going through it: most messages of their own hard time (ties: who told it
    # first); else, beside a helper, the one being helped, from their first disclosure
    by_trouble = (
        stats.filter((pl.col("_n_trouble") > 0) & not_helper)
        .sort(["_n_trouble", "_first_trouble"], descending=[True, False])
        .group_by(episode, maintain_order=True)
        .agg(pl.col(speaker).first().alias("_seeker"), pl.col("_first_trouble").first())
    )
    by_helper = (
        stats.filter(pl.col("_helper").is_not_null() & not_helper & (pl.col("_n_told") > 0))
        .sort(["_n_told", "_first_told"], descending=[True, False])
        .group_by(episode, maintain_order=True)
        .agg(
            pl.col(speaker).first().alias("_seeker_b"),
            pl.col("_first_told").first().alias("_first_b"),
        )
    )
    roles = (
        stats.select(*episode, "_helper")
        .unique(episode)
        .join(by_trouble, on=episode, how="left")
        .join(by_helper, on=episode, how="left")
        .select(
            *episode,
            "_helper",
            pl.coalesce("_seeker", "_seeker_b").alias("_seeker"),
            pl.when(pl.col("_seeker").is_not_null())
            .then(pl.col("_first_trouble"))
            .otherwise(pl.col("_first_b"))
            .alias("seeker_first"),
        )
    )
    work = work.drop("_first_told", "_n_told").join(roles, on=episode, how="left")
    is_seeker = (pl.col(speaker) == pl.col("_seeker")).fill_null(False)
    is_helper = (pl.col(speaker) == pl.col("_helper")).fill_null(False)
    has_seeker = pl.col("_seeker").is_not_null()
    seeker_first = pl.col("seeker_first")
    # comfort read as a reply: to the other's hard time just told, or to the one going
    # through it, once they have told it
    comfort = (
        ~pl.col("support_emotional")
        & lean
        & has_seeker
        & ~is_seeker
        & (pl.col("_after_seeking") | (pl.col("_row") > seeker_first))
    )
    # supporting: not the one going through it, and comforting or helping them in it
    drop = ((has_seeker & ~is_seeker & (pl.col("_n_gives") > 0)) | is_helper) & seeking
    # still-telling: the one going through it, after they first told it, telling more
    told = pl.col("_row") > seeker_first
    add_distress = is_seeker & told & pl.col("disclosure") & ~pl.col("distress") & ~gives
    work = work.with_columns(
        comfort.alias("_comfort"),
        drop.alias("_drop"),
        add_distress.alias("_add_d"),
        pl.lit(False).alias("_add_s"),
    )
    out = work.with_columns(
        (pl.col("support_emotional") | pl.col("_comfort")).alias("support_emotional"),
        ((pl.col("distress") & ~pl.col("_drop")) | pl.col("_add_d")).alias("distress"),
        ((pl.col("support_seek") & ~pl.col("_drop")) | pl.col("_add_s")).alias("support_seek"),
    )
    if "why" in names:
        notes = pl.concat_list(
            pl.when(pl.col("_comfort")).then(pl.lit(["support_emotional:after-distress"]))
            .otherwise(pl.lit([], pl.List(pl.String))),
            pl.when(pl.col("_drop")).then(pl.lit(["distress:supporting"]))
            .otherwise(pl.lit([], pl.List(pl.String))),
            pl.when(pl.col("_add_d")).then(pl.lit(["distress:still-telling"]))
            .otherwise(pl.lit([], pl.List(pl.String))),
            pl.when(pl.col("_add_s")).then(pl.lit(["support_seek:still-telling"]))
            .otherwise(pl.lit([], pl.List(pl.String))),
        )  # fmt: skip
        out = out.with_columns(pl.concat_list("why", notes).alias("why"))
    return out.sort("_row").select(names)


def in_chat(frame: pl.DataFrame, gap: timedelta = timedelta(hours=6)) -> pl.DataFrame:
    """:func:`in_context` for the analysis frame (``relationship_id``, ``from_me``,
    ``timestamp``, in time order per relationship), episodes cut at silences over ``gap``;
    :data:`LEAN_COLUMN` is read and dropped. A frame without it is returned as it is."""
    if LEAN_COLUMN not in frame.columns:
        return frame
    return in_context(
        frame,
        conversation="relationship_id",
        speaker="from_me",
        timestamp="timestamp",
        gap=gap,
    ).drop(LEAN_COLUMN)
