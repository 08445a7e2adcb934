"""Shared fixtures: a real PostgreSQL server on loopback for the storage tests."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests check answers, not speed: on a loaded machine (CI, or six engineers on two cores) Hypothesis's
# default 200 ms deadline per example fails them at random. Speed lives in tests/benchmarks.
settings.register_profile("kapdir", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kapdir")

# Every test server (sample web, board mirrors, fault servers) is on loopback, which the egress policy
# (directory.egress) refuses by default. tests/security turns this off where it attacks the policy itself.
os.environ.setdefault("KAPDIR_ALLOW_PRIVATE_HOSTS", "true")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres_user(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root, so drop to the package's own user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Start a throwaway PostgreSQL cluster on a free loopback port; skip when the server is not installed."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        pytest.skip("PostgreSQL server not installed (make test installs it when run as root)")
    bindir = Path(binaries[-1]).parent
    datadir = Path(tempfile.mkdtemp(prefix="kapdir-pg-"))
    if os.geteuid() == 0:
        shutil.chown(datadir, "postgres", "postgres")
    subprocess.run(
        _as_postgres_user([str(bindir / "initdb"), "-D", str(datadir), "-A", "trust", "-U", "kapdir"]),
        check=True, capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        _as_postgres_user([str(bindir / "postgres"), "-D", str(datadir), "-p", str(port),
                           "-k", str(datadir), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while subprocess.run([str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                             capture_output=True).returncode != 0:
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("PostgreSQL did not start")
            time.sleep(0.2)
        subprocess.run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "kapdir", "kapdir"],
                       check=True, capture_output=True)
        yield f"postgresql://kapdir@127.0.0.1:{port}/kapdir"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(datadir, ignore_errors=True)


def run_kapdir(*args: str, env: dict[str, str] | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the real CLI in a child process, as a user would."""
    import sys

    return subprocess.run(
        [sys.executable, "-c", "from directory.cli import main; main()", *args],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> tuple[Path, dict]:
    """The demo database: `kapdir demo --no-dashboard --json` on the bundled sample world (run once)."""
    import json

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = run_kapdir("demo", "--no-dashboard", "--json", "--db", str(path))
    assert result.returncode == 0, result.stderr[-2000:]
    return path, json.loads(result.stdout)
