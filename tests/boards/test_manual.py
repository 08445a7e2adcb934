"""Manual sources (Nursys QuickConfirm, the PSYPACT directory, WA Provider Credential Search) are never fetched;
a verdict they could have decided names them, with the page where a person checks by hand."""

from sqlalchemy import select

from directory.boards.commands import run_sync
from directory.db import session_scope
from directory.models import Clinician, CredentialClaim, Practice, ServiceArea, Verification
from directory.verification import verify_all

NURSYS = "Check by hand at Nursys QuickConfirm for a multistate (NLC) nursing license: " \
         "https://www.nursys.com/LQC/LQCSearch.aspx."
PSYPACT = "Check by hand at the PSYPACT Commission's authorization directory for PSYPACT telepsychology " \
          "authority (APIT): https://psypact.gov."


def _directory(engine, name: str, role: str, code: str, license_class: str, areas: list[tuple[str, bool, bool]]):
    with session_scope(engine) as session:
        practice = Practice(key=f"{name.split()[-1].lower()}.example", name=f"{name} practice")
        session.add(practice)
        session.flush()
        for state, in_person, virtual in areas:
            session.add(ServiceArea(practice_id=practice.id, state=state, in_person=in_person, virtual=virtual))
        clinician = Clinician(practice_id=practice.id, key=name.lower().replace(" ", "-"), name=name, role=role,
                              given_name=name.split()[0], family_name=name.split()[-1])
        session.add(clinician)
        session.flush()
        session.add(CredentialClaim(clinician_id=clinician.id, code=code, kind="state_license",
                                    license_class=license_class))
        session.commit()


def _verdicts(engine) -> dict[tuple[str, str], Verification]:
    verify_all(engine)
    with session_scope(engine) as session:
        rows = session.execute(select(Verification).where(Verification.claim_kind == "service")).scalars().all()
        session.expunge_all()
    return {(r.state, r.mode): r for r in rows}


def test_a_nurse_in_another_nlc_state_is_sent_to_nursys(boards, engine):
    """Formerly verified_nlc from a scraped Nursys page; Nursys' terms forbid that, so the verdict says where to
    check the multistate flag by hand, and the missing GA license refutes nothing (a multistate license could
    cover GA): not checkable, never not found."""
    _directory(engine, "Beatrix Nwachukwu", "nurse", "RN", "registered_nurse", [("GA", True, False)])
    results = {r["source"]: r for r in run_sync(engine, ["fl_mqa", "generic_ga", "nursys"])}
    assert results["nursys"]["status"] == "manual" and NURSYS.rstrip(".") in results["nursys"]["error"]
    verdict = _verdicts(engine)[("GA", "in_person")]
    assert verdict.verdict == "not_checkable"
    assert verdict.basis.endswith(NURSYS)


def test_a_psychologist_with_apit_is_sent_to_the_psypact_directory(boards, engine):
    _directory(engine, "Folasade Adeyemi", "therapist", "PhD", "psychologist",
               [("VA", True, True), ("UT", False, True)])
    run_sync(engine, ["va_dhp", "npi"])
    verdicts = _verdicts(engine)
    assert verdicts[("UT", "virtual")].verdict == "not_checkable"
    assert verdicts[("UT", "virtual")].basis.endswith(PSYPACT)
    assert PSYPACT not in (verdicts[("VA", "virtual")].basis or ""), "a verified claim needs no hand check"
