"""Rich rendering of an evaluation result (:mod:`reciprocity.acts.evaluate`). No figure is
computed here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from reciprocity.acts.evaluate import EvalResult, Score


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _f1_cell(s: Score) -> Text:
    text = Text(f"{s.f1:.2f}")
    if s.goal is not None and s.goal_on == "f1":
        text.stylize("green" if s.met else "red")
    return text


def _recall_cell(s: Score) -> Text:
    text = Text(_num(s.recall))
    if s.goal is not None and s.goal_on == "recall":
        text.stylize("green" if s.met else "red")
    return text


def _goal_text(s: Score) -> str:
    if s.goal is None:
        return "–"
    text = f"{s.goal:.2f}" + (" R" if s.goal_on == "recall" else "")
    if s.max_flagged is not None:
        text += f", ≤{s.max_flagged:.0%} flagged"
    return text


def _end_to_end_line(result: EvalResult) -> str | None:
    e = result.end_to_end
    if e is None:
        return None
    return (
        f"End to end (ESConv dev dialogues as chats, the seeker as 'me'): the helper gives "
        f"more emotional support in {e.helper_gives_more} of {e.with_figure} dialogues with "
        f"a figure ({e.share:.1%}, goal {e.goal:.0%}); {e.supporter_turns_seeking} of "
        f"{e.supporter_turns} supporter turns counted as coming to 'me' for support (goal 0)."
    )


def goals_markdown(result: EvalResult) -> str:
    """One Markdown row per score that has a goal: where, figure reached, met or not."""
    lines = ["| act | where | reached | goal | status |", "|---|---|---|---|---|"]
    for s in result.scores:
        if s.goal is None:
            continue
        where = s.dataset + (f" ({s.variant})" if s.variant else "") + f", {s.source}"
        if s.goal_on == "recall":
            reached = f"R {s.recall:.2f} (P {s.precision:.2f})"
        else:
            reached = f"F1 {s.f1:.2f} (P {s.precision:.2f}, R {s.recall:.2f})"
        if s.flagged is not None and s.max_flagged is not None:
            reached += f", {s.flagged:.1%} of the others flagged"
        status = "met" if s.met else "not met"
        lines.append(
            f"| {s.act} | {where.replace('|', '/')} | {reached} | {_goal_text(s)} | {status} |"
        )
    e = result.end_to_end
    if e is not None:
        status = "met" if e.share >= e.goal and e.supporter_turns_seeking == 0 else "not met"
        lines.append(
            f"| end to end | ESConv dev, {e.dialogues} dialogues as chats, seeker as me | "
            f"helper gives more in {e.share:.1%} ({e.helper_gives_more}/{e.with_figure}); "
            f"{e.supporter_turns_seeking} supporter turns counted as seeking | ≥ 95 %, 0 | "
            f"{status} |"
        )
    return "\n".join(lines) + "\n"


def table(result: EvalResult) -> Table:
    """One row per dataset and act: n, precision, recall, F1 (full, rules, model), goals."""
    t = Table(
        title=f"Act detection, each dataset's own test split (model: {result.model or 'none'})"
    )
    for name, kw in (
        ("dataset", {}), ("act", {}), ("their label", {"overflow": "fold", "max_width": 28}),
        ("kind", {}), ("n", {"justify": "right"}), ("pos", {"justify": "right"}),
        ("P", {"justify": "right"}), ("R", {"justify": "right"}), ("F1", {"justify": "right"}),
        ("rules", {"justify": "right"}), ("model", {"justify": "right"}),
        ("published", {"justify": "right"}), ("goal", {"justify": "right"}),
    ):  # fmt: skip
        t.add_column(name, **kw)
    last = None
    for s in result.scores:
        dataset = f"{s.dataset}" + (f" ({s.variant})" if s.variant else "")
        if last is not None and dataset != last:
            t.add_section()
        t.add_row(
            dataset if dataset != last else "", s.act, s.source, s.kind, str(s.n),
            str(s.positives), _num(s.precision), _recall_cell(s), _f1_cell(s),
            _num(s.f1_rules), _num(s.f1_model), _num(s.published), _goal_text(s),
        )  # fmt: skip
        last = dataset
    return t


def render(result: EvalResult, console: Console) -> None:
    """Print the table, the throughput and what was skipped."""
    console.print(table(result))
    tp = result.throughput
    if tp is not None:
        goal = (
            "[green]goal met[/]" if tp.per_second >= 250_000 else "[red]below the 250,000 goal[/]"
        )
        console.print(
            f"detect(): [bold]{tp.per_second:,.0f}[/] messages/second ({goal}) on {tp.messages:,} "
            f"messages of {tp.mean_chars:.0f} characters on average ({tp.sample}); runs "
            f"{', '.join(f'{s:.2f}s' for s in tp.seconds)}; {tp.cpus} CPUs, load average "
            f"{' '.join(f'{x:.2f}' for x in tp.load_average)}"
        )
    line = _end_to_end_line(result)
    if line is not None:
        console.print(line)
    for name, why in result.skipped.items():
        console.print(f"[yellow]skipped[/] {name}: {why}")
    console.print(
        "F1 = full detector; rules / model = each layer alone. 'proxy' rows compare with a "
        "related label, not the same act. "
        f"Took {result.seconds:.0f} s."
    )


def markdown(result: EvalResult) -> str:
    """The table as GitHub Markdown (for the README), plus the throughput line."""
    names = "dataset act|their label|kind|n|pos|P|R|F1|rules|model|published|goal"
    head = "| " + " | ".join(names.replace("dataset act", "dataset|act").split("|")) + " |"
    lines = [head, "|" + "---|" * 13]
    for s in result.scores:
        dataset = s.dataset + (f" ({s.variant})" if s.variant else "")
        f1 = f"**{s.f1:.2f}**" if s.goal_on == "f1" and s.met else f"{s.f1:.2f}"
        recall = f"**{s.recall:.2f}**" if s.goal_on == "recall" and s.met else _num(s.recall)
        cells = [
            dataset, s.act, s.source, s.kind, str(s.n), str(s.positives), _num(s.precision),
            recall, f1, _num(s.f1_rules), _num(s.f1_model), _num(s.published), _goal_text(s),
        ]  # fmt: skip
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    line = _end_to_end_line(result)
    if line is not None:
        lines += ["", line]
    tp = result.throughput
    if tp is not None:
        lines.append("")
        lines.append(
            f"`detect()`: {tp.per_second:,.0f} messages/second on {tp.messages:,} messages "
            f"({tp.mean_chars:.0f} characters on average, {tp.sample}); runs "
            f"{', '.join(f'{s:.2f}s' for s in tp.seconds)}; {tp.cpus} CPUs, load average "
            f"{' '.join(f'{x:.2f}' for x in tp.load_average)}."
        )
    return "\n".join(lines) + "\n"
