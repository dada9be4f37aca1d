"""The pipeline, stage by stage, each stage timed.

This is the one place that names the stages in order (DESIGN "Pipeline")::

    import:   detect format -> parse (ingest) -> save (store, one transaction)
              a folder or an archive: walk it, detect each file by content
              (ingest.containers) -> each export imported as above, on its own
    analyze:  read messages (store) -> acts (stored per detector version) -> figures
              -> exchanges -> ledger (+ journal, + group events) -> balance -> patterns
    groups:   group messages -> acts -> who answered whom -> events between me and each
              member, weighted below one-to-one (:mod:`reciprocity.pipeline_groups`)

Surfaces (CLI, web, reports) call these functions and only translate their results.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import os
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from reciprocity import __version__, acts, exchanges, ingest, ledger, metrics, parse_apart, store
from reciprocity.acts import combine as acts_combine
from reciprocity.acts import context as acts_context
from reciprocity.acts import language as acts_language
from reciprocity.errors import ImportFailed, ReciprocityError, StoreError
from reciprocity.exchanges.summary import (
    combine_exchange_figures,
    combine_reply_speed,
    exchange_figures,
    reply_turns,
)
from reciprocity.exchanges.windowed import exchanges_by_window
from reciprocity.ledger.reactions import reaction_events
from reciprocity.ledger.windowed import ledger_windows
from reciprocity.metrics import textual
from reciprocity.metrics.balance import (
    balance_part,
    combine_balance,
    keep_recent,
    merge_balance_parts,
    window_end,
)
from reciprocity.metrics.figure_parts import FigurePart, combine_figures, figure_part
from reciprocity.metrics.groups import ROLES_SCHEMA, SOURCES_SCHEMA, GroupRecord, group_records
from reciprocity.metrics.patterns import ActCounts, act_counts, patterns_from_counts, sum_act_counts
from reciprocity.metrics.platforms import PLATFORMS_SCHEMA, combine_platforms, platform_part
from reciprocity.metrics.record import RelationshipRecord, relationship_records
from reciprocity.pipeline_groups import GroupFrames, group_frames, ledger_part, with_group_events
from reciprocity.store.groups import group_people, group_text_sample


@dataclass
class Timings:
    """Seconds spent per stage, in the order the stages ran."""

    stages: dict[str, float] = field(default_factory=dict)
    # Seconds that stages nested in the open ones took, innermost last.
    _inner: list[float] = field(default_factory=list, repr=False)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the body of a ``with`` block as stage ``name`` (accumulates on repeats).

        A stage opened inside another counts for itself only: its time is taken off the
        outer one's, so the stages add up to the time spent (the import's save pulls the
        parse through, the analysis pulls each window through several stages)."""
        start = time.perf_counter()
        self._inner.append(0.0)
        try:
            yield
        finally:
            spent = time.perf_counter() - start
            inner = self._inner.pop()
            self.stages[name] = self.stages.get(name, 0.0) + spent - inner
            if self._inner:
                self._inner[-1] += spent

    @property
    def total(self) -> float:
        """Sum of all stage times."""
        return sum(self.stages.values())


@dataclass(frozen=True)
class ImportOutcome:
    """What one file's import did, with its stage timings.

    ``notes``: what the parser chose where the file left it open, in sentences for the
    user (the date order of an ambiguous WhatsApp export).
    """

    path: Path
    format: str
    result: store.ImportResult
    timings: Timings
    notes: tuple[str, ...] = ()


