"""Crawled and board text that attacks the places kapdir shows it: terminals, the Atom feed, the dashboard, files.

The practice name comes through the real path: a page on loopback whose og:site_name carries terminal escape
sequences (clear screen, a window-title change) and a Trojan Source bidi override (U+202E); `kapdir crawl` stores
it as the page says. A board record's name carries an OSC 8 hyperlink, rich markup and an unbalanced ``[/b]``.
Before: `kapdir changes` wrote the escapes to the terminal, `kapdir changes --format atom` and every request to
`kapdir feeds serve` failed with a lxml ValueError (a traceback; the whole feed down for every watcher), and
`kapdir boards lookup` crashed on a board name with ``[/b]`` (rich MarkupError) or turned ``[link=...]`` into a
live terminal link.
"""

import shutil
import threading
import urllib.request
from xml.etree import ElementTree

import pytest
from sqlmodel import Session, select

from directory.changes.feeds import make_server
from directory.db import open_database
from directory.models import LicenseRecord, Practice
from tests.conftest import free_port, run_kapdir
from tests.security.conftest import serve

ESCAPES = "\x1b[2J\x1b]0;pwned\x07"
HOSTILE_NAME = "Calm \x1b[2J\x1b]0;pwned\x07 Harbor \u202eKetamine"
PAGE = ('<html><head><title>Home</title><meta property="og:site_name" '
        'content="Calm &#27;[2J&#27;]0;pwned&#7; Harbor &#x202e;Ketamine"></head>'
        "<body><h1>Welcome</h1><p>Ketamine-assisted psychotherapy in Hartford, CT.</p></body></html>")
WIDE = {"COLUMNS": "400", "KAPDIR_ALLOW_PRIVATE_HOSTS": "true"}


