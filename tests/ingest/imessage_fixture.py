"""Writes a small Messages database (``chat.db``) with the tables and columns macOS has,
filled with the project's own rows, for the iMessage tests and the bench.

Run it to write one: ``python tests/ingest/imessage_fixture.py chat.db``.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)

SCHEMA = """
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL,
    country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT);
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
    style INTEGER, state INTEGER, account_id TEXT, chat_identifier TEXT, service_name TEXT,
    room_name TEXT, display_name TEXT, group_id TEXT);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
    text TEXT, replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0,
    subject TEXT, attributedBody BLOB, service TEXT, date INTEGER, date_read INTEGER,
    date_delivered INTEGER, is_from_me INTEGER DEFAULT 0, item_type INTEGER DEFAULT 0,
    group_title TEXT, group_action_type INTEGER DEFAULT 0, cache_has_attachments INTEGER
    DEFAULT 0, associated_message_guid TEXT, associated_message_type INTEGER DEFAULT 0,
    thread_originator_guid TEXT, thread_originator_part TEXT, date_edited INTEGER DEFAULT 0);
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
    message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER
    DEFAULT 0, PRIMARY KEY (chat_id, message_id));
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
    handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE INDEX chat_message_join_idx_message_id_only ON chat_message_join(message_id);
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
    filename TEXT, mime_type TEXT);
CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON DELETE
    CASCADE, attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE,
    UNIQUE(message_id, attachment_id));
INSERT INTO attachment VALUES (1, 'A-1', '~/Library/Messages/Attachments/ab/IMG_0001.HEIC',
    'image/heic');
"""


def typedstream(text: str) -> bytes:
    """``text`` archived the way Messages stores ``attributedBody`` (typedstream)."""
    data = text.encode("utf-8")
    if len(data) < 0x80:
        length = bytes([len(data)])
    elif len(data) < 0x10000:
        length = b"\x81" + len(data).to_bytes(2, "little")
    else:
        length = b"\x82" + len(data).to_bytes(4, "little")
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x19NSMutableAttributedString"
        b"\x00\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84"
        b"\x08NSString\x01\x94\x84\x01+"
        + length
        + data
        + b"\x86\x84\x02iI\x01"
        + len(text).to_bytes(1, "little", signed=False)[:1]
        + b"\x92\x84\x84\x84\x0cNSDictionary\x00\x94\x84\x01i\x01\x92\x84\x96\x96\x1d"
        b"__kIMMessagePartAttributeName\x86\x92\x84\x84\x84\x08NSNumber\x00\x84\x84\x07"
        b"NSValue\x00\x94\x84\x01*\x84\x99\x99\x00\x86\x86\x86"
    )


def apple_ns(iso: str) -> int:
    """Nanoseconds since 2001-01-01 UTC, as macOS 10.13 and later store ``date``."""
    moment = datetime.fromisoformat(iso).replace(tzinfo=UTC)
    return int((moment - APPLE_EPOCH).total_seconds()) * 1_000_000_000


def apple_s(iso: str) -> int:
    """Seconds since 2001-01-01 UTC, as older macOS versions store ``date``."""
    return apple_ns(iso) // 1_000_000_000


HANDLES = [(1, "+14155550123"), (2, "mira@example.com"), (3, "+4917699887766")]
CHATS = [
    # rowid, guid, style, chat_identifier, display_name, handles
    (1, "iMessage;-;+14155550123", 45, "+14155550123", "", [1]),
    (2, "iMessage;+;chat100200300", 43, "chat100200300", "Lake crew", [1, 2, 3]),
    (3, "iMessage;+;chat400500600", 43, "chat400500600", None, [2, 3]),
]
# rowid, guid, chat, text, body, date, from_me, handle, associated type/guid, thread, attached,
# item type
MESSAGES: list[tuple[object, ...]] = [
    (1, "G-1", 1, "Dinner tonight? 🍜", None, apple_ns("2024-03-01T18:00:00"), 0, 1, 0, None,
     None, 0, 0),
    (2, "G-2", 1, None, typedstream("Sure! 7pm at Lina's 🙂"), apple_ns("2024-03-01T18:02:30"),
     1, 0, 0, None, None, 0, 0),
    (3, "G-3", 1, "Loved “Sure! 7pm at Lina's 🙂”", None, apple_ns("2024-03-01T18:03:00"), 0,
     1, 2000, "p:0/G-2", None, 0, 0),
    (4, "G-4", 1, "Can we make it 7:30?", None, apple_ns("2024-03-01T18:04:00"), 0, 1, 0,
     None, "G-2", 0, 0),
    (5, "G-5", 1, "\ufffc", None, apple_ns("2024-03-01T18:05:00"), 1, 0, 0, None, None, 1, 0),
    (6, "G-6", 1, "An old one, from 2016", None, apple_s("2016-05-04T09:30:00"), 0, 1, 0, None,
     None, 0, 0),
    (7, "G-7", 2, "Who is in for Saturday?", None, apple_ns("2024-03-02T10:00:00"), 0, 2, 0,
     None, None, 0, 0),
    (8, "G-8", 2, None, None, apple_ns("2024-03-02T10:01:00"), 0, 3, 0, None, None, 0, 2),
    (9, "G-9", 2, "Removed a like", None, apple_ns("2024-03-02T10:02:00"), 1, 0, 3001,
     "p:0/G-7", None, 0, 0),
    (10, "G-10", 2, "Me! Bringing the boat", None, apple_ns("2024-03-02T10:03:00"), 1, 0, 0,
     None, "G-7", 0, 0),
    (11, "G-11", 3, None, typedstream("Ciao, siamo solo noi due qui? " * 6),
     apple_ns("2024-03-03T08:00:00"), 0, 3, 0, None, None, 0, 0),
    (12, "G-12", 1, None, None, apple_ns("2024-03-03T09:00:00"), 0, 1, 0, None, None, 0, 6),
]  # fmt: skip


def write(path: Path, messages: list[tuple[object, ...]] | None = None) -> Path:
    """Write the database to ``path`` (replacing it) and return ``path``."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO handle (ROWID, id, service) VALUES (?, ?, 'iMessage')", HANDLES)
        for rowid, guid, style, ident, display, handles in CHATS:
            db.execute(
                "INSERT INTO chat (ROWID, guid, style, chat_identifier, display_name) "
                "VALUES (?, ?, ?, ?, ?)",
                (rowid, guid, style, ident, display),
            )
            db.executemany(
                "INSERT INTO chat_handle_join VALUES (?, ?)", [(rowid, h) for h in handles]
            )
        for row in MESSAGES if messages is None else messages:
            (rowid, guid, chat, text, body, date, from_me, handle, assoc, assoc_guid, thread,
             attached, item) = row  # fmt: skip
            db.execute(
                "INSERT INTO message (ROWID, guid, text, attributedBody, date, is_from_me, "
                "handle_id, associated_message_type, associated_message_guid, "
                "thread_originator_guid, cache_has_attachments, item_type) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (rowid, guid, text, body, date, from_me, handle, assoc, assoc_guid, thread,
                 attached, item),
            )  # fmt: skip
            db.execute("INSERT INTO chat_message_join VALUES (?, ?, ?)", (chat, rowid, date))
            if rowid == 5:  # the photo
                db.execute("INSERT INTO message_attachment_join VALUES (5, 1)")
        db.commit()
    finally:
        db.close()
    return path


if __name__ == "__main__":
    print(write(Path(sys.argv[1] if len(sys.argv) > 1 else "chat.db")))
