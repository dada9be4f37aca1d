"""Derived figures (ours / theirs ratios, growth with size, goals) and the printed tables.

Every figure is a plain dict, one JSON object per line in ``bench/results/latest.json``;
``kind`` says which sort it is: ``measure`` (a timed command), ``ratio``, ``growth``,
``goal`` or ``run`` (the header line: when, where, with what).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table

Record = dict[str, Any]

#: (ours, theirs, goal on ours/theirs time or None, what the pair compares)
PAIRS: tuple[tuple[str, str, float | None, str], ...] = (
    ("e2e.total", "chat-analytics.report", 0.2, "whole pipeline vs full report"),
    ("e2e.total", "whatstk.parse", 0.5, "whole pipeline vs parse alone"),
    ("e2e.total", "convokit.corpus", None, "whole pipeline vs corpus build"),
    ("stage.parse", "whatstk.parse", None, "parse vs parse"),
    ("e2e.import", "convokit.corpus", None, "parse+store vs parse+corpus"),
)
MEMORY_BUDGET_MB = 600.0
ANALYZE_BUDGET_S = 1.0
WEB_BUDGET_MS = 100.0
FLAT_FACTOR = 1.5  # import memory may grow at most this much for 10x the messages
GROUP_OVER_ONE_TO_ONE = 1.1  # group import peak at most this much of the one-to-one's (noise)


def _ok(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if r.get("kind") == "measure" and r.get("status") == "ok"]


def _index(records: Iterable[Record]) -> dict[tuple[str, str, str], Record]:
    return {(r["figure"], r["format"], r["size"]): r for r in _ok(records)}


def ratios(records: list[Record]) -> list[Record]:
    """One ``ratio`` record per pair in :data:`PAIRS` where both sides ran, per size."""
    index = _index(records)
    out: list[Record] = []
    for (figure, fmt, size), ours in index.items():
        for ours_name, theirs_name, goal, what in PAIRS:
            if figure != ours_name or (theirs_name, fmt, size) not in index:
                continue
            theirs = index[(theirs_name, fmt, size)]
            time_ratio = ours["seconds"] / theirs["seconds"] if theirs["seconds"] else None
            rss_ratio = (
                ours["peak_rss_mb"] / theirs["peak_rss_mb"] if theirs["peak_rss_mb"] else None
            )
            out.append(
                {
                    "kind": "ratio",
                    "figure": f"{ours_name} / {theirs_name}",
                    "ours": ours_name,
                    "theirs": theirs_name,
                    "compares": what,
                    "format": fmt,
                    "size": size,
                    "messages": ours["messages"],
                    "time_ratio": round(time_ratio, 3) if time_ratio is not None else None,
                    "speedup": round(1 / time_ratio, 2) if time_ratio else None,
                    "memory_ratio": round(rss_ratio, 3) if rss_ratio is not None else None,
                    "goal_time_ratio": goal,
                    "goal_met": (time_ratio <= goal) if goal and time_ratio is not None else None,
                }
            )
    return out


def growth(records: list[Record]) -> list[Record]:
    """One ``growth`` record per figure measured at two sizes or more of one format."""
    series: dict[tuple[str, str], list[Record]] = {}
    for r in _ok(records):
        series.setdefault((r["figure"], r["format"]), []).append(r)
    out: list[Record] = []
    for (figure, fmt), points in series.items():
        if len(points) < 2:
            continue
        points.sort(key=lambda r: r["messages"])
        steps = []
        for a, b in itertools.pairwise(points):
            steps.append(
                {
                    "from": a["size"],
                    "to": b["size"],
                    "messages_factor": round(b["messages"] / a["messages"], 2),
                    "time_factor": _factor(b["seconds"], a["seconds"]),
                    "memory_factor": _factor(b["peak_rss_mb"], a["peak_rss_mb"]),
                }
            )
        out.append(
            {
                "kind": "growth",
                "figure": figure,
                "format": fmt,
                "points": [
                    {k: p[k] for k in ("size", "messages", "seconds", "peak_rss_mb")}
                    for p in points
                ],
                "steps": steps,
            }
        )
    return out


def _factor(new: float | None, old: float | None) -> float | None:
    return round(new / old, 2) if new is not None and old else None


def goals(records: list[Record], fmt: str = "android", *, web: bool = True) -> list[Record]:
    """The issue's goals, checked on the largest size measured in format ``fmt`` (the web
    pages' goal only with ``web``)."""
    index = _index(records)
    sizes = sorted(
        {(r["messages"], r["size"]) for r in _ok(records) if r["format"] == fmt},
    )
    if not sizes:
        return []
    top = sizes[-1][1]
    out: list[Record] = []

    def goal(name: str, value: float | None, limit: str, met: bool | None, note: str) -> None:
        out.append(
            {
                "kind": "goal",
                "figure": f"goal: {name}",
                "format": fmt,
                "size": top,
                "value": value,
                "limit": limit,
                "met": met,
                "note": note,
            }
        )

    for r in ratios(records):
        if r["size"] == top and r["format"] == fmt and r["goal_time_ratio"]:
            goal(
                f"{r['ours']} at most {r['goal_time_ratio']:g}x {r['theirs']}",
                r["time_ratio"],
                f"<= {r['goal_time_ratio']:g}",
                r["goal_met"],
                f"{r['speedup']}x faster" if r["speedup"] else "",
            )
    peaks = [
        index[(f, fmt, top)]["peak_rss_mb"]
        for f in ("e2e.import", "e2e.analyze")
        if (f, fmt, top) in index
    ]
    if peaks:
        peak = max(peaks)
        goal(
            "peak memory of import and analyze",
            peak,
            f"<= {MEMORY_BUDGET_MB:g} MiB",
            peak <= MEMORY_BUDGET_MB,
            "",
        )
    for g in growth(records):
        if g["figure"] == "e2e.import" and g["format"] == fmt and g["steps"]:
            step = g["steps"][-1]
            factor = step["memory_factor"]
            goal(
                "import memory flat as the file grows",
                factor,
                f"<= {FLAT_FACTOR:g}x for {step['messages_factor']:g}x the messages",
                factor is not None and factor <= FLAT_FACTOR,
                f"{step['from']} -> {step['to']}",
            )
    analyze = index.get(("e2e.analyze", fmt, top))
    if analyze:
        goal(
            "reciprocity analyze on the imported database",
            analyze["seconds"],
            f"< {ANALYZE_BUDGET_S:g} s",
            analyze["seconds"] < ANALYZE_BUDGET_S,
            "whole command, interpreter start included",
        )
    pages = index.get(("stage.web", fmt, top))
    if not web:
        return out
    if pages:
        slowest = pages["seconds"] * 1000
        goal(
            "web pages for that database",
            round(slowest, 1),
            f"< {WEB_BUDGET_MS:g} ms",
            slowest < WEB_BUDGET_MS,
            f"slowest page's median: {pages.get('slowest_page', '?')} (httpx, app in uvicorn)",
        )
    else:
        goal("web pages for that database", None, f"< {WEB_BUDGET_MS:g} ms", None, "not measured")
    return out


