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
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
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


def test_lcpc_and_lpc_are_one_class(engine, session):
    p = practice(session, "b.example", {"MD": (True, None)})
    clinician(session, p, "William Harlow", [("LCPC", "state_license", "professional_counselor")])
    record(session, "md_bpct", "HARLOW, WILLIAM T", "MD", "professional_counselor")
    sync(session, "md_bpct")
    sync(session, "oig_leie")
    session.commit()
    row = run(engine)["service/MD/in_person"]
    assert row.verdict == Verdict.VERIFIED and row.evidence["identity_match"] == "full_name"


@pytest.mark.parametrize("site_name", ["Bill Harlow", "W. Harlow"])
def test_a_nickname_or_initial_alone_is_identity_unconfirmed(engine, session, site_name):
    """Attack: "G. Achebe" verified against "GEORGE ACHEBE" with nothing but the name to tie them."""
    p = practice(session, "b2.example", {"MD": (True, None)})
    clinician(session, p, site_name, [("LCPC", "state_license", "professional_counselor")])
    record(session, "md_bpct", "HARLOW, WILLIAM T", "MD", "professional_counselor")
    sync(session, "md_bpct")
    sync(session, "oig_leie")
    session.commit()
    row = run(engine)["service/MD/in_person"]
    assert row.verdict == Verdict.IDENTITY_UNCONFIRMED
    assert row.evidence["identity_match"] == "name_only" and "name only" in row.basis


def test_a_license_number_on_the_site_confirms_a_nickname(engine, session):
    p = practice(session, "b3.example", {"MD": (True, None)})
    clinician(session, p, "Bill Harlow", [("LCPC", "state_license", "professional_counselor", "MD", "LC7731")])
    record(session, "md_bpct", "HARLOW, WILLIAM T", "MD", "professional_counselor", number="LC7731")
    sync(session, "md_bpct")
    sync(session, "oig_leie")
    session.commit()
    row = run(engine)["service/MD/in_person"]
    assert row.verdict == Verdict.VERIFIED and row.evidence["identity_match"] == "license_number"


def test_compact_privilege_only_where_issuing(engine, session):
    p = practice(session, "c.example", {"MN": (None, True), "CT": (None, True)})
    clinician(session, p, "Ana Ruiz", [LPC])
    record(session, "counseling_compact", "Ana Ruiz", "MN", "professional_counselor", kind="compact_privilege",
           home_state="AZ")
    # CT has enacted the compact but does not issue privileges yet: a CT "privilege" grants nothing.
    record(session, "counseling_compact", "Ana Ruiz", "CT", "professional_counselor", kind="compact_privilege",
           home_state="AZ")
    sync(session, "counseling_compact")
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
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
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
    sync(session, "co_socrata")
    session.commit()
    out = run(engine)
    assert out["service/CO/virtual"].verdict == Verdict.VERIFIED_PSYPACT
    assert out["service/CO/in_person"].verdict == Verdict.IN_PERSON_NOT_COVERED


def test_nlc_multistate_rn_but_never_prescribing(engine, session):
    p = practice(session, "e.example", {"VA": (True, True)})
    clinician(session, p, "Kate Olsen, RN", [RN], role="nurse")
    record(session, "generic_nc", "Olsen, Kate", "NC", "registered_nurse", multistate=True)
    sync(session, "generic_nc")
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
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
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
    sync(session, "va_dhp")
    sync(session, "nursys")  # Nursys covers VA nurse practitioners too: asked, and no VA NP license found
    session.commit()
    out = run(engine)
    assert out["prescribing/VA"].verdict == Verdict.NOT_FOUND


def test_florida_telehealth_registration_virtual_only(engine, session):
    p = practice(session, "f.example", {"FL": (True, True)})
    clinician(session, p, "Sam Cole", [LCSW])
    record(session, "fl_mqa", "COLE, SAM", "FL", "clinical_social_worker", kind="telehealth_registration")
    sync(session, "fl_mqa")
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
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
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
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
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
    session.commit()
    assert run(engine)["service/CT/in_person"].verdict == expected


