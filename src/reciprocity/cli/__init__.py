"""Command-line surface (Typer + Rich). It parses arguments, calls the library, and
translates results and domain errors into output; nothing is computed here."""

import gc

from reciprocity.cli import allocator

# Before Polars loads: it reads its allocator's settings once.
allocator.set_up_polars()
allocator.set_up_c()

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
