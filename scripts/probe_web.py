"""Probe the web app's upload defences as issue 22 did, against a real uvicorn on loopback.

Three probes, each on a fresh app over a new database in a temporary folder:

1. a 2,000 MB chunked POST to ``/import`` without a token: bytes the app read before it
   refused, bytes the client got to send, the answer and how long it took;
2. the same with a valid token, over the 64 MB limit (chunked): the same figures (413);
3. ``GET /`` timed while a large WhatsApp chat (``--messages``) is imported through the
   upload form: median and worst answer time, against the same page before the import.

The server runs in a child process (this script with ``--serve``) that prints, for each
request, how many body bytes reached the app. Usage::

    .venv/bin/python scripts/probe_web.py [--messages 300000] [--total-mb 2000]
"""

from __future__ import annotations

import argparse
import json
import re
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHUNK = 64 * 1024
HEAD = (
    b'--xyz\r\nContent-Disposition: form-data; name="export"; filename="big.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
)


def serve(db: Path, port: int) -> None:
    """The child: the app with a byte counter outside it, on uvicorn, until killed."""
    import uvicorn

    from reciprocity.web import create_app

    app = create_app(db, host="127.0.0.1", port=port, uploads=db.parent / "uploads")

    async def counted(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        read = 0

        async def counting() -> Any:
            nonlocal read
            message = await receive()
            read += len(message.get("body", b""))
            return message

        try:
            await app(scope, counting, send)
        finally:
            line = {"method": scope["method"], "path": scope["path"], "read": read}
            print(json.dumps(line), flush=True)

    uvicorn.run(counted, host="127.0.0.1", port=port, log_level="warning")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """The child process serving a new app; its per-request byte counts on stdout."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(folder / "db.sqlite"), str(self.port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def counts(self, path: str) -> dict[str, Any]:
        """The next logged request to ``path``."""
        assert self.proc.stdout is not None
        while line := self.proc.stdout.readline():
            record: dict[str, Any] = json.loads(line)
            if record["path"] == path:
                return record
        raise RuntimeError("the server stopped")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _token(port: int) -> str:
    import httpx

    response = httpx.get(f"http://127.0.0.1:{port}/import")
    token = response.cookies["reciprocity_csrf"]
    return str(token)


def chunked_post(port: int, total: int, token: str | None) -> dict[str, Any]:
    """POST ``total`` bytes of a form to /import in chunks, stopping when an answer comes."""
    target = f"/import?csrf_token={token}" if token else "/import"
    head = (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\nTransfer-Encoding: chunked\r\n"
        + (f"Cookie: reciprocity_csrf={token}\r\n" if token else "")
        + "\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", port))
    began = time.monotonic()
    sock.sendall(head)
    sent = 0
    answer = b""
    payload = HEAD + b"a" * (CHUNK - len(HEAD))
    try:
        while sent < total:
            ready, _, _ = select.select([sock], [], [], 0)
            if ready:
                break
            part = payload if sent == 0 else b"a" * CHUNK
            sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            sent += len(part)
            payload = b""
    except OSError:
        pass  # the server closed the connection: what it answered is still to be read
    sock.settimeout(5)
    try:
        while chunk := sock.recv(65536):
            answer += chunk
            if b"</html>" in answer:
                break
    except OSError:
        pass
    took = time.monotonic() - began
    sock.close()
    status = re.match(rb"HTTP/1.1 (\d+)", answer)
    return {
        "status": int(status.group(1)) if status else None,
        "client_sent_mb": round(sent / 2**20, 2),
        "seconds": round(took, 2),
        "connection_close": b"connection: close" in answer.lower(),
    }


def write_chat(path: Path, messages: int) -> None:
    """A WhatsApp export of ``messages`` lines between Sam and Alex, a minute apart."""
    lines = (
        "how are you doing today?",
        "I got the job!!! so happy",
        "can you help me move on Saturday?",
        "sure, I'll bring the van",
        "thanks, that means a lot",
        "I feel really down about it",
        "want to talk tonight?",
    )
    with path.open("w", encoding="utf-8") as out:
        start = 1_700_000_000
        for i in range(messages):
            t = time.gmtime(start + 60 * i)
            who = "Sam" if i % 2 == 0 else "Alex"
            out.write(f"{time.strftime('%d/%m/%Y, %H:%M', t)} - {who}: {lines[i % len(lines)]}\n")


def page_during_import(folder: Path, messages: int) -> dict[str, Any]:
    """GET / timed before and while ``messages`` messages are imported from the page."""
    import httpx

    chat = folder / "WhatsApp Chat with Alex.txt"
    write_chat(chat, messages)
    server = Server(folder)
    base = f"http://127.0.0.1:{server.port}"
    try:
        client = httpx.Client(base_url=base, timeout=120)
        client.get("/import")
        token = client.cookies["reciprocity_csrf"]

        def timed() -> float:
            began = time.monotonic()
            assert client.get("/").status_code == 200
            return time.monotonic() - began

        before = [timed() for _ in range(5)]
        began = time.monotonic()
        with chat.open("rb") as file:
            started = client.post(
                "/import",
                params={"csrf_token": token},
                data={"me": "Sam", "timezone": "UTC"},
                files={"export": (chat.name, file)},
                headers={"HX-Request": "true"},
            )
        uploaded = time.monotonic() - began
        job = re.search(r"/import/jobs/([\w-]+)", started.text)
        if started.status_code != 202 or job is None:
            raise RuntimeError(f"the upload was not taken: {started.text}")
        # Each GET starts while the import is known to be running (asked just before); the
        # first page after it ends analyses the new messages, which is not the import.
        during: list[float] = []
        while True:
            state = client.get(f"/import/jobs/{job.group(1)}", headers={"HX-Request": "true"})
            if 'hx-trigger="every' not in state.text:
                break
            during.append(timed())
            time.sleep(0.2)
        imported = time.monotonic() - began
        after = timed()
        return {
            "messages": messages,
            "file_mb": round(chat.stat().st_size / 2**20, 1),
            "upload_answered_s": round(uploaded, 2),
            "import_s": round(imported, 1),
            "done": 'class="done"' in state.text,
            "get_before_median_ms": round(1000 * statistics.median(before), 1),
            "get_during_median_ms": round(1000 * statistics.median(during), 1),
            "get_during_max_ms": round(1000 * max(during), 1),
            "get_during_count": len(during),
            "first_get_after_import_s": round(after, 1),
        }
    finally:
        server.stop()


def main() -> int:
    """Run the three probes and print their figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300_000)
    parser.add_argument("--total-mb", type=int, default=2000)
    args = parser.parse_args()
    total = args.total_mb << 20
    results: dict[str, Any] = {}
    probes = (("no_token", False), ("token_over_limit", True)) if total else ()
    for name, with_token in probes:
        with tempfile.TemporaryDirectory() as folder:
            server = Server(Path(folder))
            try:
                token = None
                if with_token:
                    token = _token(server.port)
                    server.counts("/import")  # the GET that gave the token
                result = chunked_post(server.port, total, token)
                result["app_read_mb"] = round(server.counts("/import")["read"] / 2**20, 2)
                results[name] = result
            finally:
                server.stop()
        print(name, json.dumps(results[name]), flush=True)
    if args.messages:
        with tempfile.TemporaryDirectory() as folder:
            results["get_during_import"] = page_during_import(Path(folder), args.messages)
        print("get_during_import", json.dumps(results["get_during_import"]), flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        raise SystemExit(main())
