"""What each answer did with the message it answered: the rules, one expression each.

Every rule reads the acts of the answer turn (``answer_<act>``, see :mod:`.pairing`), so it
is a column expression and runs vectorised. The rules, in the order they are checked:

**Good news** (the sender's own news; the reply is the other side's next turn in ``window``):

1. Without a reply in words within the window, a reaction the other side put on the news
   in that window answers it (:mod:`.reactions`): ``warm_reaction`` when it is a warm one
   (🎉, ❤️, 👍 ...), ``other_reaction`` when not (😮, 😢 ...); with neither, ``ignored``.
2. ``active_destructive``: the reply carries contempt or a "you always / you never"
   accusation, or, without celebrating, says "but" (the news is questioned or undercut).
3. ``active_constructive``: the reply celebrates *and* engages: it asks a question, or it
   says more than a short phrase (over :data:`SHORT_WORDS` words: "congrats!! we have to
   celebrate" is enthusiastic, not understated).
4. ``passive_constructive``: a brief, quiet warm reply: it celebrates in a short phrase
   ("congrats"), or is a short positive (at most :data:`SHORT_WORDS` words with a plain
   positive word such as "nice" or "cool").
5. ``passive_destructive``: any other reply: the conversation moved on to something else.
   A question alone lands here too: without a sign of warmth we cannot tell interest in the
   news from a new subject.

**Disclosure**: ``depth_matched`` when the reply's deepest disclosure is at least as deep as
the message's (null unless the message discloses; False when unanswered). A reply that does
not share back may still take the disclosure up: support, a question, a check-in or warmth
is the answer that shows the other listened (it is what a hard disclosure asks for), so
``disclosure_response`` says which of :data:`DISCLOSURE_RESPONSES` it was: ``matched``
(shared back as deeply), ``responded`` (answered with support, a question or warmth), or
``not_matched`` (no answer, or an answer that moved on).

**Distress**: ``supported`` when the other side sends emotional or practical support within
``support_window`` of the message (any of their messages, not only the next turn).

**Request** (a favour asked): ``accepted`` when the reply accepts (or helps) without
declining, ``declined`` when it declines, else ``ignored`` (silence, or no answer to the ask).
After a decline, the asker's next turn (within ``window`` of the reply) decides
``after_decline``: ``ultimatum`` (pressure: contempt, an accusation, or wording like "or
else"), ``re_ask`` (another request), else ``accepted_no``.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from reciprocity.exchanges.reactions import with_reaction_answers

__all__ = [
    "AFTER_DECLINE",
    "DISCLOSURE_RESPONSES",
    "GOOD_NEWS_RESPONSES",
    "REQUEST_OUTCOMES",
    "RULES_VERSION",
    "SHORT_WORDS",
    "SUPPORT_COLUMNS",
    "TEXT_FLAGS",
    "TEXT_ROWS",
    "classify",
    "classify_rows",
    "support_times",
]

GOOD_NEWS_RESPONSES = (
    "active_constructive",
    "passive_constructive",
    "warm_reaction",
    "other_reaction",
    "active_destructive",
    "passive_destructive",
    "ignored",
)
"""Answers to good news, warmest and most engaged first (the two reactions: no words, a
tap on the news, see :mod:`.reactions`)."""
DISCLOSURE_RESPONSES = ("matched", "responded", "not_matched")
"""Answers to a disclosure: shared back as deeply, took it up without sharing back, neither."""
#: The answer's acts that take a disclosure up without sharing back.
_TAKEN_UP = ("support_emotional", "support_practical", "question", "check_in", "celebrate")
REQUEST_OUTCOMES = ("accepted", "declined", "ignored")
"""What happened to a request."""
AFTER_DECLINE = ("re_ask", "ultimatum", "accepted_no")
"""What the asker did after a decline."""

SHORT_WORDS = 4
"""A reply of at most this many words with a positive word is a short positive; a
celebrating reply longer than this is an active one."""
RULES_VERSION = 4
"""Bumped when a rule here changes, so results stored under the old rules are recomputed."""

# English wording; these small lists belong with the language data in acts/lang once the
# acts stage grows "positive" and "ultimatum" lexicons. Word boundaries are ASCII ones
# (``_B``): Rust's fast regex engine gives up on a Unicode ``\b`` as soon as a text holds
# an emoji or an accent, and the slow one took 5 s over a million answers instead of 0.15 s.
# The words are ASCII, so the only difference is a letter such as "é" glued to one of them.
_B = r"(?-u:\b)"
_POSITIVE = (
    rf"(?i){_B}(nice|cool|good|great|lovely|yay|wow|congrats|congratulations|awesome|amazing"
    rf"|brilliant|sweet|ace|fab){_B}|👍|🎉|🙌|😀|😊|🥳|❤️"
)
_BUT = rf"(?i){_B}but{_B}"
_ULTIMATUM = (
    rf"(?i){_B}(or else|if you (don't|won't|can't)|last chance|don't bother|forget it"
    rf"|i'll find someone else|never asking you again){_B}"
)


TEXT_FLAGS = {
    "but": pl.col("text").fill_null("").str.contains(_BUT),
    "positive": pl.col("text").fill_null("").str.contains(_POSITIVE),
    "ultimatum": pl.col("text").fill_null("").str.contains(_ULTIMATUM),
}
"""What outcomes read in a turn's words, per message (a turn has a flag when any of its
messages has): a "but" in the answer to good news, a short warm word, an ultimatum after a
"no". The answer turn's flags are ``answer_but`` ..., the follow-up's ``follow_ultimatum``."""


def _a(act: str) -> pl.Expr:
    """The answer turn's ``act`` flag, False when unanswered."""
    return pl.col("answer_" + act).fill_null(False)


