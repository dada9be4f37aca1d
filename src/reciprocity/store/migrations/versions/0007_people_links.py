"""One person across apps: identities carry the phone number or address they are.

``identities.link_key`` holds the normalised phone number (``tel:+447700900123``) or email
address (``email:alex@example.com``) a handle is (``reciprocity.store.linking``); an
import links a new identity to the person whose identity has the same key. Existing
identities get their key here; people who already share one are not merged by the
upgrade but offered as a suggestion (``reciprocity people suggestions``). ``kept_apart``
remembers the pairs of identities the user said are two people, so they are not
suggested again.

Revision ID: 0007_people_links
Revises: 0006_group_flag
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_people_links"
down_revision = "0006_group_flag"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the key (filled in for every identity) and the kept-apart pairs."""
    from reciprocity.store.linking import link_key, region_of

    op.add_column("identities", sa.Column("link_key", sa.String(length=200), nullable=True))
    op.create_index("ix_identities_link_key", "identities", ["link_key"])
    op.create_table(
        "kept_apart",
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"], ["identities.id"], name="fk_kept_apart_identity_id_identities"
        ),
        sa.ForeignKeyConstraint(
            ["other_id"], ["identities.id"], name="fk_kept_apart_other_id_identities"
        ),
        sa.PrimaryKeyConstraint("identity_id", "other_id", name="pk_kept_apart"),
    )
    conn = op.get_bind()
    region = region_of(conn).code
    rows = conn.execute(sa.text("SELECT id, platform, handle FROM identities")).all()
    keys = [
        {"key": key, "id": identity_id}
        for identity_id, platform, handle in rows
        if (key := link_key(platform, handle, region)) is not None
    ]
    if keys:
        conn.execute(sa.text("UPDATE identities SET link_key = :key WHERE id = :id"), keys)


def downgrade() -> None:
    """Drop the keys and the kept-apart pairs."""
    op.drop_table("kept_apart")
    op.drop_index("ix_identities_link_key", table_name="identities")
    op.drop_column("identities", "link_key")
