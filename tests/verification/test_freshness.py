"""Freshness and idempotence: --due re-checks only what is due; a failing source never hides or invents a pass."""

from datetime import date, timedelta

from sqlmodel import select

from directory.db import session_scope
from directory.models import LicenseRecord, SourceSync, Verification
from directory.verification import verify_all
from directory.vocab import Verdict
from tests.verification.builders import NOW, clinician, practice, record, sync

LPC = ("LPC", "state_license", "professional_counselor")


def snapshot(engine):
    with session_scope(engine) as s:
        return {
            r.claim_key: (r.id, r.verdict, r.basis, r.confidence, r.license_record_id, r.evidence, r.checked_at,
                          r.expires_at)
            for r in s.exec(select(Verification))
        }


def _world(session, expiry=date(2027, 12, 31)):
    p = practice(session, "fresh.example", {"CT": (True, True)})
    clinician(session, p, "Iris Lowe", [LPC])
    rec = record(session, "ct_socrata", "Lowe, Iris", "CT", "professional_counselor", expiry=expiry)
    sync(session, "ct_socrata")
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
    session.commit()
    return rec


def test_due_run_on_unchanged_data_changes_nothing(engine, session):
    _world(session)
    first = verify_all(engine, now=NOW)
    before = snapshot(engine)
    again = verify_all(engine, now=NOW + timedelta(days=1), due_only=True)
    assert snapshot(engine) == before
    assert again["rechecked"] == 0 and again["verdicts"] == first["verdicts"]


def test_full_run_on_unchanged_data_keeps_rows_and_verdicts(engine, session):
    _world(session)
    verify_all(engine, now=NOW)
    before = snapshot(engine)
    verify_all(engine, now=NOW + timedelta(hours=1))
    after = snapshot(engine)
    assert {k: v[:6] for k, v in after.items()} == {k: v[:6] for k, v in before.items()}


def test_expired_ttl_is_rechecked(engine, session):
    _world(session)
    verify_all(engine, now=NOW)
    later = NOW + timedelta(days=91)
    with session_scope(engine) as s:  # keep the board data fresh at the later date
        sync(s, "ct_socrata", at=later - timedelta(days=1))
        sync(s, "oig_leie", at=later - timedelta(days=1))
        for rec in s.exec(select(LicenseRecord)):
            rec.source_as_of = later - timedelta(days=1)
            s.add(rec)
        s.commit()
    result = verify_all(engine, now=later, due_only=True)
    assert result["rechecked"] == 2
    assert all(v[6] == later for v in snapshot(engine).values())


def test_license_expiry_passing_flips_on_next_due_check(engine, session):
    _world(session, expiry=NOW.date() + timedelta(days=3))
    verify_all(engine, now=NOW)
    assert {v[1] for v in snapshot(engine).values()} == {Verdict.VERIFIED}
    result = verify_all(engine, now=NOW + timedelta(days=5), due_only=True)
    assert result["verdicts"] == {Verdict.EXPIRED.value: 2} and result["rechecked"] == 2


def test_new_record_makes_a_claim_due(engine, session):
    p = practice(session, "new.example", {"TX": (True, None)})
    clinician(session, p, "Ray Dunn", [LPC])
    sync(session, "tx_bhec")
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
    session.commit()
    verify_all(engine, now=NOW)
    assert {v[1] for v in snapshot(engine).values()} == {Verdict.NOT_FOUND}
    with session_scope(engine) as s:
        record(s, "tx_bhec", "Dunn, Ray", "TX", "professional_counselor")
        s.commit()
    result = verify_all(engine, now=NOW + timedelta(hours=1), due_only=True)
    assert result["rechecked"] == 1 and result["verdicts"] == {Verdict.VERIFIED.value: 1}


