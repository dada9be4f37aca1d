"""Reciprocity: the give-and-take in your relationships, measured from the chats you already have.

The pipeline runs in one direction (see ``DESIGN.md`` in the shared folder)::

    sources -> ingest -> messages -> acts -> exchanges -> ledger -> metrics -> insights -> surfaces

Each stage is a subpackage with a module docstring saying its role; :mod:`reciprocity.api`
is the front door for Python users, and its names are re-exported here
(``reciprocity.analyze``, ``reciprocity.corpus`` ...). They load on first use, so the
command line does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"


__all__ = [  # noqa: RUF022 - the API's names in its order, then the version
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
    "__version__",
]

if TYPE_CHECKING:
    from reciprocity.api import (
        CORPUS_TABLES,
        Analysis,
        CorpusRun,
        Database,
        ImportOutcome,
        Timings,
        analyze,
        corpus,
        corpus_table,
        import_file,
        open_db,
        write_convokit,
    )


def __getattr__(name: str) -> Any:
    # ``import reciprocity`` stays light (every command imports it); the API and its
    # Polars-heavy modules load when one of its names is first used. (The corpus code is
    # the subpackage ``corpora``, so that ``reciprocity.corpus`` stays the function.)
    if name in __all__ and name != "__version__":
        from reciprocity import api

        return getattr(api, name)
    raise AttributeError(f"module 'reciprocity' has no attribute {name!r}")
