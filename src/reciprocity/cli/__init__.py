"""Command-line surface (Typer + Rich). It parses arguments, calls the library, and
translates results and domain errors into output; nothing is computed here."""

import gc
import sys

from reciprocity import parse_apart
from reciprocity.cli import allocator

# Before Polars loads: it reads its allocator's settings once.
allocator.set_up_polars()
allocator.set_up_c()
# A big file's parsing process loads its libraries while this one loads the command's.
parse_apart.start_early(sys.argv)

# Loading the libraries makes objects by the hundred thousand and no garbage: the cyclic
# collector would walk them again and again meanwhile. Afterwards they are set aside
# (frozen), so later collections skip them too.
gc.disable()
try:
    from reciprocity.cli.commands import app, main
finally:
    gc.enable()
    gc.freeze()

__all__ = ["app", "main"]
