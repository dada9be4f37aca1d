"""Which conversations are groups: once three or more people have written in a chat it is
a group for good (``conversations.is_group``), whatever is later removed from it.

:data:`MARK_GROUPS` is plain SQL so the migration that adds the flag and the import that
keeps it up to date run the same statement.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["MARK_GROUPS", "mark_groups"]

MARK_GROUPS = """
UPDATE conversations SET is_group = TRUE
WHERE NOT is_group AND id IN (
    SELECT participants.conversation_id
    FROM participants JOIN identities ON identities.id = participants.identity_id
    GROUP BY participants.conversation_id
    HAVING COUNT(DISTINCT identities.person_id) >= 3
)
"""
"""Mark every chat in which three or more people (the user included) have written."""


def mark_groups(conn: Connection) -> None:
    """Run :data:`MARK_GROUPS` in the caller's transaction."""
    conn.execute(text(MARK_GROUPS))