def test_excluded_overrides_active_license(engine, session):
    p = practice(session, "i.example", {"CT": (True, True)})
    clinician(session, p, "Victor Kane, MD", [("MD", "degree", "physician")], role="prescriber", npi="1234567893")
    record(session, "ct_socrata", "Kane, Victor", "CT", "physician", npi="1234567893")
    record(session, "oig_leie", "KANE, VICTOR", "CT", None, kind="exclusion", npi="1234567893", status="unknown",
           status_raw="1128a1")
    sync(session, "ct_socrata")
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
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
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
    session.commit()
    row = run(engine)["prescribing/CT"]
    assert row.verdict == Verdict.VERIFIED and "DEA registration for Connecticut" in row.basis


def test_exclusion_entry_with_another_npi_is_another_person(engine, session):
    p = practice(session, "i2.example", {"CT": (True, None)})
    clinician(session, p, "Victor Kane", [LPC], npi="1234567893")
    record(session, "ct_socrata", "Kane, Victor", "CT", "professional_counselor")
    record(session, "oig_leie", "KANE, VICTOR", "NV", None, kind="exclusion", npi="1999999999")
    sync(session, "ct_socrata")
    sync(session, "oig_leie")
    session.commit()
    assert run(engine)["service/CT/in_person"].verdict == Verdict.VERIFIED


@pytest.mark.parametrize("leie_state", ["CT", "NY", "NV"])
def test_same_full_name_on_the_exclusion_list_in_any_state_is_a_possible_exclusion(engine, session, leie_state):
    """Attack: an LEIE entry of the same name with an address in a neighbouring state left the verdict verified."""
    p = practice(session, "i4.example", {"CT": (True, None)})
    clinician(session, p, "Victor Kane", [LPC])
    record(session, "ct_socrata", "Kane, Victor", "CT", "professional_counselor")
    record(session, "oig_leie", "KANE, VICTOR", leie_state, None, kind="exclusion", npi="1999999999",
           status_raw="1128b4", address_state=leie_state)
    sync(session, "ct_socrata")
    sync(session, "oig_leie")
    session.commit()
    row = run(engine)["service/CT/in_person"]
    assert row.verdict == Verdict.POSSIBLE_EXCLUSION
    assert "KANE, VICTOR" in row.basis and row.evidence["exclusion_entry"]["source"] == "oig_leie"
    assert row.evidence["source"] == "ct_socrata"  # the license found is kept as evidence


def test_an_npi_from_the_npi_registry_ties_an_exclusion_elsewhere(engine, session):
    """Attack: an LEIE entry at an old address in another state, carrying the NPI the NPI registry gives for
    the clinician, did not exclude them (only an NPI printed on the site counted)."""
    p = practice(session, "i5.example", {"CT": (True, None)})
    clinician(session, p, "Victor Kane, MD", [("MD", "degree", "physician")], role="prescriber")
    record(session, "ct_socrata", "Kane, Victor", "CT", "physician")
    record(session, "npi", "KANE, VICTOR", "CT", "physician", kind="npi", number="1234567893", npi="1234567893")
    record(session, "oig_leie", "KANE, VICTOR J", "FL", None, kind="exclusion", npi="1234567893",
           status_raw="1128a1")
    sync(session, "ct_socrata")
    sync(session, "npi")
    sync(session, "oig_leie")
    session.commit()
    out = run(engine)
    assert out["prescribing/CT"].verdict == Verdict.EXCLUDED
    assert out["service/CT/in_person"].verdict == Verdict.EXCLUDED


def test_an_npi_on_a_board_record_ties_an_exclusion_elsewhere(engine, session):
    p = practice(session, "i7.example", {"CT": (True, None)})
    clinician(session, p, "Victor Kane", [LPC])
    record(session, "ct_socrata", "Kane, Victor", "CT", "professional_counselor", npi="1234567893")
    record(session, "oig_leie", "KANE, VICTOR J", "TX", None, kind="exclusion", npi="1234567893", status_raw="1128a1")
    sync(session, "ct_socrata")
    sync(session, "oig_leie")
    session.commit()
    row = run(engine)["service/CT/in_person"]
    assert row.verdict == Verdict.EXCLUDED and "1234567893" in row.basis


