"""Sign-in throttling: growing delays after failures, never a lock.

Failures are counted, over `window` seconds, three ways:
- per (user name, address): the one guessing from one place waits 1, 2, 4 ... up to 5 minutes after
  the third failure;
- per user name, from anywhere: after 10 failures, up to 30 seconds, so that guessing one account from
  many addresses is slow while its owner, from an address that has not failed, waits at most that;
- per address, for any name: after 10 failures, up to 5 minutes (one place trying many names).
A successful sign-in clears that name's failures (the owner who mistyped starts afresh) and, at the
address, only the failures for that name: an attacker who signs in to their own account does not wipe
the count of their guesses at other accounts.

The counts live in memory (one server process); they are bounded, oldest keys dropped first.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 50_000


@dataclass(frozen=True)
class Tier:
    free: int  # failures allowed before any delay
    cap: float  # the longest delay, in seconds

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(2.0 ** (failures - self.free), self.cap)


class _Failures:
    """Failure times (with the name tried) per key, within a window, for a bounded number of keys."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._by_key: OrderedDict[str, deque[tuple[float, str]]] = OrderedDict()

    def recent(self, key: str, at: float) -> deque[tuple[float, str]]:
        times = self._by_key.get(key)
        if times is None:
            return deque()
        while times and times[0][0] <= at - self.window:
            times.popleft()
        if not times:
            del self._by_key[key]
        return times

    def add(self, key: str, at: float, name: str) -> None:
        times = self._by_key.setdefault(key, deque())
        times.append((at, name))
        self._by_key.move_to_end(key)
        while len(self._by_key) > MAX_KEYS:
            self._by_key.popitem(last=False)

    def forget(self, key: str, name: str | None = None) -> None:
        """Drop the key's failures, or only those for `name`."""
        times = self._by_key.get(key)
        if times is None:
            return
        kept = deque(t for t in times if name is not None and t[1] != name)
        if kept:
            self._by_key[key] = kept
        else:
            del self._by_key[key]


class LoginThrottle:
    def __init__(self, window: float = 900.0, pair: Tier = Tier(3, 300.0), name: Tier = Tier(10, 30.0),
                 address: Tier = Tier(10, 300.0), clock: Callable[[], float] = time.monotonic) -> None:
        self._tiers = {"pair": pair, "name": name, "address": address}
        self._failures = _Failures(window)
        self._clock = clock
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str) -> dict[str, str]:
        name = username.casefold()
        return {"pair": f"pair:{name}\0{address}", "name": f"name:{name}", "address": f"address:{address}"}

    def wait(self, username: str, address: str) -> int:
        """Seconds to wait before the next try for this name from this address (0: try now)."""
        at = self._clock()
        longest = 0.0
        with self._lock:
            for tier, key in self._keys(username, address).items():
                times = self._failures.recent(key, at)
                if times:
                    longest = max(longest, times[-1][0] + self._tiers[tier].delay(len(times)) - at)
        return math.ceil(longest) if longest > 0 else 0

    def failed(self, username: str, address: str) -> None:
        at = self._clock()
        name = username.casefold()
        with self._lock:
            for key in self._keys(username, address).values():
                self._failures.add(key, at, name)

    def succeeded(self, username: str, address: str) -> None:
        keys = self._keys(username, address)
        with self._lock:
            self._failures.forget(keys["pair"])
            self._failures.forget(keys["name"])
            self._failures.forget(keys["address"], username.casefold())
