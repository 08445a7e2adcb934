"""Long admin jobs (refresh, crawl, board sync, re-verification) as `kapdir` child processes.

A child process keeps the dashboard responsive and lets Scrapy's reactor start fresh each time. The job
writes its progress to the database (CrawlRun, SourceSync, Verification rows) which the admin page polls;
its console output goes to a log file shown as the job's tail. One job runs at a time per server.
"""

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from directory.egress import BlockedAddress, validate_seed
from directory.errors import KapdirError
from directory.settings import get_settings
from directory.timeutil import utcnow

KINDS = ("refresh", "crawl", "sync", "verify")
PROXY_ENV = "KAPDIR_CRAWL_PROXY"  # e.g. the demo's sample web; the admin can override it per crawl
SECRET_ENV = {"KAPDIR_ADMIN_PASSWORD"}  # never handed to a child process

_lock = threading.Lock()
_jobs: list["Job"] = []


@dataclass
class Job:
    kind: str
    command: list[str]
    started_at: datetime
    log_path: Path
    process: subprocess.Popen

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    @property
    def running(self) -> bool:
        return self.returncode is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def kapdir_command(*args: str) -> list[str]:
    """The CLI in this interpreter (works from a venv without the console script on PATH)."""
    return [sys.executable, "-c", "from directory.cli import main; main()", *args]


def job_arguments(kind: str, *, proxy: str | None = None, sources: list[str] = (), due_only: bool = False
                  ) -> list[str]:
    """The child's argument list, built only from validated values (typed text never becomes an option)."""
    if kind in {"crawl", "refresh"}:
        return [kind, "--json", *([f"--proxy={_checked_proxy(proxy)}"] if proxy else [])]
    if kind == "sync":
        return ["boards", "sync", "--json", "--", *_checked_sources(sources)]
    if kind == "verify":
        return ["verify", "--json", *(["--due"] if due_only else [])]
    raise KapdirError(f"unknown job {kind!r}: use one of {', '.join(KINDS)}")


def _checked_sources(names: list[str]) -> list[str]:
    """Source names from the registry only (so "--db /elsewhere" is an unknown source, not an option)."""
    from directory.boards.registry import all_sources

    known = {info.name for info in all_sources()}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise KapdirError(f"unknown source {unknown[0][:80]!r}: use names from `kapdir boards sources`")
    return list(dict.fromkeys(names))


def _checked_proxy(proxy: str) -> str:
    """An http(s) proxy URL with a host, one token; other than the configured one, it must pass the egress policy
    (all crawl traffic goes to the proxy: a typed internal address would turn the crawler on our own network)."""
    parts = urlsplit(proxy)
    if parts.scheme not in {"http", "https"} or not parts.hostname or any(ch.isspace() or ord(ch) < 32 for ch in proxy):
        raise KapdirError("the proxy must be an http(s) URL such as http://127.0.0.1:8080")
    if proxy != default_proxy():
        try:
            validate_seed(proxy)
        except BlockedAddress as exc:
            raise KapdirError(f"proxy refused: {exc}") from None
    return proxy


def child_environment(db_url: str) -> dict[str, str]:
    """The child's environment: ours plus its database, minus the admin password (crawlers read hostile pages)."""
    env = {key: value for key, value in os.environ.items() if key.upper() not in SECRET_ENV}
    env["DATABASE_URL"] = db_url
    return env


def start_job(kind: str, *, db_url: str, proxy: str | None = None, sources: list[str] = (),
              due_only: bool = False) -> Job:
    """Start one job against `db_url` (passed as DATABASE_URL); refuse while another one runs."""
    command = kapdir_command(*job_arguments(kind, proxy=proxy, sources=list(sources), due_only=due_only))
    with _lock:
        running = current_job()
        if running is not None and running.running:
            raise KapdirError(f"a {running.kind} job is still running; wait for it to finish")
        log_dir = get_settings().data_dir / "jobs"
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KapdirError(f"cannot create the job log directory {log_dir}: {exc}") from exc
        started = utcnow()
        log_path = log_dir / f"{kind}-{started:%Y%m%dT%H%M%S}.log"
        env = child_environment(db_url)
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       env=env)
        job = Job(kind=kind, command=command, started_at=started, log_path=log_path, process=process)
        _jobs.append(job)
        return job


def current_job() -> Job | None:
    return _jobs[-1] if _jobs else None


def default_proxy() -> str:
    return os.environ.get(PROXY_ENV, "")