def group_goals(records: list[Record]) -> list[Record]:
    """The goals for the WhatsApp group export (format ``group``): the same as for the
    one-to-one chat (ratios, memory, flat growth, analyze time), plus its import's peak
    within the one-to-one import's at the same size, and the memory factor from the
    smallest size to the largest."""
    out = goals(records, "group", web=False)
    if not out:
        return out
    index = _index(records)
    top = out[0]["size"]
    group = index.get(("e2e.import", "group", top))
    single = index.get(("e2e.import", "android", top))
    if group and single:
        ratio = group["peak_rss_mb"] / single["peak_rss_mb"]
        out.append(
            {
                "kind": "goal",
                "figure": "goal: group import peak within the one-to-one import's",
                "format": "group",
                "size": top,
                "value": round(ratio, 3),
                "limit": f"<= {GROUP_OVER_ONE_TO_ONE:g}x",
                "met": ratio <= GROUP_OVER_ONE_TO_ONE,
                "note": f"{group['peak_rss_mb']:.0f} MiB against {single['peak_rss_mb']:.0f} MiB",
            }
        )
    for g in growth(records):
        if g["figure"] == "e2e.import" and g["format"] == "group" and len(g["points"]) > 2:
            first, last = g["points"][0], g["points"][-1]
            factor = _factor(last["peak_rss_mb"], first["peak_rss_mb"])
            out.append(
                {
                    "kind": "goal",
                    "figure": "goal: group import memory, smallest to largest",
                    "format": "group",
                    "size": top,
                    "value": factor,
                    "limit": "shown, no limit",
                    "met": None,
                    "note": f"{first['size']} -> {last['size']}",
                }
            )
    return out


