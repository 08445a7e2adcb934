"""Long admin jobs (crawl, board sync, re-verification) as `kapdir` child processes.

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

from directory.errors import KapdirError
from directory.settings import get_settings
from directory.timeutil import utcnow

KINDS = ("crawl", "sync", "verify")
PROXY_ENV = "KAPDIR_CRAWL_PROXY"  # e.g. the demo's sample web; the admin can override it per crawl

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
    if kind == "crawl":
        return ["crawl", "--json", *(["--proxy", proxy] if proxy else [])]
    if kind == "sync":
        return ["boards", "sync", "--json", *sources]
    if kind == "verify":
        return ["verify", "--json", *(["--due"] if due_only else [])]
    raise KapdirError(f"unknown job {kind!r}: use one of {', '.join(KINDS)}")


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
        env = {**os.environ, "DATABASE_URL": db_url}
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
