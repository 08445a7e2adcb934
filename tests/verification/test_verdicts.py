"""One scenario per verdict code: rows built through the models, verdicts read back from the database."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from directory.models import Verification
from directory.verification import verify_all
from directory.vocab import Verdict
from tests.verification.builders import NOW, clinician, practice, record, sync

LPC = ("LPC", "state_license", "professional_counselor")
LCSW = ("LCSW", "state_license", "clinical_social_worker")
PSY = ("Licensed Psychologist", "state_license", "psychologist")
RN = ("RN", "state_license", "registered_nurse")
NP = ("PMHNP", "state_license", "nurse_practitioner")


def verdicts(engine) -> dict[str, Verification]:
    from directory.db import session_scope

    with session_scope(engine) as s:
        rows = s.exec(select(Verification)).all()
    return {row.claim_key.split("/", 2)[2]: row for row in rows}


def run(engine):
    verify_all(engine, now=NOW)
    return verdicts(engine)


def test_verified_active_license_in_state(engine, session):
    p = practice(session, "a.example", {"CT": (True, True)})
    clinician(session, p, "Jane Q. Roe", [LPC])
    rec = record(session, "ct_socrata", "ROE, JANE Q", "CT", "professional_counselor", number="LPC.0001234")
    sync(session, "ct_socrata")
    session.commit()
    out = run(engine)
    row = out["service/CT/in_person"]
    assert row.verdict == Verdict.VERIFIED
    assert out["service/CT/virtual"].verdict == Verdict.VERIFIED
    assert row.license_record_id == rec.id
    assert row.evidence["source"] == "ct_socrata" and row.evidence["license_number"] == "LPC.0001234"
    assert row.evidence["raw_status"] == "ACTIVE" and row.evidence["expires"] == "2027-12-31"
    assert row.expires_at == NOW + timedelta(days=90) and row.checked_at == NOW
    assert "Connecticut" in row.basis


def test_lcpc_and_lpc_are_one_class_and_nickname_matches(engine, session):
    p = practice(session, "b.example", {"MD": (True, None)})
    clinician(session, p, "Bill Harlow", [("LCPC", "state_license", "professional_counselor")])
    record(session, "md_bpct", "HARLOW, WILLIAM T", "MD", "professional_counselor")
    sync(session, "md_bpct")
    session.commit()
    assert run(engine)["service/MD/in_person"].verdict == Verdict.VERIFIED


def test_compact_privilege_only_where_issuing(engine, session):
    p = practice(session, "c.example", {"MN": (None, True), "CT": (None, True)})
    clinician(session, p, "Ana Ruiz", [LPC])
    record(session, "counseling_compact", "Ana Ruiz", "MN", "professional_counselor", kind="compact_privilege",
           home_state="AZ")
    # CT has enacted the compact but does not issue privileges yet: a CT "privilege" grants nothing.
    record(session, "counseling_compact", "Ana Ruiz", "CT", "professional_counselor", kind="compact_privilege",
           home_state="AZ")
    sync(session, "counseling_compact")
    sync(session, "ct_socrata")
    session.commit()
    out = run(engine)
    assert out["service/MN/virtual"].verdict == Verdict.VERIFIED_COMPACT_PRIVILEGE
    assert out["service/CT/virtual"].verdict == Verdict.NOT_FOUND


def test_psypact_virtual_only_and_in_person_not_covered(engine, session):
    p = practice(session, "d.example", {"CO": (True, True)})
    clinician(session, p, "Dr. Mira Patel, PsyD", [PSY])
    record(session, "psypact", "Patel, Mira", "AZ", "psychologist", kind="psypact_authority", home_state="AZ")
    sync(session, "psypact")
    sync(session, "co_socrata")
    session.commit()
    out = run(engine)
    assert out["service/CO/virtual"].verdict == Verdict.VERIFIED_PSYPACT
    assert out["service/CO/in_person"].verdict == Verdict.IN_PERSON_NOT_COVERED


def test_nlc_multistate_rn_but_never_prescribing(engine, session):
    p = practice(session, "e.example", {"VA": (True, True)})
    clinician(session, p, "Kate Olsen, RN", [RN], role="nurse")
    record(session, "generic_nc", "Olsen, Katherine", "NC", "registered_nurse", multistate=True)
    sync(session, "generic_nc")
    sync(session, "va_dhp")
    session.commit()
    out = run(engine)
    assert out["service/VA/in_person"].verdict == Verdict.VERIFIED_NLC
    assert out["service/VA/virtual"].verdict == Verdict.VERIFIED_NLC
    assert not any(key.startswith("prescribing") for key in out)


def test_nlc_does_not_cover_aprn_prescribing(engine, session):
    p = practice(session, "e2.example", {"VA": (None, True)})
    clinician(session, p, "Lena Fox, PMHNP, RN", [NP, RN], role="prescriber")
    record(session, "generic_nc", "Fox, Lena", "NC", "registered_nurse", multistate=True)
    sync(session, "generic_nc")
    sync(session, "va_dhp")
    sync(session, "nursys")  # Nursys covers VA nurse practitioners too: asked, and no VA NP license found
    session.commit()
    out = run(engine)
    assert out["prescribing/VA"].verdict == Verdict.NOT_FOUND


def test_florida_telehealth_registration_virtual_only(engine, session):
    p = practice(session, "f.example", {"FL": (True, True)})
    clinician(session, p, "Sam Cole", [LCSW])
    record(session, "fl_mqa", "COLE, SAMUEL", "FL", "clinical_social_worker", kind="telehealth_registration")
    sync(session, "fl_mqa")
    session.commit()
    out = run(engine)
    assert out["service/FL/virtual"].verdict == Verdict.VERIFIED_TELEHEALTH_REGISTRATION
    assert out["service/FL/in_person"].verdict == Verdict.IN_PERSON_NOT_COVERED


def test_verified_with_discipline_on_probation(engine, session):
    p = practice(session, "g.example", {"TX": (True, None)})
    clinician(session, p, "Ray Dunn", [LPC])
    record(session, "tx_bhec", "Dunn, Ray", "TX", "professional_counselor", status="probation",
           status_raw="ACTIVE - PROBATION", discipline=True, discipline_text="Agreed order 2025")
    sync(session, "tx_bhec")
    session.commit()
    row = run(engine)["service/TX/in_person"]
    assert row.verdict == Verdict.VERIFIED_WITH_DISCIPLINE
    assert "Agreed order 2025" in row.basis


@pytest.mark.parametrize(
    ("status", "raw", "expiry", "expected"),
    [
        ("expired", "EXPIRED", date(2025, 1, 31), Verdict.EXPIRED),
        ("active", "ACTIVE", date(2026, 10, 31), Verdict.EXPIRED),  # the expiry date passed: flips
        ("inactive", "INACTIVE", None, Verdict.INACTIVE),
        ("revoked", "REVOKED", None, Verdict.SUSPENDED_OR_REVOKED),
        ("surrendered", "SURRENDERED", None, Verdict.SUSPENDED_OR_REVOKED),
        ("suspended", "SUSPENDED", None, Verdict.SUSPENDED_OR_REVOKED),
    ],
)
def test_failing_statuses(engine, session, status, raw, expiry, expected):
    p = practice(session, "h.example", {"CT": (True, None)})
    clinician(session, p, "Nora Vance", [LPC])
    record(session, "ct_socrata", "Vance, Nora", "CT", "professional_counselor", status=status, status_raw=raw,
           expiry=expiry)
    sync(session, "ct_socrata")
    session.commit()
    assert run(engine)["service/CT/in_person"].verdict == expected


def test_excluded_overrides_active_license(engine, session):
    p = practice(session, "i.example", {"CT": (True, True)})
    clinician(session, p, "Victor Kane, MD", [("MD", "degree", "physician")], role="prescriber", npi="1234567893")
    record(session, "ct_socrata", "Kane, Victor", "CT", "physician", npi="1234567893")
    record(session, "oig_leie", "KANE, VICTOR", "CT", None, kind="exclusion", npi="1234567893", status="unknown",
           status_raw="1128a1")
    sync(session, "ct_socrata")
    sync(session, "oig_leie")
    session.commit()
    out = run(engine)
    assert {row.verdict for row in out.values() if row.claim_kind != "credential"} == {Verdict.EXCLUDED}
    assert out["prescribing/CT"].evidence["source"] == "oig_leie"


def test_prescribing_verified_names_the_dea_gap(engine, session):
    p = practice(session, "i3.example", {"CT": (None, True)})
    clinician(session, p, "Ada Byrne, MD", [("MD", "degree", "physician")], role="prescriber")
    record(session, "ct_socrata", "Byrne, Ada", "CT", "physician")
    sync(session, "ct_socrata")
    session.commit()
    row = run(engine)["prescribing/CT"]
    assert row.verdict == Verdict.VERIFIED and "DEA registration for Connecticut" in row.basis


def test_exclusion_of_a_namesake_elsewhere_is_not_a_match(engine, session):
    p = practice(session, "i2.example", {"CT": (True, None)})
    clinician(session, p, "Victor Kane", [LPC])
    record(session, "ct_socrata", "Kane, Victor", "CT", "professional_counselor")
    record(session, "oig_leie", "KANE, VICTOR", "NV", None, kind="exclusion", npi="1999999999")
    sync(session, "ct_socrata")
    sync(session, "oig_leie")
    session.commit()
    assert run(engine)["service/CT/in_person"].verdict == Verdict.VERIFIED


def test_wrong_license_class(engine, session):
    p = practice(session, "j.example", {"CT": (True, None)})
    clinician(session, p, "Paula Grey", [LPC])
    record(session, "ct_socrata", "Grey, Paula", "CT", "marriage_family_therapist")
    sync(session, "ct_socrata")
    session.commit()
    row = run(engine)["service/CT/in_person"]
    assert row.verdict == Verdict.WRONG_LICENSE_CLASS
    assert "marriage" in row.basis


def test_not_found(engine, session):
    p = practice(session, "k.example", {"CT": (True, None)})
    clinician(session, p, "Quinn Marsh", [LPC])
    record(session, "ct_socrata", "Marsh, Oliver", "CT", "professional_counselor")
    sync(session, "ct_socrata")
    session.commit()
    assert run(engine)["service/CT/in_person"].verdict == Verdict.NOT_FOUND


def test_two_namesakes_are_ambiguous_never_verified(engine, session):
    p = practice(session, "l.example", {"TX": (True, None)})
    clinician(session, p, "Michael Chen", [LCSW])
    record(session, "tx_bhec", "Chen, Michael A", "TX", "clinical_social_worker", number="11111")
    record(session, "tx_bhec", "Chen, Michael", "TX", "clinical_social_worker", number="22222")
    sync(session, "tx_bhec")
    session.commit()
    row = run(engine)["service/TX/in_person"]
    assert row.verdict == Verdict.AMBIGUOUS and row.evidence is None


def test_two_licenses_of_one_person_are_not_ambiguous(engine, session):
    p = practice(session, "l3.example", {"CT": (True, None)})
    clinician(session, p, "Jordan Whitfield", [LCSW, ("LMFT", "state_license", "marriage_family_therapist")])
    record(session, "ct_socrata", "Whitfield, Jordan", "CT", "clinical_social_worker", status="expired",
           status_raw="EXPIRED", expiry=date(2024, 1, 31))
    record(session, "ct_socrata", "Whitfield, Jordan", "CT", "marriage_family_therapist")
    sync(session, "ct_socrata")
    session.commit()
    assert run(engine)["service/CT/in_person"].verdict == Verdict.VERIFIED


def test_license_number_on_the_site_resolves_namesakes(engine, session):
    p = practice(session, "l2.example", {"TX": (True, None)})
    clinician(session, p, "Michael Chen", [("LCSW", "state_license", "clinical_social_worker", "TX", "22222")])
    record(session, "tx_bhec", "Chen, Michael A", "TX", "clinical_social_worker", number="11111")
    record(session, "tx_bhec", "Chen, Michael", "TX", "clinical_social_worker", number="22222")
    sync(session, "tx_bhec")
    session.commit()
    out = run(engine)
    assert out["service/TX/in_person"].verdict == Verdict.VERIFIED
    assert out["service/TX/in_person"].evidence["license_number"] == "22222"
    assert out["credential/LCSW/TX"].verdict == Verdict.VERIFIED


def test_source_unavailable_when_last_sync_failed(engine, session):
    p = practice(session, "m.example", {"CT": (True, None)})
    clinician(session, p, "Iris Lowe", [LPC])
    record(session, "ct_socrata", "Lowe, Iris", "CT", "professional_counselor")
    sync(session, "ct_socrata", at=NOW - timedelta(days=3))
    sync(session, "ct_socrata", status="error", at=NOW - timedelta(days=1), error="HTTP 503 from data.ct.gov")
    session.commit()
    row = run(engine)["service/CT/in_person"]
    assert row.verdict == Verdict.SOURCE_UNAVAILABLE
    assert row.evidence["source"] == "ct_socrata"  # the last evidence is kept
    assert "HTTP 503" in row.basis


def test_source_unavailable_when_stale_or_never_synced(engine, session):
    p = practice(session, "n.example", {"CT": (True, None), "TX": (True, None)})
    clinician(session, p, "Iris Lowe", [LPC])
    record(session, "ct_socrata", "Lowe, Iris", "CT", "professional_counselor", as_of=NOW - timedelta(days=100))
    sync(session, "ct_socrata", at=NOW - timedelta(days=100))
    session.commit()
    out = run(engine)
    assert out["service/CT/in_person"].verdict == Verdict.SOURCE_UNAVAILABLE
    assert out["service/TX/in_person"].verdict == Verdict.SOURCE_UNAVAILABLE  # tx_bhec never synced
    assert "never synced" in out["service/TX/in_person"].basis


def test_not_checkable_names_what_is_missing(engine, session):
    p = practice(session, "o.example", {"NM": (True, True), "AZ": (None, True)})
    clinician(session, p, "Tom Reyes", [LPC])
    session.commit()
    out = run(engine)
    assert out["service/NM/in_person"].verdict == Verdict.NOT_CHECKABLE
    assert out["service/AZ/virtual"].verdict == Verdict.NOT_CHECKABLE
    assert "New Mexico professional counselor" in out["service/NM/in_person"].basis


def test_credentials_claimed_dea_not_publicly_verifiable_degrees_skipped(engine, session):
    p = practice(session, "q.example", {"CT": (True, None)})
    clinician(session, p, "Ada Byrne, MD", [("MD", "degree", "physician"), ("DEA", "registration", None),
                                             ("NCC", "national_certification", None),
                                             ("Fluence", "training", None), ("MA", "degree", None)],
              role="prescriber")
    sync(session, "ct_socrata")
    session.commit()
    out = run(engine)
    assert out["credential/DEA/-"].verdict == "not_publicly_verifiable"
    assert out["credential/NCC/-"].verdict == "claimed"
    assert out["credential/Fluence/-"].verdict == "claimed"
    assert not any("/MA/" in key or "/MD/" in key for key in out if key.startswith("credential"))
    assert out["prescribing/CT"].verdict == Verdict.NOT_FOUND


def test_every_verdict_code_has_a_scenario():
    """Guard: each code of the vocabulary is asserted somewhere in this module."""
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    missing = [v.name for v in Verdict if f"Verdict.{v.name}" not in source.replace("Verdict.{v.name}", "")]
    assert missing == []


def test_a_new_source_makes_a_state_checkable(engine, session):
    """Coverage is data: once a source covers New Mexico, its claims wait on that source instead."""
    p = practice(session, "nm.example", {"NM": (True, None)})
    clinician(session, p, "Tom Reyes", [LPC])
    session.commit()

    def with_new_mexico(state, license_class, record_kind):
        return ["generic_nm"] if state == "NM" and record_kind == "license" else []

    verify_all(engine, now=NOW, coverage=with_new_mexico)
    row = verdicts(engine)["service/NM/in_person"]
    assert row.verdict == Verdict.SOURCE_UNAVAILABLE and "generic_nm has never synced" in row.basis
