"""How the command line says what went wrong: the library's message, then how to fix it
with this command line's own options.

The library's errors name no control (see :class:`reciprocity.errors.ReciprocityError`);
an error whose ``setting`` the person can change gets one sentence naming the option that
changes it here. A test checks that every option named in these sentences exists.
"""

from __future__ import annotations

from reciprocity.errors import ReciprocityError

__all__ = ["HINTS", "error_text"]

HINTS = {
    "format": "Pass --format to say which it is, or export the chat again.",
    "me": "Pass --me with your own name, spelled as the export writes it "
    "(needed once; later imports remember it).",
    "new": "To add them as someone new, add --new.",
    "port": "Choose another with --port, like --port 8766.",
    "passphrase": "Run the command in a terminal to be asked for it, or set "
    "RECIPROCITY_PASSPHRASE.",
}
"""The sentence that follows an error whose ``setting`` is the key."""


def error_text(problem: ReciprocityError) -> str:
    """``problem``'s message, with how to fix it here when the CLI has a way.

    >>> from reciprocity.errors import UnknownFormat
    >>> error_text(UnknownFormat("chat.pdf: not a known format."))[:55]
    'chat.pdf: not a known format. Pass --format to say which'
    """
    text = str(problem)
    hint = HINTS.get(problem.setting or "")
    return f"{text} {hint}" if hint else text
