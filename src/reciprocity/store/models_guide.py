"""Tables for self-report and the guided steps (journal, expectations, records, check-ins).

People are named, not linked by key: a journal entry may be about someone who never
appears in a chat, and names are matched to relationships case-insensitively when the
ledger is built (as :mod:`reciprocity.ledger.journal` does). Times are integer
microseconds since the epoch, UTC, like the rest of the store.

Journal entries, expectations and conversation records are deleted softly: ``deleted_us``
says when, every reader skips such rows (:mod:`reciprocity.store.trash`), and undo clears
it. So a deleted row comes back with its own id, and an id is never handed out twice.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reciprocity.store.models import Base


class JournalEntry(Base):
    """One self-reported moment: who gave what, how it felt, money, a task or a conflict.

    ``kind`` is ``interaction``, ``money``, ``favour``, ``task`` or ``conflict``;
    ``settled`` means paid back (money), returned (favour) or repaired (conflict);
    ``repayment`` is money paid back, by ``giver``.
    """

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(String(200), index=True)
    timestamp_us: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16), server_default="interaction")
    giver: Mapped[str | None] = mapped_column(String(8))
    dimension: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    energy: Mapped[int | None] = mapped_column(Integer)
    # Money in the currency's smallest unit (cents), exact; ``currency`` is ISO 4217.
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    settled: Mapped[bool | None] = mapped_column(Boolean)
    deleted_us: Mapped[int | None] = mapped_column(BigInteger)


class Expectation(Base):
    """A need the user names for one relationship, with a rule kind and its parameter."""

    __tablename__ = "expectations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(String(200), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    created_us: Mapped[int] = mapped_column(BigInteger)
    deleted_us: Mapped[int | None] = mapped_column(BigInteger)


class ConversationRecord(Base):
    """The day the user had the open conversation, and the words they planned to use."""

    __tablename__ = "conversation_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(String(200), index=True)
    timestamp_us: Mapped[int] = mapped_column(BigInteger)
    draft: Mapped[str | None] = mapped_column(Text)
    statement: Mapped[str | None] = mapped_column(Text)
    deleted_us: Mapped[int | None] = mapped_column(BigInteger)


class Assessment(Base):
    """One filled-in questionnaire about one relationship; ``answers`` is JSON."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(String(200), index=True)
    questionnaire: Mapped[str] = mapped_column(String(100))
    timestamp_us: Mapped[int] = mapped_column(BigInteger)
    answers: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
