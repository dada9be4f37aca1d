"""Time and peak memory of the parsers on the hostile files of issue 22 (point 4).

Each file is written once (streamed, never held in memory) under ``--work`` and then read by
``reciprocity.ingest.batches`` in a fresh child process, every batch consumed and dropped,
as an import would before saving. The child's address space is capped (``--cap-gib``) and
its run time too (``--timeout``), so a parser that grows without end is stopped and shown
as such rather than taking the machine down. Pass ``--src`` to measure another checkout's
``src`` folder (the code before a change) with the same files::

    git archive <commit> src | tar -x -C /tmp/before
    .venv/bin/python bench/hostile.py --src /tmp/before/src --label before
    .venv/bin/python bench/hostile.py --label after

Not a test: figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import run

MB = 1024 * 1024
HEADER = b"01/03/2020, 10:00 - Alex: "

_CHILD = """
import json, resource, sys
cap = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from reciprocity import ingest
rows, error = 0, None
try:
    for batch in ingest.batches(sys.argv[1], "auto", ingest.Options(timezone="UTC")):
        rows += batch.height
except Exception as exc:
    error = f"{type(exc).__name__}: {str(exc).split(sys.argv[1])[-1][:200]}"
print(json.dumps({"rows": rows, "error": error}))
"""


def _repeat(block: bytes, total: int) -> Iterator[bytes]:
    left = total
    while left > 0:
        yield block[:left]
        left -= len(block)


def _ambiguous_lines(total: int) -> Iterator[bytes]:
    """Valid Android lines whose dates never say which number is the day (both <= 12)."""
    written, index = 0, 0
    while written < total:
        lines = []
        for _ in range(10_000):
            day, month = index % 12 + 1, index // 1000 % 12 + 1
            who = "Alex" if index % 3 else "Sam"
            lines.append(
                f"{day:02}/{month:02}/2020, {index % 24:02}:{index % 60:02} - {who}: "
                f"message {index} about the plans for {index % 97} days\n"
            )
            index += 1
        block = "".join(lines).encode()
        written += len(block)
        yield block


def _valid_lines(total: int) -> Iterator[bytes]:
    line = b"13/03/2020, 10:00 - Alex: an ordinary message of a few words\n"
    return _repeat(line * 20_000, total)


def _write(path: Path, chunks: Iterable[bytes]) -> None:
    with path.open("wb") as fh:
        for chunk in chunks:
            fh.write(chunk)


def _zip(path: Path, member: str, chunks: Iterable[bytes]) -> None:
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(member, "w", force_zip64=True) as fh,
    ):
        for chunk in chunks:
            fh.write(chunk)


def _single_line(size: int) -> Callable[[Path], None]:
    return lambda path: _write(path, [HEADER, *_repeat(b"a" * MB, size)])


#: name, file name, what it holds, how to write it
CASES: list[tuple[str, str, str, Callable[[Path], None]]] = [
    (
        "6 GB single-line zip",
        "single-line-6g.zip",
        "one line of 6 GiB, packed",
        lambda p: _zip(p, "_chat.txt", [HEADER, *_repeat(b"a" * MB, 6 * 1024 * MB)]),
    ),
    (
        "zip of ambiguous dates",
        "ambiguous-dates.zip",
        "valid lines, every date could be day- or month-first",
        lambda p: _zip(p, "_chat.txt", _ambiguous_lines(900 * MB)),
    ),
    ("50 MB single line", "single-line-50m.txt", "one line", _single_line(50 * MB)),
    ("100 MB single line", "single-line-100m.txt", "one line", _single_line(100 * MB)),
    ("200 MB single line", "single-line-200m.txt", "one line", _single_line(200 * MB)),
    (
        "message of 2M blank lines",
        "blank-lines-2m.txt",
        "one message going on for 2 million empty lines",
        lambda p: _write(p, [HEADER, b"\n" * 2_000_000, HEADER]),
    ),
    (
        "message of 8M blank lines",
        "blank-lines-8m.txt",
        "one message going on for 8 million empty lines (time should be about 4x the 2M one)",
        lambda p: _write(p, [HEADER, b"\n" * 8_000_000, HEADER]),
    ),
    (
        "3 GB of valid lines, zipped",
        "valid-lines-3g.zip",
        "valid messages, packed",
        lambda p: _zip(p, "_chat.txt", _valid_lines(3 * 1024 * MB)),
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("bench/work/hostile"))
    parser.add_argument("--src", type=Path, help="a src folder to measure instead of this one")
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--timeout", type=float, default=150.0)
    parser.add_argument("--cap-gib", type=float, default=4.0)
    parser.add_argument("--only", help="comma-separated file names to run")
    parser.add_argument("--out", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if args.src is not None:
        env["PYTHONPATH"] = str(args.src.resolve())
    cap = int(args.cap_gib * 1024**3)
    only = set(args.only.split(",")) if args.only else None
    rows = []
    print(
        f"{args.label}: ingest.batches on each file, cap {args.cap_gib:g} GiB, {args.timeout:g} s"
    )
    print(f"{'file':<30} {'on disk':>10} {'seconds':>8} {'peak MiB':>9}  outcome")
    for name, file_name, _, write in CASES:
        if only and file_name not in only:
            continue
        path = args.work / file_name
        if not path.exists():
            partial = path.with_suffix(".partial")
            write(partial)
            partial.rename(path)
        sample = run(
            [sys.executable, "-c", _CHILD, str(path), str(cap)], env=env, timeout=args.timeout
        )
        if sample.timed_out:
            outcome = f"stopped after {args.timeout:g} s"
        elif sample.returncode != 0:
            last = sample.stderr.strip().splitlines()[-1:] or ["?"]
            outcome = f"crashed at the {args.cap_gib:g} GiB cap: {last[0][:80]}"
        else:
            result = json.loads(sample.stdout.strip().splitlines()[-1])
            outcome = result["error"] or f"{result['rows']:,} messages"
        size = path.stat().st_size / 1e6
        shown = outcome if len(outcome) <= 90 else outcome[:87] + "..."
        figures = f"{size:>8.1f}MB {sample.seconds:>8.1f} {sample.peak_rss_mb:>9.0f}"
        print(f"{name:<30} {figures}  {shown}")
        rows.append(
            {"case": name, "file_mb": round(size, 1), "seconds": sample.seconds,
             "peak_mib": sample.peak_rss_mb, "outcome": outcome}
        )  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps({"label": args.label, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