def import_file(
    db: store.Database,
    path: str | Path,
    *,
    me: str | None = None,
    format: str = "auto",
    options: ingest.Options | None = None,
    on_batch: Callable[[int], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> ImportOutcome:
    """Parse ``path`` and save its messages to ``db`` in one transaction. Into an empty
    database it also detects the messages' acts as it saves, and stores them for
    :func:`prepare`.

    ``on_batch`` is called with the number of messages in each parsed batch (for progress
    bars); ``on_wait`` once if the save has to wait for another program's write (another
    import) to finish first. Raises :class:`~reciprocity.errors.ImportFailed` and writes
    nothing when the file has problems; re-importing the same chat (under any file name)
    adds nothing. A folder or an archive of several exports goes through
    :func:`import_container` instead.
    """
    path = Path(path)
    timings = Timings()
    with timings.stage("detect"):
        name = ingest.detect(path) if format == "auto" else format
    options = _with_zone(db, options or ingest.Options())
    if me is None and ingest.takes_addresses(name):
        me = store.get_setting(db, ADDRESSES_SETTING)
    me, options = ingest.who_is_me(name, me, options)
    options = replace(options, notes=[], groups=[])
    return _import(
        db,
        path,
        name,
        _reading(name, [path], ingest.batches, (path, name, options), options),
        me=me,
        options=options,
        timings=timings,
        on_batch=on_batch,
        on_wait=on_wait,
    )


def _reading(
    format: str,
    paths: list[Path],
    make: Callable[..., Iterator[pl.DataFrame]],
    args: tuple[Any, ...],
    options: ingest.Options,
) -> Callable[[], Iterator[pl.DataFrame]]:
    """How the batches of ``paths`` are read: ``make(*args)``, in a process of its own when
    they are big and their format's parser is mostly Python (:mod:`.parse_apart`)."""
    if parse_apart.worth_it(format, paths):
        return lambda: parse_apart.batches_apart(make, args, options, str(paths[0]))
    return lambda: make(*args)


def _import(
    db: store.Database,
    path: Path,
    name: str,
    batches: Callable[[], Iterator[pl.DataFrame]],
    *,
    me: str | None,
    options: ingest.Options,
    timings: Timings,
    on_batch: Callable[[int], None] | None,
    on_wait: Callable[[], None] | None,
) -> ImportOutcome:
    """Save what ``batches()`` parses, as one import of ``path`` in format ``name``.

    A format that always names the user the same way (signal-export's ``Me``) says so
    with ``OWN_NAME``; that name is the user's in its files, whatever ``me`` says.
    """
    module = ingest.FORMATS.get(name)
    me = getattr(module, "OWN_NAME", None) or me

    def parsed() -> Iterator[pl.DataFrame]:
        ahead = _ahead(batches())
        try:
            while True:
                with timings.stage("parse"):
                    batch = next(ahead, None)
                if batch is None:
                    return
                if on_batch is not None:
                    on_batch(batch.height)
                yield batch
        finally:
            ahead.close()

    # Act detection needs only each message's text, so it runs on the batches as they are
    # saved (on a thread: the save leaves a core idle part of the time) rather than on
    # the text read back by the analysis.
    memo = ActsMemo()
    acts_found = store.Derived(_acts_name(), lambda texts: detect_acts(texts, memo))
    with timings.stage("save"):
        result = store.import_batches(
            db,
            parsed(),
            file=str(path),
            me=me,
            format=name,
            derived=acts_found,
            on_wait=on_wait,
            groups=options.groups,
        )
    if store.get_setting(db, ZONE_SETTING) is None and options.timezone is not None:
        store.set_setting(db, ZONE_SETTING, options.timezone)
    if options.own_addresses:
        store.set_setting(db, ADDRESSES_SETTING, ", ".join(options.own_addresses))
    notes = tuple(options.notes or ())
    return ImportOutcome(path=path, format=name, result=result, timings=timings, notes=notes)


@dataclass(frozen=True)
class ExportOutcome:
    """One export of a container: what its import did, or why it failed (then nothing
    of it was written). ``label`` is its path inside the container."""

    label: str
    format: str
    outcome: ImportOutcome | None = None
    error: ReciprocityError | None = None


@dataclass(frozen=True)
class ContainerOutcome:
    """What importing a folder or an archive did: one entry per export found in it, in
    the order they were imported, and the files no format reads (skipped)."""

    path: Path
    exports: tuple[ExportOutcome, ...]
    skipped: tuple[ingest.containers.Skipped, ...]

    @property
    def messages_added(self) -> int:
        """New messages saved, over every export."""
        return sum(e.outcome.result.messages_added for e in self.exports if e.outcome)

    @property
    def reactions_added(self) -> int:
        """New reactions over all the exports imported."""
        return sum(e.outcome.result.reactions_added for e in self.exports if e.outcome)


def is_container(path: str | Path) -> bool:
    """Whether ``path`` is a folder or an archive holding exports, rather than one export
    (see :func:`import_container`)."""
    return ingest.containers.is_container(Path(path), ingest.FORMATS)


def import_container(
    db: store.Database,
    path: str | Path,
    *,
    me: str | None = None,
    format: str = "auto",
    options: ingest.Options | None = None,
    on_batch: Callable[[int], None] | None = None,
    on_wait: Callable[[], None] | None = None,
    on_export: Callable[[int, int, str], None] | None = None,
    unpack_in: Path | None = None,
) -> ContainerOutcome:
    """Import every export in the folder or zip at ``path``, each in its own transaction.

    Exports are found by their content (:mod:`reciprocity.ingest.containers`); with
    ``format`` other than ``"auto"`` only exports of that format are imported, the rest
    skipped. One export that fails does not stop the others: its error is in its
    :class:`ExportOutcome` and nothing of it is written. ``on_export(number, count,
    label)`` is called before each export's import (1-based, for progress), ``on_batch``
    and ``on_wait`` as in :func:`import_file`. A zip is unpacked into a private temporary
    folder inside ``unpack_in`` (default: the system's), removed at the end. Raises
    :class:`~reciprocity.errors.ImportFailed` when the container itself cannot be read
    (a damaged zip, one over the unpacking caps); nothing is written then.
    """
    from reciprocity.ingest import telegram

    path = Path(path)
    base = _with_zone(db, options or ingest.Options())
    if base.conversation is not None:
        raise ImportFailed.one(
            str(path),
            None,
            "holds several exports, and one conversation name cannot name them all; "
            "import it without a conversation name, or import one export at a time",
        )
    done: list[ExportOutcome] = []
    with ingest.containers.open_container(path, ingest.FORMATS, unpack_in) as contents:
        skipped = list(contents.skipped)
        exports = []
        for export in contents.exports:
            if format in ("auto", export.format):
                exports.append(export)
            else:
                skipped.append(ingest.containers.Skipped(export.label, f"a {export.format} export"))
        for number, export in enumerate(exports, start=1):
            if on_export is not None:
                on_export(number, len(exports), export.label)
            shown = Path(ingest.containers.display(export.label, path))
            who = me
            if who is None and export.format == telegram.NAME:
                who = telegram.account_owner(export.paths[0])
            if who is None and ingest.takes_addresses(export.format):
                who = store.get_setting(db, ADDRESSES_SETTING)
            who, export_options = ingest.who_is_me(
                export.format, who, replace(base, notes=[], groups=[])
            )
            try:
                outcome = _import(
                    db,
                    shown,
                    export.format,
                    _reading(
                        export.format,
                        list(export.paths),
                        ingest.export_batches,
                        (export, export_options),
                        export_options,
                    ),
                    me=who,
                    options=export_options,
                    timings=Timings(),
                    on_batch=on_batch,
                    on_wait=on_wait,
                )
            except ReciprocityError as error:
                error = _renamed(error, path, contents)
                done.append(ExportOutcome(export.label, export.format, error=error))
                continue
            notes = tuple(contents.named(note, path) for note in outcome.notes)
            outcome = replace(outcome, notes=notes)
            done.append(ExportOutcome(export.label, export.format, outcome=outcome))
    return ContainerOutcome(path=path, exports=tuple(done), skipped=tuple(skipped))


def _renamed(
    error: ReciprocityError, container: Path, contents: ingest.containers.Contents
) -> ReciprocityError:
    """``error`` with the unpacking folder's paths in its problems named as places in
    ``container`` (``/tmp/reciprocity-unpacked-x/1/a.json`` -> ``fb.zip/a.json``)."""
    if not isinstance(error, ImportFailed):
        return error
    problems = []
    for problem in error.problems:
        place = contents.place(problem.source)
        source = problem.source if place is None else ingest.containers.display(place, container)
        problems.append(replace(problem, source=source))
    return ImportFailed(problems)


#: Parsed batches waiting to be saved (each is at most ~100k messages): bounds memory.
_BATCHES_AHEAD = 2


_T = TypeVar("_T")


def _ahead(
    batches: Iterator[_T], ahead: int = _BATCHES_AHEAD, *, name: str = "parse"
) -> Generator[_T, None, None]:
    """``batches``, parsed on a thread of their own up to ``ahead`` batches ahead of the
    consumer (besides the one being made).

    Saving (SQLite) and parsing (Polars) both release the interpreter lock for most of
    their work, so on two cores the parse hides behind the save. An exception of the
    parser (``ImportFailed``) is raised to the consumer where the batch would have come.
    """
    slots: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        slots.put(("batch", batch), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(("end", None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            slots.put(("error", exc))

    worker = threading.Thread(target=produce, name=f"reciprocity-{name}", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = slots.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            # Unblock a producer waiting on a full queue, then let it see ``stop``.
            with contextlib.suppress(queue.Empty):
                slots.get_nowait()
            worker.join(timeout=0.05)


#: Settings key for the zone that clock times without an offset are read in.
ZONE_SETTING = "timezone"
#: The user's own addresses (email) as ``--me`` last gave them, for imports without ``--me``.
ADDRESSES_SETTING = "own_addresses"


def _with_zone(db: store.Database, options: ingest.Options) -> ingest.Options:
    """Options whose ``timezone`` is set: the caller's, else the database's, else the machine's.

    Exports like WhatsApp's write wall-clock times; the zone they are read in decides the
    stored UTC time and so the fingerprint. Remembering the first import's zone keeps a
    re-import on another machine (or after a clock change of the laptop) from duplicating.
    """
    if options.timezone is not None:
        return options
    zone = store.get_setting(db, ZONE_SETTING) or ingest.local_timezone_name()
    return replace(options, timezone=zone)


class Analysis:
    """Everything the surfaces show, with how long each stage took.

    - ``figures``: first figures per relationship (:func:`reciprocity.metrics.relationship_figures`)
    - ``exchanges``: each message with what answered it (:func:`reciprocity.exchanges.exchanges`)
    - ``ledger``: who gave what to whom, from messages and the journal
    - ``balance``: give share per relationship, dimension and window, with interval and verdict
    - ``exchange_figures``, ``reply_speed``: per-relationship summaries of the exchanges
    - ``patterns``: the cross-relationship patterns, each with its evidence
    - ``groups``: who carries each group chat, a row per group and member, the user
      included (:func:`reciprocity.metrics.groups.group_roles`)
    - ``sources``: the part of each relationship's give and take that came from each
      group (:func:`reciprocity.metrics.groups.source_split`)
    - ``platforms``: each relationship's one-to-one messages per app
      (:mod:`reciprocity.metrics.platforms`)
    - ``records``: one :class:`~reciprocity.metrics.record.RelationshipRecord` per
      relationship, made once from the frames above: what every surface formats
    - ``languages``: per relationship, the language of its messages and whether their
      message kinds are read (``acts_read``; when False its support figures are not
      measured, not zero: :func:`languages`)

    ``exchanges`` and ``ledger`` are a row per message or event (a million rows for a big
    chat); either may be given as a function that loads it, called on first use, so a
    surface that shows only the summaries never reads them.
    """

    __slots__ = (
        "_contacts",
        "_exchanges",
        "_languages",
        "_ledger",
        "_records",
        "balance",
        "exchange_figures",
        "figures",
        "groups",
        "patterns",
        "platforms",
        "reply_speed",
        "sources",
        "timings",
    )

    def __init__(
        self,
        *,
        figures: pl.DataFrame,
        exchanges: pl.DataFrame | Callable[[], pl.DataFrame],
        ledger: pl.DataFrame | Callable[[], pl.DataFrame],
        balance: pl.DataFrame,
        exchange_figures: pl.DataFrame,
        reply_speed: pl.DataFrame,
        patterns: pl.DataFrame,
        timings: Timings,
        languages: pl.DataFrame | Callable[[], pl.DataFrame] | None = None,
        groups: pl.DataFrame | None = None,
        sources: pl.DataFrame | None = None,
        platforms: pl.DataFrame | None = None,
        contacts: Callable[[], pl.DataFrame] | None = None,
    ) -> None:
        self._contacts: pl.DataFrame | Callable[[], pl.DataFrame] | None = contacts
        self._languages = languages
        self.platforms = pl.DataFrame(schema=PLATFORMS_SCHEMA) if platforms is None else platforms
        self.groups = pl.DataFrame(schema=ROLES_SCHEMA) if groups is None else groups
        self.sources = pl.DataFrame(schema=SOURCES_SCHEMA) if sources is None else sources
        self.figures = figures
        self._exchanges = exchanges
        self._ledger = ledger
        self.balance = balance
        self.exchange_figures = exchange_figures
        self.reply_speed = reply_speed
        self.patterns = patterns
        self.timings = timings
        self._records: list[RelationshipRecord] | None = None

    @property
    def records(self) -> list[RelationshipRecord]:
        """One record per relationship, every figure a surface shows (made on first use)."""
        if self._records is None:
            self._records = relationship_records(
                self.figures,
                self.balance,
                self.exchange_figures,
                self.reply_speed,
                sources=self.sources,
                platforms=self.platforms,
            )
        return self._records

    @property
    def group_records(self) -> list[GroupRecord]:
        """One record per group chat (who carries it, where the user stands), most
        messages first: what every surface formats of the groups."""
        return group_records(self.groups)

    @property
    def exchanges(self) -> pl.DataFrame:
        """Each message with what answered it (loaded on first use)."""
        if not isinstance(self._exchanges, pl.DataFrame):
            self._exchanges = self._exchanges()
        return self._exchanges

    @property
    def contacts(self) -> pl.DataFrame:
        """Who wrote when in the one-to-one chats: the exchanges' :data:`CONTACT_COLUMNS`
        (what the "last heard from" figures read), loaded alone when the exchanges are not
        loaded already."""
        if isinstance(self._exchanges, pl.DataFrame) or self._contacts is None:
            return self.exchanges.select(CONTACT_COLUMNS)
        if not isinstance(self._contacts, pl.DataFrame):
            self._contacts = self._contacts()
        return self._contacts

    @property
    def ledger(self) -> pl.DataFrame:
        """Who gave what to whom, from messages and the journal (loaded on first use)."""
        if not isinstance(self._ledger, pl.DataFrame):
            self._ledger = self._ledger()
        return self._ledger

    @property
    def languages(self) -> pl.DataFrame:
        """Per relationship: ``language``, ``language_name``, ``confidence``, ``acts_read``
        (loaded on first use; empty when not given)."""
        if self._languages is None:
            return pl.DataFrame(
                schema={"relationship_id": pl.Int64, "language": pl.String,
                        "language_name": pl.String, "confidence": pl.Float32,
                        "acts_read": pl.Boolean}
            )  # fmt: skip
        if not isinstance(self._languages, pl.DataFrame):
            self._languages = self._languages()
        return self._languages

    def acts_read(self, relationship_id: int) -> bool:
        """Whether that relationship's message kinds are read (False: the language is one
        without rules and a model, so its support figures are not measured)."""
        row = self.languages.filter(pl.col("relationship_id") == relationship_id)
        return row.is_empty() or bool(row["acts_read"][0])

    def unread(self) -> pl.DataFrame:
        """The relationships whose message kinds are not read: ``relationship_id``,
        ``person``, ``language_name`` and ``note`` ("message kinds not read for German");
        their support figures are not measured."""
        langs = self.languages.filter(~pl.col("acts_read"))
        people = self.figures.select("relationship_id", "person")
        return langs.join(people, on="relationship_id", how="inner").select(
            "relationship_id",
            "person",
            "language_name",
            pl.concat_str(pl.lit("message kinds not read for "), "language_name").alias("note"),
        )

    def language_note(self, relationship_id: int) -> str | None:
        """ "message kinds not read for <language>" for such a relationship, else ``None``."""
        if self.acts_read(relationship_id):
            return None
        row = self.languages.filter(pl.col("relationship_id") == relationship_id)
        return acts_language.not_read_note(str(row["language"][0]))


def detector_id(lang: str = "en") -> str:
    """Names the act detector's exact state: package version and a digest of its language
    data (rules and model weights), so stored acts are recomputed when either changes."""
    folder = Path(acts.__file__).parent / "lang" / lang
    digest = hashlib.sha256(__version__.encode())
    # the context rules and the gates that merge rules and model are code: a change to
    # either changes what is stored too
    digest.update(Path(acts_context.__file__).read_bytes())
    digest.update(Path(acts_combine.__file__).read_bytes())
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(file.relative_to(folder).as_posix().encode())
        digest.update(file.read_bytes())
    return f"{lang}-{digest.hexdigest()[:16]}"


#: Messages per act-detection chunk: bounds the detector's working memory (its token table
#: is about 30 rows per message) and lets two chunks run at once on two cores.
ACTS_CHUNK = 50_000


#: What :func:`detect_acts` finds per message: the acts, the disclosure depth and the text
#: features the later stages read instead of the text (:mod:`reciprocity.metrics.textual`).
FOUND_COLUMNS = (
    *acts.ACTS,
    "disclosure_depth",
    "leans_support",
    *textual.feature_names(tuple(exchanges.TEXT_FLAGS)),
)


def _found(texts: pl.Series) -> pl.DataFrame:
    detected = acts.detect(texts).select(*acts.ACTS, "disclosure_depth", "leans_support")
    features = texts.to_frame("text").select(textual.text_features(exchanges.TEXT_FLAGS))
    return pl.concat([detected, features], how="horizontal")


def _found_table(distinct: pl.Series) -> pl.DataFrame:
    """:data:`FOUND_COLUMNS` and ``text`` for each of the ``distinct`` texts, in chunks of
    :data:`ACTS_CHUNK` on a few threads (Polars releases the interpreter lock while it
    works)."""
    if distinct.len() <= ACTS_CHUNK:
        found = _found(distinct)
    else:
        chunks = [distinct.slice(at, ACTS_CHUNK) for at in range(0, distinct.len(), ACTS_CHUNK)]
        workers = max(1, min(4, os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            found = pl.concat(pool.map(_found, chunks))
    return found.with_columns(distinct.alias("text"))


def detect_acts(texts: pl.Series, memo: ActsMemo | None = None) -> pl.DataFrame:
    """:func:`reciprocity.acts.detect`'s act columns and ``disclosure_depth`` for ``texts``,
    then the text features (:data:`FOUND_COLUMNS`).

    The same rows as one call of the detector, in order, computed faster and in bounded
    memory: each distinct text is detected once (chats repeat "ok", "haha", "good night"
    a lot), and the distinct texts go in chunks of :data:`ACTS_CHUNK` to a few threads.
    With a ``memo`` (texts of earlier calls), what it holds is not detected again.
    """
    frame = texts.cast(pl.String).alias("text").to_frame()
    distinct = frame.unique(maintain_order=True)
    if memo is None or memo.table is None:
        table = _found_table(distinct["text"])
        if memo is not None:
            memo.keep(table)
    else:
        new = distinct.join(memo.table.select("text"), on="text", how="anti", nulls_equal=True)
        table = memo.table
        if new.height:  # often none: a long chat soon says nothing it has not said before
            found = _found_table(new["text"])
            table = pl.concat([table, found], how="vertical")
            memo.keep(found)
    joined = frame.join(table, on="text", how="left", maintain_order="left", nulls_equal=True)
    return joined.select(FOUND_COLUMNS)


class ActsMemo:
    """What :func:`detect_acts` found for short texts, so that a later call (the next
    window of a long chat) does not detect them again: chats say "ok", "haha" and
    "good night" all the time. Bounded: texts of at most :attr:`chars` characters, at
    most :attr:`size` of them (5 to 15 MB), the first ones seen."""

    chars = 256
    size = 50_000

    def __init__(self) -> None:
        self.table: pl.DataFrame | None = None

    def keep(self, found: pl.DataFrame) -> None:
        """Remember the short texts of ``found`` (:data:`FOUND_COLUMNS` and ``text``)."""
        held = 0 if self.table is None else self.table.height
        short = found.filter(pl.col("text").str.len_chars().fill_null(0) <= self.chars)
        short = short.head(max(0, self.size - held))
        # The texts copied out: a filtered text column still points into the buffers of
        # the whole column it came from (every text of the window or corpus bucket), and
        # the memo would keep all of them alive (90 MiB more per corpus worker after a
        # few buckets, growing with every bucket that adds a text).
        short = short.with_columns(pl.Series("text", short["text"].to_list(), dtype=pl.String))
        self.table = short if self.table is None else pl.concat([self.table, short])


def acts_frame(db: store.Database, timings: Timings | None = None) -> pl.DataFrame:
    """The analysis frame with a Boolean per act, ``disclosure_depth`` and the text
    features appended (:data:`FOUND_COLUMNS`), without the text and the reply link: no
    later stage reads them, and on a long chat the text is half the frame's memory.

    Detection runs once per state of the data and detector; the result is stored in the
    database and reused until either changes. While it is stored, the text is not read at
    all: the frame is made of the messages' key columns.
    """
    timings = timings or Timings()
    name = _acts_name()
    found: pl.DataFrame | None = None
    with timings.stage("read"):
        if store.is_cached(db, name):
            # The acts are stored: the text is not needed, only the key columns.
            version, frame = store.frame_without_text(db)
            found = store.cached(db, name, version)
        if found is None:
            frame = store.messages_frame(db)

    def detect() -> pl.DataFrame:
        return detect_acts(frame["text"]).with_columns(frame["message_id"])

    with timings.stage("acts"):
        if found is None:
            found = store.derived(db, name, detect)
        found = _in_order_of(frame["message_id"], found)
        kept = frame.drop("text", "reply_to_message_id", strict=False)
        frame = in_context(pl.concat([kept, found.drop("message_id")], how="horizontal"))
        frame = unread_blanked(frame, languages(db))
    return frame


def in_context(frame: pl.DataFrame) -> pl.DataFrame:
    """The acts of ``frame`` (messages with their found acts, in time order per
    relationship) read in context: :func:`reciprocity.acts.context.in_chat`, episodes cut
    at silences of the default answer window."""
    return acts_context.in_chat(frame, exchanges.ANSWER_WINDOW)


def languages(db: store.Database) -> pl.DataFrame:
    """The language of each relationship's messages: ``relationship_id``, ``language``,
    ``language_name``, ``confidence`` and ``acts_read`` (False: its message kinds are not
    read, and its support figures are not measured). Found once per state of the data
    (:func:`reciprocity.acts.language.conversation_languages`) and stored."""
    return store.derived(db, _languages_name(), lambda: _find_languages(db))


def _languages_name() -> str:
    return f"languages/{detector_id()}"


def _find_languages(db: store.Database) -> pl.DataFrame:
    # A sample of each chat's longer messages, not every message's text.
    return acts_language.conversation_languages(store.text_sample(db), by="relationship_id")


def _grouped(db: store.Database, journal: pl.DataFrame | None) -> pl.DataFrame | None:
    """People known from group chats, by whom journal entries about someone with no
    one-to-one chat are matched (none needed without a journal)."""
    return None if journal is None or journal.is_empty() else group_people(db)


def group_languages(db: store.Database) -> pl.DataFrame:
    """The language of each group chat's messages, as :func:`languages` by relationship:
    ``conversation_id``, ``language``, ``language_name``, ``confidence``, ``acts_read``."""
    return store.derived(db, _group_languages_name(), lambda: _find_group_languages(db))


def _group_languages_name() -> str:
    return f"group_languages/{detector_id()}"


def _find_group_languages(db: store.Database) -> pl.DataFrame:
    return acts_language.conversation_languages(group_text_sample(db), by="conversation_id")


def unread_blanked(frame: pl.DataFrame, langs: pl.DataFrame | None) -> pl.DataFrame:
    """``frame`` with no act claimed for relationships whose language is not read (every
    act False, depth 0): English rules say nothing true about a German chat."""
    return acts_language.unread_blanked(frame, langs, by="relationship_id")


def _in_order_of(ids: pl.Series, found: pl.DataFrame) -> pl.DataFrame:
    """``found`` (rows with a ``message_id``) in the order of ``ids``: the acts an import
    stores come in id order, the timeline's order may differ."""
    if found["message_id"].equals(ids):
        return found
    return ids.to_frame("message_id").join(
        found, on="message_id", how="left", maintain_order="left"
    )


def analyze(
    db: store.Database,
    *,
    silence: timedelta = timedelta(hours=6),
    narrow: bool = False,
    now: datetime | None = None,
) -> Analysis:
    """Run every analysis stage over what is stored in ``db``, in pipeline order.

    Each stage's result is kept in the database (:func:`reciprocity.store.derived`) under a
    name that says what it depends on besides the stored messages (detector, silence gap,
    journal), and reused until one of those changes: once an import has run the analysis
    (:func:`prepare`), this only reads the small per-relationship frames back.

    ``narrow`` gives exchanges with only :data:`DOWNSTREAM_COLUMNS`, which is all that the
    later stages, the guides and the pages read of them: at a million messages that is
    a third of the memory of all sixty-odd columns.

    ``now`` (default: the clock) says which day the "last 90 days" end on
    (:func:`reciprocity.metrics.balance.window_end`); tests pass a fixed one.
    """
    return _run(db, silence=silence, narrow=narrow, now=now)


@contextmanager
def _in_memory_engine() -> Iterator[None]:
    """Polars' in-memory engine for :func:`prepare`, for as long as it runs (Polars'
    setting is the process's: another thread's queries use it meanwhile too; and
    :func:`analyze`, which the pages call at once, mostly reads stored results, so it
    leaves the setting alone).

    Polars 2 picks its streaming engine for most queries by default. The analysis works on
    frames that fit in memory (a window of a long chat at most), made by many small
    queries: the in-memory engine runs them with less overhead, about a tenth faster over
    a 1M-message chat, in slightly less memory. The import's parsing and act detection,
    big string passes over whole batches, are faster with the default, so they keep it.
    """
    with pl.Config(engine_affinity="in-memory"):
        yield


#: The exchanges' columns that say who wrote when (:attr:`Analysis.contacts`).
CONTACT_COLUMNS = ("relationship_id", "person", "from_me", "timestamp")

#: The exchanges columns that the stages after it read (ledger, summaries, patterns):
#: what :func:`prepare` keeps of each window's exchanges while the rest is stored.
DOWNSTREAM_COLUMNS = (
    "relationship_id",
    "person",
    "message_id",
    "from_me",
    "timestamp",
    "turn",
    "answered",
    "latency_s",
    *acts.ACTS,
    "disclosure_depth",
    "depth_matched",
    "disclosure_response",
    "supported",
    "good_news_response",
    "good_news_reaction",
    "request_outcome",
    "after_decline",
)


def _run(
    db: store.Database, *, silence: timedelta, narrow: bool = False, now: datetime | None = None
) -> Analysis:
    """The stages of :func:`analyze`, each read back from the store when it was kept."""
    timings = Timings()
    journal = _journal(db)
    as_of = window_end(now)
    names = _names(silence, journal, as_of)
    frames: dict[str, pl.DataFrame] = {}

    def frame() -> pl.DataFrame:
        if "acts" not in frames:
            frames["acts"] = acts_frame(db, timings)
        return frames["acts"]

    def stage(name: str, key: str, build: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        with timings.stage(name):
            return store.derived(db, key, build)

    def handed_over() -> pl.DataFrame:
        # Pairing is the acts frame's last reader (the figures come first): it gets the
        # frame to itself and lets go of the texts as soon as it has what it needs of them.
        frame()
        return frames.pop("acts")

    def exchange_parts() -> Iterator[pl.DataFrame]:
        return exchanges.exchange_parts(
            handed_over(), window=silence, reactions=private_reactions()
        )

    def paired() -> pl.DataFrame:
        if "exchanges" not in frames:
            with timings.stage("exchanges"):
                frames["exchanges"] = store.derived_parts(
                    db, names.exchanges, exchange_parts, DOWNSTREAM_COLUMNS if narrow else None
                )
        return frames["exchanges"]

    def contacts() -> pl.DataFrame:
        # Four columns of the cached exchanges, not all of them: at a million messages
        # 0.12 s against 0.47 s, on every command and page that says when people last wrote.
        if "exchanges" in frames:
            return frames["exchanges"].select(CONTACT_COLUMNS)
        with timings.stage("exchanges"):
            return store.derived_parts(db, names.exchanges, exchange_parts, CONTACT_COLUMNS)

    reacted: list[pl.DataFrame] = []

    def private_reactions() -> pl.DataFrame:
        # Read once: they answer good news in the exchanges and are attention in the ledger.
        if not reacted:
            reacted.append(store.reactions_frame(db))
        return reacted[0]

    grouped: list[GroupFrames] = []

    def group() -> GroupFrames:
        if not grouped:
            with timings.stage("groups"):
                grouped.append(
                    group_frames(
                        db,
                        silence=silence,
                        detect=detect_acts,
                        stored=lambda: store.cached(db, names.acts),
                        languages=group_languages(db),
                    )
                )
        return grouped[0]

    def events() -> pl.DataFrame:
        if "ledger" not in frames:
            # Stored coded (as prepare stores it); readers get the text the ledger's
            # schema promises. The group events come after the one-to-one ones.
            built = stage(
                "ledger",
                names.ledger,
                lambda: pl.concat(
                    [
                        with_group_events(
                            ledger.ledger(
                                paired(),
                                journal,
                                silence=silence,
                                coded=True,
                                others=_grouped(db, journal),
                            ),
                            group().events,
                        ),
                        reaction_part(db, private_reactions()),
                    ],
                    how="vertical",
                ),
            )
            frames["ledger"] = ledger.decoded(built)
        return frames["ledger"]

    figures = stage(
        "figures",
        names.figures,
        lambda: metrics.relationship_figures(frame(), silence=silence),
    )
    # Before the exchanges: pairing takes the acts frame over (see `handed_over`).
    apps = stage(
        "figures",
        names.platforms,
        lambda: combine_platforms([platform_part(frame())], store.conversation_platforms(db)),
    )
    summary = stage("balance", names.exchange_figures, lambda: exchanges.exchange_figures(paired()))
    speed = stage("balance", names.reply_speed, lambda: exchanges.reply_speed(paired()))
    balance = stage("balance", names.balance, lambda: metrics.balance(events(), as_of=as_of))
    found = stage(
        "patterns",
        names.patterns,
        lambda: patterns_from_counts(
            balance,
            sum_act_counts([act_counts(paired()), group().counts]),
            store.list_people(db),
        ),
    )
    roles = stage("groups", names.group_roles, lambda: group().roles)
    sources = stage("groups", names.group_sources, lambda: group().sources)
    return Analysis(
        figures=figures,
        exchanges=frames.get("exchanges", paired),
        contacts=contacts,
        ledger=frames.get("ledger", events),
        balance=balance,
        exchange_figures=summary,
        reply_speed=speed,
        patterns=found,
        timings=timings,
        languages=lambda: languages(db),
        groups=roles,
        sources=sources,
        platforms=apps,
    )


@dataclass(frozen=True)
class _Names:
    """The names the stages' results are kept under: each says what the result depends on
    besides the stored messages (detector, silence gap, journal)."""

    acts: str
    figures: str
    exchanges: str
    ledger: str
    exchange_figures: str
    reply_speed: str
    balance: str
    patterns: str
    group_roles: str
    group_sources: str
    platforms: str


def _acts_name(detector: str | None = None) -> str:
    """The name the acts are kept under (they depend on the detector only)."""
    return f"message_acts/{detector or detector_id()}"


#: What the stages after the acts compute (the exchanges' rules, the balance's columns and
#: verdicts, the patterns): bumped when one changes, so results stored before are rebuilt
#: (.6: the patterns' sentences write big counts with their thousands grouped).
ANALYSIS_VERSION = f"v{exchanges.RULES_VERSION}.6"


def _names(silence: timedelta, journal: pl.DataFrame | None, as_of: datetime) -> _Names:
    detector = f"{detector_id()}/{ANALYSIS_VERSION}"
    gap = f"{int(silence.total_seconds())}s"
    # Everything downstream of the ledger also depends on the journal.
    keyed = f"{detector}/{gap}/{_digest(journal)}"
    return _Names(
        acts=_acts_name(),
        figures=f"figures/{gap}",
        exchanges=f"exchanges/{detector}/{gap}",
        ledger=f"ledger/{keyed}",
        exchange_figures=f"exchange_figures/{keyed}",
        reply_speed=f"reply_speed/{keyed}",
        # The last 90 days end today: a balance stored yesterday is made again.
        balance=f"balance/{keyed}/{as_of:%Y-%m-%d}",
        patterns=f"patterns/{keyed}",
        group_roles=f"group_roles/{detector}/{gap}",
        group_sources=f"group_sources/{detector}/{gap}",
        # Counts of the stored messages only: no detector, gap or journal in it.
        platforms="platforms/v2",
    )


#: Windows whose exchanges :func:`prepare` builds on a thread ahead of the ledger (0: none).
EXCHANGES_AHEAD = 1

#: Messages per window of :func:`prepare` (at least: a window ends at the first place after
#: this many where the timeline may be cut, see :func:`reciprocity.metrics.windows.window_bounds`).
WINDOW_ROWS = 100_000


#: Windows that :func:`prepare` reads ahead of the one it analyses, on a thread (0: none).
WINDOWS_AHEAD = 1


def prepare(
    db: store.Database,
    *,
    silence: timedelta = timedelta(hours=6),
    rows: int = WINDOW_ROWS,
    now: datetime | None = None,
) -> Timings:
    """Run the whole analysis of ``db`` now and store its results, so that the next
    :func:`analyze` (a command, a page) only reads them. ``reciprocity import`` calls this
    after saving. Returns the stage timings.

    The same results as :func:`analyze`, in memory that grows little with the chats: the
    timeline is analysed a window of about ``rows`` messages at a time
    (:func:`reciprocity.store.analysis_windows`), cut only where no stage looks across the
    cut. When the acts are stored (:func:`import_file` detects them while it saves into an
    empty database) the windows are cut from the key columns and need no text; otherwise
    each window is read with its text, the next one on a thread, and its acts are
    detected. Each window's acts, exchanges and ledger events are stored as parts as they
    come; of the whole only mergeable sums are kept (figure parts, counts, answered turns,
    the balance's sums and its last 90 days of events), from which the per-relationship
    results are combined at the end, all stored in one transaction. A window's exchanges
    are built on a thread while the ledger of the one before is made (on a database whose
    connections threads may share); that thread's stages are added to the timings, and
    the time the ledger waited for it is stage ``waiting``. Runs with Polars' in-memory
    engine (see :func:`_in_memory_engine`). When another program saves new data while it
    reads (another import), it starts over from the new data, up to
    :data:`PREPARE_TRIES` times in all, then raises :class:`DataChanged`.
    """
    with _in_memory_engine():
        for _ in range(PREPARE_TRIES - 1):
            try:
                return _prepare(db, silence=silence, rows=rows, now=now)
            except DataChanged:
                continue  # another program wrote meanwhile: start over from the new data
        return _prepare(db, silence=silence, rows=rows, now=now)


#: How many times :func:`prepare` starts over when the data changes under it.
PREPARE_TRIES = 3


class DataChanged(StoreError):
    """The stored data changed while the analysis read it (another import or an edit was
    saved meanwhile); running it again reads the new data."""


def _prepare(
    db: store.Database, *, silence: timedelta, rows: int, now: datetime | None = None
) -> Timings:
    timings = Timings()
    journal = _journal(db)
    as_of = window_end(now)
    names = _names(silence, journal, as_of)
    if all(store.is_cached(db, name) for name in vars(names).values()):
        return timings
    quiet = max(silence, exchanges.SUPPORT_WINDOW)
    with timings.stage("read"):
        # With the acts stored (by the import, or an earlier analysis) the windows need no
        # text, and are cut from the key columns without reading each one.
        known = store.is_cached(db, names.acts)
        windows = store.analysis_windows(db, rows=rows, quiet=quiet, text=not known)
        stored = store.cached(db, names.acts, windows.version) if known else None
        if known and stored is None:
            raise DataChanged("the data changed during the analysis; run it again")
        if stored is not None:
            stored = _in_order_of(windows.ids, stored)
        # Read once: they answer good news in the exchanges and are attention in the ledger.
        private_reactions = store.reactions_frame(db)
    with timings.stage("language"):
        found_langs = store.cached(db, _languages_name(), windows.version)
        langs = found_langs if found_langs is not None else _find_languages(db)
        found_group_langs = store.cached(db, _group_languages_name(), windows.version)
        group_langs = (
            found_group_langs if found_group_langs is not None else _find_group_languages(db)
        )
    parts = _Parts(as_of=as_of)
    memo = ActsMemo()
    # A window's exchanges are built on a thread while the ledger of the one before is
    # made (Polars lets go of the interpreter lock for most of both), where connections
    # may be shared between threads; that thread's stages are timed apart and added in.
    ahead = bool(EXCHANGES_AHEAD and db.threads_share)
    early = Timings() if ahead else timings
    with store.FrameWriter(db, windows.version) as writer, contextlib.ExitStack() as stack:

        def keep(name: str, frame: pl.DataFrame, clock: Timings = timings) -> None:
            with clock.stage("store"):
                writer.add(name, frame)

        if found_langs is None:  # stored with the rest, or not at all
            keep(_languages_name(), langs)
        if found_group_langs is None:
            keep(_group_languages_name(), group_langs)

        # The next window is read (SQLite and Polars let go of the interpreter lock) while
        # this one is analysed.
        read: Iterator[pl.DataFrame] = windows
        if WINDOWS_AHEAD and db.threads_share and stored is None:
            read = stack.enter_context(
                contextlib.closing(_ahead(windows, WINDOWS_AHEAD, name="windows"))
            )

        def acts_windows() -> Iterator[pl.DataFrame]:
            at = 0
            while True:
                with early.stage("read"):
                    window = next(read, None)
                if window is None:
                    return
                with early.stage("acts"):
                    if stored is None:
                        found = detect_acts(window["text"], memo).with_columns(window["message_id"])
                        keep(names.acts, found, early)
                    else:
                        found = stored.slice(at, window.height)
                        if not found["message_id"].equals(window["message_id"]):
                            raise DataChanged(  # pragma: no cover - guard
                                "the stored acts do not match the messages; run it again"
                            )
                    at += window.height
                    kept = window.drop("text", "reply_to_message_id", strict=False)
                    frame = unread_blanked(
                        in_context(pl.concat([kept, found.drop("message_id")], how="horizontal")),
                        langs,
                    )
                del window, found, kept
                with early.stage("figures"):
                    parts.figures.append(figure_part(frame, silence=silence))
                    parts.platforms.append(platform_part(frame))
                yield frame

        def window_exchanges() -> Iterator[pl.DataFrame]:
            for built in exchanges_by_window(
                acts_windows(), window=silence, reactions=private_reactions
            ):
                narrow: list[pl.DataFrame] = []
                while True:
                    with early.stage("exchanges"):
                        part = next(built, None)
                    if part is None:
                        break
                    keep(names.exchanges, part, early)
                    narrow.append(part.select(DOWNSTREAM_COLUMNS))
                    del part
                if narrow:
                    whole_window = pl.concat(narrow, how="vertical")
                    del narrow
                    yield whole_window

        built: Iterator[pl.DataFrame] = window_exchanges()
        if ahead:
            built = stack.enter_context(
                contextlib.closing(_ahead(built, EXCHANGES_AHEAD, name="exchanges"))
            )

        def summed() -> Iterator[pl.DataFrame]:
            # Here, after the thread: it has the exchanges to build, the longer part.
            while True:
                with timings.stage("waiting" if ahead else "exchanges"):
                    window = next(built, None)
                if window is None:
                    return
                with timings.stage("balance"):
                    parts.add_exchanges(window)
                yield window

        events = ledger_windows(
            summed(), journal, windows.people, silence=silence, others=_grouped(db, journal)
        )
        while True:
            with timings.stage("ledger"):
                part = next(events, None)
            if part is None:
                break
            keep(names.ledger, part)
            with timings.stage("balance"):
                parts.add_events(part)
            del part

        def group_part(events: pl.DataFrame) -> None:
            # A window's group events go into the ledger as a part and into the
            # balance's sums at once: none are kept to the end.
            from_groups = ledger_part(events)
            keep(names.ledger, from_groups)
            parts.add_events(from_groups)

        with timings.stage("groups"):
            group = group_frames(
                db,
                silence=silence,
                detect=lambda t: detect_acts(t, memo),
                stored=lambda: store.cached(db, names.acts, windows.version),
                keep=group_part,
                languages=group_langs,
                # Like the one-to-one windows: the next group window is read on a thread.
                ahead=(
                    (lambda w: _ahead(w, WINDOWS_AHEAD, name="group-windows"))
                    if WINDOWS_AHEAD and db.threads_share
                    else None
                ),
            )
        with timings.stage("ledger"):
            # Reactions after the group events, as `analyze` puts them.
            reacted = reaction_part(db, private_reactions)
        if reacted.height:
            keep(names.ledger, reacted)
            with timings.stage("balance"):
                parts.add_events(reacted)
        keep(names.group_roles, group.roles)
        keep(names.group_sources, group.sources)
        parts.counts.append(group.counts)
        with timings.stage("figures"):
            keep(names.figures, combine_figures(parts.figures))
            apps = combine_platforms(parts.platforms, store.conversation_platforms(db))
            keep(names.platforms, apps)
        with timings.stage("balance"):
            keep(names.exchange_figures, combine_exchange_figures(parts.summaries))
            keep(names.reply_speed, parts.reply_speed())
            balanced = combine_balance(
                [] if parts.sums is None else parts.sums, parts.recent, as_of=as_of
            )
            keep(names.balance, balanced)
        with timings.stage("patterns"):
            counts = sum_act_counts(parts.counts)
            kinds = store.list_people(db)
            keep(names.patterns, patterns_from_counts(balanced, counts, kinds))
        with timings.stage("store"):
            writer.commit()
    if ahead:
        for name, spent in early.stages.items():
            timings.stages[name] = timings.stages.get(name, 0.0) + spent
    return timings


@dataclass
class _Parts:
    """What :func:`prepare` keeps of the windows it has seen: mergeable parts of the
    per-relationship results, small however long the chats (one row per relationship,
    answered turn or distinct weight; the events of the last 90 days)."""

    as_of: datetime | None = None
    figures: list[FigurePart] = field(default_factory=list)
    platforms: list[pl.DataFrame] = field(default_factory=list)
    summaries: list[pl.DataFrame] = field(default_factory=list)
    turns: list[pl.DataFrame] = field(default_factory=list)
    counts: list[ActCounts] = field(default_factory=list)
    sums: pl.DataFrame | None = None
    recent: pl.DataFrame | None = None

    def add_exchanges(self, window: pl.DataFrame) -> None:
        """Take in a window's exchanges (whole: a turn never spans two windows)."""
        self.summaries.append(exchange_figures(window))
        # A row per answered turn, kept to the end for the medians: names as categories.
        turns = reply_turns(window)
        self.turns.append(turns.with_columns(pl.col("person").cast(pl.Categorical)))
        self.counts.append(act_counts(window))

    def reply_speed(self) -> pl.DataFrame:
        """:func:`~reciprocity.exchanges.reply_speed` of every window's exchanges."""
        speed = combine_reply_speed(self.turns, whole=True)
        return speed.with_columns(pl.col("person").cast(pl.String))

    def add_events(self, part: pl.DataFrame) -> None:
        summed = balance_part(part)
        self.sums = summed if self.sums is None else merge_balance_parts([self.sums, summed])
        self.recent = keep_recent(self.recent, part, as_of=self.as_of)


def reaction_part(db: store.Database, private: pl.DataFrame | None = None) -> pl.DataFrame:
    """The one-to-one chats' reactions as attention events (:mod:`reciprocity.ledger.
    reactions`; ``private``: the store's reactions frame when already read), as a part of
    the coded ledger: read apart from the messages, which never hold a reaction. The group
    chats' reactions are the group stage's (:mod:`reciprocity.pipeline_groups`)."""
    events = reaction_events(store.reactions_frame(db) if private is None else private)
    return ledger_part(events.collect())


def _digest(frame: pl.DataFrame | None) -> str:
    """A short digest of a small frame's content (the journal), for cache names."""
    if frame is None or frame.is_empty():
        return "none"
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="uncompressed")
    return hashlib.sha256(buffer.getvalue()).hexdigest()[:16]


def _journal(db: store.Database) -> pl.DataFrame | None:
    """Journal entries in the ledger's format, once the journal stage exists."""
    try:
        journal = importlib.import_module("reciprocity.journal")
    except ImportError:
        return None
    frame: pl.DataFrame | None = journal.ledger_frame(db)
    return frame
