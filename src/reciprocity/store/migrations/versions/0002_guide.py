"""Self-report and the guided steps: journal entries, expectations, conversation records,
assessments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _person_index(table: str) -> None:
    op.create_index(op.f(f"ix_{table}_person"), table, ["person"])


def upgrade() -> None:
    """Create the four tables the journal and the guide write to."""
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("timestamp_us", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), server_default="interaction", nullable=False),
        sa.Column("giver", sa.String(length=8), nullable=True),
        sa.Column("dimension", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("energy", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("settled", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
    )
    _person_index("journal_entries")
    op.create_table(
        "expectations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expectations")),
    )
    _person_index("expectations")
    op.create_table(
        "conversation_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("timestamp_us", sa.BigInteger(), nullable=False),
        sa.Column("draft", sa.Text(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_records")),
    )
    _person_index("conversation_records")
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("questionnaire", sa.String(length=100), nullable=False),
        sa.Column("timestamp_us", sa.BigInteger(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    _person_index("assessments")


def downgrade() -> None:
    """Drop the guide's tables."""
    for table in ("assessments", "conversation_records", "expectations", "journal_entries"):
        op.drop_index(op.f(f"ix_{table}_person"), table_name=table)
        op.drop_table(table)
