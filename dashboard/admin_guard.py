"""The admin sign-in guard: wrong passwords counted per server, a growing delay, a lockout window, a log line each.

Counted per server process, not per browser session: opening more sessions does not buy more guesses. After a
failure the next attempt from anyone must wait (1 s, 2 s, 4 s ... up to 60 s); after ``admin_max_failures``
failures in a row every attempt is refused for ``admin_lockout_s`` seconds without looking at the password.
A lockout also keeps the real admin out for that window: a public deployment should put the admin area behind
the reverse proxy's own authentication, or turn it off (KAPDIR_ADMIN=off; see docs/deploy.md).
"""

import hmac
import logging
import threading
import time
from dataclasses import dataclass

logger = logging.getLogger("kapdir.admin")

MAX_DELAY_S = 60.0


@dataclass
class Verdict:
    ok: bool
    message: str = ""


class SignInGuard:
    def __init__(self, *, max_failures: int, lockout_s: float, clock=time.monotonic) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.clock = clock
        self.failures = 0
        self.not_before = 0.0
        self._lock = threading.Lock()

    def attempt(self, given: str, password: str, *, client: str) -> Verdict:
        with self._lock:
            now = self.clock()
            if now < self.not_before:
                wait = self.not_before - now
                locked = self.failures >= self.max_failures
                logger.warning("admin sign-in refused unchecked (%s) from %s at %s",
                               "locked out" if locked else "too soon", client, _stamp())
                what = ("Too many wrong passwords: the admin area is locked" if locked
                        else "Too soon after a wrong password")
                return Verdict(False, f"{what}; try again in {wait:.0f} s.")
            if hmac.compare_digest(given.encode(), password.encode()):
                self.failures = 0
                self.not_before = 0.0
                logger.warning("admin signed in from %s at %s", client, _stamp())
                return Verdict(True)
            self.failures += 1
            if self.failures >= self.max_failures:
                self.not_before = now + self.lockout_s
            else:
                self.not_before = now + min(2.0 ** (self.failures - 1), MAX_DELAY_S)
            logger.warning("admin sign-in failed from %s at %s (%d in a row)", client, _stamp(), self.failures)
            return Verdict(False, "Wrong password.")


def _stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


_guard: SignInGuard | None = None
_guard_lock = threading.Lock()


def server_guard(*, max_failures: int, lockout_s: float) -> SignInGuard:
    """The one guard of this server process (modules stay imported across sessions and reruns)."""
    global _guard
    with _guard_lock:
        if _guard is None or (_guard.max_failures, _guard.lockout_s) != (max_failures, lockout_s):
            _guard = SignInGuard(max_failures=max_failures, lockout_s=lockout_s)
        return _guard