def assert_clean(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, repr(text[:400])


@pytest.fixture(scope="module")
def crawled_db(tmp_path_factory):
    """A directory whose one practice was crawled from a page that names it HOSTILE_NAME."""
    port = free_port()
    db = tmp_path_factory.mktemp("hostile-output") / "x.db"
    with serve("127.0.0.1", port, {"/": (200, {}, PAGE), "/robots.txt": (404, {}, "")}):
        result = run_kapdir("crawl", "--seeds", f"http://127.0.0.1:{port}/", "--db", str(db),
                            env={"KAPDIR_ALLOW_PRIVATE_HOSTS": "true", "KAPDIR_DOWNLOAD_DELAY": "0"}, timeout=300)
    assert result.returncode == 0, result.stderr
    with Session(open_database(db)) as session:
        names = [p.name for p in session.exec(select(Practice))]
    assert names == [HOSTILE_NAME]  # stored as the page says: the outputs must cope
    return db


def test_the_changes_table_shows_the_name_without_escapes_or_markup(crawled_db):
    result = run_kapdir("changes", "--db", str(crawled_db), env=WIDE, timeout=120)
    assert result.returncode == 0, result.stderr
    assert_clean(result.stdout)
    assert "Harbor Ketamine" in result.stdout


def test_the_atom_feed_of_a_hostile_name_is_valid_xml_from_the_cli_and_the_server(crawled_db):
    result = run_kapdir("changes", "--format", "atom", "--db", str(crawled_db), env=WIDE, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    titles = [t.text for t in ElementTree.fromstring(result.stdout).iter("{http://www.w3.org/2005/Atom}title")]
    assert any("Harbor Ketamine" in (t or "") for t in titles)

    server = make_server(open_database(crawled_db), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/feeds/all.atom", timeout=30) as r:
            assert r.status == 200
            document = r.read()
    finally:
        server.shutdown()
        server.server_close()
    assert b"Harbor Ketamine" in document
    assert_clean(document.decode())
    ElementTree.fromstring(document)


def test_a_board_name_with_rich_markup_and_escapes_is_shown_literally(crawled_db, tmp_path):
    db = tmp_path / "x.db"
    shutil.copy(crawled_db, db)
    with Session(open_database(db)) as session:
        session.add(LicenseRecord(
            source="ct_socrata", record_key="hostile-1", state="CT", license_class="lpc", title_raw="[bold red]LPC",
            holder_name=f"ROE [/b] JANE {ESCAPES}\x1b]8;;http://evil.example/\x07[link=http://evil.example]x[/link]",
            family_name="Roe", given_name="Jane", family_key="roe", given_key="jane", status="active",
            status_raw="ACTIVE\x1b[2J"))
        session.commit()
    # The national look-ups (NPI, compacts) cannot be reached here: exit 1 after the table, with a one-line error.
    result = run_kapdir("boards", "lookup", "--name", "Jane Roe", "--state", "CT", "--db", str(db), env=WIDE,
                        timeout=120)
    assert "Traceback" not in result.stderr and "MarkupError" not in result.stderr, result.stderr
    assert_clean(result.stdout + result.stderr)
    assert "ROE [/b] JANE" in result.stdout and "[bold red]LPC" in result.stdout


def test_the_dashboard_drops_bidi_overrides_and_control_characters(crawled_db, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from directory.settings import get_settings
    from tests.dashboard.test_app import APP, page
    from tests.security.test_hostile_params import shown

    monkeypatch.setenv("KAPDIR_DASHBOARD_DB", str(crawled_db))
    monkeypatch.setenv("KAPDIR_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    with Session(open_database(crawled_db)) as session:
        practice_id = session.exec(select(Practice.id)).one()
    at = page(AppTest.from_file(APP, default_timeout=60), "views/provider.py", practice=str(practice_id))
    get_settings.cache_clear()
    assert not at.exception, at.exception
    texts = shown(at) + [str(t.value) for t in at.text]
    assert any("Harbor" in t and "Ketamine" in t for t in texts), texts[:5]
    for text in texts:
        assert_clean(text)


def test_an_export_never_overwrites_the_database(crawled_db, tmp_path):
    db = tmp_path / "x.db"
    shutil.copy(crawled_db, db)
    before = db.read_bytes()
    for target in (db, tmp_path / "x.db-wal"):
        if target != db:
            target.write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 28)  # a write-ahead log's header
        result = run_kapdir("export", "--format", "csv", "--db", str(db), "--out", str(target), timeout=120)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith("kapdir: error: ") and len(result.stderr.strip().splitlines()) == 1
        assert "refusing to overwrite" in result.stderr
    assert db.read_bytes() == before
    good = tmp_path / "out.csv"
    assert run_kapdir("export", "--format", "csv", "--db", str(db), "--out", str(good), timeout=120).returncode == 0
    assert good.read_text().startswith("practice,website,")
    assert not list(tmp_path.glob(".*.partial"))  # the temporary file was renamed, not left behind


def test_csv_cells_that_start_a_formula_are_quoted_even_after_a_line_break():
    from directory.safetext import spreadsheet_cell

    for payload in ("=HYPERLINK(\"http://evil.example\")", "+1", "-1+1", "@SUM(A1)", "\t=1", "\n=1"):
        assert spreadsheet_cell(payload) == "'" + payload
    assert spreadsheet_cell("Calm Harbor") == "Calm Harbor" and spreadsheet_cell(3) == 3
    # Control characters go first, so none can hide a formula: CR and ESC are dropped, then "=1" is quoted.
    assert spreadsheet_cell("\r=1") == "'=1" and spreadsheet_cell("\x1b=1") == "'=1"
    assert spreadsheet_cell("\x1b[2J=1") == "[2J=1"


def test_a_csv_export_printed_to_a_terminal_carries_no_escapes(directory_db, tmp_path):
    import sqlite3

    db = tmp_path / "x.db"
    with sqlite3.connect(directory_db.path) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
        copy.execute("UPDATE clinician SET name = ? WHERE id = (SELECT MIN(clinician_id) FROM verification)",
                     (f"Jane {ESCAPES}Roe",))
    result = run_kapdir("export", "--format", "csv", "--db", str(db), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Jane [2J]0;pwnedRoe" in result.stdout
    assert_clean(result.stdout)
