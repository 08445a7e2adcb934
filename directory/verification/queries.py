"""Read-only queries over stored verdicts (for the dashboard, the export and the CLI)."""

from sqlmodel import Session, select

from directory.models import Verification

_MODE_ORDER = {"in_person": 0, "virtual": 1, "prescribing": 2}


def verdicts_for_clinician(session: Session, clinician_id: int) -> list[Verification]:
    """Every verdict on one clinician's claims: service and prescribing by state and mode, then credentials."""
    rows = session.exec(select(Verification).where(Verification.clinician_id == clinician_id)).all()
    return sorted(
        rows,
        key=lambda r: (r.claim_kind == "credential", r.state or "", _MODE_ORDER.get(r.mode or "", 3),
                       r.credential_code or ""),
    )