def _good_news() -> pl.Expr:
    destructive = _a("contempt") | _a("you_accusation") | (~_a("celebrate") & _a("but"))
    short_positive = (pl.col("answer_words") <= SHORT_WORDS) & _a("positive")
    return (
        pl.when(~pl.col("good_news"))
        .then(None)
        .when(~pl.col("answered") & pl.col("_reaction_warm").fill_null(False))
        .then(pl.lit("warm_reaction"))
        .when(~pl.col("answered") & pl.col("_reaction").is_not_null())
        .then(pl.lit("other_reaction"))
        .when(~pl.col("answered"))
        .then(pl.lit("ignored"))
        .when(destructive)
        .then(pl.lit("active_destructive"))
        .when(_a("celebrate") & (_a("question") | (pl.col("answer_words") > SHORT_WORDS)))
        .then(pl.lit("active_constructive"))
        .when(_a("celebrate") | short_positive)
        .then(pl.lit("passive_constructive"))
        .otherwise(pl.lit("passive_destructive"))
        .alias("good_news_response")
    )


def _request() -> pl.Expr:
    helped = _a("accept") | _a("support_practical")
    return (
        pl.when(~pl.col("request"))
        .then(None)
        .when(_a("decline"))
        .then(pl.lit("declined"))
        .when(helped)
        .then(pl.lit("accepted"))
        .otherwise(pl.lit("ignored"))
        .alias("request_outcome")
    )


def _after_decline() -> pl.Expr:
    followed = pl.col("follow_request").is_not_null()  # null: no follow-up in time
    pressure = (
        pl.col("follow_contempt").fill_null(False)
        | pl.col("follow_you_accusation").fill_null(False)
        | pl.col("follow_ultimatum").fill_null(False)
    )
    return (
        pl.when(pl.col("request_outcome").ne_missing(pl.lit("declined")))
        .then(None)
        .when(followed & pressure)
        .then(pl.lit("ultimatum"))
        .when(pl.col("follow_request").fill_null(False))
        .then(pl.lit("re_ask"))
        .otherwise(pl.lit("accepted_no"))
        .alias("after_decline")
    )


