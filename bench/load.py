"""Load test of server mode: many accounts browsing at once while two of them import.

What it does (``python bench/load.py --users 50 --messages 100k --seconds 60``):

1. Prepares, once, a server folder under ``bench/work/load-<size>-<users>/``: one account
   whose store holds the generated Telegram export of ``--messages`` messages (imported and
   analysed once), and ``--users - 1`` more accounts whose stores are copies of that file
   (an import per account would take most of an hour at 50 x 100k).
2. Reads the pages of one copy through the one-person app, in this process: the dashboard,
   every relationship page and every evidence list. That is the single-user run the
   accounts' figures are compared with.
3. Starts ``reciprocity serve --server`` in a second process on 127.0.0.1, signs every user
   in (a few at a time: each argon2 check takes 64 MiB), opens each user's dashboard once
   (the account's analysis is computed then: timed apart, as "first page"), then lets
   every user browse for ``--seconds``: the dashboard, a relationship page, an evidence
   list (as HTMX asks for it), with ``--think`` seconds (on average) between pages, while
   the first two users each upload the generated WhatsApp export of ``--messages``
   messages and wait for their import to finish.
4. Afterwards reads every account's pages again and compares them with the single-user
   run: the accounts that did not import must show exactly the same page text (the CSRF
   token and the account's own name aside); the two that imported the same file must show
   the same as each other.

It prints and writes (``--out``, default ``bench/results/load.local.json``) the latency
percentiles per kind of page, the errors, the import times, the figure check and the load
average of the machine before and during the run (the machine may be shared). Not part of
the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import ensure, parse_size, size_label  # noqa: E402

WORK = HERE / "work"
PASSWORD = "load test password"
ME = "Sam"
LOGIN_AT_ONCE = 4
IMPORTERS = 2
ALONE_S = 20
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _name(i: int) -> str:
    return f"user{i:02d}"


def _copy_store(template: Path, target: Path) -> None:
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    shutil.copy(template, target)


def prepare_postgres(url: str, users: int, messages: int) -> str:
    """The accounts on the PostgreSQL at ``url`` (an empty database), each store filled by
    an import of its own (a schema cannot be copied like a file)."""
    from reciprocity import pipeline
    from reciprocity.accounts import open_registry

    registry = open_registry(url)
    export = ensure("telegram", messages)
    for i in range(users):
        account = registry.find(_name(i)) or registry.add(_name(i), PASSWORD)
        with registry.open_store(account) as db:
            pipeline.import_file(db, export, me=ME)  # adds nothing when done before
            pipeline.analyze(db)
    registry.close()
    return url


def prepare(users: int, messages: int) -> tuple[Path, Path]:
    """The server folder with ``users`` accounts of ``messages`` messages each, and the
    template store (made once; kept while the arguments stay the same)."""
    from reciprocity import pipeline, store
    from reciprocity.accounts import open_registry

    home = WORK / f"load-{size_label(messages)}-{users}"
    template = WORK / f"load-{size_label(messages)}-template.sqlite"
    if not template.exists():
        export = ensure("telegram", messages)
        started = time.perf_counter()
        part = template.with_suffix(".part")
        part.unlink(missing_ok=True)
        db = store.open_db(part)
        pipeline.import_file(db, export, me=ME)
        pipeline.analyze(db)  # fills the store's cache of derived frames
        db.close()
        part.rename(template)
        print(f"template store: {time.perf_counter() - started:.0f} s", flush=True)
    if (home / "ready").exists():
        # The importing accounts of an earlier run hold more: back to the template.
        registry = open_registry(home)
        for i in range(min(IMPORTERS, users)):
            account = registry.find(_name(i))
            assert account is not None
            _copy_store(template, Path(registry.store_location(account)))
        registry.close()
        return home, template
    shutil.rmtree(home, ignore_errors=True)
    registry = open_registry(home)
    for i in range(users):
        account = registry.add(_name(i), PASSWORD)
        _copy_store(template, Path(registry.store_location(account)))
    registry.close()
    (home / "ready").write_text("ok")
    return home, template


def _main_text(html: str, *, name: str | None = None) -> str:
    """A page's content without what differs between runs of the same data: the CSRF
    token, and the account's name (in the header)."""
    text = _TOKEN.sub("TOKEN", html)
    if name:
        text = text.replace(name, "NAME")
    found = re.search(r"<main.*</main>", text, re.S)
    return found.group(0) if found else text


DIMENSIONS = ("attention", "listening", "emotional_support", "practical_help")


def _addresses(dashboard: str) -> list[tuple[str, str, dict[str, str]]]:
    """The pages a user browses: (kind, path, headers) from their dashboard's links."""
    ids = sorted({int(x) for x in re.findall(r'href="/relationship/(\d+)"', dashboard)})
    pages: list[tuple[str, str, dict[str, str]]] = [("dashboard", "/", {})]
    for rid in ids:
        pages.append(("relationship", f"/relationship/{rid}", {}))
        for dimension in DIMENSIONS:
            for giver in ("me", "them"):
                pages.append(
                    (
                        "evidence",
                        f"/relationship/{rid}/evidence?dimension={dimension}&giver={giver}",
                        {"HX-Request": "true"},
                    )
                )
    return pages


