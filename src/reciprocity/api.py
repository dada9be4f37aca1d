"""The front door for Python users: import chats, analyse them, analyse a corpus.

Every function here wraps what the command line calls (:mod:`reciprocity.pipeline`,
:mod:`reciprocity.corpora`) and returns Polars frames or result objects that hold them;
nothing is computed twice. ``reciprocity`` re-exports these names::

    import reciprocity as rc
    rc.import_file("WhatsApp Chat with Alex.zip", db="my.sqlite", me="Sam")
    rc.analyze(db="my.sqlite").balance            # a Polars DataFrame
    rc.corpus("my-convokit-corpus", "results/").table("balance").collect()
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from reciprocity import pipeline, store
from reciprocity.corpora.convokit import write_convokit
from reciprocity.corpora.engine import EngineName
from reciprocity.corpora.partition import STAGES as CORPUS_TABLES
from reciprocity.corpora.run import CorpusRun, run_corpus, scan_table
from reciprocity.pipeline import Analysis, ImportOutcome, Timings
from reciprocity.store import Database

__all__ = [
    "CORPUS_TABLES",
    "Analysis",
    "CorpusRun",
    "Database",
    "ImportOutcome",
    "Timings",
    "analyze",
    "corpus",
    "corpus_table",
    "import_file",
    "open_db",
    "write_convokit",
]


def open_db(db: str | Path | Database | None = None) -> Database:
    """The database at ``db`` (a file path or URL, created if needed; ``None``: the same
    default as the command line), or ``db`` itself when it is already open.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> open_db(folder / "r.sqlite").path.name
    'r.sqlite'
    """
    return db if isinstance(db, Database) else store.open_db(db)


def import_file(
    path: str | Path,
    *,
    db: str | Path | Database | None = None,
    me: str | None = None,
    format: str = "auto",
) -> ImportOutcome:
    """Import one chat export into ``db`` and run the analysis once, as
    ``reciprocity import`` does. ``me`` is your name as the export writes it (needed on
    the first import). Re-importing the same chat adds nothing.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> chat = folder / "chat.csv"
    >>> _ = chat.write_text(
    ...     "timestamp,sender,text\\n"
    ...     "2024-05-01T10:00:00+00:00,Sam,Are you free tonight?\\n"
    ...     "2024-05-01T10:05:00+00:00,Alex,Yes! How was your day?\\n"
    ... )
    >>> outcome = import_file(chat, db=folder / "r.sqlite", me="Sam")
    >>> outcome.format, outcome.result.messages_added
    ('csv', 2)
    >>> import_file(chat, db=folder / "r.sqlite").result.messages_added
    0
    """
    database = open_db(db)
    outcome = pipeline.import_file(database, path, me=me, format=format)
    pipeline.prepare(database)
    return outcome


def analyze(
    db: str | Path | Database | None = None,
    *,
    silence: timedelta = timedelta(hours=6),
    now: datetime | None = None,
) -> Analysis:
    """Every figure of ``db``'s relationships, as ``reciprocity analyze`` shows them:
    ``.figures``, ``.balance``, ``.exchanges``, ``.ledger``, ``.patterns`` ... are Polars
    DataFrames, ``.records`` one summary per relationship. ``silence`` is the quiet gap
    that starts a new conversation; ``now`` ends the "last 90 days" (default: today).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> chat = folder / "chat.csv"
    >>> _ = chat.write_text(
    ...     "timestamp,sender,text\\n"
    ...     "2024-05-01T10:00:00+00:00,Sam,How are you doing?\\n"
    ...     "2024-05-01T10:05:00+00:00,Alex,Good thanks! And you?\\n"
    ... )
    >>> _ = import_file(chat, db=folder / "r.sqlite", me="Sam")
    >>> result = analyze(folder / "r.sqlite")
    >>> result.figures.select("person", "messages_me", "messages_them").rows()
    [('Alex', 1, 1)]
    >>> "verdict" in result.balance.columns
    True
    """
    return pipeline.analyze(open_db(db), silence=silence, now=now)


def corpus(
    source: str | Path,
    out: str | Path,
    *,
    engine: EngineName = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    partitions: int | None = None,
    silence: timedelta = timedelta(hours=6),
    language: str = "auto",
) -> CorpusRun:
    """Analyse a corpus (a ConvoKit folder, or a Parquet or CSV file of utterances with
    ``conversation_id``, ``speaker``, ``timestamp``, ``text`` and optionally ``reply_to``
    and ``id``) into Parquet tables under ``out``, as ``reciprocity corpus`` does: every
    pair of speakers who reply to each other in a conversation is a dyad. ``engine="dask"``
    runs it on a local Dask cluster of ``workers`` processes, or on the one at
    ``scheduler``; the tables are the same. Read them with :meth:`CorpusRun.table`.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> table = folder / "utterances.csv"
    >>> _ = table.write_text(
    ...     "conversation_id,speaker,timestamp,text\\n"
    ...     "t1,ana,1700000000,I'm so stressed about my exam tomorrow.\\n"
    ...     "t1,raj,1700000300,You've prepared well. Want to go over it together?\\n"
    ... )
    >>> run = corpus(table, folder / "out", language="en")
    >>> run.utterances, run.dyads
    (2, 1)
    >>> run.table("figures").select("speaker_a", "speaker_b", "messages_me").collect().rows()
    [('ana', 'raj', 1)]
    """
    return run_corpus(
        source,
        out,
        engine=engine,
        workers=workers,
        scheduler=scheduler,
        partitions=partitions,
        silence=silence,
        language=language,
    )


def corpus_table(out: str | Path, table: str) -> pl.LazyFrame:
    """One table (one of :data:`CORPUS_TABLES`) of a corpus run's output folder, lazily,
    across all its parts: for a folder written earlier, or elsewhere.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> table = folder / "u.csv"
    >>> _ = table.write_text("conversation_id,speaker,timestamp,text\\n"
    ...                      "a,x,0,Hello there!\\na,y,60,Hi! How are you?\\n")
    >>> _ = corpus(table, folder / "out", language="en")
    >>> corpus_table(folder / "out", "acts").select("id", "question").collect().rows()
    [('0', False), ('1', True)]
    """
    if table not in CORPUS_TABLES:
        raise ValueError(f"no table {table!r}; the tables are {', '.join(CORPUS_TABLES)}")
    return scan_table(out, table)
