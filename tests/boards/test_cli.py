"""`kapdir boards list|sync|lookup` end to end: a real subprocess, KAPDIR_SOURCE_URLS pointed at the mirrors."""

import json
import os
import subprocess
import sys

from sqlalchemy import func, select

from directory.db import open_database, session_scope
from directory.models import Clinician, CredentialClaim, LicenseRecord, Practice, ServiceArea
from directory.sample_world.mirrors.core import EDITION


def kapdir(args, urls, tmp_path, **env):
    environment = {**os.environ, "KAPDIR_SOURCE_URLS": json.dumps(urls), "KAPDIR_DATA_DIR": str(tmp_path / "data"),
                   "KAPDIR_BOARD_LOOKUP_DELAY_S": "0", "KAPDIR_BOARD_TIMEOUT_S": "2",
                   "KAPDIR_BOARD_BACKOFF_CAP_S": "0.05", "KAPDIR_BOARD_MAX_RETRIES": "1", **env}
    return subprocess.run([sys.executable, "-c", "from directory.cli import main; main()", *args],
                          capture_output=True, text=True, env=environment, timeout=300)


def add_clinician(db, name, state, license_class):
    engine = open_database(db)
    with session_scope(engine) as session:
        practice = Practice(key=f"{name.split()[-1].lower()}.example", name=f"{name} practice")
        session.add(practice)
        session.flush()
        session.add(ServiceArea(practice_id=practice.id, state=state, in_person=True, virtual=True))
        clinician = Clinician(practice_id=practice.id, key=name.lower().replace(" ", "-"), name=name)
        session.add(clinician)
        session.flush()
        session.add(CredentialClaim(clinician_id=clinician.id, code="LCPC", kind="state_license",
                                    license_class=license_class, state=state))
        session.commit()
    return engine


