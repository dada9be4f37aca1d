"""``reciprocity corpus``: a researcher's corpus in, Parquet tables out (see
:mod:`reciprocity.corpora`). It parses the options, shows progress, and prints where the
tables are; the work is :func:`reciprocity.corpora.run.run_corpus`'s."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

out = Console(highlight=False)
err = Console(stderr=True)

_STEPS = {"read": "Reading the corpus", "analyse": "Analysing conversations"}


def corpus(
    source: Annotated[
        Path,
        typer.Argument(
            help="A ConvoKit corpus folder, or a Parquet or CSV file with a row per "
            "utterance: its conversation, speaker, time and text (the columns are listed in "
            "the README)."
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="A new or empty folder for the results.")],
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local: run here, in this process. dask: run on a Dask cluster "
            "(a local one of --workers processes, or the one at --scheduler).",
        ),
    ] = "local",
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes of the local Dask cluster (default: one per core).",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Address of a running Dask scheduler, such as "
            "tcp://10.0.0.5:8786 (implies --engine dask).",
            show_default=False,
        ),
    ] = None,
    partitions: Annotated[
        int | None,
        typer.Option(
            "--partitions",
            min=1,
            help="Buckets of conversations analysed as one "
            "task each (default: one per 16 MB of input, rounded up to a multiple of 8).",
            show_default=False,
        ),
    ] = None,
    chunk_mb: Annotated[
        int,
        typer.Option(
            "--chunk-mb",
            min=1,
            help="Megabytes of input read by each reading task, at most (their number is "
            "rounded up to a multiple of 8). Bigger chunks mean fewer "
            "staging files; for corpora of hundreds of millions of utterances.",
        ),
    ] = 32,
    buckets_per_task: Annotated[
        int,
        typer.Option(
            "--buckets-per-task",
            min=1,
            help="Buckets analysed by each task, read from the staging files in one scan; "
            "for corpora of thousands of buckets (see bench/README.md).",
        ),
    ] = 1,
    silence: Annotated[
        str,
        typer.Option(
            "--silence",
            help="How long a quiet gap must be before the next "
            "utterance starts a new conversation.",
        ),
    ] = "6h",
    language: Annotated[
        str,
        typer.Option(
            "--language",
            help="auto: find each conversation's language (message "
            "kinds are read in English only); or a code such as en to take it as "
            "given (quicker).",
        ),
    ] = "auto",
    convokit: Annotated[
        Path | None,
        typer.Option(
            "--convokit",
            help="Also write a copy of the ConvoKit corpus folder here, "
            "with each utterance's acts and each conversation's balance in their "
            "metadata.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Analyse a corpus of conversations: every pair of speakers who reply to each other.

    Writes Parquet tables (acts, figures, exchanges, ledger, balance, outcomes, reply
    speed) with a README and a JSON file describing their columns. The same tables come
    out whether it runs here or on Dask.
    """
    from reciprocity.cli.commands import parse_duration  # the one duration parser
    from reciprocity.corpora.run import run_corpus  # loaded only when the command runs

    if convokit is not None and not source.is_dir():
        raise typer.BadParameter("needs a ConvoKit corpus folder as input", param_hint="--convokit")

    if engine not in ("local", "dask"):
        raise typer.BadParameter("choose local or dask", param_hint="--engine")
    chosen = "dask" if scheduler is not None else engine
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:

        def progress(step: str, total: int) -> Callable[[], None]:
            task = bar.add_task(_STEPS.get(step, step), total=total)
            return lambda: bar.advance(task)

        run = run_corpus(
            source,
            out_dir,
            engine="dask" if chosen == "dask" else "local",
            workers=workers,
            scheduler=scheduler,
            partitions=partitions,
            chunk_bytes=chunk_mb * 1024 * 1024,
            buckets_per_task=buckets_per_task,
            silence=parse_duration(silence),
            language=language,
            progress=progress,
        )
    spent = sum(run.seconds.values())
    out.print(
        f"{run.utterances:,} utterances in {run.conversations:,} conversations: "
        f"{run.dyads:,} pairs of speakers, analysed in {spent:.1f} s "
        f"({'on Dask' if run.engine == 'dask' else 'here'}, {run.partitions} "
        f"part{'s' if run.partitions != 1 else ''})."
    )
    out.print(f"Tables and their description: {escape(str(run.out))}")
    if convokit is not None:
        from reciprocity.corpora.convokit import write_convokit

        written = write_convokit(source, run.out, convokit)
        out.print(f"ConvoKit copy with the results in its metadata: {escape(str(written))}")


def register(app: typer.Typer) -> None:
    """Add ``corpus`` to ``app``."""
    app.command("corpus")(corpus)
