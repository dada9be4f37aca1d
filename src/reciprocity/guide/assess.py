"""Assessment: the user's own check-in about a relationship, kept over time, set next to
what the messages and the journal say.

Answers are stored per questionnaire (:mod:`.questionnaire`; the built-in ``checkin``).
:func:`compare` reads the latest ``checkin`` for a person and lines each answer up with the
data, saying where the two agree and where they differ. A difference is not an error on
either side: the chats show only part of a relationship, and feelings count.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl
from sqlalchemy import insert, select

from reciprocity.journal.entries import JournalError, to_utc
from reciprocity.metrics.record import RelationshipRecord
from reciprocity.store.cache import touch_edits
from reciprocity.store.db import Database
from reciprocity.store.models_guide import Assessment

__all__ = ["Comparison", "assessments_frame", "compare", "save_assessment"]

_SAID_GIVING = {
    1: "they give far more",
    2: "they give a bit more",
    3: "it is about even",
    4: "you give a bit more",
    5: "you give far more",
}


def save_assessment(
    db: Database,
    person: str,
    questionnaire: object,
    answers: Mapping[str, int],
    *,
    when: datetime | date | None = None,
) -> int:
    """Store a filled-in questionnaire (a :class:`.questionnaire.Questionnaire`) about
    ``person``; returns its id. Raises :class:`~reciprocity.journal.JournalError` when an
    answer is missing or off the scale."""
    from reciprocity.guide.questionnaire import Questionnaire

    assert isinstance(questionnaire, Questionnaire)
    try:
        score = questionnaire.score(answers)
    except ValueError as exc:
        raise JournalError(str(exc)) from exc
    stamp = to_utc(when)
    micros = int(stamp.timestamp()) * 1_000_000 + stamp.microsecond
    with db.write() as conn:
        key = conn.execute(
            insert(Assessment).values(
                person=person.strip(),
                questionnaire=questionnaire.name,
                timestamp_us=micros,
                answers=json.dumps(dict(answers), sort_keys=True),
                score=score,
            )
        ).inserted_primary_key
        touch_edits(conn)
    assert key is not None
    return int(key[0])


def assessments_frame(db: Database, person: str | None = None) -> pl.DataFrame:
    """Stored assessments, oldest first: ``id``, ``person``, ``questionnaire``, ``date``,
    ``score``, ``answers`` (JSON text)."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                Assessment.id,
                Assessment.person,
                Assessment.questionnaire,
                Assessment.timestamp_us,
                Assessment.score,
                Assessment.answers,
            ).order_by(Assessment.timestamp_us, Assessment.id)
        ).all()
    schema = {
        "id": pl.Int64,
        "person": pl.String,
        "questionnaire": pl.String,
        "date": pl.Int64,
        "score": pl.Float64,
        "answers": pl.String,
    }
    frame = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row").with_columns(
        pl.col("date").cast(pl.Datetime("us", "UTC"))
    )
    if person is not None:
        frame = frame.filter(pl.col("person").str.to_lowercase() == person.strip().lower())
    return frame


@dataclass(frozen=True)
class Comparison:
    """One check-in answer next to the data: ``agree`` is None when the data cannot tell."""

    item: str
    you_said: str
    data_says: str
    agree: bool | None


#: Your answer to "who gives more" and the pooled verdict, each as one of three sides.
_SIDE_SAID = {1: "them", 2: "them", 3: "even", 4: "you", 5: "you"}
_SIDE_READ = {
    "mostly you": "you",
    "leaning your way": "you",
    "balanced": "even",
    "leaning their way": "them",
    "mostly them": "them",
}


def compare(
    answers: Mapping[str, int],
    person: str,
    record: RelationshipRecord | None,
    energy: pl.DataFrame | None = None,
) -> list[Comparison]:
    """The ``checkin`` answers about ``person`` next to what the analysis says of them.

    ``record`` is the person's :class:`~reciprocity.metrics.record.RelationshipRecord`
    (``None`` when no chat or journal entry knows them): every figure quoted here is one of
    its figures, as the other surfaces show it, never a count of its own. ``energy`` is
    :func:`reciprocity.journal.energy_frame` (nobody gives energy, so the record has none).
    """
    key = person.strip().casefold()
    found: list[Comparison] = []
    if "giving" in answers:
        said = _SAID_GIVING.get(answers["giving"], "?")
        pooled = record.pooled() if record is not None else None
        side = _SIDE_READ.get(pooled.verdict) if pooled is not None else None
        if pooled is None or side is None or pooled.estimate is None:
            events = pooled.events if pooled is not None else 0
            found.append(
                Comparison(
                    "giving", said, f"too little to go on yet ({events} exchanges either way)", None
                )
            )
        else:
            found.append(
                Comparison(
                    "giving",
                    said,
                    f"you gave {pooled.estimate:.0%} of what went back and forth over "
                    f"{pooled.events} exchanges: {pooled.verdict}",
                    _SIDE_SAID.get(answers["giving"]) == side,
                )
            )
    if "energy" in answers:
        felt = (
            pl.DataFrame()
            if energy is None
            else energy.filter(pl.col("person").str.strip_chars().str.to_lowercase() == key)
        )
        said = f"{answers['energy'] - 3:+d} on a scale from -2 to +2"
        if not felt.height:
            found.append(Comparison("energy", said, "no energy logged in the journal yet", None))
        else:
            mean = float(felt["mean"][0])
            agree = abs(mean - (answers["energy"] - 3)) <= 1
            found.append(Comparison("energy", said, f"your journal averages {mean:+.1f}", agree))
    if "heard" in answers:
        mine, asked = record.questions if record is not None else (0, 0)
        said = f"{answers['heard']} of 5"
        if asked + mine < 10:
            found.append(
                Comparison(
                    "heard", said, f"{asked + mine} questions either way: too few to tell", None
                )
            )
        else:
            share = asked / (asked + mine)
            agree = (answers["heard"] >= 3) == (share >= 0.35)
            found.append(
                Comparison(
                    "heard",
                    said,
                    f"they asked {asked} of the {asked + mine} questions between you",
                    agree,
                )
            )
    if "support" in answers:
        outcomes = record.outcome_counts("me", "distress") if record is not None else []
        shared = sum(o.count for o in outcomes)
        supported = sum(o.count for o in outcomes if o.outcome == "supported")
        said = f"{answers['support']} of 5"
        if shared < 3:
            times = "once" if shared == 1 else f"{shared} times"
            found.append(
                Comparison(
                    "support",
                    said,
                    f"you shared something hard {times} here: too few to tell"
                    if shared
                    else "you have not shared a hard time here yet",
                    None,
                )
            )
        else:
            agree = (answers["support"] >= 3) == (supported / shared >= 0.5)
            found.append(
                Comparison(
                    "support",
                    said,
                    f"support came {supported} of the {shared} times you shared something hard",
                    agree,
                )
            )
    return found