@pytest.mark.parametrize(("status", "age_days", "words"), [
    (None, 1, "(LEIE) has never synced"),  # the source's label, not its id
    ("error", 1, "the last sync of OIG List of Excluded Individuals/Entities (LEIE)"),
    ("ok", 730, "older than"),
    ("ok", 40, "refresh cadence"),
])
def test_no_pass_without_a_fresh_exclusion_check(engine, session, status, age_days, words):
    """Attack: verdicts stayed verified when the last LEIE sync failed or its data was two years old."""
    p = practice(session, "i6.example", {"CT": (True, None)})
    clinician(session, p, "Nora Vance", [LPC])
    record(session, "ct_socrata", "Vance, Nora", "CT", "professional_counselor")
    sync(session, "ct_socrata")
    if status == "error":
        sync(session, "oig_leie", at=NOW - timedelta(days=20))
    if status is not None:
        sync(session, "oig_leie", status=status, at=NOW - timedelta(days=age_days),
             error="HTTP 503" if status == "error" else None)
    session.commit()
    row = run(engine)["service/CT/in_person"]
    assert row.verdict == Verdict.SOURCE_UNAVAILABLE
    assert words in row.basis and "exclusion list could not be checked" in row.basis
    assert row.evidence["source"] == "ct_socrata"


def _one_license_two_sources(session, ct_status, other_status, *, other_age_days=2):
    p = practice(session, "cs.example", {"CT": (True, None)})
    clinician(session, p, "Nora Vance", [LPC])
    record(session, "ct_socrata", "Vance, Nora", "CT", "professional_counselor", number="PRC.0009911",
           status=ct_status, status_raw=ct_status.upper())
    record(session, "ct_elicense", "VANCE, NORA", "CT", "professional_counselor", number="PRC 9911",
           status=other_status, status_raw=other_status.upper(), discipline=other_status == "revoked",
           discipline_text="Revoked 2026-11-01: boundary violations." if other_status == "revoked" else None,
           as_of=NOW - timedelta(days=other_age_days))
    for source in ("ct_socrata", "ct_elicense", "oig_leie"):
        sync(session, source)
    session.commit()


def test_equally_fresh_sources_that_disagree_are_conflicting_never_a_pass(engine, session):
    """Attack: a fresh record from another source saying the license was revoked left the verdict verified."""
    _one_license_two_sources(session, "active", "revoked")
    row = run(engine)["service/CT/in_person"]
    assert row.verdict == Verdict.CONFLICTING_SOURCES
    # ct_socrata by its label; ct_elicense is in no registry here, so by its id
    assert "Connecticut eLicense roster" in row.basis and "ct_elicense" in row.basis
    assert "boundary violations" in row.basis
    assert row.evidence["conflicting"]["source"] in {"ct_socrata", "ct_elicense"}


def test_the_freshest_source_decides(engine, session):
    _one_license_two_sources(session, "active", "revoked", other_age_days=1)  # the revocation is newer
    row = run(engine)["service/CT/in_person"]
    assert row.verdict == Verdict.SUSPENDED_OR_REVOKED and "boundary violations" in row.basis


def test_discipline_from_an_older_source_is_always_shown(engine, session):
    _one_license_two_sources(session, "active", "revoked", other_age_days=20)  # the active record is newer
    row = run(engine)["service/CT/in_person"]
    assert row.verdict == Verdict.VERIFIED_WITH_DISCIPLINE and "boundary violations" in row.basis
    assert row.evidence["discipline"][0]["source"] == "ct_elicense"


def test_equally_fresh_failures_the_worse_decides(engine, session):
    _one_license_two_sources(session, "expired", "revoked")
    assert run(engine)["service/CT/in_person"].verdict == Verdict.SUSPENDED_OR_REVOKED


@pytest.mark.parametrize(("held", "title"), [("registered_nurse", "REGISTERED NURSE"),
                                             ("social_worker", "LICENSED MASTER SOCIAL WORKER")])
def test_no_credential_on_the_site_needs_a_therapy_class(engine, session, held, title):
    """Attack: with no credential on the site, a registered nurse or an LMSW record verified a therapist."""
    p = practice(session, "cl.example", {"CT": (True, True)})
    clinician(session, p, "Nora Vance", [])
    record(session, "ct_socrata", "Vance, Nora", "CT", held, title=title)
    sync(session, "ct_socrata")
    sync(session, "oig_leie")
    session.commit()
    row = run(engine)["service/CT/virtual"]
    assert row.verdict == Verdict.WRONG_LICENSE_CLASS and title in row.basis


