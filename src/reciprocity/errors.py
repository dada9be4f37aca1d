"""The project's exceptions and the ``Problem`` value.

Problems in a user's file are values (:class:`Problem`), collected and shown all at once;
exceptions are for stopping. The tree::

    ReciprocityError              anything this package raises on purpose
     ├── ImportFailed             a file could not be read; carries every Problem found
     ├── UnknownFormat            no parser recognises the file
     ├── StoreError               the database is missing, locked, or from a newer version
     │    └── StoreBusy           another program kept writing to it longer than we waited
     └── NotFound                 a person, relationship or record the user named does not exist
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one place in a user's file.

    ``line`` is 1-based and ``None`` when the problem is about the whole file.

    >>> str(Problem("chat.txt", 12, "no date at the start of the line"))
    'chat.txt:12: no date at the start of the line'
    """

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


class ReciprocityError(Exception):
    """Base class for every error this package raises on purpose.

    ``setting`` names what the person can change to fix it (``"format"``, ``"me"``), or is
    ``None``; the message itself names no control, so each surface (the command line, a
    page) adds how to change that setting with its own controls.
    """

    setting: str | None = None


class ImportFailed(ReciprocityError):
    """A file could not be imported. Nothing was written.

    ``problems`` holds every problem found (capped, so a binary file does not print a
    million lines); ``str()`` gives them one per line as ``file:line: message``.
    """

    MAX_SHOWN = 20

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("ImportFailed needs at least one Problem")
        self.problems = problems
        shown = [str(p) for p in problems[: self.MAX_SHOWN]]
        hidden = len(problems) - len(shown)
        if hidden > 0:
            shown.append(f"... and {hidden} more {'problem' if hidden == 1 else 'problems'}")
        super().__init__("\n".join(shown))

    def __reduce__(self) -> tuple[type[ImportFailed], tuple[list[Problem]]]:
        # Rebuilt from its problems (a parse in a process of its own sends it back).
        return (type(self), (self.problems,))

    @classmethod
    def one(cls, source: str, line: int | None, message: str) -> ImportFailed:
        """Shortcut for a failure with a single problem."""
        return cls([Problem(source, line, message)])


class UnknownFormat(ReciprocityError):
    """No parser recognises the file; the message lists the formats we know."""

    setting = "format"


class StoreError(ReciprocityError):
    """The database cannot be used as asked (missing, locked, or from a newer version)."""


class StoreBusy(StoreError):
    """Another program (another import, most likely) held the database for writing longer
    than this write was willing to wait. Nothing was written; trying again later works."""


class NotFound(ReciprocityError):
    """A person, relationship or record the user named does not exist."""
