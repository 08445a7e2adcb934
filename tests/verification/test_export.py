"""Export shapes (JSON keys, CSV header, FHIR R4 bundle) and the verify/export commands through the CLI."""

import csv
import io
import json
from datetime import timedelta

from typer.testing import CliRunner

from directory.cli import app
from directory.db import session_scope
from directory.export import CSV_COLUMNS, export_csv, export_fhir, export_json
from directory.verification import verify_all
from directory.verification.summary import practice_summary
from tests.verification.builders import NOW, clinician, practice, record, sync

HOSTILE = '<script>alert(1)</script> Eve Stone'


def _directory(engine):
    with session_scope(engine) as s:
        p = practice(s, "calm.example", {"CT": (True, True), "FL": (None, True), "NM": (None, True)})
        clinician(s, p, "Jane Q. Roe, LPC", [("LPC", "state_license", "professional_counselor"),
                                            ("NCC", "national_certification", None)])
        clinician(s, p, "Ben Ortiz, MD", [("MD", "degree", "physician"), ("DEA", "registration", None)],
                  role="prescriber")
        clinician(s, p, HOSTILE, [("LPC", "state_license", "professional_counselor")])
        record(s, "ct_socrata", "Roe, Jane Q", "CT", "professional_counselor", number="LPC.0001")
        record(s, "ct_socrata", "Ortiz, Ben", "CT", "physician", number="PHY.0002")
        sync(s, "ct_socrata")
        sync(s, "oig_leie")  # the exclusion list was checked: a pass needs it
        sync(s, "fl_mqa")
        s.commit()
        return p.id


def test_json_shape(engine):
    _directory(engine)
    verify_all(engine, now=NOW)
    data = export_json(engine)
    assert list(data) == ["practices"]
    (p,) = data["practices"]
    assert {"name", "website", "states", "clinicians", "discrepancies"} <= set(p)
    assert p["states"][0] == {"state": "CT", "in_person": True, "virtual": True}
    jane = next(c for c in p["clinicians"] if c["name"].startswith("Jane"))
    assert jane["credentials"] == ["LPC", "NCC"]
    ct = next(v for v in jane["verdicts"] if v["state"] == "CT" and v["mode"] == "in_person")
    assert {"state", "mode", "verdict", "basis", "evidence", "checked_at"} <= set(ct)
    assert ct["verdict"] == "verified" and ct["checked_at"] == "2026-11-23T12:00:00"
    assert {"source", "record_id", "license_number", "raw_status", "expires", "source_as_of"} <= set(ct["evidence"])
    assert ct["evidence"]["license_number"] == "LPC.0001"
    # the record's own date, and when its source was last synced (builders.sync: a day before NOW)
    assert ct["evidence"]["source_checked_as_of"] == f"{NOW - timedelta(days=1):%Y-%m-%d}"
    nm = next(v for v in jane["verdicts"] if v["state"] == "NM")
    assert nm["verdict"] == "not_checkable" and nm["evidence"] is None
    assert {v["mode"] for v in jane["verdicts"]} <= {"in_person", "virtual", "prescribing"}
    ortiz = next(c for c in p["clinicians"] if c["name"].startswith("Ben"))
    assert any(v["mode"] == "prescribing" for v in ortiz["verdicts"])
    assert {c["status"] for c in ortiz["credential_checks"]} == {"not_publicly_verifiable"}
    assert any("Florida (virtual)" in d for d in p["discrepancies"])
    json.dumps(data)  # serialisable as is


def test_discrepancies_in_plain_english(engine):
    practice_id = _directory(engine)
    verify_all(engine, now=NOW)
    with session_scope(engine) as s:
        summary = {x.state: x for x in practice_summary(s, practice_id)}
    assert summary["CT"].in_person == ["Ben Ortiz", "Jane Q. Roe"] and summary["CT"].prescribers == ["Ben Ortiz"]
    assert "The site lists Florida (virtual). No clinician holds a Florida license or a telehealth registration." \
        in summary["FL"].discrepancies
    assert any("no prescriber" in d for d in summary["FL"].discrepancies)
    assert any("New Mexico (virtual)" in d and "no source" in d for d in summary["NM"].discrepancies)


