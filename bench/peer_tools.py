"""The tools a user would pick instead, each installed into its own environment and run.

Pins live in ``bench/peers/<name>/`` (``requirements.txt`` or ``package.json`` +
``package-lock.json``); environments are built under ``bench/work/peers/<name>/`` from the
registries (PyPI, npm) the first time and rebuilt when the pins change. A peer that cannot
be installed or run is reported with the reason; it never stops the benchmark.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from measure import tail

BENCH = Path(__file__).resolve().parent
PINS = BENCH / "peers"
WORK = BENCH / "work" / "peers"
INSTALL_TIMEOUT_S = 1800


@dataclass
class Installed:
    """Outcome of making a peer's environment ready."""

    ok: bool
    version: str | None = None
    reason: str | None = None


@dataclass
class Invocation:
    """How to run a peer on one file."""

    cmd: list[str]
    env: dict[str, str]
    cwd: Path


@dataclass
class Peer:
    """A peer tool: how to install it, run it on an export, and read what it reported."""

    name: str
    figure: str  # name of the figure it produces, e.g. "whatstk.parse"
    does: str  # what the timed run does, in words
    manager: str  # "pip" or "npm"
    package: str  # registry package name
    invocation: Callable[[Peer, Path, Path], Invocation]
    messages: Callable[[str], int | None]  # messages the peer says it read, from its stdout

    @property
    def pins(self) -> Path:
        """Folder with this peer's pinned requirements and the script run inside it."""
        return PINS / self.name

    @property
    def home(self) -> Path:
        """Folder holding this peer's environment."""
        return WORK / self.name

    def _pin_files(self) -> list[Path]:
        names = ("requirements.txt",) if self.manager == "pip" else ("package.json",)
        names += ("package-lock.json",) if self.manager == "npm" else ()
        return [self.pins / n for n in names if (self.pins / n).is_file()]

    def _fingerprint(self) -> str:
        digest = hashlib.sha256()
        for path in self._pin_files():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    def install(self, *, force: bool = False, record_pins: bool = False) -> Installed:
        """Build the environment unless an up-to-date one exists; say which version runs."""
        stamp = self.home / "installed.stamp"
        if not force and stamp.is_file() and stamp.read_text() == self._fingerprint():
            return Installed(ok=True, version=self.version())
        if self.home.exists():
            shutil.rmtree(self.home)
        self.home.mkdir(parents=True)
        log = self.home / "install.log"
        try:
            steps = _pip_steps(self) if self.manager == "pip" else _npm_steps(self)
            for cmd in steps:
                with log.open("a") as fh:
                    fh.write(f"$ {' '.join(cmd)}\n")
                    fh.flush()
                    done = subprocess.run(
                        cmd,
                        cwd=self.home,
                        stdout=fh,
                        stderr=subprocess.STDOUT,
                        timeout=INSTALL_TIMEOUT_S,
                        check=False,
                    )
                if done.returncode != 0:
                    return Installed(
                        ok=False,
                        reason=f"install failed: {' '.join(cmd[:3])} ...\n"
                        + tail(log.read_text(errors="replace")),
                    )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Installed(ok=False, reason=f"install failed: {exc}")
        if record_pins:
            self._record_pins()
        stamp.write_text(self._fingerprint())
        return Installed(ok=True, version=self.version())

    def _record_pins(self) -> None:
        """Copy what the install resolved back next to the pins, for the record."""
        if self.manager == "pip":
            frozen = subprocess.run(
                [str(self.home / "venv" / "bin" / "python"), "-m", "pip", "freeze"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            (self.pins / "resolved.txt").write_text(
                "# Resolved on the benchmark machine by pip (for the record; the pins are in "
                "requirements.txt)\n" + frozen
            )
        else:
            lock = self.home / "package-lock.json"
            if lock.is_file():
                shutil.copyfile(lock, self.pins / "package-lock.json")

    def version(self) -> str | None:
        """Installed version of the peer's package, or None when it cannot be told."""
        if self.manager == "pip":
            python = self.home / "venv" / "bin" / "python"
            done = subprocess.run(
                [
                    str(python),
                    "-c",
                    f"import importlib.metadata as m; print(m.version({self.package!r}))",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            return done.stdout.strip() or None
        meta = self.home / "node_modules" / self.package / "package.json"
        if meta.is_file():
            return str(json.loads(meta.read_text())["version"])
        return None


def _pip_steps(peer: Peer) -> list[list[str]]:
    venv = peer.home / "venv"
    python = str(venv / "bin" / "python")
    return [
        [sys.executable, "-m", "venv", str(venv)],
        [python, "-m", "pip", "install", "--quiet", "-r", str(peer.pins / "requirements.txt")],
    ]


def _npm_steps(peer: Peer) -> list[list[str]]:
    for name in ("package.json", "package-lock.json"):
        if (peer.pins / name).is_file():
            shutil.copyfile(peer.pins / name, peer.home / name)
    has_lock = (peer.home / "package-lock.json").is_file()
    verb = ["ci"] if has_lock else ["install"]
    return [["npm", *verb, "--no-audit", "--no-fund", "--loglevel=error"]]


def _json_messages(key: str) -> Callable[[str], int | None]:
    def read(stdout: str) -> int | None:
        for line in reversed(stdout.strip().splitlines()):
            if line.startswith("{"):
                try:
                    return int(json.loads(line)[key])
                except (ValueError, KeyError, TypeError):
                    return None
        return None

    return read


def _chat_analytics_messages(stdout: str) -> int | None:
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("[*]") and line.endswith(" messages"):
            return int(line.split()[1])
    return None


def _python_invocation(script: str) -> Callable[[Peer, Path, Path], Invocation]:
    def build(peer: Peer, export: Path, out: Path) -> Invocation:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        # ConvoKit writes a config file under ~/.convokit on first use: keep it in work/.
        env["HOME"] = str(peer.home / "home")
        (peer.home / "home").mkdir(exist_ok=True)
        python = str(peer.home / "venv" / "bin" / "python")
        return Invocation([python, str(peer.pins / script), str(export)], env, out)

    return build


#: chat-analytics' platform for each generated export, by the file name's first word.
#: (The WhatsApp exports are its default; the generated Telegram one is a whole-account
#: export, which it is not run on.)
_CHAT_ANALYTICS_PLATFORMS = {"messenger": "messenger", "discord": "discord"}


def chat_analytics_reads(fmt: str) -> bool:
    """Whether chat-analytics is run on the generated "other format" export ``fmt``."""
    return fmt in _CHAT_ANALYTICS_PLATFORMS


def _npx_invocation(peer: Peer, export: Path, out: Path) -> Invocation:
    report = out / f"chat-analytics-{export.stem}.html"
    platform = _CHAT_ANALYTICS_PLATFORMS.get(export.stem.split("-")[0], "whatsapp")
    cmd = [
        "npx",
        "--no",
        "--",
        "chat-analytics",
        "-p",
        platform,
        "-i",
        str(export),
        "-o",
        str(report),
    ]
    env = dict(os.environ)
    env["npm_config_update_notifier"] = "false"
    return Invocation(cmd, env, peer.home)


PEERS: dict[str, Peer] = {
    "whatstk": Peer(
        name="whatstk",
        figure="whatstk.parse",
        does="parse the export into a pandas DataFrame (50 MB cap lifted: max_size=None)",
        manager="pip",
        package="whatstk",
        invocation=_python_invocation("parse.py"),
        messages=_json_messages("messages"),
    ),
    "chat-analytics": Peer(
        name="chat-analytics",
        figure="chat-analytics.report",
        does="full HTML report through its CLI (npx), sentiment and language included",
        manager="npm",
        package="chat-analytics",
        invocation=_npx_invocation,
        messages=_chat_analytics_messages,
    ),
    "convokit": Peer(
        name="convokit",
        figure="convokit.corpus",
        does="split the export into messages, then build Speaker/Utterance objects and a Corpus",
        manager="pip",
        package="convokit",
        invocation=_python_invocation("build_corpus.py"),
        messages=_json_messages("utterances"),
    ),
}
