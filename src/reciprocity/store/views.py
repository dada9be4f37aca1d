"""SQL views over the stored messages with plain column names, for DuckDB, Datasette or
``sqlite3`` users who open the database file themselves.

The tables keep ids and microseconds (compact and fast, see :mod:`.models`); the views
join them into what a person would ask for: who wrote what, when (ISO 8601, UTC), in
which chat. They hold no data of their own, so they never go stale. Created by migration
``0008_views`` (made again by ``0009_reaction_views``, which counts reactions apart) and,
for a new database, by :func:`reciprocity.store.migrate.create`, from the same SQL, on
SQLite (a server database is explored with its own tools). ``chat_messages`` holds the
reactions too, with ``kind`` "reaction" (``text`` the emoji, ``reply_to_message_id`` the
message reacted to); ``chats`` counts ``messages`` and ``reactions`` apart.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["VIEWS", "create_views", "drop_views"]

# Microseconds since the epoch as ISO 8601 text in UTC ("2024-05-01T10:00:00.000Z").
_ISO = "strftime('%Y-%m-%dT%H:%M:%fZ', {column} / 1000000.0, 'unixepoch')"

#: Each view's name and its query.
VIEWS: dict[str, str] = {
    "chat_messages": f"""
SELECT m.id AS message_id,
       m.conversation_id AS chat_id,
       c.title AS chat,
       c.platform AS app,
       {_ISO.format(column="m.timestamp_us")} AS sent_at_utc,
       p.name AS sender,
       i.handle AS sender_handle,
       coalesce(p.is_me, 0) AS from_me,
       m.text AS text,
       m.kind AS kind,
       m.reply_to_id AS reply_to_message_id,
       f.file AS imported_from
FROM messages AS m
JOIN conversations AS c ON c.id = m.conversation_id
LEFT JOIN identities AS i ON i.id = m.sender_identity_id
LEFT JOIN people AS p ON p.id = i.person_id
LEFT JOIN imports AS f ON f.id = m.import_id""",
    "chats": f"""
SELECT c.id AS chat_id,
       c.title AS chat,
       c.platform AS app,
       c.is_group AS is_group,
       count(CASE WHEN m.kind <> 'reaction' THEN 1 END) AS messages,
       count(CASE WHEN m.kind = 'reaction' THEN 1 END) AS reactions,
       {_ISO.format(column="min(m.timestamp_us)")} AS first_message_utc,
       {_ISO.format(column="max(m.timestamp_us)")} AS last_message_utc
FROM conversations AS c
LEFT JOIN messages AS m ON m.conversation_id = c.id
GROUP BY c.id, c.title, c.platform, c.is_group""",
    "chat_people": """
SELECT p.id AS person_id,
       p.name AS person,
       p.is_me AS is_me,
       r.kind AS relationship,
       i.platform AS app,
       i.handle AS handle
FROM people AS p
LEFT JOIN relationships AS r ON r.person_id = p.id
LEFT JOIN identities AS i ON i.person_id = p.id""",
}


def create_views(conn: Connection) -> None:
    """Create every view of :data:`VIEWS` (SQLite only; elsewhere nothing)."""
    if conn.dialect.name != "sqlite":
        return
    for name, query in VIEWS.items():
        conn.execute(text(f"CREATE VIEW {name} AS{query}"))


def drop_views(conn: Connection) -> None:
    """Drop the views of :data:`VIEWS` where they exist."""
    if conn.dialect.name != "sqlite":
        return
    for name in VIEWS:
        conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
