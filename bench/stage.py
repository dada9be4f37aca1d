"""One pipeline stage, alone, in its own process: ``python bench/stage.py STAGE [options]``.

``run.py`` starts one process per stage so each stage's peak memory is its own. A stage
first does its untimed set-up (imports, reading the previous stage's output from
``--work``), then its timed body; the process prints one JSON object on its last line::

    {"stage": "parse", "status": "ok", "seconds": 1.9, "rss_before_mb": 80.2, "rows": 1000000}

``status`` is ``"not available"`` (exit code 3) when the code a stage needs is not there
yet, which is not a failure of the benchmark. Stages hand data to the next through Parquet
files in ``--work``: ``load`` writes ``messages.parquet`` (the parsed export), ``store``
imports it into ``--db``, ``read`` writes ``frame.parquet`` (the analysis frame) from it.

To add a stage (exchanges, ledger, web pages ...) write a function that does its set-up
and returns the timed body, and add it to :data:`STAGES` in pipeline order.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Body = Callable[[], dict[str, Any]]
BATCH_ROWS = 100_000
NOT_AVAILABLE = 3


class NotAvailable(Exception):
    """The code or the input a stage needs is not there (yet)."""


@dataclass
class Context:
    """What a stage works on."""

    export: Path
    format: str
    work: Path
    db: Path
    me: str

    @property
    def messages(self) -> Path:
        """Parsed export (written by ``load``)."""
        return self.work / "messages.parquet"

    @property
    def frame(self) -> Path:
        """Analysis frame (written by ``read``)."""
        return self.work / "frame.parquet"


def _need(module: str, *names: str) -> Any:
    """Import ``module`` and check it has ``names``, or raise :class:`NotAvailable`."""
    import importlib

    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise NotAvailable(f"{module} cannot be imported yet ({exc})") from exc
    missing = [n for n in names if not hasattr(mod, n)]
    if missing:
        raise NotAvailable(f"{module} has no {', '.join(missing)} yet")
    return mod


def _needs_file(path: Path, made_by: str) -> None:
    if not path.is_file():
        raise NotAvailable(f"needs {path.name}, written by the {made_by!r} stage")


def stage_parse(ctx: Context) -> Body:
    """Stream the export through its parser, batch by batch, keeping nothing."""
    ingest = _need("reciprocity.ingest", "batches")

    def body() -> dict[str, Any]:
        rows = batches = 0
        for batch in ingest.batches(ctx.export, ctx.format):
            rows += batch.height
            batches += 1
        return {"rows": rows, "batches": batches}

    return body


def stage_load(ctx: Context) -> Body:
    """Parse the whole export into one frame (``ingest.load``); save it for ``store``."""
    ingest = _need("reciprocity.ingest", "load")
    holder: dict[str, Any] = {}

    def body() -> dict[str, Any]:
        frame = ingest.load(ctx.export, ctx.format)
        holder["frame"] = frame
        return {"rows": frame.height}

    def after() -> None:
        ctx.work.mkdir(parents=True, exist_ok=True)
        holder["frame"].write_parquet(ctx.messages, row_group_size=BATCH_ROWS)

    body.after = after  # type: ignore[attr-defined]
    return body


def stage_store(ctx: Context) -> Body:
    """Save the parsed messages into a fresh database (``store.import_batches``).

    Batches are read from ``messages.parquet`` 100k rows at a time, so parsing is not in
    this figure (reading Parquet costs a few hundredths of a second per batch).
    """
    store = _need("reciprocity.store", "open_db", "import_batches")
    ingest = _need("reciprocity.ingest", "detect")
    import polars as pl

    fmt = ingest.detect(ctx.export) if ctx.format == "auto" else ctx.format

    _needs_file(ctx.messages, "load")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{ctx.db}{suffix}").unlink(missing_ok=True)
    db = store.open_db(ctx.db)
    total = pl.scan_parquet(ctx.messages).select(pl.len()).collect().item()
    source = pl.scan_parquet(ctx.messages)

    def batches() -> Any:
        for offset in range(0, total, BATCH_ROWS):
            yield source.slice(offset, BATCH_ROWS).collect()

    def body() -> dict[str, Any]:
        result = store.import_batches(db, batches(), file=str(ctx.export), me=ctx.me, format=fmt)
        return {"rows": int(result.messages_added), "seen": int(result.messages_seen)}

    return body


def stage_read(ctx: Context) -> Body:
    """Read the analysis frame from the database (``store.messages_frame``); save it."""
    store = _need("reciprocity.store", "open_db", "messages_frame")
    if not ctx.db.is_file():
        raise NotAvailable(f"needs the database {ctx.db.name}, written by the 'store' stage")
    db = store.open_db(ctx.db)
    holder: dict[str, Any] = {}

    def body() -> dict[str, Any]:
        frame = store.messages_frame(db)
        holder["frame"] = frame
        return {"rows": frame.height}

    def after() -> None:
        holder["frame"].write_parquet(ctx.frame)

    body.after = after  # type: ignore[attr-defined]
    return body


def stage_figures(ctx: Context) -> Body:
    """Per-relationship figures from the analysis frame (``metrics.relationship_figures``)."""
    metrics = _need("reciprocity.metrics", "relationship_figures")
    import polars as pl

    _needs_file(ctx.frame, "read")
    frame = pl.read_parquet(ctx.frame)

    def body() -> dict[str, Any]:
        figures = metrics.relationship_figures(frame)
        return {"rows": frame.height, "relationships": figures.height}

    return body


def stage_acts(ctx: Context) -> Body:
    """Message acts for the analysis frame as the import finds them (``detect_acts``)."""
    pipeline = _need("reciprocity.pipeline", "detect_acts")
    import polars as pl

    _needs_file(ctx.frame, "read")
    texts = pl.read_parquet(ctx.frame, columns=["text"]).get_column("text")

    def body() -> dict[str, Any]:
        found = pipeline.detect_acts(texts)
        return {"rows": found.height}

    return body


def _acts_frame(ctx: Context) -> Any:
    """The analysis frame with its acts (untimed set-up for the stages after ``acts``)."""
    pipeline = _need("reciprocity.pipeline", "detect_acts")
    import polars as pl

    _needs_file(ctx.frame, "read")
    frame = pl.read_parquet(ctx.frame)
    return pl.concat([frame, pipeline.detect_acts(frame["text"])], how="horizontal")


def stage_exchanges(ctx: Context) -> Body:
    """Each message paired with its answer, with outcomes, a part at a time (``exchange_parts``)."""
    exchanges = _need("reciprocity.exchanges", "exchange_parts")
    holder: dict[str, Any] = {"frame": _acts_frame(ctx)}

    def body() -> dict[str, Any]:
        rows = 0
        # Handed over, as the import does: pairing frees the texts once it has read them.
        for part in exchanges.exchange_parts(holder.pop("frame")):
            rows += part.height
        return {"rows": rows}

    return body


def stage_ledger(ctx: Context) -> Body:
    """Ledger events from the exchanges, and the balance of each relationship."""
    exchanges = _need("reciprocity.exchanges", "exchanges")
    ledger = _need("reciprocity.ledger", "ledger")
    metrics = _need("reciprocity.metrics", "balance")
    paired = exchanges.exchanges(_acts_frame(ctx))

    def body() -> dict[str, Any]:
        events = ledger.ledger(paired)
        balance = metrics.balance(events)
        return {"rows": events.height, "balance_rows": balance.height}

    return body


#: Pages the web stage fetches; ``{id}`` is each relationship found on the dashboard.
WEB_PAGES = (
    "/",
    "/relationship/{id}",
    "/relationship/{id}/messages?topic=good_news&sender=them",
    "/relationship/{id}/evidence?dimension=attention&giver=me",
    "/import",
    "/settings",
    "/journal",
    "/expectations",
    "/assess",
    "/parent",
    "/coach",
    "/report",
)
WEB_FETCHES = 10
WEB_START_TIMEOUT_S = 60.0


def stage_web(ctx: Context) -> Body:
    """Web pages of the running app on the database (``reciprocity serve``, real HTTP).

    Starts ``reciprocity --db DB serve`` in its own process on a free port, fetches every
    page of :data:`WEB_PAGES` once (``first_ms``: the app reads the stored analysis), then
    :data:`WEB_FETCHES` more times with httpx; reports each page's median and worst
    milliseconds. ``seconds`` is the slowest page's median. A page the app does not have
    (404) is listed with its status and left out of the figure.
    """
    _need("reciprocity.web", "create_app")
    try:
        import httpx
    except ImportError as exc:
        raise NotAvailable(f"httpx is needed to time the web pages ({exc})") from exc
    if not ctx.db.is_file():
        raise NotAvailable(f"needs the database {ctx.db.name}, imported end to end first")
    import os
    import re
    import signal
    import socket
    import statistics
    import subprocess

    from ours import Ours

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ours = Ours(python=Path(sys.executable))
    cmd = [*ours.cli(), "--db", str(ctx.db), "serve", "--port", str(port), "--no-browser"]
    server = subprocess.Popen(
        cmd,
        env=ours.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=base, timeout=120.0)

    def stop() -> float | None:
        peak = _vm_hwm_mb(server.pid)
        client.close()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        return peak

    started = time.perf_counter()
    while True:
        try:
            client.get("/report.css")
            break
        except httpx.TransportError:
            if server.poll() is not None or time.perf_counter() - started > WEB_START_TIMEOUT_S:
                stop()
                text = server.stderr.read() if server.stderr else b""
                why = text.decode(errors="replace")[-400:]
                raise RuntimeError(f"the web app did not start: {why}") from None
            time.sleep(0.1)
    startup_s = time.perf_counter() - started

    def fetch(path: str) -> tuple[int, float]:
        begin = time.perf_counter()
        response = client.get(path)
        return response.status_code, (time.perf_counter() - begin) * 1000

    def body() -> dict[str, Any]:
        try:
            status, first = fetch("/")
            ids = sorted(set(re.findall(r"/relationship/(\d+)", client.get("/").text)))
            pages: dict[str, dict[str, Any]] = {"/": {"status": status, "first_ms": first}}
            for template in WEB_PAGES[1:]:
                for rid in ids[:3] if "{id}" in template else [None]:
                    path = template.replace("{id}", rid or "")
                    code, ms = fetch(path)
                    pages[path] = {"status": code, "first_ms": ms}
            for path, page in pages.items():
                if page["status"] != 200:
                    continue
                times = [fetch(path)[1] for _ in range(WEB_FETCHES)]
                page["median_ms"] = statistics.median(times)
                page["worst_ms"] = max(times)
        finally:
            server_peak = stop()
        for page in pages.values():
            for key in ("first_ms", "median_ms", "worst_ms"):
                if key in page:
                    page[key] = round(page[key], 1)
        timed = {p: v for p, v in pages.items() if "median_ms" in v}
        if not timed:
            raise RuntimeError("no page answered 200")
        slowest = max(timed, key=lambda p: timed[p]["median_ms"])
        return {
            "rows": len(timed),
            "seconds_override": round(timed[slowest]["median_ms"] / 1000, 4),
            "slowest_page": slowest,
            "startup_s": round(startup_s, 2),
            "server_peak_mb": server_peak,
            "pages": pages,
        }

    return body


def _vm_hwm_mb(pid: int) -> float | None:
    """Peak resident memory of process ``pid`` (``VmHWM``) in MiB, if it can be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


