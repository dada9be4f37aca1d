"""The ``chats`` view counts reactions apart from messages.

Reactions (rows of ``kind`` "reaction", see :mod:`reciprocity.ingest.base`) are stored with
the messages; the view's ``messages`` now leaves them out and a ``reactions`` column counts
them (:mod:`reciprocity.store.views`). SQLite only; no table changes.

Revision ID: 0009_reaction_views
Revises: 0008_views
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from reciprocity.store.views import create_views, drop_views

revision = "0009_reaction_views"
down_revision = "0008_views"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Make the views again from their current SQL."""
    drop_views(op.get_bind())
    create_views(op.get_bind())


def downgrade() -> None:
    """Leave the views as they are: the older ``chats`` differed only in its counts."""