def single_user_pages(template: Path) -> dict[str, str]:
    """Every page of a copy of the template, read through the one-person app."""
    from fastapi.testclient import TestClient

    from reciprocity.web import create_app

    copy = WORK / "load-single-user.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(copy) + suffix).unlink(missing_ok=True)
    shutil.copy(template, copy)
    pages: dict[str, str] = {}
    with TestClient(
        create_app(copy, uploads=WORK / "load-uploads"), base_url="http://127.0.0.1"
    ) as c:
        for _kind, path, headers in _addresses(c.get("/").text):
            response = c.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
            pages[path] = _main_text(response.text)
    return pages


@dataclass
class Record:
    """What the run measured."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    imports: dict[str, float] = field(default_factory=dict)

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


async def sign_in(client: httpx.AsyncClient, name: str) -> None:
    page = await client.get("/login")
    page.raise_for_status()
    token = client.cookies.get("reciprocity_csrf", "")
    answer = await client.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    if answer.status_code != 303:
        raise RuntimeError(f"{name} could not sign in: {answer.status_code}")


async def timed(
    client: httpx.AsyncClient, record: Record, kind: str, path: str, headers: dict[str, str]
) -> str:
    started = time.perf_counter()
    try:
        response = await client.get(path, headers=headers)
    except httpx.HTTPError as problem:
        record.errors.append(f"{kind} {path}: {problem!r}")
        return ""
    record.add(kind, time.perf_counter() - started)
    if response.status_code != 200:
        record.errors.append(f"{kind} {path}: {response.status_code}")
    return response.text


async def import_file(client: httpx.AsyncClient, record: Record, name: str, export: Path) -> None:
    started = time.perf_counter()
    token = client.cookies.get("reciprocity_csrf", "")
    with export.open("rb") as fh:
        answer = await client.post(
            "/import",
            params={"csrf_token": token},
            data={"me": ME, "timezone": "UTC"},
            files={"export": (export.name, fh)},
            headers={"HX-Request": "true"},
            timeout=600,
        )
    found = re.search(r"/import/jobs/([\w-]+)", answer.text)
    if answer.status_code != 202 or not found:
        record.errors.append(f"import by {name}: {answer.status_code}")
        return
    while True:
        await asyncio.sleep(1)
        box = await client.get(f"/import/jobs/{found.group(1)}", headers={"HX-Request": "true"})
        if 'hx-trigger="every' not in box.text:
            break
    if 'class="problem"' in box.text:
        record.errors.append(f"import by {name} failed")
    record.imports[name] = time.perf_counter() - started


async def browse(
    client: httpx.AsyncClient,
    record: Record,
    pages: list[tuple[str, str, dict[str, str]]],
    until: float,
    think: float,
    rng: random.Random,
    label: str = "",
) -> None:
    while time.monotonic() < until:
        kind, path, headers = rng.choice(pages)
        await timed(client, record, kind + label, path, headers)
        await asyncio.sleep(rng.uniform(0, 2 * think))


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def run(args: argparse.Namespace, home: Path | str, single: dict[str, str]) -> dict[str, Any]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from reciprocity.cli import main; main()",
         "serve", "--server", "--accounts", str(home), "--port", str(port), "--no-browser"],
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # a crash prints where it was
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    record = Record()
    loads = {"before": _loadavg()}
    # Connections idle for 2 s are dropped by the client, before uvicorn drops them at 5 s
    # (reusing one the server is closing is an error of the test, not of the app).
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4, keepalive_expiry=2)
    clients = [
        httpx.AsyncClient(base_url=base, timeout=120, limits=limits) for _ in range(args.users)
    ]
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        started = time.perf_counter()
        gate = asyncio.Semaphore(LOGIN_AT_ONCE)

        async def one_sign_in(i: int) -> None:
            async with gate:
                t = time.perf_counter()
                await sign_in(clients[i], _name(i))
                record.add("sign-in", time.perf_counter() - t)

        await asyncio.gather(*(one_sign_in(i) for i in range(args.users)))
        print(f"signed in {args.users} users: {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        dashboards = await asyncio.gather(
            *(timed(c, record, "first page", "/", {}) for c in clients)
        )
        print(f"first pages: {time.perf_counter() - started:.1f} s", flush=True)
        loads["after first pages"] = _loadavg()
        pages = [_addresses(text) for text in dashboards]
        # One user alone first: the latency of the same pages without the crowd.
        alone = Record()
        await browse(
            clients[-1], alone, pages[-1], time.monotonic() + ALONE_S, 0.1, random.Random(1)
        )
        loads["after one user alone"] = _loadavg()
        print(f"one user alone: {ALONE_S} s", flush=True)
        export = ensure("android", parse_size(args.messages))
        until = time.monotonic() + args.seconds
        rng = random.Random(7)
        tasks = [
            browse(
                c,
                record,
                pages[i],
                until,
                args.think,
                random.Random(rng.random()),
                " (importing account)" if i < IMPORTERS else "",
            )
            for i, c in enumerate(clients)
        ]
        importers = [
            import_file(clients[i], record, _name(i), export)
            for i in range(min(IMPORTERS, args.users))
        ]
        started = time.perf_counter()
        sampler = asyncio.create_task(_sample_load(loads, args.seconds))
        await asyncio.gather(*tasks, *importers)
        await sampler
        browsed = time.perf_counter() - started
        print(f"browsed {browsed:.1f} s", flush=True)
        # The figures: every account's pages against the single-user run.
        check = asyncio.Semaphore(8)

        async def pages_of(client: httpx.AsyncClient) -> dict[str, str]:
            async with check:
                seen = {}
                for _kind, path, headers in _addresses((await client.get("/")).text):
                    seen[path] = _main_text((await client.get(path, headers=headers)).text)
                return seen

        everyone = await asyncio.gather(*(pages_of(c) for c in clients))
        # The server's memory with every account's figures kept (Linux only).
        server_rss_mb = _rss_mb(server.pid)
        imported = everyone[:IMPORTERS]
        same = sum(seen == single for seen in everyone[IMPORTERS:])
        differ = [_name(i) for i, seen in enumerate(everyone) if i >= IMPORTERS and seen != single]
        importers_agree = all(seen == imported[0] for seen in imported)
    finally:
        for client in clients:
            await client.aclose()
        server.terminate()
        server.wait(timeout=30)
    return {
        "record": record,
        "alone": alone,
        "loads": loads,
        "browsed_s": browsed,
        "same_as_single_user": same,
        "differ": differ,
        "importers_agree": importers_agree,
        "server_rss_mb": server_rss_mb,
    }


def _rss_mb(pid: int) -> float | None:
    """The resident memory of process ``pid`` in MB (``None`` where /proc is not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return round(int(found.group(1)) / 1024, 1) if found else None


async def _sample_load(loads: dict[str, list[float]], seconds: float) -> None:
    samples = []
    for _ in range(max(1, int(seconds // 5))):
        await asyncio.sleep(5)
        samples.append(os.getloadavg()[0])
    loads["during (1-min, max)"] = [round(max(samples), 2)]


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    cut = (
        statistics.quantiles(ordered, n=100, method="inclusive")
        if len(ordered) > 1
        else ordered * 99
    )
    return {
        "count": len(ordered),
        "p50_ms": round(cut[49] * 1000, 1),
        "p95_ms": round(cut[94] * 1000, 1),
        "p99_ms": round(cut[98] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="accounts browsing at once")
    parser.add_argument("--messages", default="100k", help="messages per account (10k, 100k)")
    parser.add_argument("--seconds", type=float, default=60, help="how long they browse")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between pages")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "load.local.json")
    parser.add_argument(
        "--postgres",
        default="",
        help="serve the accounts from this (empty) PostgreSQL database instead of SQLite "
        "files; each account imports the export itself (slow: use with 10k)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    home: Path | str
    home, template = prepare(0 if args.postgres else args.users, parse_size(args.messages))
    if args.postgres:
        home = prepare_postgres(args.postgres, args.users, parse_size(args.messages))
    print(f"prepared {args.users} accounts: {time.perf_counter() - started:.0f} s", flush=True)
    single = single_user_pages(template)
    print(f"single-user run: {len(single)} pages", flush=True)
    outcome = asyncio.run(run(args, home, single))
    record: Record = outcome.pop("record")
    alone: Record = outcome.pop("alone")
    browsing = ("dashboard", "relationship", "evidence")
    steady = [x for kind in browsing for x in record.latencies.get(kind, [])]
    summary = {
        "users": args.users,
        "messages_per_account": parse_size(args.messages),
        "seconds": args.seconds,
        "think_s": args.think,
        "cpus": os.cpu_count(),
        "pages": {kind: _percentiles(xs) for kind, xs in sorted(record.latencies.items())},
        "all browsing pages": _percentiles(steady) if steady else {},
        "one user alone": {k: _percentiles(v) for k, v in sorted(alone.latencies.items())},
        "errors": len(record.errors),
        "errors_alone": len(alone.errors),
        "first_errors": record.errors[:10],
        "imports_s": {k: round(v, 1) for k, v in record.imports.items()},
        "pages_compared": len(single),
        **outcome,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    print(json.dumps(summary, indent=2))
    return 0 if not record.errors and not outcome["differ"] and outcome["importers_agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
