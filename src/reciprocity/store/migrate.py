"""Bringing a database's schema to the version this code expects.

The Alembic scripts ship inside the package (``store/migrations``) and run from code; no
``alembic.ini`` is needed. Opening a database that is already current costs one small
query: Alembic itself is only imported when there is something to upgrade. A new, empty
database gets the tables of :mod:`.models` directly, stamped with :data:`HEAD` (what
Alembic's ``stamp`` writes): a test checks that this is the schema the scripts build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    inspect,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from reciprocity.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")

#: The newest revision in ``migrations/versions``; a test checks they agree.
HEAD = "0009_reaction_views"


def current_revision(conn: Connection) -> str | None:
    """The schema revision recorded in the database, or ``None`` for an empty one."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def alembic_config(connection: Connection | None = None) -> Any:
    """An Alembic ``Config`` pointing at the packaged scripts (for tools and tests)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    """Every revision id this version of the code ships."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def upgrade(engine: Engine, where: str) -> None:
    """Run the migrations ``engine``'s database is missing, all in one transaction.

    ``where`` names the database in messages. Raises :class:`StoreError` when the database
    was written by a newer Reciprocity or is not a Reciprocity database at all.
    """
    with engine.connect() as conn:
        current = current_revision(conn)
        # An empty alembic_version (everything downgraded) still counts as ours.
        foreign = set(inspect(conn).get_table_names()) - {"alembic_version"}
        has_tables = current is None and bool(foreign)
    if current == HEAD:
        return
    if current is not None and current not in known_revisions():
        raise StoreError(
            f"{where} was written by a newer version of Reciprocity (schema {current}). "
            "Upgrade Reciprocity (pip install --upgrade reciprocity) or choose another "
            "database with --db."
        )
    if has_tables:
        raise StoreError(
            f"{where} is not a Reciprocity database. Choose another file with --db "
            "(or RECIPROCITY_DB); Reciprocity creates the file if it does not exist."
        )
    from reciprocity.store.db import begin_write

    try:
        with engine.connect() as conn, begin_write(conn):
            # Another program may have prepared it while this one waited for the lock.
            current = current_revision(conn)
            if current == HEAD:
                return
            if current is None:
                create(conn)
            else:
                from alembic import command

                command.upgrade(alembic_config(conn), "head")
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise StoreError(f"could not prepare {where}: {reason}") from exc


def create(conn: Connection) -> None:
    """Create every table of an empty database at :data:`HEAD`, as the migration scripts
    would (a few times faster: Alembic and its template engine are not loaded), and record
    the revision in ``alembic_version`` as Alembic does."""
    from reciprocity.store.models import Base
    from reciprocity.store.views import create_views

    Base.metadata.create_all(conn)
    create_views(conn)
    version = Table(
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    version.create(conn, checkfirst=True)  # left empty by a downgrade to nothing
    conn.execute(version.insert().values(version_num=HEAD))
