"""Verify every claim in the directory against the stored board data, and keep the verdicts fresh.

``verify_all`` reads only the database (no network). A full run re-checks every claim; ``due_only`` rewrites
only what is due: new claims, verdicts past their expiry (settings.verification_ttl_days), and verdicts whose
outcome changed because their inputs changed (new or changed records, a license expiry that passed, a source
that failed or came back). Re-running on unchanged data leaves every row as it was.
"""

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, delete, select

from directory.db import session_scope
from directory.models import Clinician, CredentialClaim, Practice, ServiceArea, Verification
from directory.settings import get_settings
from directory.timeutil import utcnow
from directory.verification.claims import Claim, claims_for, non_license_outcome
from directory.verification.coverage import Coverage, registry_coverage
from directory.verification.judge import Judge, Outcome, verification_expires
from directory.verification.summary import store_discrepancies

BATCH = 500  # clinicians per commit


def iter_listings(session: Session):
    """(practice, clinician, service areas, credentials) for every current clinician, grouped in memory."""
    practices = {p.id: p for p in session.exec(select(Practice).where(Practice.gone_at.is_(None)))}  # type: ignore
    areas: dict[int, list[ServiceArea]] = defaultdict(list)
    for area in session.exec(select(ServiceArea)):
        areas[area.practice_id].append(area)
    credentials: dict[int, list[CredentialClaim]] = defaultdict(list)
    for credential in session.exec(select(CredentialClaim)):
        credentials[credential.clinician_id].append(credential)
    clinicians = session.exec(
        select(Clinician).where(Clinician.gone_at.is_(None)).order_by(Clinician.id)  # type: ignore[union-attr]
    )
    for clinician in clinicians:
        practice = practices.get(clinician.practice_id)
        if practice is not None:
            yield practice, clinician, areas[practice.id], credentials[clinician.id]


def _same(row: Verification, claim: Claim, outcome: Outcome) -> bool:
    return (
        row.verdict == outcome.verdict
        and row.basis == outcome.basis
        and row.confidence == outcome.confidence
        and row.license_record_id == outcome.record_id
        and (row.evidence or None) == (outcome.evidence or None)
        and row.source_as_of == outcome.source_as_of
        and row.clinician_id == claim.clinician_id
        and row.practice_id == claim.practice_id
        and row.state == claim.state
        and row.mode == (claim.mode.value if claim.mode else None)
        and row.credential_code == claim.credential_code
    )


def _values(row: Verification | None, claim: Claim, outcome: Outcome, *, now: datetime, ttl_days: int,
            due_only: bool) -> dict[str, Any] | None:
    """The row to write for one verdict; None when a due-only run leaves it untouched."""
    if row is not None and due_only and _same(row, claim, outcome) and row.expires_at and row.expires_at > now:
        return None
    values: dict[str, Any] = {
        "claim_key": claim.key,
        "clinician_id": claim.clinician_id,
        "practice_id": claim.practice_id,
        "claim_kind": claim.kind,
        "state": claim.state,
        "mode": claim.mode.value if claim.mode else None,
        "credential_code": claim.credential_code,
        "verdict": outcome.verdict,
        "basis": outcome.basis,
        "confidence": outcome.confidence,
        "license_record_id": outcome.record_id,
        "evidence": outcome.evidence,
        "checked_at": now,
        "expires_at": verification_expires(now, ttl_days),
        "source_as_of": outcome.source_as_of,
    }
    # Built from our own typed values (claims, enums, records), not from scraped input: written as is.
    if row is not None:
        values["row_id"] = row.id
    return values


def _flush(session: Session, inserts: list[dict], updates: list[dict]) -> None:
    """Write a batch in two statements (executemany): one insert, one update by id."""
    table = Verification.__table__
    if inserts:
        session.execute(insert(table), inserts)
    if updates:
        session.execute(update(table).where(table.c.id == bindparam("row_id")), updates)
    inserts.clear()
    updates.clear()


def verify_all(engine: Engine, *, due_only: bool = False, now: datetime | None = None,
               coverage: Coverage | None = None) -> dict:
    """Verify every claim; returns {"claims": n, "verdicts": {code: count}, "rechecked": n}."""
    settings = get_settings()
    now = now or utcnow()
    counts: Counter[str] = Counter()
    rechecked = 0
    seen: set[str] = set()
    with session_scope(engine) as session:
        judge = Judge(session, now=now, stale_days=settings.source_stale_days, coverage=coverage or registry_coverage)
        # The rows as the previous run left them: the "previous" verdict each claim is judged against.
        existing = {row.claim_key: row for row in session.execute(select(Verification.__table__))}
        inserts: list[dict] = []
        updates: list[dict] = []
        for done, (practice, clinician, areas, credentials) in enumerate(iter_listings(session), start=1):
            claims = claims_for(practice, clinician, areas, credentials)
            license_claims = [c for c in claims if non_license_outcome(c) is None]
            info = None
            if license_claims:
                states = {c.state for c in license_claims if c.state}
                info = judge.records_for(clinician, credentials, states)
            for claim in claims:
                fixed = non_license_outcome(claim)
                outcome = Outcome(*fixed, None) if fixed else judge.judge(claim, info, existing.get(claim.key))
                seen.add(claim.key)
                counts[outcome.verdict] += 1
                values = _values(existing.get(claim.key), claim, outcome, now=now,
                                 ttl_days=settings.verification_ttl_days, due_only=due_only)
                if values is not None:
                    (updates if "row_id" in values else inserts).append(values)
                    rechecked += 1
            if done % BATCH == 0:
                _flush(session, inserts, updates)
        _flush(session, inserts, updates)
        gone = [key for key in existing if key not in seen]
        for start in range(0, len(gone), BATCH):
            # Verdicts are derived data: a claim the site no longer makes has no verdict.
            table = Verification.__table__
            session.execute(delete(table).where(table.c.claim_key.in_(gone[start:start + BATCH])))
        session.commit()
        session.expire_all()  # rows were written in bulk: re-read them, not the objects loaded before
        store_discrepancies(session, now=now)
        session.commit()
    return {"claims": len(seen), "verdicts": dict(sorted(counts.items())), "rechecked": rechecked}
