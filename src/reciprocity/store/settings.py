"""Small named values kept in the database (remembered choices, user preferences)."""

from __future__ import annotations

from sqlalchemy import delete, select

from reciprocity.store.bulk import insert_ignoring_duplicates
from reciprocity.store.cache import touch_edits
from reciprocity.store.db import Database
from reciprocity.store.models import Setting


def get_setting(db: Database, key: str, default: str | None = None) -> str | None:
    """The value stored under ``key``, or ``default``."""
    with db.engine.connect() as conn:
        value = conn.scalar(select(Setting.value).where(Setting.key == key))
    return default if value is None else value


def set_setting(db: Database, key: str, value: str | None) -> None:
    """Store ``value`` under ``key``; ``None`` removes the key."""
    with db.write() as conn:
        conn.execute(delete(Setting).where(Setting.key == key))
        if value is not None:
            conn.execute(insert_ignoring_duplicates(conn, Setting).values(key=key, value=value))
        touch_edits(conn)