#: Stages in pipeline order. ``run.py`` runs them in this order, each in its own process.
STAGES: dict[str, Callable[[Context], Body]] = {
    "parse": stage_parse,
    "load": stage_load,
    "store": stage_store,
    "read": stage_read,
    "figures": stage_figures,
    "acts": stage_acts,
    "exchanges": stage_exchanges,
    "ledger": stage_ledger,
    "web": stage_web,
}


def _rss_mb() -> float:
    """Current resident set of this process in MiB."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return round(pages * resource.getpagesize() / 2**20, 1)


def _peak_mb() -> float:
    """Peak resident set of this process so far, in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    """Run one stage and print its JSON line."""
    parser = argparse.ArgumentParser(description="Run one pipeline stage alone.")
    parser.add_argument("stage", choices=list(STAGES))
    parser.add_argument("--export", type=Path, required=True)
    parser.add_argument("--format", default="auto")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--me", default="Sam")
    args = parser.parse_args(argv)
    ctx = Context(args.export, args.format, args.work, args.db, args.me)
    report: dict[str, Any] = {"stage": args.stage}
    code = 0
    try:
        body = STAGES[args.stage](ctx)
        report["rss_before_mb"] = _rss_mb()
        start = time.perf_counter()
        report.update(body())
        report["seconds"] = round(time.perf_counter() - start, 3)
        # A stage whose figure is not its own wall time (web: the slowest page's median).
        if "seconds_override" in report:
            report["wall_seconds"] = report["seconds"]
            report["seconds"] = report.pop("seconds_override")
        report["status"] = "ok"
        report["rss_peak_mb"] = _peak_mb()
        after = getattr(body, "after", None)
        if after is not None:
            after()
    except NotAvailable as exc:
        report.update(status="not available", reason=str(exc))
        code = NOT_AVAILABLE
    except Exception as exc:
        traceback.print_exc()
        report.update(status="failed", reason=f"{type(exc).__name__}: {exc}")
        code = 1
    report.setdefault("rss_peak_mb", _peak_mb())
    print(json.dumps(report))
    return code


if __name__ == "__main__":
    sys.exit(main())
