"""What each table of a corpus run holds: a sentence and its columns, for ``schema.json``
and the output folder's README (the columns are read from the tables' own schemas, so the
description cannot drift from what is written)."""

from __future__ import annotations

from functools import cache

__all__ = ["ABOUT", "describe"]

#: One sentence per table.
ABOUT: dict[str, str] = {
    "acts": "One row per utterance: what the act detector found in its text (a Boolean "
    "per act, disclosure depth 0-3), before reading it in context.",
    "figures": "One row per dyad: messages, words, turns, conversations started, replies, "
    "reply rate and median reply time, questions, each side (_me: speaker_a, _them: "
    "speaker_b).",
    "exchanges": "One row per utterance of a dyad: its acts read in context, whether and "
    "how fast the other answered (answer_id), and the outcome of a disclosure, a hard "
    "time, good news or a request.",
    "ledger": "One row per event of giving: giver and receiver (speakers), dimension, "
    "weight, time, and the utterance it came from.",
    "balance": "One row per dyad, dimension and window (all, last_90_days): what "
    "speaker_a gave and received, the share, its 90% interval (low, high), the estimate "
    "shown and the reading (verdict).",
    "outcomes": "Per dyad and side: counts of each outcome (answered, matched disclosure, "
    "support in a hard time, response to good news, request outcome).",
    "reply_speed": "One row per dyad: replies and median reply time each way, against "
    "the pair's own pace.",
}


@cache
def describe() -> dict[str, dict[str, object]]:
    """``{table: {"about": sentence, "columns": {column: type}}}`` for every table.

    >>> describe()["balance"]["columns"]["verdict"]
    'String'
    """
    from reciprocity.corpora.partition import empty_tables

    return {
        name: {
            "about": ABOUT[name],
            "columns": {column: str(dtype) for column, dtype in table.schema.items()},
        }
        for name, table in empty_tables().items()
    }