def test_csv_one_row_per_verdict(engine):
    _directory(engine)
    result = verify_all(engine, now=NOW)
    rows = list(csv.DictReader(io.StringIO(export_csv(engine))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == result["claims"]
    assert any(r["clinician"] == HOSTILE for r in rows)  # crawled text is data, kept verbatim


def test_csv_neutralises_spreadsheet_formulas(engine):
    with session_scope(engine) as s:
        p = practice(s, "evil.example", {"CT": (True, None)})
        clinician(s, p, '=HYPERLINK("http://evil.example","x")', [("LPC", "state_license", "professional_counselor")])
        sync(s, "ct_socrata")
        sync(s, "oig_leie")  # the exclusion list was checked: a pass needs it
        s.commit()
    verify_all(engine, now=NOW)
    rows = list(csv.DictReader(io.StringIO(export_csv(engine))))
    assert rows[0]["clinician"].startswith("'=HYPERLINK")


def test_fhir_bundle_of_verification_results(engine):
    _directory(engine)
    result = verify_all(engine, now=NOW)
    bundle = export_fhir(engine)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    resources = [e["resource"] for e in bundle["entry"]]
    results = [r for r in resources if r["resourceType"] == "VerificationResult"]
    practitioners = {e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Practitioner"}
    assert len(results) == result["claims"] and len(practitioners) == 3
    allowed = {"attested", "validated", "in-process", "req-revalid", "val-fail", "reval-fail"}
    for r in results:
        assert r["status"] in allowed and r["statusDate"] == "2026-11-23T12:00:00Z"
        assert r["target"][0]["reference"] in practitioners
        assert r["validationType"]["coding"][0]["code"] in {"nothing", "primary", "multiple"}
        assert "primarySource" in r or "attestation" in r
    verified = [r for r in results if r["status"] == "validated"]
    assert verified and all(r["primarySource"][0]["who"]["display"] == "ct_socrata" for r in verified)
    assert all(r["primarySource"][0]["validationStatus"]["coding"][0]["code"] == "successful" for r in verified)


def test_cli_verify_and_export(tmp_path, engine):
    db = tmp_path / "t.db"
    _directory(engine)
    runner = CliRunner()
    out = runner.invoke(app, ["verify", "--db", str(db), "--json"])
    assert out.exit_code == 0, out.output
    counts = json.loads(out.output)
    assert counts["claims"] > 0 and counts["verdicts"]["verified"] >= 4
    again = runner.invoke(app, ["verify", "--due", "--db", str(db), "--json"])
    assert json.loads(again.output)["rechecked"] == 0
    table = runner.invoke(app, ["verify", "--db", str(db)])
    assert table.exit_code == 0 and "verified" in table.output
    target = tmp_path / "out.fhir.json"
    assert runner.invoke(app, ["export", "--format", "fhir", "--out", str(target), "--db", str(db)]).exit_code == 0
    assert json.loads(target.read_text())["type"] == "collection"
    shown = runner.invoke(app, ["export", "--format", "csv", "--db", str(db)])
    assert shown.output.startswith(",".join(CSV_COLUMNS))
    bad = runner.invoke(app, ["export", "--format", "xml", "--db", str(db)])
    assert bad.exit_code == 2


def test_export_to_an_unwritable_path_is_a_one_line_error(tmp_path, engine):
    import subprocess
    import sys

    db = tmp_path / "t.db"
    _directory(engine)
    proc = subprocess.run(
        [sys.executable, "-c", "from directory.cli import main; main()", "export", "--db", str(db), "--out",
         str(tmp_path / "missing" / "x.json")],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("kapdir: error: cannot write") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


def test_verdict_ttl_is_reflected_in_export(engine):
    _directory(engine)
    verify_all(engine, now=NOW)
    verdict = export_json(engine)["practices"][0]["clinicians"][0]["verdicts"][0]
    assert verdict["expires_at"] == (NOW + timedelta(days=90)).isoformat()


def test_a_warning_that_is_not_a_pass_is_named_in_the_discrepancies(engine):
    with session_scope(engine) as s:
        p = practice(s, "warn.example", {"CT": (True, None)})
        clinician(s, p, "W. Harlow", [("LPC", "state_license", "professional_counselor")])
        record(s, "ct_socrata", "HARLOW, WILLIAM", "CT", "professional_counselor")
        sync(s, "ct_socrata")
        sync(s, "oig_leie")
        s.commit()
        practice_id = p.id
    verify_all(engine, now=NOW)
    with session_scope(engine) as s:
        (summary,) = practice_summary(s, practice_id)
    assert summary.in_person == []
    assert any("matches the name only loosely" in d for d in summary.discrepancies), summary.discrepancies


def test_every_verdict_has_one_label_and_badge_shared_by_csv_and_dashboard(engine):
    """Each verdict code, stored as a real verdict: the CSV export, the search card (badge counted in SQL) and
    the provider page show the badge and label of directory.vocab, and agree on every code."""
    from directory.models import Verification
    from directory.queries import practice_detail, search_practices
    from directory.vocab import BADGE_LABELS, VERDICT_BADGES, VERDICT_LABELS, Verdict, badge_for, verdict_label

    assert set(VERDICT_LABELS) == set(VERDICT_BADGES) == set(Verdict)
    assert all(VERDICT_LABELS[v].strip() and VERDICT_BADGES[v] in BADGE_LABELS for v in Verdict)
    with session_scope(engine) as s:
        for n, verdict in enumerate(Verdict):
            p = practice(s, f"p{n:02d}.example", {"CT": (True, None)})
            c = clinician(s, p, f"Alex Tester{chr(97 + n)}", [])
            s.add(Verification.model_validate({
                "claim_key": f"p{n:02d}/{verdict.value}", "clinician_id": c.id, "practice_id": p.id,
                "claim_kind": "service", "state": "CT", "mode": "in_person", "verdict": verdict.value,
                "basis": f"basis of {verdict.value}", "checked_at": NOW, "expires_at": NOW + timedelta(days=90),
            }))
        s.commit()
    csv_rows = {r["verdict"]: r for r in csv.DictReader(io.StringIO(export_csv(engine)))}
    assert set(csv_rows) == {v.value for v in Verdict}
    with session_scope(engine) as s:
        cards = {card.name: card for card in search_practices(s, state="CT", mode="in_person", page_size=100).cards}
        for n, verdict in enumerate(Verdict):
            row = csv_rows[verdict.value]
            assert row["badge"] == badge_for(verdict).value and row["label"] == verdict_label(verdict)
            card = cards[f"P{n:02d}"]
            assert card.badge.value == row["badge"], verdict  # the search's SQL badge counts agree
            shown = practice_detail(s, practice_id=card.practice_id).clinicians[0].verdicts[0]
            assert (shown.badge.value, shown.label) == (row["badge"], row["label"]), verdict
