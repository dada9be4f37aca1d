"""What the guide pages show, read from one cached analysis: ranking, advice, checks, evidence.

Translation only: each function calls ``reciprocity.guide`` or ``reciprocity.journal`` on the
frames of :class:`~reciprocity.web.state.State` and returns plain records for the templates,
the same calls the CLI's guide commands make.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from reciprocity import exchanges, guide, journal, store
from reciprocity.web.state import State

__all__ = [
    "EVIDENCE_LIMIT",
    "advice",
    "checked",
    "evidence",
    "known_people",
    "ranking",
    "records",
]

EVIDENCE_LIMIT = 12
"""Messages shown behind one reading: the latest ones, enough to recognise the pattern."""


def _key(name: str) -> str:
    return name.strip().casefold()


def known_people(state: State) -> list[str]:
    """Names to suggest in person fields: everyone imported, then names from the journal."""
    names = store.list_people(state.db)["person"].to_list()
    seen = {_key(n) for n in names}
    for name in journal.entries_frame(state.db)["person"].unique(maintain_order=True).to_list():
        if _key(name) not in seen:
            seen.add(_key(name))
            names.append(name)
    return names


def ranking(state: State) -> list[dict[str, Any]]:
    """Ties by how mutual the support is and energy afterwards, one suggestion each (none
    for a tie with too little to go on, listed last), with the relationship id when the
    person has one (``relationship_id``, else ``None``): the ranking the page data holds
    (``report.SurfaceData.ranking``), not a second one."""
    data = state.data()
    ids = {_key(r.person): r.relationship_id for r in data.relationships}
    return [row | {"relationship_id": ids.get(_key(row["person"]))} for row in data.ranking]


def records(state: State, person: str | None = None) -> pl.DataFrame:
    """Conversation records (``person``'s only when given), oldest first."""
    frame = guide.conversation_records(state.db)
    if person is not None:
        frame = frame.filter(pl.col("person").str.to_lowercase() == person.strip().lower())
    return frame


def advice(state: State, person: str | None = None) -> list[guide.Advice]:
    """ "Protect your energy" for each person with a recorded conversation (or ``person``)."""
    saved = records(state, person)
    if not saved.height:
        return []
    return guide.protect_energy(state.result().ledger, saved)


def checked(state: State, person: str | None = None) -> list[dict[str, Any]]:
    """Saved expectations (``person``'s only when given), each checked against the messages,
    with the user's own words as ``note``."""
    saved = guide.list_expectations(state.db, person)
    if not saved.height:
        return []
    notes = dict(zip(saved["id"].to_list(), saved["note"].to_list(), strict=True))
    rows = guide.check_expectations(saved, state.result().exchanges).to_dicts()
    for row in rows:
        row["note"] = notes.get(row["id"])
    return rows


#: Messages a "show me" list holds.
MESSAGES_LIMIT = 10


def messages(
    state: State, relationship_id: int, topic: str, *, from_me: bool
) -> list[dict[str, Any]]:
    """The latest messages of one act (``topic``) sent by one side, newest first, each with
    its ``text`` and the reply it got (``answer_text``, null when unanswered)."""
    everyone = state.result().exchanges
    shown = (
        everyone.lazy()
        .filter(
            (pl.col("relationship_id") == relationship_id)
            & pl.col(topic)
            & (pl.col("from_me") == from_me)
        )
        .sort("timestamp", descending=True)
        .head(MESSAGES_LIMIT)
        .collect()
    )
    return _with_texts(state, everyone, shown).to_dicts()


def _with_texts(state: State, everyone: pl.DataFrame, shown: pl.DataFrame) -> pl.DataFrame:
    """``shown`` (rows of the exchanges ``everyone``) with each message's ``text`` and
    ``answer_text``, read from the store for just these rows."""

    def texts(ids: pl.Series) -> pl.DataFrame:
        return store.message_texts(state.db, ids)

    replies = exchanges.answer_texts(everyone, shown, texts)
    return shown.join(
        texts(shown["message_id"]), on="message_id", how="left", maintain_order="left"
    ).join(replies, on="message_id", how="left", maintain_order="left")


def evidence(
    state: State, relationship_id: int, dimension: str, giver: str
) -> tuple[list[dict[str, Any]], int, int, int]:
    """The latest ledger events of one dimension given by ``giver`` ("me" or "them"):
    (messages and reactions with their text, newest first, at most
    :data:`EVIDENCE_LIMIT`, a reaction with ``reaction`` set; how many messages in all;
    how many journal events; how many reactions)."""
    result = state.result()
    events = result.ledger.filter(
        (pl.col("relationship_id") == relationship_id)
        & (pl.col("dimension") == dimension)
        & (pl.col("giver") == giver)
    )
    # Messages of one-to-one chats and of groups (those are not in the exchanges: their
    # text is read all the same, and who sent them is who gave).
    # Reactions are shown among them ("Alex reacted ❤️ to your message"), counted apart.
    from_messages = events.filter(
        pl.col("source").is_in(["messages", "group", "reactions"])
    ).drop_nulls("message_id")
    # The latest event of each message, newest first; only those rows of the exchanges.
    latest = (
        from_messages.select(
            "message_id",
            "timestamp",
            "weight",
            (pl.col("source") == "group").alias("in_group"),
            (pl.col("source") == "reactions").alias("reaction"),
            (pl.col("giver") == "me").alias("_by_me"),
        )
        .sort("timestamp", descending=True, maintain_order=True)
        .unique("message_id", keep="first", maintain_order=True)
        .head(EVIDENCE_LIMIT)
    )
    everyone = result.exchanges
    rows = everyone.lazy().filter(pl.col("message_id").is_in(latest["message_id"].implode()))
    shown = latest.join(rows.collect(), on="message_id", how="left", maintain_order="left")
    shown = _with_texts(state, everyone, shown).select(
        "message_id",
        "timestamp",
        "weight",
        "text",
        pl.coalesce("from_me", "_by_me").alias("from_me"),
        "latency_s",
        "answer_text",
        "in_group",
        "reaction",
    )
    journal_count = events.filter(pl.col("source") == "journal").height
    reacted = from_messages.filter(pl.col("source") == "reactions")["message_id"].n_unique()
    said = from_messages["message_id"].n_unique() - reacted
    return shown.to_dicts(), said, journal_count, reacted