def test_source_failure_keeps_last_evidence_and_says_when_last_verified(engine, session):
    rec = _world(session)
    verify_all(engine, now=NOW)
    with session_scope(engine) as s:
        sync(s, "ct_socrata", status="error", at=NOW + timedelta(hours=1), error="timeout after 30 s")
        s.commit()
    verify_all(engine, now=NOW + timedelta(hours=2), due_only=True)
    rows = snapshot(engine)
    for _, verdict, basis, _, record_id, evidence, _, _ in rows.values():
        assert verdict == Verdict.SOURCE_UNAVAILABLE
        assert record_id == rec.id and evidence["license_number"] == rec.license_number
        assert "Last verified on 2026-11-23" in basis and evidence["last_verified_at"] == "2026-11-23"
    # Still down the next day: the row does not change (idempotent), the date of the last pass is kept.
    verify_all(engine, now=NOW + timedelta(days=1), due_only=True)
    assert snapshot(engine) == rows
    # The source comes back: verified again.
    with session_scope(engine) as s:
        sync(s, "ct_socrata", at=NOW + timedelta(days=2))
        s.commit()
    result = verify_all(engine, now=NOW + timedelta(days=2), due_only=True)
    assert result["verdicts"] == {Verdict.VERIFIED.value: 2}


def test_claims_that_vanish_lose_their_verdicts(engine, session):
    _world(session)
    verify_all(engine, now=NOW)
    with session_scope(engine) as s:
        from directory.models import ServiceArea

        area = s.exec(select(ServiceArea)).one()
        area.in_person = False
        s.add(area)
        s.commit()
    result = verify_all(engine, now=NOW, due_only=True)
    assert result["claims"] == 1 and list(snapshot(engine)) == ["fresh.example/irislowe/service/CT/virtual"]


def test_a_record_gone_while_its_source_fails_keeps_the_last_evidence(engine, session):
    rec = _world(session)
    verify_all(engine, now=NOW)
    with session_scope(engine) as s:
        stored = s.get(LicenseRecord, rec.id)
        stored.removed_at = NOW + timedelta(hours=1)
        s.add(stored)
        sync(s, "ct_socrata", status="error", at=NOW + timedelta(hours=1), error="HTTP 500")
        s.commit()
    verify_all(engine, now=NOW + timedelta(hours=2), due_only=True)
    for _, verdict, basis, _, record_id, evidence, _, _ in snapshot(engine).values():
        assert verdict == Verdict.SOURCE_UNAVAILABLE and record_id == rec.id
        assert evidence["license_number"] == rec.license_number and "Last verified on 2026-11-23" in basis


def test_admin_freshness_and_verdicts_use_one_rule(engine, session):
    """The admin page's source list and the verdicts read freshness from one function: a source whose last
    sync failed, or whose data is too old, is not fresh on the admin page either."""
    from directory.queries import source_freshness

    _world(session)
    cases = {  # name: (syncs to add after the good one, data date), expected fresh
        "good": ([], NOW - timedelta(days=2), True),
        "last sync failed": ([("error", NOW - timedelta(hours=6))], NOW - timedelta(days=2), False),
        "old data, recent sync": ([], NOW - timedelta(days=200), False),
    }
    for name, (later, as_of, fresh) in cases.items():
        with session_scope(engine) as s:
            for sync_row in s.exec(select(SourceSync)):
                s.delete(sync_row)
            s.commit()
            sync(s, "ct_socrata", at=NOW - timedelta(days=1), as_of=as_of)
            sync(s, "oig_leie", at=NOW - timedelta(days=1))  # the exclusion list was checked: a pass needs it
            for status, at in later:
                sync(s, "ct_socrata", status=status, at=at, error="HTTP 503")
            s.commit()
        verify_all(engine, now=NOW)
        with session_scope(engine) as s:
            admin = {row["source"]: row for row in source_freshness(s, now=NOW)}["ct_socrata"]
            verdicts = {row.verdict for row in s.exec(select(Verification))}
        assert (admin["freshness"] == "fresh") is fresh and admin["due"] is (not fresh), name
        assert (verdicts == {Verdict.VERIFIED.value}) is fresh, (name, verdicts)
        if not fresh:
            assert verdicts == {Verdict.SOURCE_UNAVAILABLE.value}, name
