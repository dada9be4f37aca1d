"""Money in exact amounts with a currency, and people the user marks as important.

Journal amounts move from a floating-point ``amount`` to ``amount_minor``, a whole number
of the currency's smallest unit (cents for EUR), plus ``currency`` (ISO 4217 code), so a
running balance is an exact sum. Amounts saved before this revision had no currency; they
keep none (shown as a bare number) and are taken as two decimals, which is what every
amount typed so far could carry. ``people.important`` marks ties the user wants to hear
from; the "gone quiet" list reads it.

Revision ID: 0005_money_and_important
Revises: 0004_soft_delete
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_money_and_important"
down_revision = "0004_soft_delete"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the money and importance columns; carry old amounts over as cents."""
    # Plain ALTER TABLE (SQLite 3.35+ drops columns itself), so the tables' SQL stays the
    # one a new database gets from the models; a batch copy would rewrite it.
    op.add_column(
        "people", sa.Column("important", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("journal_entries", sa.Column("amount_minor", sa.BigInteger(), nullable=True))
    op.add_column("journal_entries", sa.Column("currency", sa.String(length=3), nullable=True))
    op.execute(
        "UPDATE journal_entries SET amount_minor = CAST(ROUND(amount * 100) AS INTEGER) "
        "WHERE amount IS NOT NULL"
    )
    op.drop_column("journal_entries", "amount")


def downgrade() -> None:
    """Back to a floating-point amount (the currency is lost)."""
    op.add_column("journal_entries", sa.Column("amount", sa.Float(), nullable=True))
    op.execute(
        "UPDATE journal_entries SET amount = amount_minor / 100.0 WHERE amount_minor IS NOT NULL"
    )
    op.drop_column("journal_entries", "currency")
    op.drop_column("journal_entries", "amount_minor")
    op.drop_column("people", "important")
