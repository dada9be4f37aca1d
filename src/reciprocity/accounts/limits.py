"""Login rate limiting: failed sign-ins counted per account name and per client address.

A name that failed :data:`PER_NAME` times within :data:`WINDOW_S` is refused until the
oldest of those failures leaves the window, whoever tries (so one account's password is
not guessed from many addresses); an address that failed :data:`PER_ADDRESS` times is
refused for every name (so one address does not try many names). A success clears its
name's count. Counts live in memory only: a restart forgets them, which costs an attacker
a restart they cannot cause. The tables are bounded (:data:`TRACKED`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

__all__ = ["PER_ADDRESS", "PER_NAME", "TRACKED", "WINDOW_S", "LoginLimits"]

WINDOW_S = 15 * 60
"""Failures older than this no longer count."""
PER_NAME = 5
"""Failed tries per account name within the window."""
PER_ADDRESS = 20
"""Failed tries per client address within the window (a household behind one router)."""
TRACKED = 10_000
"""Names and addresses remembered at most; the least recently failed are dropped first."""


class LoginLimits:
    """Counts of recent failures; :meth:`wait` says how long a try must wait (0: go on)."""

    def __init__(
        self,
        *,
        per_name: int = PER_NAME,
        per_address: int = PER_ADDRESS,
        window: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_name = per_name
        self.per_address = per_address
        self.window = window
        self._now = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        seen = self._failures.get(key)
        if seen is None:
            return deque()
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        return seen

    def wait(self, name: str, address: str) -> float:
        """Seconds before ``name`` may be tried from ``address`` again (0: now)."""
        now = self._now()
        with self._lock:
            waits = [0.0]
            for key, limit in ((_name(name), self.per_name), (_addr(address), self.per_address)):
                seen = self._recent(key, now)
                if len(seen) >= limit:
                    waits.append(seen[len(seen) - limit] + self.window - now)
            return max(waits)

    def failed(self, name: str, address: str) -> None:
        """Count one failed sign-in of ``name`` from ``address``."""
        now = self._now()
        with self._lock:
            for key in (_name(name), _addr(address)):
                seen = self._recent(key, now)
                seen.append(now)
                self._failures[key] = seen
                self._failures.move_to_end(key)
            while len(self._failures) > TRACKED:
                self._failures.popitem(last=False)

    def succeeded(self, name: str) -> None:
        """Forget ``name``'s failures (its owner knew the password)."""
        with self._lock:
            self._failures.pop(_name(name), None)


def _name(name: str) -> str:
    return "name:" + " ".join(name.split()).casefold()


def _addr(address: str) -> str:
    return "addr:" + address
