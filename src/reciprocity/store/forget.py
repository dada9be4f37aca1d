"""Forgetting one person: everything of theirs removed from the database, in one transaction.

:func:`plan` says what :func:`forget` would remove (the confirmation shows it); both find
the same rows:

- **Chats**: a conversation in which no one but them and the user ever wrote goes whole
  (the user's own messages to them too: they are that relationship); in a group, their
  messages and their place among its members. Replies to a removed message lose the link.
- **Who they are**: their person, every handle of theirs on every platform, their
  relationship (its kind, "important").
- **What the user wrote about them**: journal entries (money, favours, tasks, conflicts
  included), needs, conversation records and filled-in questionnaires, under their name
  or any of their handles, the deleted-but-undoable ones too.
- **Imports** whose every message was theirs, and imports that added nothing whose file
  is named after them: the file name is the last trace left.
- **Every derived figure**: the cached frames are all dropped and the data's change
  counter moved on, so no figure counting them survives; they are rebuilt on next use.

On a SQLite file, SQLite overwrites what it deletes (``secure_delete``), and afterwards
the file is rewritten (``VACUUM``) and the write-ahead log emptied, as "delete
everything" does: their texts are gone from the disk, not only unlinked. Messages other
people wrote that mention them stay: those are the others' words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, func, select, update

from reciprocity.store import cache, names
from reciprocity.store.db import Database, begin_write, pragma
from reciprocity.store.groupflag import mark_groups
from reciprocity.store.models import (
    Conversation,
    FrameCache,
    Identity,
    Import,
    KeptApart,
    Message,
    Participant,
    Person,
    Relationship,
)
from reciprocity.store.models_guide import (
    Assessment,
    ConversationRecord,
    Expectation,
    JournalEntry,
)
from reciprocity.store.wipe import scrub

__all__ = ["Forgotten", "forget", "plan"]

_WRITTEN_ABOUT: tuple[Any, ...] = (JournalEntry, Expectation, ConversationRecord, Assessment)


@dataclass(frozen=True)
class Forgotten:
    """Who was (or would be) forgotten and how many rows of each table that is.

    ``removed`` maps a table's name to its row count: ``messages`` (and apart, of the same
    table, ``reactions``), ``conversations``,
    ``identities``, ``people``, ``journal_entries`` ...
    """

    person: str
    removed: dict[str, int] = field(default_factory=dict)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass
class _Rows:
    """The ids of everything of one person's, table by table."""

    people: list[int] = field(default_factory=list)
    identities: list[int] = field(default_factory=list)
    conversations: list[int] = field(default_factory=list)
    messages: int = 0
    reactions: int = 0
    participants: list[tuple[int, int]] = field(default_factory=list)
    imports: list[int] = field(default_factory=list)
    written: dict[Any, list[int]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        counted = {
            "messages": self.messages,
            "reactions": self.reactions,
            "conversations": len(self.conversations),
            "identities": len(self.identities),
            "people": len(self.people),
            "imports": len(self.imports),
        }
        for model, ids in self.written.items():
            counted[model.__tablename__] = len(ids)
        return counted


def _find(conn: Connection, person: str) -> _Rows:
    rows = _Rows()
    key = _fold(person)
    for pid, name in conn.execute(select(Person.id, Person.name).where(~Person.is_me)):
        if _fold(name) == key:
            rows.people.append(pid)
    handles = list(
        conn.execute(
            select(Identity.id, Identity.handle).where(Identity.person_id.in_(rows.people))
        )
    )
    rows.identities = [iid for iid, _ in handles]
    keys = {key} | {_fold(handle) for _, handle in handles}
    mine = set(conn.scalars(select(Identity.id).join(Person).where(Person.is_me)))
    theirs = set(rows.identities)
    members: dict[int, set[int]] = {}
    for conversation, identity in conn.execute(
        select(Participant.conversation_id, Participant.identity_id)
    ):
        members.setdefault(conversation, set()).add(identity)
    for conversation, who in members.items():
        if not who & theirs:
            continue
        if who <= theirs | mine:
            rows.conversations.append(conversation)
        else:
            rows.participants.extend((conversation, i) for i in who & theirs)
    gone = _gone(rows)
    # Reactions are said apart from the messages: they are not messages anywhere else.
    reaction = Message.kind == "reaction"
    removed: dict[int, int] = {}
    counted = select(Message.import_id, reaction, func.count()).where(gone)
    for import_id, is_reaction, count in conn.execute(
        counted.group_by(Message.import_id, reaction)
    ):
        removed[import_id] = removed.get(import_id, 0) + count
        if is_reaction:
            rows.reactions += count
        else:
            rows.messages += count
    rows.imports = _imports(conn, removed, keys)
    for model in _WRITTEN_ABOUT:
        found = conn.execute(select(model.id, model.person))  # deleted rows too
        rows.written[model] = [rid for rid, name in found if _fold(name) in keys]
    return rows


def _gone(rows: _Rows) -> ColumnElement[bool]:
    """Their messages: every message of their conversations, theirs in groups."""
    return Message.conversation_id.in_(rows.conversations) | Message.sender_identity_id.in_(
        rows.identities
    )


def _imports(conn: Connection, removed: dict[int, int], keys: set[str]) -> list[int]:
    """The imports left with no message that brought some of theirs (``removed``: how
    many each brought); and those that brought none whose file name holds one of ``keys``
    (a re-import of their chat that added nothing)."""
    total = dict(
        conn.execute(select(Message.import_id, func.count()).group_by(Message.import_id)).all()
    )
    found = []
    for import_id, file in conn.execute(select(Import.id, Import.file)):
        if import_id in removed:
            if total.get(import_id, 0) == removed[import_id]:
                found.append(import_id)
        elif import_id not in total and any(key and key in _fold(file) for key in keys):
            found.append(import_id)
    return found


def _chunks(ids: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def plan(db: Database, person: str) -> Forgotten:
    """What :func:`forget` would remove for ``person`` (matched as every command matches
    a typed name: :func:`~reciprocity.store.names.resolve_person`), removing nothing."""
    name = names.resolve_person(db, person)
    with db.engine.connect() as conn:
        return Forgotten(name, _find(conn, name).counts())


def forget(db: Database, person: str) -> Forgotten:
    """Remove everything of ``person``'s (see the module's docstring) in one transaction;
    returns who it was and what was removed.

    >>> forget(db, "alex").removed["messages"]  # doctest: +SKIP
    1204
    """
    name = names.resolve_person(db, person)
    with db.engine.connect() as conn:
        if db.is_sqlite:
            raw = conn.connection.driver_connection
            with pragma(raw, "secure_delete", 1):
                rows = _remove(conn, name)
        else:
            rows = _remove(conn, name)
    if db.is_sqlite:
        scrub(db)
    return Forgotten(name, rows.counts())


def _remove(conn: Connection, name: str) -> _Rows:
    with begin_write(conn):  # waits for another program's write instead of failing
        # A group they were in stays a group once they are gone (and is not then read
        # as a one-to-one chat with whoever is left).
        mark_groups(conn)
        rows = _find(conn, name)
        gone = _gone(rows)
        # A reply to a removed message keeps the reply, not the link.
        conn.execute(
            update(Message)
            .where(Message.reply_to_id.in_(select(Message.id).where(gone)), ~gone)
            .values(reply_to_id=None)
        )
        conn.execute(delete(Message).where(gone))
        conn.execute(delete(Participant).where(Participant.conversation_id.in_(rows.conversations)))
        for conversation, identity in rows.participants:
            conn.execute(
                delete(Participant).where(
                    Participant.conversation_id == conversation,
                    Participant.identity_id == identity,
                )
            )
        conn.execute(delete(Conversation).where(Conversation.id.in_(rows.conversations)))
        conn.execute(delete(Import).where(Import.id.in_(rows.imports)))
        conn.execute(
            delete(KeptApart).where(
                KeptApart.identity_id.in_(rows.identities) | KeptApart.other_id.in_(rows.identities)
            )
        )
        conn.execute(delete(Identity).where(Identity.id.in_(rows.identities)))
        conn.execute(delete(Relationship).where(Relationship.person_id.in_(rows.people)))
        conn.execute(delete(Person).where(Person.id.in_(rows.people)))
        for model, ids in rows.written.items():
            for chunk in _chunks(ids):
                conn.execute(delete(model).where(model.id.in_(chunk)))
        # Every derived frame may count them: all go, and the counter says the data moved.
        conn.execute(delete(FrameCache))
        cache.touch(conn)
    return rows
