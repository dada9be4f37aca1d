"""HTML report: one self-contained file per database, charts included, no external request.

Stage in the pipeline: a surface (DESIGN "surfaces"). :func:`render_report` turns
:func:`~reciprocity.report.data.gather` output into HTML with Jinja2 (autoescape on, so names
and messages from imported files are always text); :func:`write_report` saves it. Charts are
inline SVG (:mod:`.svg`) with a table beside each, CSS is inline, and a Content-Security-Policy
meta tag forbids every fetch, so the file works from disk and prints cleanly to PDF. The web
app (``reciprocity.web``) reuses :func:`environment` and the relationship partial.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from reciprocity import __version__, words
from reciprocity.errors import ReciprocityError
from reciprocity.journal.energy import MIN_ENTRIES, RECENT
from reciprocity.metrics.record import say_amount, say_duration, say_percent
from reciprocity.report import svg
from reciprocity.report.data import (
    RelationshipView,
    SurfaceData,
    analysis,
    energy_series,
    gather,
    refresh,
    shape,
)
from reciprocity.store import Database
from reciprocity.store.private import private_writer

__all__ = [
    "CannotWrite",
    "RelationshipView",
    "SurfaceData",
    "analysis",
    "check_target",
    "energy_series",
    "environment",
    "gather",
    "refresh",
    "render_report",
    "shape",
    "with_energy",
    "write_report",
]

#: How each (sender, topic) of the exchange figures reads; ``{p}`` is the other person.
TOPIC_LABELS = {
    ("me", "good_news"): "Your good news, and how {p} responded",
    ("them", "good_news"): "{p}'s good news, and how you responded",
    ("me", "distress"): "Your hard moments, and whether {p} supported you",
    ("them", "distress"): "{p}'s hard moments, and whether you supported them",
    ("me", "check_in"): "Your check-ins",
    ("them", "check_in"): "{p}'s check-ins",
    ("me", "disclosure"): "What you shared about yourself, and how {p} answered",
    ("them", "disclosure"): "What {p} shared, and how you answered",
    ("me", "request"): "Your requests",
    ("them", "request"): "{p}'s requests",
    ("me", "support_seek"): "Times you asked {p} for support",
    ("them", "support_seek"): "Times {p} asked you for support",
}


def environment() -> Environment:
    """The Jinja2 environment of the report templates, with autoescape always on."""
    env = Environment(
        loader=PackageLoader("reciprocity.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        balance_chart=svg.balance_chart,
        energy_chart=svg.energy_chart,
        monthly_chart=svg.monthly_chart,
        mood_chart=svg.mood_chart,
        topic_labels=TOPIC_LABELS,
        recent_entries=RECENT,
        min_energy_entries=MIN_ENTRIES,
        count=words.count,
    )
    env.filters["percent"] = _percent
    env.filters["words"] = lambda value: str(value).replace("_", " ")
    # Codes become the words of :mod:`reciprocity.words`, the same on every surface.
    env.filters["dimension"] = words.dimension
    env.filters["outcome"] = lambda row: words.outcome(row["topic"], row["outcome"])
    env.filters["topic"] = words.topic
    env.filters["pattern"] = words.pattern
    env.filters["term"] = words.term
    env.filters["entry_kind"] = words.entry_kind
    env.filters["relationship_kind"] = words.relationship_kind
    # Jinja's ``capitalize`` lowercases the rest, names included ("alex"); this does not.
    env.filters["sentence"] = lambda value: str(value)[:1].upper() + str(value)[1:]
    env.filters["minutes"] = _minutes
    env.filters["amount"] = say_amount
    env.filters["number"] = words.number
    return env


def _percent(value: float | None) -> str:
    return say_percent(value)


def _minutes(seconds: float | None) -> str:
    # One way of writing a duration on every surface (the CLI's and the guide's too).
    return say_duration(seconds)


def render_report(data: SurfaceData, *, generated: datetime | None = None) -> str:
    """The whole report as one HTML string."""
    template = environment().get_template("report.html")
    return template.render(
        data=data,
        generated=(generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
    )


def with_energy(data: SurfaceData, db: Database) -> SurfaceData:
    """``data`` with each relationship's energy afterwards re-read from the journal in ``db``
    (:func:`gather` and :func:`shape` already fill it; this refreshes it after new entries)."""
    from reciprocity import journal

    series = energy_series(journal.entries_frame(db))
    trends = journal.energy_trends(journal.entries_frame(db))
    for view in data.relationships:
        view.energy = series.get(view.person.casefold(), [])
        view.energy_trend = trends.get(view.person.casefold())
    return data


class CannotWrite(ReciprocityError):
    """The report cannot be written where asked; the message says why in plain words."""


def check_target(path: Path) -> None:
    """Raise :class:`CannotWrite` when ``path`` cannot take the report, before any work."""
    where = f"Cannot write the report to {path}"
    if path.is_dir():
        raise CannotWrite(
            f"{where}: it is a folder. Name a file in it, like {path / 'report.html'}"
        )
    if not path.parent.is_dir():
        raise CannotWrite(f"{where}: there is no folder {path.parent}. Create it first.")


def write_report(db: Database, path: str | Path) -> Path:
    """Analyse ``db`` and write the report to ``path``; returns the path written.

    Raises :class:`CannotWrite` (checked before the analysis) when the place is a folder,
    its folder is missing, or the file cannot be written.
    """
    path = Path(path)
    check_target(path)
    html = render_report(gather(db))
    try:
        with private_writer(path) as out:  # 0600: the report holds names and figures
            out.write(html)
    except OSError as exc:
        raise CannotWrite(
            f"Cannot write the report to {path}: {(exc.strerror or str(exc)).lower()}."
        ) from exc
    return path
