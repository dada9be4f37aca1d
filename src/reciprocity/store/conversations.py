"""Which stored conversation an imported chat belongs to: by its messages and the people
in it, never by the file's name alone.

An export's title comes from its file name (``WhatsApp Chat with Alex.txt`` -> "Alex";
an iPhone's ``_chat.txt`` -> "_chat"), so the same chat saved as ``alex-backup.txt`` would
look new, and two different people's ``_chat.txt`` would look like one chat. The first
rows of each chat in an import decide instead (:func:`find`):

1. **Its messages.** A stored conversation of the same platform that shares someone other
   than the user with the chat (any identity of the same person: a contact renamed since
   writes under a new handle linked to them; or has its title, see 2) and already holds
   at least :data:`ENOUGH` of a sample of the chat's messages is that chat: a re-import
   under any name adds nothing, a longer later export adds only what is new.
2. **Its title and people.** Else the stored conversation with the same title, unless the
   people other than the user differ on both sides (Alex's ``_chat`` is not Jordan's, even
   where the user's own messages in both read the same).
3. Else it is a new conversation. When its title is taken, the stored title names the
   others in it ("_chat (with Jordan)") so the two can be told apart (:func:`free_title`).

A message's fingerprint is keyed with the title of the conversation it is stored in (see
:mod:`.fingerprint`), so the caller re-keys a matched chat's rows with the stored title.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, select, tuple_

from reciprocity.store.fingerprint import digests, keys
from reciprocity.store.models import Conversation, Identity, Message, Participant, Person

#: Messages of a chat's first rows looked up in each candidate conversation.
SAMPLE = 200
#: Sampled messages that must be stored already for the chat to be that conversation (all
#: of them when the sample is smaller): one identical message (a greeting sent to several
#: people in the same minute) is not enough.
ENOUGH = 3
#: Other people named in a title made distinct (:func:`free_title`).
_NAMED = 3


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored conversation: its id and the title its messages' fingerprints are keyed with."""

    id: int
    title: str


def find(
    conn: Connection,
    platform: str,
    title: str,
    rows: pl.DataFrame,
    others: set[int],
    also: Iterable[Stored] = (),
) -> Stored | None:
    """The stored conversation the chat ``title`` of ``platform`` belongs to, or ``None``
    for a new one (see the module docstring).

    ``rows``: the chat's first rows in the import (``MESSAGE_SCHEMA`` columns plus
    ``ts_us``), in file order; ``others``: the identity ids of its senders other than the
    user; ``also``: conversations the same import wrote to with those people, whose
    participants are not recorded yet. When two candidates hold as many of the sample,
    the one with the chat's title wins, then the older.
    """
    # A chat never joins a conversation with other people in it: same name or not.
    same_title = [
        candidate
        for candidate in (
            Stored(int(i), str(t))
            for i, t in conn.execute(
                select(Conversation.id, Conversation.title).where(
                    Conversation.platform == platform, Conversation.title == title
                )
            )
        )
        if _compatible(_others_in(conn, candidate.id), others)
    ]
    candidates = {c.id: c for c in same_title}
    if others:
        # Any identity of the same people: a contact renamed between two backups writes
        # as a new handle ("Mira O. <+49…>"), linked to the same person by its number.
        people = select(Identity.person_id).where(Identity.id.in_(sorted(others)))
        kin = select(Identity.id).where(Identity.person_id.in_(people))
        shared = conn.execute(
            select(Conversation.id, Conversation.title)
            .join(Participant, Participant.conversation_id == Conversation.id)
            .where(Conversation.platform == platform, Participant.identity_id.in_(kin))
            .distinct()
        )
        candidates.update({int(i): Stored(int(i), str(t)) for i, t in shared})
        candidates.update({c.id: c for c in also})
    best, most = None, 0
    sample = _sample(rows)
    for candidate in sorted(candidates.values(), key=lambda c: (c.title != title, c.id)):
        found = _stored_count(conn, candidate, sample)
        if found > most:
            best, most = candidate, found
    if best is not None and most >= min(ENOUGH, sample.height):
        return best
    return same_title[0] if same_title else None


def _compatible(theirs: set[int], others: set[int]) -> bool:
    """Whether a stored conversation whose other writers are ``theirs`` can be a chat whose
    other writers are ``others``: they share someone, or one side has only the user."""
    return not theirs or not others or bool(theirs & others)


def _sample(rows: pl.DataFrame) -> pl.DataFrame:
    """Up to :data:`SAMPLE` of ``rows``, spread evenly from the first to the last."""
    if rows.height <= SAMPLE:
        return rows
    step = (rows.height - 1) / (SAMPLE - 1)
    picked = sorted({round(i * step) for i in range(SAMPLE)})
    return rows[picked]


def _stored_count(conn: Connection, candidate: Stored, sample: pl.DataFrame) -> int:
    """How many of ``sample``'s messages ``candidate`` already holds (keyed with its title)."""
    if sample.height == 0:
        return 0
    keyed = sample.with_columns(conversation=pl.lit(candidate.title, pl.String))
    pairs = list(zip(keyed["ts_us"].to_list(), digests(keys(keyed)).to_list(), strict=True))
    found = conn.execute(
        select(Message.timestamp_us, Message.fingerprint).where(
            Message.conversation_id == candidate.id,
            tuple_(Message.timestamp_us, Message.fingerprint).in_(pairs),
        )
    )
    return len(set(found))


def _others_in(conn: Connection, conversation_id: int) -> set[int]:
    """The identities of everyone but the user who wrote in a stored conversation."""
    rows = conn.execute(
        select(Participant.identity_id)
        .join(Identity, Identity.id == Participant.identity_id)
        .join(Person, Person.id == Identity.person_id)
        .where(Participant.conversation_id == conversation_id, ~Person.is_me)
    )
    return {int(i) for (i,) in rows}


def free_title(conn: Connection, platform: str, title: str, names: list[str]) -> str:
    """``title`` when no conversation of ``platform`` has it yet, else one naming the
    others in the chat ("_chat (with Jordan)"), numbered if that is taken too."""

    def taken(candidate: str) -> bool:
        found = conn.scalar(
            select(Conversation.id).where(
                Conversation.platform == platform, Conversation.title == candidate
            )
        )
        return found is not None

    if not taken(title):
        return title
    shown = sorted(set(names))
    listed = ", ".join(shown[:_NAMED])
    if len(shown) > _NAMED:
        listed += f" and {len(shown) - _NAMED} more"
    # Room for the names within the column's 500 characters.
    base = f"{title[:300]} (with {listed[:150]})" if listed else title[:490]
    candidate, number = base, 1
    while taken(candidate):
        number += 1
        candidate = f"{base} {number}"
    return candidate
