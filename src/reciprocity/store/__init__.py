"""Store: the SQLite (or PostgreSQL) database that is the single source of truth.

Stage in the pipeline: ingest -> **store** -> metrics. Parsers never write; this package is
the one place that does, one transaction per imported file, and it hands the analysis stages
a Polars frame.

- :func:`open_db` finds, creates and migrates the database (:mod:`.db`, :mod:`.migrate`,
  Alembic scripts in ``migrations/``); tables in :mod:`.models`.
- :func:`import_batches` saves parsed batches (:mod:`.save`, rows written by :mod:`.bulk`),
  fingerprinting each message (:mod:`.fingerprint`) and linking senders to people
  (:mod:`.people`, which also holds the user's corrections).
- :func:`messages_frame` and the small listings read it back (:mod:`.read`, rows moved by
  :mod:`.fetch`), whole or window by window (:func:`analysis_windows`, :mod:`.windowed`);
  :func:`derived` keeps frames computed from it (Arrow IPC) until the data
  changes (:mod:`.cache`; :func:`derived_parts` for one built a slice at a time).
- :func:`resolve_person` matches a typed name to someone known, or refuses it with the
  closest names (:mod:`.names`).
"""

from reciprocity.store.cache import FrameWriter, cached, derived, derived_parts, is_cached
from reciprocity.store.db import Database, default_path, open_db
from reciprocity.store.names import UnknownPerson, known_names, resolve_person, suggest
from reciprocity.store.people import (
    RELATIONSHIP_KINDS,
    MeUnknown,
    link_identity,
    merge_people,
    set_relationship_kind,
)
from reciprocity.store.read import (
    FRAME_SCHEMA,
    get_me,
    import_history,
    list_people,
    message_texts,
    messages_frame,
)
from reciprocity.store.save import Derived, ImportResult, import_batches
from reciprocity.store.settings import get_setting, set_setting
from reciprocity.store.windowed import AnalysisWindows, analysis_windows, frame_without_text

__all__ = [
    "FRAME_SCHEMA",
    "RELATIONSHIP_KINDS",
    "AnalysisWindows",
    "Database",
    "Derived",
    "FrameWriter",
    "ImportResult",
    "MeUnknown",
    "UnknownPerson",
    "analysis_windows",
    "cached",
    "default_path",
    "derived",
    "derived_parts",
    "frame_without_text",
    "get_me",
    "get_setting",
    "import_batches",
    "import_history",
    "is_cached",
    "known_names",
    "link_identity",
    "list_people",
    "merge_people",
    "message_texts",
    "messages_frame",
    "open_db",
    "resolve_person",
    "set_relationship_kind",
    "set_setting",
    "suggest",
]
