"""Bad input and contention on the database: a missing database is never created by a read command, a locked
one is waited for a bounded time then a one-line error, run records always end, and two jobs of one kind never
run at once (a lock file on SQLite, an advisory lock on PostgreSQL)."""

import sqlite3
import threading
import time

import pytest
from sqlmodel import select

from directory.db import (
    DatabaseLocked,
    JobRunning,
    job_lock,
    open_database,
    resolve_url,
    session_scope,
)
from directory.models import VerifyRun
from directory.settings import get_settings
from tests.conftest import run_kapdir


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "SELECT" not in stderr and "UPDATE" not in stderr
    return lines[0]


@pytest.mark.parametrize("command", [
    ["verify"], ["export"], ["export", "--format", "csv"], ["boards", "list"],
    ["boards", "lookup", "--name", "Jane Roe", "--state", "CT"], ["dashboard"],
])
def test_read_commands_on_a_missing_database_fail_and_create_nothing(tmp_path, command):
    db = tmp_path / "no" / "such" / "dir" / "x.db"
    result = run_kapdir(*command, "--db", str(db), timeout=120)
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert str(db) in line and "no database" in line
    assert not (tmp_path / "no").exists()


def test_db_upgrade_creates_the_database(tmp_path):
    db = tmp_path / "new" / "x.db"
    result = run_kapdir("db", "upgrade", "--db", str(db), timeout=120)
    assert result.returncode == 0 and db.is_file()


@pytest.fixture
def short_wait(monkeypatch):
    monkeypatch.setenv("KAPDIR_DB_BUSY_TIMEOUT_S", "1")
    get_settings.cache_clear()
    yield {"KAPDIR_DB_BUSY_TIMEOUT_S": "1"}
    get_settings.cache_clear()


def _hold_write_lock(path):
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_a_locked_database_is_a_bounded_wait_then_one_line(tmp_path, short_wait):
    db = tmp_path / "x.db"
    open_database(db)
    holder = _hold_write_lock(db)
    try:
        started = time.monotonic()
        result = run_kapdir("verify", "--db", str(db), env=short_wait, timeout=120)
        took = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert "locked" in line and str(db) in line and "waited 1 s" in line
    assert took < 30
    with session_scope(open_database(db)) as session:
        assert all(run.status != "running" for run in session.exec(select(VerifyRun)))


def test_a_lock_mid_run_still_leaves_the_run_record_finished(tmp_path, short_wait, monkeypatch):
    """The write lock is taken by another process right after the run is recorded and held past our wait: the
    run fails with one line, and its record is marked failed once the lock is gone."""
    import directory.verification.engine as engine_module
    from directory.verification import verify_all
    from tests.verification.builders import NOW, clinician, practice

    db = tmp_path / "x.db"
    engine = open_database(db)  # a new file: a new engine, made with the short wait
    with session_scope(engine) as session:
        clinician(session, practice(session, "lock.example", {"CT": (True, True)}), "Iris Lowe",
                  [("LPC", "state_license", "professional_counselor")])
        session.commit()
    start_run, finish_record = engine_module._start_run, engine_module.finish_run_record
    holders = []

    def start_then_lock(*args, **kwargs):
        context = start_run(*args, **kwargs)
        holders.append(_hold_write_lock(db))
        return context

    def unlock_then_finish(*args, **kwargs):
        # The run has given up waiting (DatabaseLocked on its way): the other process lets go now, on a timer
        # shorter than our wait, so the failed run's record is written however slow the machine is.
        threading.Timer(0.3, lambda: (holders[0].rollback(), holders[0].close())).start()
        return finish_record(*args, **kwargs)

    monkeypatch.setattr(engine_module, "_start_run", start_then_lock)
    monkeypatch.setattr(engine_module, "finish_run_record", unlock_then_finish)
    with pytest.raises(DatabaseLocked) as failure:
        verify_all(engine, now=NOW)
    assert "locked" in str(failure.value) and "\n" not in str(failure.value)
    time.sleep(1.0)
    with session_scope(engine) as session:
        runs = list(session.exec(select(VerifyRun)))
    assert [(run.status, run.finished_at is not None) for run in runs] == [("failed", True)]
    assert "locked" in runs[0].message


def test_a_run_left_running_by_a_dead_process_is_closed_by_the_next_one(tmp_path):
    db = tmp_path / "x.db"
    engine = open_database(db)
    with session_scope(engine) as session:
        session.add(VerifyRun())  # a verify that was killed mid-run
        session.commit()
    result = run_kapdir("verify", "--db", str(db), "--json", timeout=300)
    assert result.returncode == 0, result.stderr
    with session_scope(engine) as session:
        runs = list(session.exec(select(VerifyRun).order_by(VerifyRun.id)))
    assert [run.status for run in runs] == ["failed", "finished"]
    assert runs[0].message.startswith("interrupted")


