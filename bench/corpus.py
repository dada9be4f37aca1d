"""Corpus mode at scale: a generated ConvoKit corpus, analysed in-process and on Dask.

    .venv/bin/python bench/corpus.py --utterances 100k,1M --workers 1,2 --convokit 100k,1M

For each size it writes (once, then reuses) a ConvoKit corpus folder under
``bench/work/corpus/<size>/`` (about ten utterances per conversation: four in five are
two people chatting, the rest threads of three or four speakers with replies to any
earlier post), then times, each in a fresh process:

- ``local``: ``reciprocity corpus`` in one process (its peak memory is the process's);
- ``dask-N``: the same on a local Dask cluster of N worker processes, each with one task
  at a time and Polars' threads shared out; the peak memory of each worker is read from
  the workers themselves after the run; the cluster's start is timed apart;
- ``convokit``: ConvoKit's own ``Corpus(filename=...)`` on the same folder (in the
  environment under ``bench/work/peers/convokit-core``, see bench/README.md).

Results (JSON) go to ``--out``; the machine's load average is recorded with each run,
since on a shared machine other programs take cores too.
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
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from phrases import message_pool  # noqa: E402

WORK = HERE / "work" / "corpus"
CONVOKIT_PYTHON = HERE / "work" / "peers" / "convokit-core" / "venv" / "bin" / "python"
START = 1_600_000_000  # 2020-09-13, Unix seconds


def parse_size(text: str) -> int:
    """``"100k"`` -> 100000, ``"1M"`` -> 1000000."""
    text = text.strip()
    scale = {"k": 1_000, "K": 1_000, "M": 1_000_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if scale != 1 else text) * scale)


def generate(utterances: int, folder: Path, seed: int = 23) -> Path:
    """A ConvoKit corpus folder of ``utterances`` utterances (reused when complete)."""
    done = folder / "index.json"
    if done.is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    pool = pl.Series(message_pool(50_000, seed))
    speakers_total = max(2, utterances // 20)
    block = 1_000_000
    written = 0
    conversation_ids: list[str] = []
    with (folder / "utterances.jsonl").open("wb") as out:
        while written < utterances:
            size = min(block, utterances - written)
            frame = _block(rng, written, size, speakers_total, pool)
            conversation_ids.extend(frame.filter(pl.col("position") == 0)["conversation_id"])
            frame.drop("position").write_ndjson(out)
            written += size
    speakers = {f"s{n}": {"meta": {}, "vectors": []} for n in range(speakers_total)}
    (folder / "speakers.json").write_text(json.dumps(speakers))
    conversations = {c: {"meta": {}, "vectors": []} for c in conversation_ids}
    (folder / "conversations.json").write_text(json.dumps(conversations))
    (folder / "corpus.json").write_text(json.dumps({"name": f"generated {utterances}"}))
    index = {
        "utterances-index": {"position": ["<class 'int'>"]},
        "speakers-index": {},
        "conversations-index": {},
        "overall-index": {"name": ["<class 'str'>"]},
        "version": 1,
        "vectors": [],
    }
    done.write_text(json.dumps(index))
    return folder


def _block(
    rng: np.random.Generator, first: int, size: int, speakers: int, pool: pl.Series
) -> pl.DataFrame:
    """``size`` utterances numbered from ``first``, whole conversations only (the last
    one is cut at the block's end: a shorter conversation)."""
    lengths = rng.integers(2, 19, size=size // 2 + 2)
    lengths = lengths[: int(np.searchsorted(np.cumsum(lengths), size)) + 1]
    lengths[-1] -= int(lengths.sum()) - size
    conv = np.repeat(np.arange(len(lengths)), lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    position = np.arange(size) - starts[conv]
    thread = rng.random(len(lengths)) < 0.2
    people = np.where(thread, rng.integers(3, 5, size=len(lengths)), 2)
    cast = rng.integers(0, speakers, size=(len(lengths), 4))
    # Chats alternate mostly (a speaker sometimes writes twice); threads pick anyone.
    slot = np.where(
        thread[conv],
        rng.integers(0, 4, size=size) % people[conv],
        (position + (rng.random(size) < 0.3).cumsum()) % 2,
    )
    speaker = cast[conv, slot]
    index = first + np.arange(size)
    # A chat's utterance replies to the one before; a thread's to any earlier post.
    earlier = (rng.random(size) * np.maximum(position, 1)).astype(np.int64)
    reply = np.where(thread[conv], starts[conv] + earlier, np.arange(size) - 1) + first
    day = rng.integers(0, 365 * 86_400, size=len(lengths))
    gaps = rng.exponential(600, size=size).astype(np.int64) + 5
    gaps[starts] = 0
    times = START + day[conv] + np.cumsum(gaps) - np.cumsum(gaps)[starts][conv]
    texts = pool.gather(rng.integers(0, pool.len(), size=size))
    frame = pl.DataFrame(
        {
            "index": index,
            "first": first + starts[conv],
            "text": texts,
            "speaker": speaker,
            "position": position,
            "reply": reply,
            "timestamp": times,
        }
    )
    return frame.select(
        pl.format("u{}", "index").alias("id"),
        pl.format("u{}", "first").alias("conversation_id"),
        "text",
        pl.format("s{}", "speaker").alias("speaker"),
        pl.struct(pl.col("position")).alias("meta"),
        pl.when(pl.col("position") > 0).then(pl.format("u{}", "reply")).alias("reply-to"),
        "timestamp",
        pl.lit([], dtype=pl.List(pl.String)).alias("vectors"),
        "position",
    )


_LOCAL = """
import json, resource, sys, time
from reciprocity.corpora.run import run_corpus
start = time.perf_counter()
run = run_corpus(sys.argv[1], sys.argv[2], language=sys.argv[3],
                 partitions=int(sys.argv[4]) or None, chunk_bytes=int(sys.argv[5]),
                 **({"buckets_per_task": int(sys.argv[6])} if sys.argv[6] != "1" else {}))
spent = time.perf_counter() - start
use = resource.getrusage(resource.RUSAGE_SELF)
peak = use.ru_maxrss * 1024
print(json.dumps({"seconds": spent, "steps": run.seconds, "peak_bytes": [peak],
                  "cpu_seconds": use.ru_utime + use.ru_stime,
                  "utterances": run.utterances, "dyads": run.dyads,
                  "partitions": run.partitions}))
"""

_DASK = """
import json, os, resource, sys, time
from reciprocity.corpora.engine import open_engine
from reciprocity.corpora.run import run_corpus

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

def cpu():
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime

if __name__ == "__main__":
    partitions, chunk_bytes = int(sys.argv[4]) or None, int(sys.argv[5])
    grouped = {"buckets_per_task": int(sys.argv[6])} if sys.argv[6] != "1" else {}
    workers, threads = int(sys.argv[7]), int(sys.argv[8]) or None
    began = time.perf_counter()
    # The local cluster reciprocity itself starts (its workers' settings included).
    with open_engine("dask", workers=workers, threads=threads) as engine:
        client = engine.client
        ready = time.perf_counter() - began
        before = sum(client.run(cpu).values()) + cpu()
        start = time.perf_counter()
        run = run_corpus(sys.argv[1], sys.argv[2], language=sys.argv[3],
                         scheduler=client.scheduler.address, partitions=partitions,
                         chunk_bytes=chunk_bytes, **grouped)
        spent = time.perf_counter() - start
        peaks = sorted(client.run(peak).values())
        used = sum(client.run(cpu).values()) + cpu() - before
    print(json.dumps({"seconds": spent, "cluster_start_s": ready, "steps": run.seconds,
                      "cpu_seconds": used,
                      "peak_bytes": peaks, "client_peak_bytes": peak(),
                      "utterances": run.utterances, "dyads": run.dyads,
                      "partitions": run.partitions}))
"""

_CONVOKIT = """
import json, resource, sys, time
start = time.perf_counter()
from convokit import Corpus
imported = time.perf_counter() - start
start = time.perf_counter()
corpus = Corpus(filename=sys.argv[1])
spent = time.perf_counter() - start
use = resource.getrusage(resource.RUSAGE_SELF)
used = use.ru_utime + use.ru_stime
print(json.dumps({"seconds": spent, "import_s": imported, "cpu_seconds": used,
                  "utterances": len(list(corpus.get_utterance_ids())),
                  "peak_bytes": [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024]}))
"""


def _run(python: str, script: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    load = os.getloadavg()[0]
    done = subprocess.run(
        [python, "-c", script, *args], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        return {"error": done.stderr[-2000:], "load_before": load}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_before"] = load
    result["load_after"] = os.getloadavg()[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--utterances", default="100k,1M", help="sizes, comma-separated")
    parser.add_argument(
        "--workers",
        default="1,2",
        help="Dask cluster sizes ('' for none); N:T gives each of N workers T Polars threads "
        "(default: the cores shared out)",
    )
    parser.add_argument("--local", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--convokit", default="100k", help="sizes ConvoKit loads ('' none)")
    parser.add_argument("--language", default="auto", help="auto, or a code such as en")
    parser.add_argument(
        "--partitions", type=int, default=0, help="buckets (default: one per 16 MB of input)"
    )
    parser.add_argument(
        "--chunk-mb", type=float, default=32, help="MB of input each reading task reads"
    )
    parser.add_argument(
        "--buckets-per-task", type=int, default=1, help="buckets each analysis task reads at once"
    )
    parser.add_argument("--out", default=str(HERE / "results" / "corpus.local.json"))
    options = parser.parse_args()
    sizes = [parse_size(s) for s in options.utterances.split(",") if s]
    workers = [[*w.split(":"), "0"][:2] for w in options.workers.split(",") if w]
    convokit = {parse_size(s) for s in options.convokit.split(",") if s}
    env = dict(os.environ)
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "language": options.language,
        "partitions": options.partitions or None,
        "chunk_mb": options.chunk_mb,
        "buckets_per_task": options.buckets_per_task,
        "runs": [],
    }
    for size in sizes:
        started = time.perf_counter()
        folder = generate(size, WORK / str(size))
        made = time.perf_counter() - started
        input_bytes = (folder / "utterances.jsonl").stat().st_size
        print(f"{size:,} utterances: corpus ready ({made:.0f} s, {input_bytes / 1e6:.0f} MB)")
        plans: list[tuple[str, str, str, list[str]]] = []
        if options.local:
            plans.append(("local", sys.executable, _LOCAL, []))
        plans += [
            (f"dask-{n}" + (f"x{t}" if t != "0" else ""), sys.executable, _DASK, [n, t])
            for n, t in workers
        ]
        for name, python, script, extra in plans:
            out = WORK / f"out-{size}-{name}"
            shutil.rmtree(out, ignore_errors=True)
            sizing = [
                str(options.partitions),
                str(int(options.chunk_mb * 2**20)),
                str(options.buckets_per_task),
            ]
            args = [str(folder), str(out), options.language, *sizing, *extra]
            result = _run(python, script, args, env)
            shutil.rmtree(out, ignore_errors=True)
            _record(results, name, size, input_bytes, result)
        if size in convokit and CONVOKIT_PYTHON.is_file():
            ck_env = dict(env, HOME=str(WORK / "home"))
            (WORK / "home").mkdir(exist_ok=True)
            result = _run(str(CONVOKIT_PYTHON), _CONVOKIT, [str(folder)], ck_env)
            _record(results, "convokit-load", size, input_bytes, result)
        Path(options.out).parent.mkdir(parents=True, exist_ok=True)
        Path(options.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {options.out}")


def _record(
    results: dict[str, Any], name: str, size: int, input_bytes: int, result: dict[str, Any]
) -> None:
    result.update({"run": name, "size": size, "input_bytes": input_bytes})
    results["runs"].append(result)
    if "error" in result:
        print(f"  {name}: failed\n{result['error']}")
        return
    rate = size / result["seconds"]
    per_cpu = size / result["cpu_seconds"] if result.get("cpu_seconds") else 0.0
    peaks = ", ".join(f"{p / 2**20:.0f}" for p in result["peak_bytes"])
    steps = result.get("steps", {})
    print(
        f"  {name:14} {result['seconds']:8.1f} s  {rate:10,.0f} utt/s"
        f"  {per_cpu:10,.0f} utt/cpu-s  cpu {result.get('cpu_seconds', 0):.1f} s"
        f"  read {steps.get('read', 0):.1f} + analyse {steps.get('analyse', 0):.1f} s"
        f"  peak MiB [{peaks}]"
        f"  load {result['load_before']:.1f} -> {result.get('load_after', 0):.1f}"
        + (
            f"  (cluster start {result['cluster_start_s']:.1f} s)"
            if "cluster_start_s" in result
            else ""
        )
    )


if __name__ == "__main__":
    main()
