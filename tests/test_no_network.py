"""Nothing leaves the machine: demo, import, analyze, report and the web app (in-process
and a real server on loopback) run in child processes whose every attempt to reach the
network is recorded and blocked, and none is made. The pages and the report load nothing
from elsewhere.

The watch is an audit hook (:func:`sys.addaudithook`) installed by a ``sitecustomize``
module put first on ``PYTHONPATH``, so it is in place before anything of ours is imported.
It records, and refuses with ``PermissionError``: a connection or datagram to an address
other than loopback, a name lookup of any host but this one, a listening socket on every
interface, ``urllib`` requests, and any program started (a browser opening, say).
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"

SITECUSTOMIZE = """
import ipaddress, json, os, socket, sys

_LOG = os.environ["RECIPROCITY_NET_LOG"]
_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _loopback(host):
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%")[0]
    if host.lower() in _NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse(event, detail):
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"event": event, "detail": repr(detail), "pid": os.getpid()}) + "\\n")
    raise PermissionError(f"network blocked by the no-network test: {event} {detail!r}")


def _hook(event, args):
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"):
        sock, address = args[0], args[1]
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
            return
        if not _loopback(address[0]):
            _refuse(event, address)
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                   "socket.gethostbyaddr"):
        if not _loopback(args[0]):
            _refuse(event, args[0])
    elif event == "socket.getnameinfo":
        if not _loopback(args[0][0]):
            _refuse(event, args[0])
    elif event == "urllib.Request":
        _refuse(event, args[0])
    elif event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"):
        _refuse(event, args[:2])


sys.addaudithook(_hook)
"""


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for child processes under the watch; the log must be empty after."""
    folder = tmp_path_factory.mktemp("watch")
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = folder / "attempts.jsonl"
    log.touch()
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    return {
        **os.environ,
        "PYTHONPATH": path,
        "RECIPROCITY_NET_LOG": str(log),
        # never the user's own database, whatever a command defaults to
        "RECIPROCITY_DB": str(folder / "default.sqlite"),
        "POLARS_MAX_THREADS": "2",
    }


def attempts(env: dict[str, str]) -> list[dict[str, str]]:
    text = Path(env["RECIPROCITY_NET_LOG"]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def python(env: dict[str, str], code: str, *args: str, timeout: int = 300) -> str:
    """Run ``code`` in a watched child; its output, or a failure showing it."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


CLI = "import sys; from reciprocity.cli import main; sys.argv[0] = 'reciprocity'; main()"


def reciprocity(env: dict[str, str], *args: str) -> str:
    return python(env, CLI, *args)


# --- the watch itself ---------------------------------------------------------------------

PROBE = """
import socket, urllib.request, webbrowser
refused = 0
server = socket.create_server(("127.0.0.1", 0))
socket.create_connection(server.getsockname(), timeout=5).close()  # loopback: allowed
for attempt in (
    lambda: socket.socket().connect(("192.0.2.1", 80)),
    lambda: socket.getaddrinfo("example.com", 443),
    lambda: urllib.request.urlopen("http://example.com", timeout=1),
    lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53)),
):
    try:
        attempt()
    except PermissionError:
        refused += 1