def test_no_credential_and_no_role_is_never_a_pass(engine, session):
    p = practice(session, "cl2.example", {"CT": (True, None)})
    clinician(session, p, "Nora Vance", [], role="other")
    record(session, "ct_socrata", "Vance, Nora", "CT", "professional_counselor")
    sync(session, "ct_socrata")
    sync(session, "oig_leie")
    session.commit()
    row = run(engine)["service/CT/in_person"]
    assert row.verdict == Verdict.NOT_CHECKABLE and "names no license or role" in row.basis


@pytest.mark.parametrize("title", ["CHIROPRACTIC PHYSICIAN", "PODIATRIC PHYSICIAN", "NATUROPATHIC PHYSICIAN"])
def test_other_professions_called_physician_do_not_prescribe(engine, session, title):
    """Attack: "CHIROPRACTIC PHYSICIAN" matched the PHYSICIAN keyword, so a chiropractor verified as an MD."""
    p = practice(session, "ch.example", {"CT": (True, None)})
    clinician(session, p, "Victor Kane, MD", [("MD", "degree", "physician")], role="prescriber")
    record(session, "ct_socrata", "Kane, Victor", "CT", "physician", title=title)  # as stored before the fix
    sync(session, "ct_socrata")
    sync(session, "oig_leie")
    session.commit()
    row = run(engine)["prescribing/CT"]
    assert row.verdict == Verdict.WRONG_LICENSE_CLASS and title in row.basis


def test_an_independent_title_backed_by_a_provisional_license_is_the_wrong_class(engine, session):
    """Attack: Illinois' LPC is the provisional tier and its LCPC the independent one; both were one class."""
    p = practice(session, "il.example", {"IL": (True, None)})
    clinician(session, p, "Nora Vance", [("LCPC", "state_license", "professional_counselor")])
    record(session, "il_socrata", "Vance, Nora", "IL", "professional_counselor",
           title="LICENSED PROFESSIONAL COUNSELOR")
    sync(session, "il_socrata")
    sync(session, "oig_leie")
    session.commit()
    row = run(engine)["service/IL/in_person"]
    assert row.verdict == Verdict.WRONG_LICENSE_CLASS
    assert "LICENSED PROFESSIONAL COUNSELOR" in row.basis and "professional counselor (LPC" in row.basis
    assert "associate counselor" in row.basis


def test_a_provisional_title_claimed_by_an_independent_licensee_verifies(engine, session):
    p = practice(session, "il2.example", {"IL": (True, None)})
    clinician(session, p, "Nora Vance", [("LPC", "state_license", "professional_counselor")])
    record(session, "il_socrata", "Vance, Nora", "IL", "professional_counselor",
           title="LICENSED CLINICAL PROFESSIONAL COUNSELOR")
    sync(session, "il_socrata")
    sync(session, "oig_leie")
    session.commit()
    assert run(engine)["service/IL/in_person"].verdict == Verdict.VERIFIED


@pytest.mark.parametrize(("claimed", "held_title", "state", "source"), [
    ("LCSW", "LICENSED MASTER SOCIAL WORKER", "TX", "tx_bhec"),
    ("LPC", "LPC ASSOCIATE", "TX", "tx_bhec"),
    ("LCPC", "LGPC", "MD", "md_bpct"),
])
def test_supervised_tiers_do_not_back_independent_titles(engine, session, claimed, held_title, state, source):
    from directory.extraction.taxonomy import lookup

    p = practice(session, "tier.example", {state: (True, None)})
    clinician(session, p, "Nora Vance", [(claimed, "state_license", lookup(claimed).license_class.value)])
    from directory.boards.registry import classify_title, get_source

    held = classify_title(get_source(source), held_title).value
    record(session, source, "Vance, Nora", state, held, title=held_title)
    sync(session, source)
    sync(session, "oig_leie")
    session.commit()
    row = run(engine)[f"service/{state}/in_person"]
    assert row.verdict == Verdict.WRONG_LICENSE_CLASS and held_title in row.basis


def test_wrong_license_class(engine, session):
    p = practice(session, "j.example", {"CT": (True, None)})
    clinician(session, p, "Paula Grey", [LPC])
    record(session, "ct_socrata", "Grey, Paula", "CT", "marriage_family_therapist")
    sync(session, "ct_socrata")
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
    session.commit()
    row = run(engine)["service/CT/in_person"]
    assert row.verdict == Verdict.WRONG_LICENSE_CLASS
    assert "marriage" in row.basis


