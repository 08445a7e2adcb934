"""Bad input to every kind of CLI command: a one-line error, a non-zero exit, no traceback, the database untouched.

Before, a malformed setting (``KAPDIR_DOWNLOAD_DELAY=abc``, ``KAPDIR_EGRESS_PORTS=abc``,
``KAPDIR_ALLOW_PRIVATE_HOSTS=maybe``) ended every command with a pydantic traceback; the other cases here already
held and stay as regression tests.
"""

import hashlib
import sqlite3

import pytest

from tests.conftest import run_kapdir


def one_line_error(result) -> str:
    assert result.returncode != 0, result.stdout[-300:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kapdir: error: "), result.stderr[-2000:]
    return lines[0]


@pytest.fixture
def db(directory_db, tmp_path):
    path = tmp_path / "x.db"
    with sqlite3.connect(directory_db.path) as source, sqlite3.connect(path) as copy:
        source.backup(copy)  # a file copy would miss what is still in the write-ahead log
    return path


STORED = ("practice", "clinician", "fact", "verification", "verdicthistory", "licenserecord", "seed")


def digest(path) -> str:
    """What the directory holds (not the file's bytes: opening it may set the journal mode or a run record)."""
    with sqlite3.connect(path) as connection:
        rows = [repr(connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()) for table in STORED]
    return hashlib.sha256("".join(rows).encode()).hexdigest()


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("KAPDIR_DOWNLOAD_DELAY", "abc", "KAPDIR_DOWNLOAD_DELAY"),
    ("KAPDIR_EGRESS_PORTS", "abc", "KAPDIR_EGRESS_PORTS"),
    ("KAPDIR_EGRESS_PORTS", '["x"]', "KAPDIR_EGRESS_PORTS"),
    ("KAPDIR_ALLOW_PRIVATE_HOSTS", "maybe", "KAPDIR_ALLOW_PRIVATE_HOSTS"),
])
def test_a_malformed_setting_is_one_line_naming_it(db, variable, value, says):
    before = digest(db)
    assert says in one_line_error(run_kapdir("export", "--db", str(db), env={variable: value}, timeout=120))
    assert digest(db) == before


def test_a_malformed_network_setting_stops_the_crawl_before_anything_is_fetched(db):
    before = digest(db)
    result = run_kapdir("crawl", "--seeds", "https://calmharbor.com/", "--db", str(db),
                        env={"KAPDIR_EGRESS_ALLOW_NETWORKS": '["not-a-network"]'}, timeout=120)
    assert "KAPDIR_EGRESS_ALLOW_NETWORKS" in one_line_error(result)
    assert digest(db) == before


def test_bad_files_and_databases(db, tmp_path):
    not_utf8 = tmp_path / "seeds.txt"
    not_utf8.write_bytes(b"\xff\xfe https://calmharbor.com/\n")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 10)
    folder = tmp_path / "folder"
    folder.mkdir()
    before = digest(db)
    cases = [
        ("crawl", "--seeds", str(not_utf8), "--db", str(db)),
        ("crawl", "--seeds", "file:///etc/passwd", "--db", str(db)),
        ("crawl", "--seeds", "http://evil@127.0.0.1/", "--db", str(db)),
        ("extract", str(tmp_path / "missing.html")),
        ("extract", str(folder)),
        ("export", "--db", str(garbage)),
        ("export", "--db", str(tmp_path / "missing.db")),
        ("export", "--db", str(db), "--out", str(folder)),
        ("export", "--db", str(db), "--as-of", "yesterday"),
        ("verify", "--db", str(garbage)),
        ("changes", "--db", str(garbage)),
        ("changes", "--since", "soon", "--db", str(db)),
        ("boards", "lookup", "--name", "x", "--state", "CT", "--db", str(db)),
        ("boards", "lookup", "--name", "Jane Roe", "--state", "Connecticut", "--db", str(db)),
        ("db", "upgrade", "--db", str(garbage)),
    ]
    for args in cases:
        one_line_error(run_kapdir(*args, env={"KAPDIR_ALLOW_PRIVATE_HOSTS": "false"}, timeout=120))
    assert digest(db) == before
    assert garbage.read_bytes() == b"not a database at all" * 10  # not "upgraded" into something else
