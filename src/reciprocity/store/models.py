"""The tables, as SQLAlchemy 2 typed declarative models.

The schema in words::

    people ──< identities            a person has one handle per platform they write from
      │                              ("Jordan" on WhatsApp and "jordan_k" on Telegram)
      │        kept_apart            pairs of identities the user said are two people
      └──── relationships            me <-> that person, with a kind (friend, parent, ...)
    conversations ──< participants   which identities ever wrote in a conversation
          └──────< messages          one row per message, deduplicated by fingerprint
    imports ──< messages             which file brought each message in
    frame_cache                      derived frames (Arrow IPC), rebuilt when stale
    settings                         small key/value pairs

Times are stored as integer microseconds since the epoch, UTC: compact, fast to compare and
to index, and free of the time-zone surprises of SQLite's text dates. The read side turns
them back into time-zone-aware values.

Migrations (``migrations/versions``) must create exactly these tables; a test compares them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import (
    text as sql,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid (fast, auto-increment);
# PostgreSQL gets a 64-bit key for the one table that can grow past two billion rows.
BigId = BigInteger().with_variant(Integer(), "sqlite")

# Stable constraint names, so migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base holding the metadata that migrations are checked against."""

    metadata = MetaData(naming_convention=NAMING)


class Person(Base):
    """One human. Exactly one person (the user) has ``is_me`` set."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    is_me: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Ties the user wants to hear from: the "gone quiet" list reads it.
    important: Mapped[bool] = mapped_column(Boolean, server_default=false())

    __table_args__ = (
        # At most one "me": a partial unique index, understood by SQLite and PostgreSQL.
        Index(
            "uq_people_is_me",
            "is_me",
            unique=True,
            sqlite_where=sql("is_me"),
            postgresql_where=sql("is_me"),
        ),
    )


class Identity(Base):
    """A sender name or handle on one platform, linked to the person behind it."""

    __tablename__ = "identities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # The phone number or email address the handle is, normalised (``tel:+447700900123``,
    # ``email:alex@example.com``; see ``linking.py``): identities sharing one are one person.
    link_key: Mapped[str | None] = mapped_column(String(200), index=True)

    __table_args__ = (UniqueConstraint("platform", "handle"),)


class KeptApart(Base):
    """Two identities the user said are different people (by splitting one out, or by
    turning down the suggestion to merge them): never suggested as one person again.

    Stored once per pair, the lower identity id first.
    """

    __tablename__ = "kept_apart"

    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"), primary_key=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("identities.id"), primary_key=True)


class Relationship(Base):
    """Me <-> one other person, with a kind the user can set."""

    __tablename__ = "relationships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(32), server_default="unknown")


class Conversation(Base):
    """A chat as the export names it: a contact's name or a group's title."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    # Set once three or more people have written in it, and never unset: a group stays a
    # group when someone is forgotten or only two of its members are left writing.
    is_group: Mapped[bool] = mapped_column(Boolean, server_default=false())

    __table_args__ = (UniqueConstraint("platform", "title"),)


class Participant(Base):
    """An identity that wrote at least once in a conversation.

    Kept at import time so deciding which conversations are one-to-one never scans the
    messages table.
    """

    __tablename__ = "participants"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"), primary_key=True)


class Import(Base):
    """One run of ``import`` on one file."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file: Mapped[str] = mapped_column(Text)
    # None when the file could not be read for hashing (batches handed in by code).
    sha256: Mapped[str | None] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(32))
    imported_at_us: Mapped[int] = mapped_column(BigInteger)
    messages_seen: Mapped[int] = mapped_column(Integer, server_default="0")
    messages_added: Mapped[int] = mapped_column(Integer, server_default="0")


class Message(Base):
    """One message. ``fingerprint`` identifies it across imports (see ``fingerprint.py``)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    # None for system lines, which nobody sent.
    sender_identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id"))
    timestamp_us: Mapped[int] = mapped_column(BigInteger)
    # Order among messages of the same conversation with the same timestamp, file order.
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str | None] = mapped_column(String(100))
    reply_to_source_id: Mapped[str | None] = mapped_column(String(100))
    # Our id of the message replied to, resolved from reply_to_source_id after each import.
    reply_to_id: Mapped[int | None] = mapped_column(BigInteger)
    line: Mapped[int | None] = mapped_column(Integer)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    fingerprint: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        # The de-duplication key. The fingerprint alone already names conversation and
        # time, but leading with them keeps index inserts in file (time) order, which made
        # a million-row import several times faster than a unique index on a random hash;
        # the same index serves reads of one conversation in time order.
        UniqueConstraint("conversation_id", "timestamp_us", "fingerprint", name="uq_messages_key"),
        # Resolving replies looks messages up by the platform's id; only some have one.
        Index(
            "ix_messages_source_id",
            "conversation_id",
            "source_id",
            sqlite_where=sql("source_id IS NOT NULL"),
            postgresql_where=sql("source_id IS NOT NULL"),
        ),
    )


class FrameCache(Base):
    """A derived frame saved as an Arrow IPC file, valid while the data it came from is unchanged.

    ``version`` names the state it was built from (see ``cache.py``); a mismatch means it
    is stale and is rebuilt. Dropping every row is always safe.
    """

    __tablename__ = "frame_cache"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Setting(Base):
    """A small named value (user preferences, remembered choices)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# The guided steps' tables live in their own module; importing it registers them here.
from reciprocity.store import models_guide as _guide  # noqa: E402, F401