def _next_support(from_me: bool) -> pl.Expr:
    """Time of the next support message sent by one side, at or after each row."""
    support = pl.col("support_emotional") | pl.col("support_practical")
    sent = pl.col("from_me") if from_me else ~pl.col("from_me")
    return (
        pl.when(support & sent)
        .then(pl.col("timestamp"))
        .fill_null(strategy="backward")
        .over("relationship_id")
    )


TEXT_ROWS = pl.col("good_news") | pl.col("request")
"""The rows whose outcome reads the answer's or follow-up's :data:`TEXT_FLAGS` (good news,
requests): pairing reads the texts of those turns only (see ``pairing.paired_parts``)."""

SUPPORT_COLUMNS = ("_support_me", "_support_them")
"""When each side next sends support, at or after each row (helper columns of :func:`classify`)."""


def support_times() -> list[pl.Expr]:
    """The :data:`SUPPORT_COLUMNS`: backward fills over each relationship's timeline.

    The only outcome input that looks further than the next two turns, so partitioned runs
    compute it once over the whole (narrow) timeline and hand each slice its rows.
    """
    return [
        _next_support(True).alias(SUPPORT_COLUMNS[0]),
        _next_support(False).alias(SUPPORT_COLUMNS[1]),
    ]


def _disclosure_response(depth: pl.Expr, matched: pl.Expr) -> pl.Expr:
    taken_up = pl.col("answered").fill_null(False) & pl.any_horizontal(_a(a) for a in _TAKEN_UP)
    return (
        pl.when(depth < 1)
        .then(None)
        .when(matched)
        .then(pl.lit("matched"))
        .when(taken_up)
        .then(pl.lit("responded"))
        .otherwise(pl.lit("not_matched"))
        .alias("disclosure_response")
    )


def classify_rows(
    paired: pl.LazyFrame,
    *,
    support_window: timedelta,
    window: timedelta = timedelta(hours=6),
    reactions: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """:func:`classify` for rows that already carry :data:`SUPPORT_COLUMNS`: row by row, so
    any slice of the timeline can be classified on its own. Drops the helper columns.

    ``reactions`` (:func:`.reactions.reaction_answers`) answer good news left without a
    reply in words, within ``window`` (the answer window) of it; ``good_news_reaction``
    is the reaction that decided a ``warm_reaction`` or ``other_reaction``, null
    elsewhere."""
    paired = with_reaction_answers(paired, reactions, window=window)
    # The other side's next support: mine when they wrote the message, theirs when I did.
    other_support = (
        pl.when(pl.col("from_me")).then(pl.col("_support_them")).otherwise(pl.col("_support_me"))
    )
    delay = other_support - pl.col("timestamp")
    depth = pl.col("disclosure_depth")
    # The answer shares as deeply: both the yes/no column and the three-way one read it.
    matched = pl.col("answer_disclosure_depth").fill_null(0) >= depth
    return (
        paired.with_columns(
            pl.when(depth >= 1).then(matched).otherwise(None).alias("depth_matched"),
            _disclosure_response(depth, matched),
            pl.when(pl.col("distress"))
            .then(delay.is_not_null() & (delay <= support_window))
            .otherwise(None)
            .alias("supported"),
            _good_news(),
            _request(),
        )
        .with_columns(
            _after_decline(),
            pl.when(pl.col("good_news_response").is_in(["warm_reaction", "other_reaction"]))
            .then(pl.col("_reaction"))
            .alias("good_news_reaction"),
        )
        .drop(*SUPPORT_COLUMNS, "_reaction", "_reaction_warm")
    )


def classify(
    paired: pl.LazyFrame,
    *,
    support_window: timedelta,
    window: timedelta = timedelta(hours=6),
    reactions: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """Add ``depth_matched``, ``supported``, ``good_news_response``,
    ``good_news_reaction``, ``request_outcome``, and ``after_decline`` to a frame from
    :func:`reciprocity.exchanges.pairing.pair_answers` with ``flags=TEXT_FLAGS`` (which
    must be in timeline order); ``window`` and ``reactions``: see :func:`classify_rows`."""
    return classify_rows(
        paired.with_columns(support_times()),
        support_window=support_window,
        window=window,
        reactions=reactions,
    )
