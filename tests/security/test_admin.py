"""The admin area under attack: brute force across sessions, argument injection, the password in children,
the area turned off, and errors that must not show tracebacks."""

import json
import logging
import subprocess
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import admin_guard, jobs
from dashboard.admin_guard import SignInGuard
from dashboard.launch import streamlit_command
from directory.errors import KapdirError
from directory.settings import get_settings
from tests.conftest import run_kapdir
from tests.dashboard.test_app import APP, page

PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_grow_the_delay_then_lock_out_even_the_right_password(caplog):
    clock = Clock()
    guard = SignInGuard(max_failures=5, lockout_s=900, clock=clock)
    caplog.set_level(logging.WARNING, logger="kapdir.admin")
    delays = []
    for _ in range(5):
        assert guard.attempt("guess", PASSWORD, client="203.0.113.9").message == "Wrong password."
        delays.append(guard.not_before - clock.now)
        clock.now = guard.not_before
    assert delays == [1, 2, 4, 8, 900]  # growing, then the lockout window
    clock.now = guard.not_before - 1
    refused = guard.attempt(PASSWORD, PASSWORD, client="203.0.113.9")  # locked: not even looked at
    assert not refused.ok and "locked" in refused.message
    clock.now = guard.not_before
    assert guard.attempt(PASSWORD, PASSWORD, client="198.51.100.7").ok
    assert guard.failures == 0
    lines = [r.getMessage() for r in caplog.records]
    assert sum("sign-in failed from 203.0.113.9 at 20" in line for line in lines) == 5  # client and time
    assert any("signed in from 198.51.100.7" in line for line in lines)


def test_parallel_guesses_get_one_check_between_them():
    """Four sessions guessing at once (the attack: 20 guesses in 8 s) get one password check, not four."""
    guard = SignInGuard(max_failures=5, lockout_s=900)
    results = []
    barrier = threading.Barrier(4)

    def guess(n: int) -> None:
        barrier.wait()
        results.append(guard.attempt(f"guess{n}", PASSWORD, client=f"session{n}").message)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("Wrong password.") == 1 and guard.failures == 1
    assert all("Too soon" in r for r in results if r != "Wrong password.")


