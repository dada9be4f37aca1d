"""The benchmark: Reciprocity and the tools people would use instead, on the same exports.

``.venv/bin/python bench/run.py --sizes 10k,100k,1M`` (what ``make bench`` runs):

1. generates the exports (``bench/generate.py``; kept between runs in ``bench/work/data``);
2. installs the peers into their own environments (``bench/peer_tools.py``);
3. per size, sequentially: our CLI end to end on a fresh database, each stage alone in its
   own process (``bench/stage.py``), then whatstk, chat-analytics and ConvoKit;
4. the group case: a WhatsApp family group of seven at ``--group-sizes``, our CLI end to
   end and the ``--group-peers`` on the same file;
5. other formats (iOS, Telegram, CSV; Messenger and Discord when asked) end to end at
   ``--other-sizes``, and chat-analytics on the Messenger and Discord exports
   (``--other-peers``);
6. prints the figures, ours / theirs ratios, growth with size and the issue's goals, and
   writes one JSON object per line to ``bench/results/latest.json``.

Every figure is the median of ``--runs`` runs (``--peer-runs`` for the peers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import generate
import measure
from ours import Ours, imported_count, relationships, unavailable
from peer_tools import PEERS, WORK, Peer, chat_analytics_reads
from rich.console import Console
from stage import NOT_AVAILABLE, STAGES

import report

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "latest.json"

console = Console(stderr=True, width=None if sys.stderr.isatty() else 150)


class Bench:
    """Collects records as the run goes and saves them after every figure."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.ours = Ours(python=Path(args.python)) if args.python else Ours()
        self.records: list[dict[str, Any]] = [self._header()]
        self.work = BENCH / "work"

    def _header(self) -> dict[str, Any]:
        return {
            "kind": "run",
            "figure": "run",
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
            "machine": machine(),
            "runs": self.args.runs,
            "peer_runs": self.args.peer_runs or self.args.runs,
        }

    def add(self, record: dict[str, Any]) -> None:
        """Keep ``record``, print a one-line progress note, save the file."""
        self.records.append(record)
        if record.get("kind") == "measure":
            if record["status"] == "ok":
                note = f"{record['seconds']:.2f} s, {record['peak_rss_mb']:.0f} MiB"
            else:
                note = f"[yellow]{record['status']}[/]: {(record.get('reason') or '')[:160]}"
            console.print(
                f"  {record['figure']:<24} {record['format']:<9} {record['size']:>5}  {note}",
                highlight=False,
            )
        self.save()

    def save(self) -> None:
        """Write every record so far, one JSON object per line."""
        out = Path(self.args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".partial")
        with tmp.open("w") as fh:
            for r in self.records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        tmp.replace(out)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    for key, cmd in (
        ("node", ["node", "--version"]),
        ("commit", ["git", "-C", str(BENCH.parent), "rev-parse", "--short", "HEAD"]),
    ):
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
            info[key] = done.stdout.strip() or None
        except (OSError, subprocess.TimeoutExpired):
            info[key] = None
    return info


def base(figure: str, tool: str, fmt: str, n: int, export: Path) -> dict[str, Any]:
    """Fields every measurement record has."""
    return {
        "kind": "measure",
        "figure": figure,
        "tool": tool,
        "format": fmt,
        "size": generate.size_label(n),
        "messages": n,
        "file_mb": measure.file_mb(export),
    }


def summarise(
    record: dict[str, Any], seconds: list[float], rss: list[float], runs: int
) -> dict[str, Any]:
    """Add medians and the individual runs to ``record``."""
    record.update(
        status="ok",
        seconds=measure.median(seconds),
        peak_rss_mb=measure.median(rss),
        runs=len(seconds),
        seconds_all=seconds,
        peak_rss_mb_all=rss,
    )
    if len(seconds) < runs:
        record["note"] = f"only {len(seconds)} of {runs} runs"
    return record


