"""Views over the stored messages with plain column names.

``chat_messages`` (who wrote what, when, in which chat), ``chats`` and ``chat_people``,
for people who open the SQLite file with DuckDB, Datasette or ``sqlite3``
(:mod:`reciprocity.store.views`). SQLite only; no table changes.

Revision ID: 0008_views
Revises: 0007_people_links
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from reciprocity.store.views import create_views, drop_views

revision = "0008_views"
down_revision = "0007_people_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the views."""
    create_views(op.get_bind())


def downgrade() -> None:
    """Drop the views."""
    drop_views(op.get_bind())
