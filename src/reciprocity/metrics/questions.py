"""A simple, explainable rule for "is this message a question?", vectorised over Polars.

This is the stop-gap question detector for the first figures; the act detector
(``reciprocity.acts``) replaces it with a richer one. The rule, in order of weight:

1. a question mark (``?``, full-width ``？``, or an opening ``¿``) anywhere outside a web
   address, so ``example.com/page?id=3`` is not a question;
2. a sentence that opens like an English question: a question word followed by an
   auxiliary (``where are``, ``what's``, ``how long``), an auxiliary followed by its subject
   and more words (``are you coming``, ``did it work``), or a chat formula (``you ok``,
   ``r u``, ``wanna``, ``any news``). Such a sentence must not end with ``!`` ("how are you
   doing this to me!"), and exclamations such as "what a day" or "how lovely" never match.

Everything is regular expressions run by Polars (Rust's regex engine, which has no
look-around), so the rule costs a few vectorised string passes and no Python per message.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

__all__ = ["is_question", "question_expr"]

# Web addresses: with a scheme, starting "www.", or a bare domain followed by a path. An
# address never ends in sentence punctuation, so in "seen x.org/a?" the "?" still asks.
_URL_END = r"(?:\S*[^\s?？¿.,;:!)\]'\"])?"
_URL = (
    rf"(?i)(?:[a-z][a-z0-9+.-]*://|www\.){_URL_END}"
    rf"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{{2,}}/{_URL_END}"
)

_MARK = r"[?？¿]"

_APOS = "['’]"  # straight or typographic apostrophe

# Auxiliaries that open yes/no questions; "r" is chat spelling of "are".
_AUX = (
    "am|are|is|was|were|do|does|did|can|could|will|would|shall|should|may|might|must|"
    "have|has|r|isn't|aren't|wasn't|weren't|doesn't|didn't|can't|couldn't|won't|"
    "wouldn't|shouldn't|haven't|hasn't"
).replace("'", _APOS)

# Subjects that follow an auxiliary in a question ("are YOU", "did IT"). "do" and "have"
# double as imperatives ("do it now", "have a look"), so they take people only.
_SUBJECTS = (
    "you|u|ya|i|we|they|he|she|it|this|that|there|these|those|anyone|anybody|someone|"
    "somebody|everyone|everybody|y'all|your|ur|my|our|their|his|her|the|all"
).replace("'", _APOS)
_PEOPLE = "you|u|ya|i|we|they|y'all|anyone|anybody|someone|somebody|everyone|everybody".replace(
    "'", _APOS
)
_AUX_NOT_DO = "|".join(a for a in _AUX.split("|") if a not in {"do", "have"})

# What may follow a question word to make it a question ("where ARE", "how LONG").
_WH_FOLLOW = (
    f"{_AUX}|{_APOS}?s|{_APOS}re|{_APOS}d|{_APOS}ll|about|if|else|now|then|come|"
    "long|much|many|far|often|old|soon|late|early|time|day|kind|sort|happened|for|exactly"
)

# Words that may come before the question at the start of a sentence ("so, are you ...",
# "hey are you ..."), and a vocative with a comma ("Alex, are you ...").
_LEAD = (
    r"(?:(?:so|and|but|ok|okay|hey|hi|oh|also|btw|anyway|well|lol|haha|um|hmm|sorry)"
    r"[,\s]+)*(?:\w+,\s*)?"
)

_OPENERS = "|".join(
    [
        # wh-word + auxiliary or a question-making word; never "what a ..." / "how nice"
        rf"(?:what|how|why|when|where|who|whom|whose)\s*(?:{_WH_FOLLOW})\b",
        # "what you up to", "where u at"; not "when you get home"
        r"(?:what|how|why|where|who)\s+(?:you|u|ya)\b",
        r"why\s+\w",  # a sentence opening with "why" is a question almost always
        r"which\s+(?:one|ones|of|day|time|way|is|are|do|does|did|would|should|will|can)\b",
        # auxiliary + subject + at least one more word ("did it work", not "did it!")
        rf"(?:{_AUX_NOT_DO})\s+(?:{_SUBJECTS})\s+\w",
        rf"(?:do|have)\s+(?:{_PEOPLE})\s+\w",
        rf"don{_APOS}t\s+you\s+(?:think|know|want|like|remember|feel|agree|miss|love)\b",
        # chat formulas
        r"(?:you|u|ya)\s+(?:ok|okay|alright|all\s+right|good|there|up|free|around|awake|"
        r"home|coming|sure|busy|done|ready)\b",
        r"(?:r|are)\s+(?:u|ya)\b",
        r"ru\s+ok\b",
        r"any\s+(?:news|luck|plans|idea|ideas|chance|update|updates|thoughts)\b",
        r"(?:wanna|fancy\s+(?:a|an|some|going|coming|meeting|grabbing))\b",
        r"thoughts\s*$",
    ]
)

# Start of a sentence, the opener, then the rest of that sentence up to an ending other
# than "!" (a line break, a full stop, a question mark, or the end of the message).
_OPENING = (
    rf"(?i)(?:^|[.!?…\n])[\s\"'“‘(]*{_LEAD}(?:{_OPENERS})[^.!?\n]*(?:[.?\n]|$)"
    # chat abbreviations that are questions wherever they stand ("hbu" = how about you)
    r"|\b(?:hbu|wbu|wyd|hru|wya|wdym)\b"
)


def _ascii_boundaries(pattern: str) -> str:
    """``pattern`` with ASCII word boundaries: Rust's fast regex engine gives up on a Unicode
    ``\\b`` at the first emoji or accent in a text, which made this rule ten times slower on
    real chats. Every boundary here sits next to an ASCII letter of the pattern, so the only
    difference is a non-ASCII letter glued to an English word ("éare you")."""
    return pattern.replace(r"\b", r"(?-u:\b)")


_URL = _ascii_boundaries(_URL)
_OPENING = _ascii_boundaries(_OPENING)


def question_expr(text: pl.Expr) -> pl.Expr:
    """A Boolean expression: does each text read as a question? Null text gives ``False``.

    Use it inside a larger query, e.g. ``frame.with_columns(question_expr(pl.col("text")))``.
    """
    without_urls = text.str.replace_all(_URL, " ")
    marked = without_urls.str.contains(_MARK)
    opened = text.str.contains(_OPENING)
    return (marked | opened).fill_null(False)


def is_question(texts: pl.Series | Iterable[str | None]) -> pl.Series:
    """Flag each text that reads as a question, in order (a Boolean Series named ``question``).

    >>> is_question(["are you free tonight", "what a day!", "see www.x.org/?a=1"]).to_list()
    [True, False, False]
    """
    series = texts if isinstance(texts, pl.Series) else pl.Series(list(texts), dtype=pl.String)
    frame = pl.DataFrame({"text": series.cast(pl.String)})
    return frame.select(question_expr(pl.col("text")).alias("question")).to_series()
