"""The demo as a database of its own, next to the user's and never mixed with it.

:func:`demo_path` says where it goes (beside the user's database, named ``…-demo.sqlite``);
:func:`build_demo` writes the demo exports, imports them into a fresh database there and
marks who is who, as ``reciprocity demo`` and the web app's "try it with made-up data"
both do. The user's own database is never opened for writing here.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from reciprocity import ingest, pipeline, store
from reciprocity.demo import ME, TIMEZONE, write_demo
from reciprocity.demo.expected import KINDS
from reciprocity.errors import StoreError

__all__ = ["DEMO_SUFFIX", "Imported", "build_demo", "demo_path", "is_demo_path"]

DEMO_SUFFIX = "-demo.sqlite"
"""How a demo database's file name ends; only such a file is ever replaced."""


@dataclass(frozen=True)
class Imported:
    """One demo export and what importing it did."""

    path: Path
    format: str
    messages_added: int


def demo_path(own: Path | None) -> Path:
    """Where the demo database goes for a user whose database is the file ``own``: beside
    it (``reciprocity.sqlite`` -> ``reciprocity-demo.sqlite``); in the user data folder when
    the user's data is not in a file (a server database)."""
    base = own if own is not None else store.default_path()
    return base.with_name(base.stem.removesuffix("-demo") + DEMO_SUFFIX)


def is_demo_path(path: Path | None) -> bool:
    """Whether ``path`` names a demo database (see :data:`DEMO_SUFFIX`)."""
    return path is not None and path.name.endswith(DEMO_SUFFIX)


def build_demo(target: Path, exports: Path | None = None) -> tuple[store.Database, list[Imported]]:
    """A fresh demo database at ``target`` (a ``…-demo.sqlite`` file, replaced if there),
    from demo exports written to ``exports`` (a temporary folder when ``None``).

    Returns the open database and what each file added.
    """
    if not is_demo_path(target):
        raise StoreError(f"{target} is not a demo database (its name must end in {DEMO_SUFFIX})")
    for suffix in ("", "-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    db = store.open_db(target)
    with tempfile.TemporaryDirectory(prefix="reciprocity-demo-") as tmp:
        folder = exports or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        done = []
        for path in write_demo(folder):
            outcome = pipeline.import_file(
                db, path, me=ME, options=ingest.Options(timezone=TIMEZONE)
            )
            done.append(Imported(path, outcome.format, outcome.result.messages_added))
    for name, kind in KINDS.items():
        store.set_relationship_kind(db, name, kind)
    return db, done
