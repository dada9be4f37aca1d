"""Conversations remember that they are groups.

Which chats are one-to-one was decided from who wrote in them, each time. Forgetting a
member of a three-person group (``reciprocity forget``) left two writers, and the group
was then counted as a one-to-one chat with the member who stayed, changing that
relationship's figures. ``conversations.is_group`` is set once three or more people have
written in a chat and is never unset; existing groups are marked here.

Revision ID: 0006_group_flag
Revises: 0005_money_and_important
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reciprocity.store.groupflag import MARK_GROUPS

revision = "0006_group_flag"
down_revision = "0005_money_and_important"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the flag and mark the chats in which three or more people wrote."""
    op.add_column(
        "conversations",
        sa.Column("is_group", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute(MARK_GROUPS)


def downgrade() -> None:
    """Drop the flag (groups are again told apart by who wrote in them)."""
    op.drop_column("conversations", "is_group")
