"""The audit trail: an append-only verdict history, retired (not deleted) verdicts, verify runs that always end,
and `kapdir export --as-of` reproducing what kapdir showed on a past date."""

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from directory.db import session_scope
from directory.export import export_csv, export_fhir, export_json, parse_as_of, verdicts_as_of
from directory.models import LicenseRecord, ServiceArea, SourceSync, VerdictHistory, Verification, VerifyRun
from directory.verification import verify_all
from directory.vocab import Verdict
from tests.conftest import run_kapdir
from tests.verification.builders import NOW, clinician, practice, record, sync

LPC = ("LPC", "state_license", "professional_counselor")
IN_PERSON = "audit.example/irislowe/service/CT/in_person"


def _world(session):
    p = practice(session, "audit.example", {"CT": (True, True)})
    clinician(session, p, "Iris Lowe", [LPC])
    rec = record(session, "ct_socrata", "Lowe, Iris", "CT", "professional_counselor")
    sync(session, "ct_socrata")
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
    session.commit()
    return rec


def _history(engine, key=IN_PERSON):
    with session_scope(engine) as s:
        return list(s.exec(select(VerdictHistory).where(VerdictHistory.claim_key == key)
                           .order_by(VerdictHistory.id)))


def _revoke(engine, rec_id, at):
    with session_scope(engine) as s:
        stored = s.get(LicenseRecord, rec_id)
        stored.status, stored.status_raw = "revoked", "REVOKED"
        stored.discipline, stored.discipline_text = True, "Revoked by consent order"
        s.add(stored)
        sync(s, "ct_socrata", at=at)
        s.commit()


def test_a_changed_verdict_is_appended_and_the_old_one_kept(engine, session):
    rec = _world(session)
    verify_all(engine, now=NOW)
    _revoke(engine, rec.id, NOW + timedelta(days=3))
    verify_all(engine, now=NOW + timedelta(days=4))
    history = _history(engine)
    assert [h.verdict for h in history] == [Verdict.VERIFIED.value, Verdict.SUSPENDED_OR_REVOKED.value]
    assert [h.recorded_at for h in history] == [NOW, NOW + timedelta(days=4)]
    first = history[0]
    assert first.evidence["source"] == "ct_socrata" and first.evidence["raw_status"] == "ACTIVE"
    assert history[1].evidence["raw_status"] == "REVOKED"


def test_an_unchanged_recheck_appends_nothing(engine, session):
    _world(session)
    verify_all(engine, now=NOW)
    verify_all(engine, now=NOW + timedelta(hours=2))  # full run: rows re-checked, nothing changed
    assert len(_history(engine)) == 1
    with session_scope(engine) as s:
        assert s.get(Verification, 1).checked_at == NOW + timedelta(hours=2)


def test_history_names_the_verify_run_and_the_syncs_behind_the_verdict(engine, session):
    _world(session)
    result = verify_all(engine, now=NOW)
    with session_scope(engine) as s:
        run = s.get(VerifyRun, result["run_id"])
        ct_sync = s.exec(select(SourceSync).where(SourceSync.source == "ct_socrata")).one()
        leie_sync = s.exec(select(SourceSync).where(SourceSync.source == "oig_leie")).one()
    assert run.status == "finished" and run.finished_at is not None and run.claims == result["claims"] == 2
    assert run.syncs == {"ct_socrata": ct_sync.id, "oig_leie": leie_sync.id}
    entry = _history(engine)[0]
    assert entry.verify_run_id == run.id and entry.sync_ids["ct_socrata"] == ct_sync.id


def test_a_vanished_claim_is_retired_with_when_not_deleted(engine, session):
    _world(session)
    verify_all(engine, now=NOW)
    with session_scope(engine) as s:
        area = s.exec(select(ServiceArea)).one()
        area.in_person = False
        s.add(area)
        s.commit()
    later = NOW + timedelta(days=1)
    result = verify_all(engine, now=later)
    assert result["retired"] == 1
    history = _history(engine)
    assert [(h.event, h.verdict, h.recorded_at) for h in history] == [
        ("checked", Verdict.VERIFIED.value, NOW), ("retired", Verdict.VERIFIED.value, later)]
    with session_scope(engine) as s:  # the dashboard and search read only current verdicts
        assert s.exec(select(Verification).where(Verification.claim_key == IN_PERSON)).first() is None
        assert [r.claim_key for r in verdicts_as_of(s, NOW)] == [IN_PERSON, IN_PERSON.replace("in_person", "virtual")]
        assert IN_PERSON not in [r.claim_key for r in verdicts_as_of(s, later)]


def test_export_as_of_reproduces_each_date_in_every_format(engine, session):
    rec = _world(session)
    verify_all(engine, now=NOW)
    _revoke(engine, rec.id, NOW + timedelta(days=3))
    verify_all(engine, now=NOW + timedelta(days=4))
    before, after = parse_as_of(NOW.date().isoformat()), parse_as_of((NOW + timedelta(days=4)).date().isoformat())

    def verdicts(doc):
        return sorted(v["verdict"] for p in doc["practices"] for c in p["clinicians"] for v in c["verdicts"])

    assert verdicts(export_json(engine, before)) == [Verdict.VERIFIED.value] * 2
    assert verdicts(export_json(engine, after)) == [Verdict.SUSPENDED_OR_REVOKED.value] * 2
    assert verdicts(export_json(engine)) == verdicts(export_json(engine, after))  # today's view = the latest
    assert export_json(engine, before)["as_of"] == f"{NOW.date()}T23:59:59"
    assert export_json(engine, before)["practices"][0]["states"] == [{"state": "CT", "in_person": True,
                                                                      "virtual": True}]
    rows = list(csv.DictReader(io.StringIO(export_csv(engine, before))))
    assert {(r["verdict"], r["raw_status"]) for r in rows} == {(Verdict.VERIFIED.value, "ACTIVE")}
    fhir = export_fhir(engine, before)
    statuses = [e["resource"]["status"] for e in fhir["entry"] if e["resource"]["resourceType"] == "VerificationResult"]
    assert statuses == ["validated", "validated"] and fhir["timestamp"] == f"{NOW.date()}T23:59:59Z"
    assert export_json(engine, parse_as_of((NOW - timedelta(days=1)).date().isoformat()))["practices"] == []


def test_cli_export_as_of_and_bad_dates(tmp_path, engine, session):
    rec = _world(session)
    verify_all(engine, now=NOW)
    _revoke(engine, rec.id, NOW + timedelta(days=3))
    verify_all(engine, now=NOW + timedelta(days=4))
    db = str(engine.url.database)
    out = run_kapdir("export", "--db", db, "--as-of", NOW.date().isoformat(), timeout=120)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert {v["verdict"] for p in doc["practices"] for c in p["clinicians"] for v in c["verdicts"]} == {"verified"}
    bad = run_kapdir("export", "--db", db, "--as-of", "last tuesday", timeout=120)
    assert bad.returncode == 1 and bad.stderr.strip().count("\n") == 0 and "--as-of" in bad.stderr


def test_a_failed_run_is_recorded_as_failed(engine, session, monkeypatch):
    _world(session)
    import directory.verification.engine as engine_module

    def explode(*args, **kwargs):
        raise RuntimeError("judge broke\nsecond line")

    monkeypatch.setattr(engine_module, "claims_for", explode)
    with pytest.raises(RuntimeError, match="judge broke"):
        verify_all(engine, now=NOW)
    with session_scope(engine) as s:
        run = s.exec(select(VerifyRun)).one()
    assert run.status == "failed" and run.message == "judge broke" and run.finished_at is not None
