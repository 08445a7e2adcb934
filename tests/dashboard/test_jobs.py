"""Admin jobs run as real `kapdir` child processes against the database the dashboard shows."""

import time

import pytest

from dashboard import jobs
from directory.db import open_database, resolve_url, session_scope
from directory.errors import KapdirError
from directory.queries import verifications_checked_since
from directory.settings import get_settings
from tests.dashboard.builder import build_directory


@pytest.fixture
def job_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KAPDIR_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    monkeypatch.setattr(jobs, "_jobs", [])
    yield
    for job in jobs._jobs:
        if job.running:
            job.process.kill()
            job.process.wait()
    get_settings.cache_clear()


def wait(job: jobs.Job, timeout_s: float = 120) -> int:
    deadline = time.monotonic() + timeout_s
    while job.running and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not job.running, f"{job.kind} job still running after {timeout_s} s"
    return job.returncode


def test_job_arguments_map_each_kind_to_the_cli():
    assert jobs.job_arguments("crawl", proxy="http://127.0.0.1:9") == ["crawl", "--json", "--proxy=http://127.0.0.1:9"]
    assert jobs.job_arguments("sync", sources=["ct_socrata"]) == ["boards", "sync", "--json", "--", "ct_socrata"]
    assert jobs.job_arguments("verify", due_only=True) == ["verify", "--json", "--due"]
    with pytest.raises(KapdirError, match="unknown job"):
        jobs.job_arguments("reboot")


def test_a_verify_job_writes_to_the_given_database_and_one_job_runs_at_a_time(job_env, tmp_path):
    path = tmp_path / "jobs.db"
    build_directory(open_database(path))
    job = jobs.start_job("verify", db_url=resolve_url(path))
    with pytest.raises(KapdirError, match="still running"):
        jobs.start_job("verify", db_url=resolve_url(path))
    assert wait(job) == 0, job.log_tail()
    assert '"claims"' in job.log_tail(50)
    with session_scope(open_database(path)) as session:
        assert verifications_checked_since(session, since=job.started_at) > 0
    assert jobs.current_job() is job and job.log_path.parent == tmp_path / "data" / "jobs"


def test_a_failing_job_reports_its_exit_code_and_error(job_env, tmp_path):
    path = tmp_path / "jobs.db"
    open_database(path)
    with pytest.raises(KapdirError, match="unknown source"):  # typed names never reach the child unchecked
        jobs.start_job("sync", db_url=resolve_url(path), sources=["no_such_source"])
    job = jobs.start_job("crawl", db_url=resolve_url(path))  # an empty seed list: the crawl fails
    assert wait(job) != 0
    assert "no seeds" in job.log_tail()