print(refused)
"""


def test_the_watch_sees_and_blocks_each_kind_of_attempt(watched: dict[str, str]) -> None:
    before = len(attempts(watched))
    assert python(watched, PROBE).split() == ["4"]
    seen = [a["event"] for a in attempts(watched)[before:]]
    assert seen == ["socket.connect", "socket.getaddrinfo", "urllib.Request", "socket.sendto"]
    Path(watched["RECIPROCITY_NET_LOG"]).write_text("", encoding="utf-8")


# --- what the pages load --------------------------------------------------------------------

# An address on another machine: a scheme with //, or // alone (scheme-relative).
_ELSEWHERE = re.compile(r"^\s*(?:[a-z][a-z0-9+.\-]*:)?//", re.IGNORECASE)
_CSS_ELSEWHERE = re.compile(
    r"(?:url\(\s*['\"]?|@import\s+['\"])\s*(?:[a-z][a-z0-9+.\-]*:)?//", re.IGNORECASE
)
_SCRIPT_ELSEWHERE = re.compile(r"(?:https?|wss?):\\?/\\?/(?!www\.w3\.org/)", re.IGNORECASE)
# Attributes whose address the browser loads by itself (``<a href>`` only when clicked).
_LOADED = {
    "src",
    "srcset",
    "href",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "manifest",
    "ping",
    "xlink:href",
    "cite",
    "longdesc",
    "codebase",
    "archive",
}


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag if tag in ("script", "style") else None
        for name, value in attrs:
            value = value or ""
            if name == "style" and _CSS_ELSEWHERE.search(value):
                self.found.append(f"<{tag} style={value!r}>")
            target = value.lower().split("url=", 1)[1] if "url=" in value.lower() else ""
            if name == "content" and _ELSEWHERE.search(target):
                self.found.append(f"<{tag} content={value!r}>")
            if name not in _LOADED or (tag in ("a", "area") and name == "href"):
                continue
            parts = value.split(",") if name == "srcset" else [value]
            if any(_ELSEWHERE.match(part) for part in parts):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style" and _CSS_ELSEWHERE.search(data):
            self.found.append(f"<style> {data.strip()[:120]!r}")
        if self._in == "script" and _SCRIPT_ELSEWHERE.search(data):
            self.found.append(f"<script> {data.strip()[:120]!r}")


def external_references(html: str) -> list[str]:
    """Every address on another machine that ``html`` makes a browser load by itself.

    Links the user clicks (``<a href>``) are allowed; namespaces such as
    ``xmlns="http://www.w3.org/2000/svg"`` are names, never loaded.
    """
    parser = _References()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_reference_check_catches_what_a_browser_would_load() -> None:
    for page in (
        '<script src="https://cdn.example/htmx.js"></script>',
        '<link rel="stylesheet" href="//fonts.example/css">',
        '<link rel="preconnect" href="https://fonts.example">',
        '<img srcset="a.png 1x, https://t.example/p.png 2x">',
        '<form action="http://evil.example/steal"></form>',
        "<div style=\"background: url('https://t.example/pixel')\"></div>",
        "<style>@import 'https://fonts.example/a.css';</style>",
        "<style>.x { background: url(//t.example/p.png) }</style>",
        '<script>fetch("https://t.example/beacon")</script>',
        '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
        '<svg><image href="https://t.example/i.png"/></svg>',
    ):
        assert external_references(page), page
    for page in (
        '<a href="https://en.wikipedia.org/wiki/Reciprocity">read more</a>',
        '<svg xmlns="http://www.w3.org/2000/svg"><title>x</title></svg>',
        '<img src="data:image/png;base64,AAAA"><script src="/static/app.js"></script>',
        "<p>see https://example.org, written as text</p>",
    ):
        assert not external_references(page), page


# --- the commands ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(watched: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo run under the watch: its database (its report is beside it)."""
    folder = tmp_path_factory.mktemp("demo")
    report = folder / "demo-report.html"
    reciprocity(watched, "demo", "--dir", str(folder / "data"), "--report", str(report))
    assert report.exists()
    [database] = (folder / "data").glob("*.sqlite")
    return database


def test_demo_import_analyze_and_report_make_no_attempt(
    watched: dict[str, str], demo: Path, tmp_path: Path
) -> None:
    database = tmp_path / "mine.sqlite"
    chats = [
        FIXTURES / "whatsapp" / "WhatsApp Chat with Alex.txt",
        FIXTURES / "telegram" / "single_chat.json",
        FIXTURES / "csv" / "offsets.csv",
    ]
    for chat, me in zip(chats, ("Sam", "Sam Lee", "Sam"), strict=True):
        reciprocity(watched, "--db", str(database), "import", str(chat), "--me", me)
    reciprocity(watched, "--db", str(database), "analyze")
    report = tmp_path / "report.html"
    reciprocity(watched, "--db", str(database), "report", "-o", str(report))
    assert attempts(watched) == []
    for written in (report, demo.parent.parent / "demo-report.html"):
        text = written.read_text(encoding="utf-8")
        assert "<html" in text
        assert external_references(text) == [], written