def test_sync_then_list_json(boards, tmp_path):
    db = tmp_path / "cli.db"
    engine = add_clinician(db, "Marisol Quenneville", "MD", "professional_counselor")
    done = kapdir(["boards", "sync", "--db", str(db)], boards.urls, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "ct_socrata: ok" in done.stdout and "md_bpct: ok" in done.stdout and "npi: ok" in done.stdout
    with session_scope(engine) as session:
        bpct = session.execute(select(func.count()).select_from(LicenseRecord)
                               .where(LicenseRecord.source == "md_bpct")).scalar_one()
    assert bpct >= 1, "look-ups ran for the clinician in the database, so verification needs no network"

    listed = kapdir(["boards", "list", "--json", "--db", str(db)], boards.urls, tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    for row in rows.values():
        assert {"name", "kind", "states", "license_classes", "method", "last_sync", "as_of", "records"} <= row.keys()
    assert rows["ct_socrata"]["records"] > 0 and rows["ct_socrata"]["as_of"].startswith(EDITION.date().isoformat())
    assert rows["wa_provider_search"]["method"] == "manual" and rows["wa_provider_search"]["last_sync"] is None
    assert rows["md_bpct"]["method"] == "lookup" and rows["md_bpct"]["records"] >= 1

    table = kapdir(["boards", "list", "--db", str(db)], boards.urls, tmp_path)
    assert table.returncode == 0 and "ct_socrata" in table.stdout


def test_one_failing_source_fails_the_command_but_not_the_others(boards, tmp_path):
    db = tmp_path / "fail.db"
    boards.set_fault("tx_bhec", "down")
    done = kapdir(["boards", "sync", "tx_bhec", "il_socrata", "--db", str(db)], boards.urls, tmp_path)
    assert done.returncode == 1
    assert "il_socrata: ok" in done.stdout and "tx_bhec: error: tx_bhec: HTTP 503" in done.stdout
    assert done.stderr.strip().splitlines()[-1].startswith("kapdir: error: 1 source(s) failed: tx_bhec")
    assert "Traceback" not in done.stderr


def test_unknown_source_is_a_one_line_error(boards, tmp_path):
    done = kapdir(["boards", "sync", "no_such_board", "--db", str(tmp_path / "x.db")], boards.urls, tmp_path)
    assert done.returncode == 2, "a bad argument"
    assert done.stderr.strip().startswith("kapdir: error: Invalid value: unknown source 'no_such_board' (known: ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_refused_sync_then_force(boards, tmp_path):
    db = tmp_path / "force.db"
    assert kapdir(["boards", "sync", "co_socrata", "--db", str(db)], boards.urls, tmp_path).returncode == 0
    boards.set_fault("co_socrata", "shrunk")
    refused = kapdir(["boards", "sync", "co_socrata", "--db", str(db)], boards.urls, tmp_path)
    assert refused.returncode == 1 and "co_socrata: refused: would remove" in refused.stdout
    forced = kapdir(["boards", "sync", "co_socrata", "--force", "--json", "--db", str(db)], boards.urls, tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)[0]["removed"] > 0


def test_lookup_command(boards, tmp_path):
    db = tmp_path / "lookup.db"
    open_database(db)  # a look-up needs a database; only demo, crawl, boards sync and db upgrade create one
    done = kapdir(["boards", "lookup", "--name", "Marisol Quenneville", "--state", "VA", "--class", "LPC", "--json",
                   "--db", str(db)], boards.urls, tmp_path)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["query"]["license_class"] == "professional_counselor"
    sources = {r["source"] for r in payload["records"]}
    assert {"va_dhp", "npi"} <= sources
    va = next(r for r in payload["records"] if r["source"] == "va_dhp")
    assert va["status"] == "active" and va["license_number"] == "0701009882"
    bad = kapdir(["boards", "lookup", "--name", "X Y", "--state", "Virginia", "--db", str(db)], boards.urls, tmp_path)
    assert bad.returncode == 1 and bad.stderr.startswith("kapdir: error: --state must be a two-letter code")


def test_mirrors_module_serves_until_stopped(tmp_path):
    import urllib.request

    server = subprocess.Popen([sys.executable, "-m", "directory.sample_world.mirrors", "--fault", "tx_bhec=down"],
                              stdout=subprocess.PIPE, text=True)
    try:
        urls = json.loads(server.stdout.readline())
        assert set(urls) >= {"ct_socrata", "va_dhp", "npi", "generic_ny"}
        with urllib.request.urlopen(urls["oig_leie"] + "/exclusions/downloadables/UPDATED.csv", timeout=10) as answer:
            body = answer.read()
        assert body.startswith(b"LASTNAME,FIRSTNAME,MIDNAME,BUSNAME,")  # the header line is bare
        assert b'"#1 MARKETING SERVICE, INC","OTHER BUSINESS"' in body  # every row field quoted
        try:
            urllib.request.urlopen(urls["tx_bhec"] + "/csv/LPC.csv", timeout=10)
            raise AssertionError("the down fault should answer 503")
        except urllib.error.HTTPError as exc:
            assert exc.code == 503
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_lookup_table_and_bad_class(boards, tmp_path):
    db = tmp_path / "table.db"
    open_database(db)
    done = kapdir(["boards", "lookup", "--name", "Marisol Quenneville", "--state", "MD", "--db", str(db)],
                  boards.urls, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "md_bpct" in done.stdout and "LC7731" in done.stdout and "active (Active)" in done.stdout
    assert "md_bpct: ok" in done.stderr
    bad = kapdir(["boards", "lookup", "--name", "Marisol Quenneville", "--state", "MD", "--class", "wizard",
                  "--db", str(db)], boards.urls, tmp_path)
    assert bad.returncode == 1 and bad.stderr.strip() == (
        "kapdir: error: unknown license class 'wizard' (e.g. LPC, LCSW, LMFT, psychologist, MD)")


def test_check_without_network_fails_cleanly(tmp_path):
    """No internet here: each source is one line (unreachable, skipped), exit 1, no traceback."""
    environment = {k: v for k, v in os.environ.items() if k != "KAPDIR_SOURCE_URLS"}
    environment["KAPDIR_DATA_DIR"] = str(tmp_path / "data")
    environment["KAPDIR_BOARD_TIMEOUT_S"] = "5"
    done = subprocess.run([sys.executable, "-c", "from directory.cli import main; main()", "boards", "check", "npi",
                           "counseling_compact", "nursys", "generic_ga"],
                          capture_output=True, text=True, env=environment, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = done.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["npi", "counseling_compact", "nursys", "generic_ga"]
    assert lines[0].startswith("npi: unreachable: npi: ") and lines[1].startswith("counseling_compact: unreachable")
    assert "https://www.nursys.com/LQC/LQCSearch.aspx" in lines[2] and "not configured" in lines[3]
    assert done.stderr.strip() == ("kapdir: error: 2 source(s) unreachable or changed: npi, counseling_compact")


def test_check_reports_format_as_expected_then_changed(boards, monkeypatch):
    from directory.boards.check import check_sources
    from directory.boards.compact import CounselingCompact
    from directory.boards.forms import VirginiaDHP
    from directory.boards.npi import NpiRegistry

    monkeypatch.setattr(NpiRegistry, "probe_name", "Marisol Quenneville")
    monkeypatch.setattr(VirginiaDHP, "probe_name", "Marisol Quenneville")
    monkeypatch.setattr(CounselingCompact, "probe_name", "Rosalind Achterberg")
    results = {r.source: r for r in check_sources(["npi", "counseling_compact", "va_dhp", "oig_leie"])}
    assert {name: r.status for name, r in results.items()} == {name: "ok" for name in results}, [
        r.line() for r in results.values()]
    assert results["va_dhp"].line() == "va_dhp: reachable, format as expected (1 records read)"

    mirror = boards.mirror("va_dhp")
    entry = next(e for e in mirror.entries if e.family == "Quenneville")
    saved = entry.record.status_raw
    entry.record.status_raw = "Current Active - Under Review"
    try:
        (changed,) = check_sources(["va_dhp"])
    finally:
        entry.record.status_raw = saved
    assert changed.status == "changed"
    assert changed.line() == "va_dhp: reachable, format changed: unmapped status words: Current Active - Under Review"


def test_list_says_not_configured_for_a_source_without_url(tmp_path):
    open_database(tmp_path / "l.db")  # boards list reads a database; it never creates one
    done = kapdir(["boards", "list", "--db", str(tmp_path / "l.db")], {}, tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if "generic_ga" in line]
    assert rows and "not configured" in rows[0]
    listed = json.loads(kapdir(["boards", "list", "--json", "--db", str(tmp_path / "l.db")], {}, tmp_path).stdout)
    assert {r["name"]: r["configured"] for r in listed}["generic_ga"] is False
