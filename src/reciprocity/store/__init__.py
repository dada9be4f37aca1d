"""Store: the SQLite (or PostgreSQL) database that is the single source of truth.

Stage in the pipeline: ingest -> **store** -> metrics. Parsers never write; this package is
the one place that does, one transaction per imported file, and it hands the analysis stages
a Polars frame.

- :func:`open_db` finds, creates and migrates the database (:mod:`.db`, :mod:`.migrate`,
  Alembic scripts in ``migrations/``); tables in :mod:`.models`.
- :func:`import_batches` saves parsed batches (:mod:`.save`, rows written by :mod:`.bulk`),
  fingerprinting each message (:mod:`.fingerprint`) and linking senders to people
  (:mod:`.people`, which also holds the user's corrections; phone numbers and addresses
  tie identities across apps, :mod:`.linking`; likely matches are :func:`suggestions`).
- :func:`conversation_platforms` says which app each conversation is on (the per-app
  split of the figures, :mod:`reciprocity.metrics.platforms`).
- :func:`messages_frame` and the small listings read it back (:mod:`.read`, rows moved by
  :mod:`.fetch`), whole or window by window (:func:`analysis_windows`, :mod:`.windowed`);
  :func:`derived` keeps frames computed from it (Arrow IPC) until the data
  changes (:mod:`.cache`; :func:`derived_parts` for one built a slice at a time).
- :func:`resolve_person` matches a typed name to someone known, or refuses it with the
  closest names (:mod:`.names`).
- What a person deletes is kept, marked, until undone (:mod:`.trash`); :func:`write_export`
  writes everything to one JSON file (:mod:`.export`); :func:`delete_everything` and
  :func:`location` (:mod:`.wipe`) are the settings' "delete everything" and "where it lives".
- Privacy at rest: files only the user can read (:mod:`.private`), optional encryption with
  a passphrase (:mod:`.cipher`), backups and restores (:mod:`.backup`), and forgetting one
  person everywhere (:mod:`.forget`).
"""

from reciprocity.store.cache import (
    FrameWriter,
    cached,
    data_tag,
    derived,
    derived_parts,
    is_cached,
)
from reciprocity.store.db import Database, default_path, open_db
from reciprocity.store.export import export_chunks, write_export
from reciprocity.store.linking import Region, link_key, phone_region, set_phone_region
from reciprocity.store.listing import people_directory
from reciprocity.store.names import UnknownPerson, known_names, resolve_person, suggest
from reciprocity.store.people import (
    RELATIONSHIP_KINDS,
    MeUnknown,
    find_identity,
    identity_of,
    important_people,
    keep_apart,
    link_identity,
    list_identities,
    merge_people,
    rename_person,
    set_important,
    set_relationship_kind,
    split_identity,
)
from reciprocity.store.read import (
    FRAME_SCHEMA,
    conversation_platforms,
    get_me,
    import_history,
    list_people,
    message_texts,
    messages_frame,
    reactions_frame,
    text_sample,
)
from reciprocity.store.save import Derived, ImportResult, import_batches
from reciprocity.store.settings import get_setting, set_setting
from reciprocity.store.suggestions import Suggestion, suggestions
from reciprocity.store.windowed import AnalysisWindows, analysis_windows, frame_without_text
from reciprocity.store.wipe import Location, delete_everything, is_empty, location

__all__ = [
    "FRAME_SCHEMA",
    "RELATIONSHIP_KINDS",
    "AnalysisWindows",
    "Database",
    "Derived",
    "FrameWriter",
    "ImportResult",
    "Location",
    "MeUnknown",
    "Region",
    "Suggestion",
    "UnknownPerson",
    "analysis_windows",
    "cached",
    "conversation_platforms",
    "data_tag",
    "default_path",
    "delete_everything",
    "derived",
    "derived_parts",
    "export_chunks",
    "find_identity",
    "frame_without_text",
    "get_me",
    "get_setting",
    "identity_of",
    "import_batches",
    "import_history",
    "important_people",
    "is_cached",
    "is_empty",
    "keep_apart",
    "known_names",
    "link_identity",
    "link_key",
    "list_identities",
    "list_people",
    "location",
    "merge_people",
    "message_texts",
    "messages_frame",
    "open_db",
    "people_directory",
    "phone_region",
    "reactions_frame",
    "rename_person",
    "resolve_person",
    "set_important",
    "set_phone_region",
    "set_relationship_kind",
    "set_setting",
    "split_identity",
    "suggest",
    "suggestions",
    "text_sample",
    "write_export",
]