@pytest.fixture
def app(directory_db, monkeypatch, tmp_path):
    monkeypatch.setenv("KAPDIR_DASHBOARD_DB", directory_db.url)
    monkeypatch.setenv("KAPDIR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAPDIR_ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setattr(admin_guard, "_guard", None)
    get_settings.cache_clear()
    yield lambda: AppTest.from_file(APP, default_timeout=30)
    get_settings.cache_clear()


def sign_in(at: AppTest, password: str) -> AppTest:
    at.text_input(key="admin_password").input(password)
    return at.button(key="admin_login").click().run()


def test_failures_are_counted_per_server_not_per_browser_session(app):
    attacker, other_session = page(app(), "views/admin.py"), page(app(), "views/admin.py")
    assert "Wrong password." in [e.value for e in sign_in(attacker, "guess-1").error]
    at = sign_in(other_session, PASSWORD)  # a new session right after: still throttled
    assert not at.tabs and any("Too soon" in e.value for e in at.error)


def test_the_admin_area_can_be_turned_off(app, monkeypatch):
    monkeypatch.setenv("KAPDIR_ADMIN", "off")
    get_settings.cache_clear()
    at = app().run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not registered at all
        at.switch_page("views/admin.py")
    direct = AppTest.from_file(str(ROOT / "dashboard" / "views" / "admin.py"), default_timeout=30).run()
    assert not direct.text_input and not direct.tabs  # the script itself stops too
    assert any("turned off" in str(i.value) for i in direct.info)


@pytest.mark.parametrize("sources", [["--db", "/tmp/elsewhere.db"], ["--db=/tmp/x.db"], ["ct_socrata", "-h"],
                                     ["ct_socrata;rm -rf /"], ["../../etc/passwd"]])
def test_sync_sources_must_be_registry_names(sources):
    with pytest.raises(KapdirError, match="unknown source"):
        jobs.job_arguments("sync", sources=sources)


@pytest.mark.parametrize("proxy", ["--db=/tmp/x.db", "http://127.0.0.1:8080 --db /tmp/x.db", "file:///etc/passwd",
                                   "http://", "http://x\n--db"])
def test_the_crawl_proxy_must_be_one_http_url(proxy):
    with pytest.raises(KapdirError, match="proxy"):
        jobs.job_arguments("crawl", proxy=proxy)


def test_a_typed_proxy_must_pass_the_egress_policy_unless_it_is_the_configured_one(monkeypatch):
    monkeypatch.setenv("KAPDIR_ALLOW_PRIVATE_HOSTS", "false")
    monkeypatch.setenv(jobs.PROXY_ENV, "http://127.0.0.1:8899")
    get_settings.cache_clear()
    try:
        for internal in ("http://169.254.169.254:80/", "http://10.0.0.5:3128", "http://127.0.0.1:3128"):
            with pytest.raises(KapdirError, match="blocked_address"):
                jobs.job_arguments("crawl", proxy=internal)
        assert jobs.job_arguments("crawl", proxy="http://127.0.0.1:8899") == \
            ["crawl", "--json", "--proxy=http://127.0.0.1:8899"]  # the operator's own (e.g. the demo's sample web)
    finally:
        get_settings.cache_clear()


def test_arguments_end_options_before_positional_values():
    assert jobs.job_arguments("sync", sources=["ct_socrata", "tx_bhec"]) == \
        ["boards", "sync", "--json", "--", "ct_socrata", "tx_bhec"]
    # Even a value that looks like an option is a source name after "--" for the real CLI (exit 2, unknown source).
    result = run_kapdir("boards", "sync", "--json", "--", "--db", timeout=120)
    assert result.returncode == 2 and "--db" in result.stderr and "Traceback" not in result.stderr


def test_no_child_process_gets_the_admin_password(monkeypatch, tmp_path):
    import socket

    monkeypatch.setenv("KAPDIR_ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("KAPDIR_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    # A database that accepts the connection and never answers keeps the child alive while we read its environment.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    job = jobs.start_job("verify", db_url=f"postgresql://kapdir@127.0.0.1:{silent.getsockname()[1]}/kapdir")
    try:
        environ = b""
        for _ in range(200):  # a process's environment reads empty for a moment while it starts
            environ = Path(f"/proc/{job.process.pid}/environ").read_bytes()  # what the child really got
            if environ:
                break
            time.sleep(0.05)
    finally:
        job.process.kill()
        job.process.wait(timeout=60)
        silent.close()
        get_settings.cache_clear()
    assert b"DATABASE_URL=postgresql://" in environ
    assert PASSWORD.encode() not in environ and b"KAPDIR_ADMIN_PASSWORD" not in environ


def test_a_failing_page_shows_a_reference_not_a_traceback(app, monkeypatch, caplog):
    monkeypatch.setenv("KAPDIR_DASHBOARD_DB", "postgresql://nobody@127.0.0.1:1/nothing")  # nothing listens there
    caplog.set_level(logging.ERROR, logger="kapdir.dashboard")
    at = page(app(), "views/find_care.py", state="FL")
    assert not at.exception
    shown = " ".join(str(e.value) for e in at.error)
    assert "reference" in shown and "Traceback" not in shown and "psycopg" not in shown.lower()
    reference = shown.split("reference ")[1].rstrip(".")
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)  # details in the server log


def test_deployment_defaults_hide_error_details_and_ignore_the_secrets_file():
    command = streamlit_command(8501)
    assert command[command.index("--client.showErrorDetails") + 1] == "none"
    assert 'showErrorDetails = "none"' in (ROOT / ".streamlit" / "config.toml").read_text()
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=ROOT)
    assert ignored.returncode == 0


def test_the_job_environment_keeps_what_children_need():
    env = jobs.child_environment("sqlite:///x.db")
    assert env["DATABASE_URL"] == "sqlite:///x.db" and "KAPDIR_ADMIN_PASSWORD" not in env
    assert json.dumps(env)  # plain strings only