def _num(value: float | None, unit: str = "", digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}{unit}"


def print_tables(records: list[Record], console: Console | None = None) -> None:
    """Print the figures, ratios, growth and goals as Rich tables."""
    console = console or Console()
    table = Table(title="Figures (median of runs)", show_lines=False)
    for col in ("figure", "tool", "format", "size", "seconds", "peak MiB", "runs", "status"):
        right = col in ("seconds", "peak MiB", "runs")
        table.add_column(col, justify="right" if right else "left", no_wrap=col != "status")
    for r in records:
        if r.get("kind") != "measure":
            continue
        status = r["status"] if r["status"] == "ok" else f"[yellow]{r['status']}[/]"
        table.add_row(
            r["figure"],
            f"{r['tool']} {r.get('version') or ''}".strip(),
            r["format"],
            r["size"],
            _num(r.get("seconds")),
            _num(r.get("peak_rss_mb"), digits=0),
            str(r.get("runs", "")),
            status,
        )
    console.print(table)

    rat = [r for r in records if r.get("kind") == "ratio"]
    if rat:
        table = Table(title="Ours / theirs (below 1 means we are faster or smaller)")
        for col in ("size", "format", "ours", "theirs", "time", "speed-up", "memory", "goal"):
            table.add_column(col)
        for r in rat:
            goal = "-"
            if r["goal_time_ratio"]:
                mark = "[green]met[/]" if r["goal_met"] else "[red]missed[/]"
                goal = f"<= {r['goal_time_ratio']:g}: {mark}"
            table.add_row(
                r["size"],
                r.get("format", ""),
                r["ours"],
                r["theirs"],
                _num(r["time_ratio"], digits=3),
                _num(r["speedup"], "x"),
                _num(r["memory_ratio"], digits=3),
                goal,
            )
        console.print(table)

    grow = [r for r in records if r.get("kind") == "growth"]
    if grow:
        table = Table(title="Growth with size (time and peak memory per size; factors per step)")
        table.add_column("figure")
        table.add_column("format")
        table.add_column("per size: seconds / MiB")
        table.add_column("step: messages x -> time x, memory x")
        for g in grow:
            points = "  ".join(
                f"{p['size']}: {_num(p['seconds'])} / {_num(p['peak_rss_mb'], digits=0)}"
                for p in g["points"]
            )
            steps = "  ".join(
                f"{s['from']}->{s['to']}: {s['messages_factor']:g} -> "
                f"{_num(s['time_factor'])}, {_num(s['memory_factor'])}"
                for s in g["steps"]
            )
            table.add_row(g["figure"], g["format"], points, steps)
        console.print(table)

    gl = [r for r in records if r.get("kind") == "goal"]
    if gl:
        table = Table(title="Goals (largest size)")
        for col in ("goal", "format", "size", "value", "limit", "met", "note"):
            table.add_column(col)
        for g in gl:
            met = {True: "[green]yes[/]", False: "[red]no[/]", None: "-"}[g["met"]]
            table.add_row(
                g["figure"].removeprefix("goal: "),
                g["format"],
                g["size"],
                _num(g["value"], digits=3),
                g["limit"],
                met,
                g["note"],
            )
        console.print(table)
