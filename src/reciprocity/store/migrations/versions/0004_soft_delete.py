"""Soft delete for journal entries, expectations and conversation records.

A ``deleted_us`` column (when it was deleted, microseconds since the epoch, UTC; empty
while it is kept). Deleting sets it, undo clears it: the row comes back with its own id,
and since no row is ever removed an id is never given to a new entry.

Revision ID: 0004_soft_delete
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_soft_delete"
down_revision = "0003"
branch_labels = None
depends_on = None

_TABLES = ("journal_entries", "expectations", "conversation_records")


def upgrade() -> None:
    """Add ``deleted_us`` to the three tables a person deletes from."""
    for table in _TABLES:
        op.add_column(table, sa.Column("deleted_us", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Forget what was deleted for good, then drop the column."""
    for table in _TABLES:
        op.execute(f"DELETE FROM {table} WHERE deleted_us IS NOT NULL")
        with op.batch_alter_table(table) as batch:
            batch.drop_column("deleted_us")