def test_not_found(engine, session):
    p = practice(session, "k.example", {"CT": (True, None)})
    clinician(session, p, "Quinn Marsh", [LPC])
    record(session, "ct_socrata", "Marsh, Oliver", "CT", "professional_counselor")
    sync(session, "ct_socrata")
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
    session.commit()
    assert run(engine)["service/CT/in_person"].verdict == Verdict.NOT_FOUND


def test_an_authority_only_a_manual_source_shows_makes_absence_undecidable(engine, session):
    """No WA license found, but PSYPACT (whose directory nothing may fetch) could cover telepsychology in WA:
    not checkable, naming where to check; in person PSYPACT cannot cover, so there it is not found."""
    p = practice(session, "k2.example", {"CO": (True, True), "WA": (True, True)})
    clinician(session, p, "Dr. Mira Patel, PsyD", [PSY])
    record(session, "co_socrata", "Patel, Mira", "CO", "psychologist")
    record(session, "wa_socrata", "Patel, Oliver", "WA", "psychologist")
    sync(session, "co_socrata")
    sync(session, "wa_socrata")
    sync(session, "oig_leie")
    session.commit()
    out = run(engine)
    virtual = out["service/WA/virtual"]
    assert virtual.verdict == Verdict.NOT_CHECKABLE
    assert "PSYPACT" in virtual.basis and "Check by hand" in virtual.basis
    assert out["service/WA/in_person"].verdict == Verdict.NOT_FOUND
    assert out["service/CO/virtual"].verdict == Verdict.VERIFIED


def test_two_namesakes_are_ambiguous_never_verified(engine, session):
    p = practice(session, "l.example", {"TX": (True, None)})
    clinician(session, p, "Michael Chen", [LCSW])
    record(session, "tx_bhec", "Chen, Michael A", "TX", "clinical_social_worker", number="11111")
    record(session, "tx_bhec", "Chen, Michael", "TX", "clinical_social_worker", number="22222")
    sync(session, "tx_bhec")
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
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
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
    session.commit()
    assert run(engine)["service/CT/in_person"].verdict == Verdict.VERIFIED


def test_license_number_on_the_site_resolves_namesakes(engine, session):
    p = practice(session, "l2.example", {"TX": (True, None)})
    clinician(session, p, "Michael Chen", [("LCSW", "state_license", "clinical_social_worker", "TX", "22222")])
    record(session, "tx_bhec", "Chen, Michael A", "TX", "clinical_social_worker", number="11111")
    record(session, "tx_bhec", "Chen, Michael", "TX", "clinical_social_worker", number="22222")
    sync(session, "tx_bhec")
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
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
    sync(session, "oig_leie")  # the exclusion list was checked: a pass needs it
    session.commit()
    out = run(engine)
    assert out["credential/DEA/-"].verdict == Verdict.NOT_PUBLICLY_VERIFIABLE
    assert out["credential/NCC/-"].verdict == Verdict.CLAIMED
    assert out["credential/Fluence/-"].verdict == Verdict.CLAIMED
    # No issuer directory is checked, so nothing is ever Verdict.CONFIRMED on the site's word alone.
    assert Verdict.CONFIRMED not in {row.verdict for row in out.values()}
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


@pytest.mark.parametrize(("site_name", "board_name"), [
    ("Jose Luis Garcia Lopez", "GARCIA LOPEZ, JOSE LUIS"),  # two surnames, one of them read as a middle name
    ("Ann Marie Lopez", "LOPEZ, ANNMARIE"),  # a double given name in one word at the board
    ("Ann-Marie Lopez", "LOPEZ, ANN MARIE"),
])
def test_the_same_full_name_written_another_way_is_found_and_verified(engine, session, site_name, board_name):
    p = practice(session, "c2.example", {"CT": (True, None)})
    clinician(session, p, site_name, [LPC])
    record(session, "ct_socrata", board_name, "CT", "professional_counselor")
    sync(session, "ct_socrata")
    sync(session, "oig_leie")
    session.commit()
    row = run(engine)["service/CT/in_person"]
    assert row.verdict == Verdict.VERIFIED and row.evidence["identity_match"] == "full_name"