def fresh(db: Path) -> None:
    """Delete a SQLite database and its side files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def run_e2e(bench: Bench, fmt: str, n: int, export: Path) -> Path:
    """Our CLI end to end, a fresh database per run; returns the last database."""
    args, ours = bench.args, bench.ours
    db = bench.work / "db" / f"{fmt}-{generate.size_label(n)}.sqlite"
    db.parent.mkdir(parents=True, exist_ok=True)
    version = ours.version()
    recs = {
        name: base(f"e2e.{name}", "reciprocity", fmt, n, export) | {"version": version}
        for name in ("import", "analyze", "total")
    }
    recs["import"]["does"] = "reciprocity --db DB import FILE --me Sam (fresh database)"
    recs["analyze"]["does"] = "reciprocity --db DB analyze --json (database just imported)"
    recs["total"]["does"] = "import + analyze; peak memory is the larger of the two"
    times: dict[str, list[float]] = {k: [] for k in recs}
    peaks: dict[str, list[float]] = {k: [] for k in recs}
    failure: tuple[str, str, str] | None = None
    for _ in range(args.runs):
        fresh(db)
        imp = measure.run(ours.import_cmd(db, export), env=ours.env(), timeout=args.timeout)
        if not imp.ok:
            failure = ("import", imp.stderr, "timed out" if imp.timed_out else "")
            break
        ana = measure.run(ours.analyze_cmd(db), env=ours.env(), timeout=args.timeout)
        if not ana.ok:
            failure = ("analyze", ana.stderr, "timed out" if ana.timed_out else "")
            break
        recs["import"]["messages_read"] = imported_count(imp.stdout)
        recs["analyze"]["relationships"] = relationships(ana.stdout)
        for name, secs, rss in (
            ("import", imp.seconds, imp.peak_rss_mb),
            ("analyze", ana.seconds, ana.peak_rss_mb),
            ("total", imp.seconds + ana.seconds, max(imp.peak_rss_mb, ana.peak_rss_mb)),
        ):
            times[name].append(round(secs, 3))
            peaks[name].append(rss)
    for name, rec in recs.items():
        if times[name]:
            bench.add(summarise(rec, times[name], peaks[name], args.runs))
        elif failure:
            step, stderr, why = failure
            missing = unavailable(stderr)
            rec.update(
                status="not available" if missing else "failed",
                reason=missing or f"{step} {why}: {measure.tail(stderr, 6)}".strip(),
            )
            bench.add(rec)
    return db


def run_stages(
    bench: Bench, fmt: str, n: int, export: Path, e2e_db: Path | None, stages: list[str]
) -> None:
    """Each of ``stages`` alone, in its own process, ``--runs`` times."""
    args, ours = bench.args, bench.ours
    label = generate.size_label(n)
    work = bench.work / "stages" / f"{fmt}-{label}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "store.sqlite"
    for stage in stages:
        rec = base(f"stage.{stage}", "reciprocity", fmt, n, export)
        rec["version"] = ours.version()
        rec["does"] = (STAGES[stage].__doc__ or "").strip().split("\n")[0]
        # Without a stored database of its own, "read" reads the one the CLI imported.
        use_db = db if db.is_file() or stage != "read" or e2e_db is None else e2e_db
        # The web pages are timed on the database the CLI imported (analysis stored).
        if stage == "web" and e2e_db is not None:
            use_db = e2e_db
        seconds: list[float] = []
        rss: list[float] = []
        for _ in range(args.runs):
            cmd = ours.stage_cmd(stage, export, work, use_db)
            sample = measure.run(cmd, env=ours.env(), timeout=args.timeout)
            line = _last_json(sample.stdout)
            if sample.returncode == NOT_AVAILABLE or line.get("status") == "not available":
                rec.update(status="not available", reason=line.get("reason", "not available"))
                break
            if not sample.ok or line.get("status") != "ok":
                why = line.get("reason") or measure.tail(sample.stderr, 6)
                rec.update(
                    status="failed", reason=("timed out; " if sample.timed_out else "") + why
                )
                break
            seconds.append(line["seconds"])
            rss.append(line["rss_peak_mb"])
            rec["rss_before_mb"] = line.get("rss_before_mb")
            rec["rows"] = line.get("rows")
            for key in ("pages", "slowest_page", "startup_s", "server_peak_mb", "wall_seconds"):
                if key in line:
                    rec[key] = line[key]
        if seconds and "status" not in rec:
            summarise(rec, seconds, rss, args.runs)
        bench.add(rec)


def _last_json(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            try:
                return dict(json.loads(line))
            except ValueError:
                return {}
    return {}


def install_peers(bench: Bench, names: list[str]) -> dict[str, str | None]:
    """Install each selected peer; returns name -> version, or records why it cannot run."""
    ready: dict[str, str | None] = {}
    for name in names:
        peer = PEERS[name]
        console.print(f"Preparing {name} ({peer.manager}) in {peer.home} ...", highlight=False)
        start = time.perf_counter()
        done = peer.install(force=bench.args.reinstall_peers, record_pins=bench.args.record_pins)
        took = round(time.perf_counter() - start, 1)
        if done.ok:
            ready[name] = done.version
            console.print(f"  {name} {done.version} ready ({took} s)", highlight=False)
        else:
            console.print(f"  [red]{name} cannot be installed[/]: {done.reason}", highlight=False)
            bench.add(
                {
                    "kind": "measure",
                    "figure": peer.figure,
                    "tool": name,
                    "format": "android",
                    "size": "-",
                    "messages": 0,
                    "status": "not available",
                    "reason": done.reason,
                }
            )
    return ready


def run_peer(bench: Bench, peer: Peer, version: str | None, fmt: str, n: int, export: Path) -> None:
    """One peer on one export, ``--peer-runs`` times."""
    runs = bench.args.peer_runs or bench.args.runs
    out = WORK / "out"
    out.mkdir(parents=True, exist_ok=True)
    call = peer.invocation(peer, export, out)
    rec = base(peer.figure, peer.name, fmt, n, export) | {"version": version, "does": peer.does}
    series = measure.repeat(call.cmd, runs, env=call.env, cwd=call.cwd, timeout=bench.args.timeout)
    good = [s for s in series.samples if s.ok]
    if good:
        summarise(rec, [s.seconds for s in good], [s.peak_rss_mb for s in good], runs)
        rec["messages_read"] = peer.messages(good[-1].stdout)
        inner = _last_json(good[-1].stdout)
        for key in ("import_s", "work_s", "parse_s", "build_s", "count_s"):
            if key in inner:
                rec[key] = inner[key]
    else:
        last = series.samples[-1]
        why = "timed out" if last.timed_out else f"exit {last.returncode}"
        rec.update(status="failed", reason=f"{why}: {measure.tail(last.stderr or last.stdout)}")
    bench.add(rec)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10k,100k,1M", help="sizes of the main (Android) export")
    p.add_argument("--other-formats", default="ios,telegram,csv", help="'' to skip")
    p.add_argument("--other-sizes", default="100k", help="sizes for the other formats")
    p.add_argument(
        "--other-peers",
        default="chat-analytics",
        help="peers run on the other formats they read (chat-analytics: Messenger, Discord), "
        "or 'none'",
    )
    p.add_argument("--runs", type=int, default=3, help="runs per figure (median reported)")
    p.add_argument("--peer-runs", type=int, default=None, help="runs per peer figure")
    p.add_argument("--peers", default=",".join(PEERS), help="peers to run, or 'none'")
    p.add_argument(
        "--group-sizes", default="10k,100k,1M", help="WhatsApp group export sizes, '' to skip"
    )
    p.add_argument(
        "--group-peers", default="whatstk", help="peers to run on the group export, or 'none'"
    )
    p.add_argument("--no-ours", action="store_true", help="only the peers")
    p.add_argument("--stages", default=",".join(STAGES), help="stages to time alone")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per command")
    p.add_argument("--out", default=str(RESULTS), help="JSON-lines results file")
    p.add_argument("--data", default=str(generate.DEFAULT_OUT), help="where exports go")
    p.add_argument("--python", default=None, help="our interpreter (default .venv/bin/python)")
    p.add_argument("--reinstall-peers", action="store_true")
    p.add_argument(
        "--record-pins", action="store_true", help="write resolved peer versions to bench/peers"
    )
    args = p.parse_args(argv)
    args.peers = [] if args.peers in ("", "none") else args.peers.split(",")
    args.group_peers = [] if args.group_peers in ("", "none") else args.group_peers.split(",")
    args.other_peers = [] if args.other_peers in ("", "none") else args.other_peers.split(",")
    args.stages = [s for s in args.stages.split(",") if s]
    for name in [*args.peers, *args.group_peers, *args.other_peers]:
        if name not in PEERS:
            p.error(f"unknown peer {name!r}; choose from {', '.join(PEERS)}")
    for name in args.stages:
        if name not in STAGES:
            p.error(f"unknown stage {name!r}; choose from {', '.join(STAGES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    args = parse_args(argv)
    bench = Bench(args)
    data = Path(args.data)
    sizes = sorted(generate.parse_size(s) for s in args.sizes.split(",") if s)
    others = [f for f in args.other_formats.split(",") if f]
    other_sizes = [generate.parse_size(s) for s in args.other_sizes.split(",") if s]
    group_sizes = sorted(generate.parse_size(s) for s in args.group_sizes.split(",") if s)
    other_peers = [p for p in args.other_peers if p == "chat-analytics"]
    wanted = list(
        dict.fromkeys(
            [
                *args.peers,
                *(args.group_peers if group_sizes else []),
                *(other_peers if any(chat_analytics_reads(f) for f in others) else []),
            ]
        )
    )
    ready = install_peers(bench, wanted)
    for n in sizes:
        label = generate.size_label(n)
        console.rule(f"WhatsApp Android, {label} messages")
        export = generate.ensure("android", n, data)
        console.print(f"  {export.name}: {measure.file_mb(export)} MB", highlight=False)
        db = None
        if not args.no_ours:
            db = run_e2e(bench, "android", n, export)
            run_stages(bench, "android", n, export, db if db.is_file() else None, args.stages)
        for name, version in ready.items():
            if name in args.peers:
                run_peer(bench, PEERS[name], version, "android", n, export)
    for n in group_sizes:
        console.rule(f"WhatsApp group of seven, {generate.size_label(n)} messages")
        export = generate.ensure("group", n, data)
        console.print(f"  {export.name}: {measure.file_mb(export)} MB", highlight=False)
        if not args.no_ours:
            run_e2e(bench, "group", n, export)
        for name, version in ready.items():
            if name in args.group_peers:
                run_peer(bench, PEERS[name], version, "group", n, export)
    for fmt in others:
        for n in other_sizes:
            console.rule(f"{fmt}, {generate.size_label(n)} messages")
            export = generate.ensure(fmt, n, data)
            if not args.no_ours:
                run_e2e(bench, fmt, n, export)
                parse = [s for s in args.stages if s == "parse"]
                run_stages(bench, fmt, n, export, None, parse)
            # chat-analytics reads Messenger and Discord too: the 5x goal for them.
            if chat_analytics_reads(fmt):
                for name, version in ready.items():
                    if name in other_peers:
                        run_peer(bench, PEERS[name], version, fmt, n, export)
    bench.records.extend(report.ratios(bench.records))
    bench.records.extend(report.growth(bench.records))
    bench.records.extend(report.goals(bench.records))
    bench.records.extend(report.group_goals(bench.records))
    bench.save()
    # Wide enough for the tables when the output goes to a file or a pipe.
    wide = Console(width=None if sys.stdout.isatty() else 150)
    report.print_tables(bench.records, wide)
    console.print(f"Results: {args.out}", highlight=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
