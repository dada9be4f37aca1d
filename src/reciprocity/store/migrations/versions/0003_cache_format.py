"""The frame cache holds Arrow IPC files instead of Parquet: what it held is dropped.

No table changes. The cache is only ever an optimisation, rebuilt from the messages when
missing, so both ways its rows are deleted: an older Reciprocity then finds no frame it
cannot read, and refuses a database at this revision with a clear message.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Forget the Parquet frames."""
    op.execute("DELETE FROM frame_cache")


def downgrade() -> None:
    """Forget the Arrow IPC frames."""
    op.execute("DELETE FROM frame_cache")