# --- the web app ------------------------------------------------------------------------------

IN_PROCESS = """
import html, json, re, sys, time, urllib.parse
from fastapi.testclient import TestClient
from reciprocity.web import create_app

# the address the app serves itself on, as a browser on this computer would send it
ORIGIN = "http://127.0.0.1:8765"
client = TestClient(create_app(sys.argv[1]), base_url=ORIGIN)
pages, queue = {}, ["/", "/import", "/report"]
while queue and len(pages) < 60:
    path = queue.pop(0)
    if path in pages:
        continue
    response = client.get(path)
    pages[path] = response.status_code
    if "html" in response.headers.get("content-type", ""):
        for link in re.findall(r'(?:href|src|hx-get)="(/[^"#]*)', response.text):
            link = html.unescape(link)
            if link not in pages and not link.startswith("/static/vendor"):
                queue.append(link)
# The import form, however it carries its token (a hidden field, or in the address it posts to)
form = client.get("/import").text
action = html.unescape(re.search(r'<form[^>]*action="(/import[^"]*)"', form).group(1))
token = urllib.parse.unquote(re.search(r'csrf_token(?:" value="|=)([^"&]+)', form).group(1))
with open(sys.argv[2], "rb") as chat:
    imported = client.post(
        action,
        data={"csrf_token": token},
        files={"export": (chat.name.rsplit("/", 1)[-1], chat.read())},
        headers={"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin", "X-CSRF-Token": token},
    )
# An import that runs on after the answer: its page is asked for again until it is over.
deadline = time.monotonic() + 120
while 'hx-trigger="every' in imported.text and time.monotonic() < deadline:
    time.sleep(0.5)
    imported = client.get(imported.url)
print(json.dumps({"pages": pages, "import": imported.status_code}))
"""


def test_the_app_in_process_makes_no_attempt(watched: dict[str, str], demo: Path) -> None:
    chat = demo.parent / "WhatsApp Chat with Alex.txt"  # the demo's own export, again
    result = json.loads(python(watched, IN_PROCESS, str(demo), str(chat)).splitlines()[-1])
    assert result["import"] == 200
    assert len(result["pages"]) > 8
    assert set(result["pages"].values()) <= {200}, result["pages"]
    assert attempts(watched) == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, response.getheader("content-type") or "", body
    finally:
        connection.close()


def test_the_served_app_makes_no_attempt_and_loads_nothing_from_elsewhere(
    watched: dict[str, str], demo: Path
) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CLI,
            "--db",
            str(demo),
            "serve",
            "--no-browser",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=watched,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _get(port, "/static/app.css")
                break
            except OSError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        seen: dict[str, int] = {}
        queue = ["/", "/import", "/report", "/static/app.css", "/static/app.js"]
        while queue and len(seen) < 60:
            path = queue.pop(0)
            if path in seen:
                continue
            status, kind, body = _get(port, path)
            seen[path] = status
            if "html" in kind:
                assert external_references(body) == [], path
                links = re.findall(r'(?:href|src|hx-get)="(/[^"#]*)', body)
                queue.extend(html.unescape(link) for link in links)
            elif "css" in kind:
                assert not _CSS_ELSEWHERE.search(body), path
            elif "javascript" in kind:
                assert not _SCRIPT_ELSEWHERE.search(body), path
        assert len(seen) > 8
        assert set(seen.values()) == {200}, seen
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert attempts(watched) == []