def test_a_second_job_of_the_same_kind_is_refused_naming_the_holder(tmp_path):
    db = tmp_path / "x.db"
    open_database(db)
    import os

    with job_lock(resolve_url(db), "verify"):
        result = run_kapdir("verify", "--db", str(db), timeout=120)
        other_kind = run_kapdir("boards", "list", "--db", str(db), "--json", timeout=120)
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert f"another verify is running on {db}" in line and f"process {os.getpid()}" in line
    assert other_kind.returncode == 0, other_kind.stderr
    after = run_kapdir("verify", "--db", str(db), "--json", timeout=300)  # the lock died with its holder
    assert after.returncode == 0, after.stderr


@pytest.mark.postgres
def test_postgres_advisory_lock_per_job_kind(postgres_url):
    from directory.db import get_engine, upgrade

    with get_engine(postgres_url).begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    upgrade(postgres_url)
    with job_lock(postgres_url, "verify"):
        with pytest.raises(JobRunning) as refused:
            with job_lock(postgres_url, "verify"):
                pass
        assert "another verify is running" in str(refused.value) and "kapdir verify pid" in str(refused.value)
        with job_lock(postgres_url, "crawl"):  # another kind may run beside it
            pass
        result = run_kapdir("verify", env={"DATABASE_URL": postgres_url}, timeout=120)
        assert result.returncode == 1 and "another verify is running" in _one_line(result.stderr)
    with job_lock(postgres_url, "verify"):  # released with its session
        pass


def test_a_job_that_fails_marks_its_own_unfinished_runs(tmp_path, monkeypatch):
    """A board sync cut short (here by a locked database, mid-sync) leaves no sync record "running"."""
    from typer.testing import CliRunner

    import directory.boards.commands as board_commands
    from directory.cli import app
    from directory.models import SourceSync

    db = tmp_path / "x.db"
    engine = open_database(db)

    def sync_that_hits_a_lock(**kwargs):
        with session_scope(engine) as session:
            session.add(SourceSync(source="ct_socrata"))
            session.commit()
        raise DatabaseLocked(f"database {db} is locked by another process (waited 1 s)")

    monkeypatch.setattr(board_commands, "sync_command", sync_that_hits_a_lock)
    result = CliRunner().invoke(app, ["boards", "sync", "ct_socrata", "--db", str(db)])
    assert isinstance(result.exception, DatabaseLocked)
    with session_scope(engine) as session:
        rows = list(session.exec(select(SourceSync)))
    assert [(r.status, r.finished_at is not None) for r in rows] == [("error", True)]
    assert rows[0].error.startswith("failed: database") and "locked" in rows[0].error


def test_a_second_board_sync_is_refused(tmp_path):
    db = tmp_path / "x.db"
    open_database(db)
    with job_lock(resolve_url(db), "sync"):
        result = run_kapdir("boards", "sync", "ct_socrata", "--db", str(db), timeout=120)
    assert result.returncode == 1 and f"another sync is running on {db}" in _one_line(result.stderr)


@pytest.mark.parametrize("command", [["verify"], ["export"], ["boards", "list"]])
def test_a_file_that_is_not_a_database_is_one_line(tmp_path, command):
    db = tmp_path / "x.db"
    db.write_text("not a database, just text " * 20)
    result = run_kapdir(*command, "--db", str(db), timeout=120)
    assert result.returncode == 1
    assert f"cannot open database {db}: file is not a database" in _one_line(result.stderr)


@pytest.mark.parametrize("command", [
    ["demo", "--no-dashboard", "--port", "-1"], ["dashboard", "--port", "70000"],
    ["export", "--as-of", "yesterday"], ["boards", "sync", "no_such_source"],
])
def test_bad_arguments_are_one_line_and_exit_2_before_any_work(tmp_path, command):
    result = run_kapdir(*command, "--db", str(tmp_path / "x.db"), timeout=120)
    assert result.returncode in (1, 2)
    _one_line(result.stderr)
    assert not (tmp_path / "x.db").exists()


def test_a_url_given_as_db_is_one_line_and_makes_no_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_kapdir("verify", "--db", "postgresql://kapdir@localhost/kapdir", timeout=120)
    assert result.returncode == 1 and "DATABASE_URL" in _one_line(result.stderr)
    assert not list(tmp_path.iterdir())
