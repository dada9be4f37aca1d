"""Questionnaires as data: items, a scale and a scoring rule in a small TOML file.

A questionnaire is a plugin: drop a ``.toml`` file into a folder and load it with
:func:`load_questionnaire` (or pass the folder to :func:`available`). The format::

    name = "checkin"                 # a short id, letters, digits, _ and -
    title = "A short check-in"
    intro = "..."                    # optional
    [scale]
    min = 1
    max = 5
    [scoring]
    method = "mean"                  # or "sum"
    [[items]]
    id = "energy"
    text = "How do you usually feel after time with them?"
    labels = ["drained", "...", "uplifted"]   # optional, one per point of the scale
    reverse = false                  # optional: score max + min - answer
    scored = true                    # optional: false leaves the item out of the score

Only questionnaires we wrote ourselves or that are in the public domain ship with
Reciprocity (``guide/questionnaires/``); copyrighted instruments are never bundled.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reciprocity.errors import ImportFailed, Problem

__all__ = ["BUILTIN", "Item", "Questionnaire", "available", "load_questionnaire"]

BUILTIN = Path(__file__).with_name("questionnaires")
"""The folder of questionnaires that ship with Reciprocity."""

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


@dataclass(frozen=True)
class Item:
    """One question, its answer labels (may be empty), and how it is scored."""

    id: str
    text: str
    labels: tuple[str, ...] = ()
    reverse: bool = False
    scored: bool = True


@dataclass(frozen=True)
class Questionnaire:
    """A loaded questionnaire; :meth:`score` turns answers into one number."""

    name: str
    title: str
    low: int
    high: int
    method: str
    items: tuple[Item, ...]
    intro: str = ""

    def check(self, answers: Mapping[str, int]) -> None:
        """Raise ``ValueError`` naming the first missing, unknown or out-of-scale answer."""
        ids = {i.id for i in self.items}
        for key in answers:
            if key not in ids:
                raise ValueError(f"{self.name} has no question {key!r}")
        for item in self.items:
            if item.id not in answers:
                raise ValueError(f"question {item.id!r} has no answer")
            if not self.low <= answers[item.id] <= self.high:
                raise ValueError(f"answers go from {self.low} to {self.high}")

    def score(self, answers: Mapping[str, int]) -> float | None:
        """The questionnaire's score for complete ``answers`` (None with no scored item)."""
        self.check(answers)
        values = [
            self.low + self.high - answers[i.id] if i.reverse else answers[i.id]
            for i in self.items
            if i.scored
        ]
        if not values:
            return None
        total = float(sum(values))
        return total / len(values) if self.method == "mean" else total


def _line_of(text: str, needle: str, nth: int = 0) -> int | None:
    """1-based line of the ``nth`` occurrence of ``needle`` in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.find(needle, at + 1)
        if at < 0:
            return None
    return text.count("\n", 0, at) + 1


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read one questionnaire file; :class:`~reciprocity.errors.ImportFailed` names the
    file, the line and what to fix when it is not valid."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ImportFailed.one(source, None, f"cannot read the file ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise ImportFailed.one(source, line, f"not valid TOML: {exc}") from exc
    problems: list[Problem] = []

    def problem(message: str, needle: str | None = None, nth: int = 0) -> None:
        problems.append(Problem(source, _line_of(text, needle, nth) if needle else None, message))

    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        problem("'name' must be a short id of letters, digits, _ or -", "name")
    scale: Any = data.get("scale", {})
    low, high = scale.get("min", 1), scale.get("max", 5)
    if not (isinstance(low, int) and isinstance(high, int) and low < high):
        problem("[scale] needs whole numbers min < max", "[scale]")
    method = data.get("scoring", {}).get("method", "mean")
    if method not in ("mean", "sum"):
        problem("[scoring] method is 'mean' or 'sum'", "method")
    raw_items: Any = data.get("items", [])
    if not isinstance(raw_items, list) or not raw_items:
        problem("add at least one [[items]] table with an id and a text")
        raw_items = []
    items: list[Item] = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_items):
        item_id, item_text = raw.get("id"), raw.get("text")
        labels = raw.get("labels", [])
        if not isinstance(item_id, str) or not item_id or not isinstance(item_text, str):
            problem("each item needs an 'id' and a 'text'", "[[items]]", n)
            continue
        if item_id in seen:
            problem(f"item id {item_id!r} is used twice", "[[items]]", n)
        seen.add(item_id)
        if (
            labels
            and isinstance(low, int)
            and isinstance(high, int)
            and (len(labels) != high - low + 1)
        ):
            problem(f"item {item_id!r} needs {high - low + 1} labels, one per point", "labels", n)
        items.append(
            Item(
                item_id,
                item_text,
                tuple(str(label) for label in labels),
                bool(raw.get("reverse", False)),
                bool(raw.get("scored", True)),
            )
        )
    if problems:
        raise ImportFailed(problems)
    return Questionnaire(
        name=str(name),
        title=str(data.get("title", name)),
        low=int(low),
        high=int(high),
        method=str(method),
        items=tuple(items),
        intro=str(data.get("intro", "")),
    )


def available(*folders: str | Path) -> dict[str, Questionnaire]:
    """Every questionnaire in the built-in folder and in ``folders``, by name (a later
    folder's file replaces an earlier one of the same name)."""
    found: dict[str, Questionnaire] = {}
    for folder in (BUILTIN, *folders):
        for file in sorted(Path(folder).glob("*.toml")):
            questionnaire = load_questionnaire(file)
            found[questionnaire.name] = questionnaire
    return found
