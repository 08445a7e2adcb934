"""Build a small directory through the models: practices, clinicians, service areas, board records, syncs."""

import hashlib
from datetime import date, datetime, timedelta
from itertools import count

from sqlmodel import Session

from directory.models import (
    Clinician,
    CredentialClaim,
    LicenseRecord,
    Practice,
    ServiceArea,
    SourceSync,
)
from directory.names import name_key, parse_name

NOW = datetime(2026, 11, 23, 12, 0, 0)
_ids = count(1)


def practice(session: Session, key: str, states: dict[str, tuple[bool | None, bool | None]]) -> Practice:
    row = Practice.model_validate({"key": key, "name": key.split(".")[0].title(), "website": f"https://{key}/"})
    session.add(row)
    session.flush()
    for state, (in_person, virtual) in states.items():
        session.add(ServiceArea.model_validate(
            {"practice_id": row.id, "state": state, "in_person": in_person, "virtual": virtual,
             "source_url": f"https://{key}/", "fetched_at": NOW}
        ))
    session.flush()
    return row


def clinician(session: Session, practice_row: Practice, name: str, codes: list[tuple], *,
              role: str = "therapist", npi: str | None = None) -> Clinician:
    """codes: (code, kind, license_class) or (code, kind, license_class, state, license_number)."""
    parsed = parse_name(name)
    row = Clinician.model_validate({
        "practice_id": practice_row.id, "key": name_key(name), "name": name, "given_name": parsed.given,
        "middle_name": parsed.middle or None, "family_name": parsed.family, "role": role, "npi": npi,
    })
    session.add(row)
    session.flush()
    for code, kind, license_class, *rest in codes:
        state = rest[0] if rest else None
        number = rest[1] if len(rest) > 1 else None
        session.add(CredentialClaim.model_validate({
            "clinician_id": row.id, "code": code, "kind": kind, "license_class": license_class,
            "state": state, "license_number": number, "source_url": practice_row.website, "fetched_at": NOW,
        }))
    session.flush()
    return row


def record(session: Session, source: str, holder: str, state: str | None, license_class: str | None, *,
           status: str = "active", status_raw: str = "ACTIVE", number: str | None = None, kind: str = "license",
           expiry: date | None = date(2027, 12, 31), discipline: bool = False, discipline_text: str | None = None,
           multistate: bool | None = None, home_state: str | None = None, npi: str | None = None,
           address_state: str | None = None, as_of: datetime = NOW - timedelta(days=2),
           title: str | None = None, roster: bool = False) -> LicenseRecord:
    """A board record; ``roster``: as a roster sync stores it (with a row hash: while live, it is as of its
    source's last good sync), else as a look-up answer (its own dates only)."""
    parsed = parse_name(holder)
    number = number or f"{state or 'US'}{next(_ids):06d}"
    row = LicenseRecord.model_validate({
        "source": source, "record_key": f"{source}:{number}", "kind": kind, "state": state,
        "home_state": home_state, "license_class": license_class, "title_raw": title or license_class,
        "license_number": number, "holder_name": holder, "given_name": parsed.given,
        "middle_name": parsed.middle or None, "family_name": parsed.family, "suffix": parsed.suffix or None,
        "family_key": name_key(parsed.family), "given_key": name_key(parsed.given), "status": status,
        "status_raw": status_raw, "expiry_date": expiry, "discipline": discipline,
        "discipline_text": discipline_text, "multistate": multistate, "npi": npi,
        "address_state": address_state, "source_url": f"https://{source}.example/roster",
        "fetched_at": as_of, "source_as_of": as_of,
        "row_hash": hashlib.blake2b(f"{source}:{number}".encode(), digest_size=16).digest() if roster else None,
    })
    session.add(row)
    session.flush()
    return row


def sync(session: Session, source: str, *, status: str = "ok", at: datetime = NOW - timedelta(days=1),
         as_of: datetime | None = None, error: str | None = None) -> SourceSync:
    row = SourceSync.model_validate({
        "source": source, "started_at": at, "finished_at": at + timedelta(minutes=1), "status": status,
        "source_as_of": as_of or at, "error": error,
    })
    session.add(row)
    session.flush()
    return row
