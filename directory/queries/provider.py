"""The provider page: a practice with its clinicians, verdicts, evidence and facts; selector choices."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from directory.boards.registry import source_label
from directory.errors import KapdirError
from directory.models import (
    Change,
    Clinician,
    CredentialClaim,
    Discrepancy,
    Fact,
    Location,
    Offering,
    Practice,
    ServiceArea,
    Verification,
)
from directory.settings import get_settings
from directory.timeutil import utcnow
from directory.verification.health import last_good_sync
from directory.vocab import (
    Badge,
    ServiceMode,
    badge_for,
    fact_value_label,
    verdict_label,
)


@dataclass
class VerdictRow:
    clinician_id: int
    claim_kind: str
    state: str | None
    mode: str | None
    credential_code: str | None
    verdict: str
    badge: Badge
    label: str
    basis: str
    source: str | None
    source_label: str | None  # what a person calls the source ("NPPES NPI Registry"), not its id
    license_number: str | None
    raw_status: str | None
    expires: str | None
    source_as_of: str | None  # the record's own date
    source_url: str | None
    checked_at: datetime
    due: bool  # past its expiry or older than the verification TTL: needs a re-check
    source_checked: str | None = None  # the source's latest good sync, read now (verification/health.py)


@dataclass
class ClinicianDetail:
    id: int
    name: str
    role: str
    npi: str | None
    bio: str | None
    gone: bool
    credentials: list[dict[str, Any]]
    verdicts: list[VerdictRow]


@dataclass
class PracticeDetail:
    id: int
    name: str
    key: str
    website: str | None
    therapy_included: bool | None
    group_or_retreat: bool | None
    medical_partner: str | None
    insurance: str | None
    phones: list[str]
    emails: list[str]
    booking_urls: list[str]
    discrepancies: list[str]
    first_seen: datetime
    last_crawled: datetime | None
    stale_note: str | None
    service_areas: list[dict[str, Any]]
    locations: list[dict[str, Any]]
    offerings: list[dict[str, Any]]
    clinicians: list[ClinicianDetail]
    facts: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    coverage: list[dict[str, Any]] = field(default_factory=list)  # per listed state: who may serve it, by mode


def _verdict_row(check: Verification, now: datetime, ttl: timedelta, checked: dict[str, datetime]) -> VerdictRow:
    evidence = check.evidence or {}
    due = bool((check.expires_at and check.expires_at <= now) or check.checked_at <= now - ttl)
    return VerdictRow(
        clinician_id=check.clinician_id, claim_kind=check.claim_kind, state=check.state, mode=check.mode,
        credential_code=check.credential_code, verdict=check.verdict, badge=badge_for(check.verdict),
        label=verdict_label(check.verdict), basis=check.basis or "",
        source=evidence.get("source"), source_label=source_label(evidence.get("source")),
        license_number=evidence.get("license_number"),
        raw_status=evidence.get("raw_status"), expires=_text(evidence.get("expires")),
        source_as_of=_text(evidence.get("source_as_of") or check.source_as_of),
        source_url=evidence.get("source_url"), checked_at=check.checked_at, due=due,
        source_checked=f"{checked[evidence['source']]:%Y-%m-%d}" if evidence.get("source") in checked else None,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def stale_note(practice: Practice, *, now: datetime | None = None, stale_days: int = 60) -> str | None:
    """Why the facts shown for a practice may be out of date, in words, or None."""
    now = now or utcnow()
    if practice.gone_at is not None:
        return f"This site stopped answering or was removed on {practice.gone_at:%Y-%m-%d}."
    if practice.stale:
        seen = practice.last_seen or practice.last_crawled
        return f"The last crawl of this site failed; showing the facts last seen on {seen:%Y-%m-%d}."
    if practice.last_crawled is None:
        return "This site has not been crawled yet."
    if practice.last_crawled < now - timedelta(days=stale_days):
        return f"This site was last crawled on {practice.last_crawled:%Y-%m-%d}, over {stale_days} days ago."
    return None


def practice_detail(session: Session, *, practice_id: int, now: datetime | None = None) -> PracticeDetail:
    practice = session.get(Practice, practice_id)
    if practice is None:
        raise KapdirError(f"no practice with id {practice_id}")
    now = now or utcnow()
    ttl = timedelta(days=get_settings().verification_ttl_days)
    clinicians = session.exec(
        select(Clinician).where(Clinician.practice_id == practice_id).order_by(Clinician.name)
    ).all()
    clinician_ids = [c.id for c in clinicians]
    claims = session.exec(
        select(CredentialClaim).where(col(CredentialClaim.clinician_id).in_(clinician_ids)).order_by(CredentialClaim.id)
    ).all()
    checks = session.exec(
        select(Verification).where(Verification.practice_id == practice_id)
        .order_by(Verification.state, Verification.mode, Verification.credential_code)
    ).all()
    claims_by = defaultdict(list)
    for claim in claims:
        claims_by[claim.clinician_id].append({
            "code": claim.code, "kind": claim.kind, "license_class": claim.license_class, "state": claim.state,
            "license_number": claim.license_number, "source_url": claim.source_url, "snippet": claim.snippet,
        })
    checks_by = defaultdict(list)
    checked = last_good_sync(session)
    for check in checks:
        checks_by[check.clinician_id].append(_verdict_row(check, now, ttl, checked))
    details = [
        ClinicianDetail(
            id=c.id, name=c.name, role=c.role, npi=c.npi, bio=c.bio, gone=c.gone_at is not None,
            credentials=claims_by[c.id], verdicts=checks_by[c.id],
        )
        for c in clinicians
    ]
    areas = session.exec(
        select(ServiceArea).where(ServiceArea.practice_id == practice_id).order_by(ServiceArea.state)
    ).all()
    locations = session.exec(select(Location).where(Location.practice_id == practice_id).order_by(Location.id))
    offerings = session.exec(
        select(Offering).where(Offering.practice_id == practice_id).order_by(Offering.kind, Offering.value)
    )
    facts = session.exec(
        select(Fact, Clinician.name).outerjoin(Clinician, Clinician.id == Fact.clinician_id)
        .where(Fact.practice_id == practice_id, col(Fact.superseded_at).is_(None))  # current facts only
        .order_by(Fact.field, Fact.id)
    ).all()
    changes = session.exec(
        select(Change).where(Change.practice_id == practice_id).order_by(col(Change.at).desc())
    ).all()
    found = session.exec(
        select(Discrepancy.text).where(Discrepancy.practice_id == practice_id).order_by(Discrepancy.id)
    ).all()
    discrepancies = list(dict.fromkeys([*(practice.discrepancies or []), *found]))  # site contradictions, then verdicts
    return PracticeDetail(
        id=practice.id, name=practice.name or practice.key, key=practice.key, website=practice.website,
        therapy_included=practice.therapy_included, group_or_retreat=practice.group_or_retreat,
        medical_partner=practice.medical_partner, insurance=practice.insurance,
        phones=list(practice.phones or []), emails=list(practice.emails or []),
        booking_urls=list(practice.booking_urls or []), discrepancies=discrepancies,
        first_seen=practice.first_seen, last_crawled=practice.last_crawled, stale_note=stale_note(practice, now=now),
        service_areas=[
            {"state": a.state, "in_person": a.in_person, "virtual": a.virtual, "source_url": a.source_url,
             "snippet": a.snippet, "fetched_at": a.fetched_at}
            for a in areas
        ],
        locations=[
            {"address": loc.address, "city": loc.city, "state": loc.state, "zip": loc.zip,
             "source_url": loc.source_url, "fetched_at": loc.fetched_at}
            for loc in locations
        ],
        offerings=[
            {"kind": o.kind, "value": o.value, "amount_usd": o.amount_usd, "unit": o.unit,
             "source_url": o.source_url, "snippet": o.snippet, "fetched_at": o.fetched_at}
            for o in offerings
        ],
        clinicians=details,
        facts=_group_facts(facts),
        changes=[{"at": c.at, "description": c.description} for c in changes],
        coverage=_coverage(areas, details),
    )


def _coverage(areas: Sequence[ServiceArea], clinicians: list[ClinicianDetail]) -> list[dict[str, Any]]:
    """For each state the site lists: who is verified to serve it in person, virtually, and to prescribe."""
    rows = []
    for area in areas:
        row: dict[str, Any] = {"state": area.state}
        for mode in ServiceMode:
            passing = [c.name for c in clinicians for v in c.verdicts
                       if v.state == area.state and v.mode == mode and v.badge in {Badge.VERIFIED, Badge.WARNING}]
            claimed = {ServiceMode.IN_PERSON: area.in_person, ServiceMode.VIRTUAL: area.virtual}.get(mode)
            if passing:
                row[mode.value] = ", ".join(dict.fromkeys(passing))
            elif claimed is False:
                row[mode.value] = "not offered"
            elif mode == ServiceMode.PRESCRIBING:
                row[mode.value] = "no verified prescriber"
            else:
                row[mode.value] = "nobody verified"
        rows.append(row)
    return rows


def _group_facts(rows: Iterable[tuple[Fact, str | None]]) -> list[dict[str, Any]]:
    """One entry per (field, value, clinician): sites repeat a fact on many pages; keep every page as a source."""
    grouped: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    for fact, clinician in rows:
        value = fact_value_label(fact.field, fact.value)  # codes in words: the page shows no enum value
        entry = grouped.setdefault((fact.field, value, clinician), {
            "field": fact.field, "value": value, "clinician": clinician, "snippets": [], "sources": [],
        })
        if fact.snippet and fact.snippet not in entry["snippets"]:
            entry["snippets"].append(fact.snippet)
        if fact.source_url and all(src["url"] != fact.source_url for src in entry["sources"]):
            entry["sources"].append({"url": fact.source_url, "fetched_at": fact.fetched_at})
    return list(grouped.values())


def board_link(url: str | None) -> str | None:
    """A board URL safe to show as a link (http/https only), else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or any(ch in url for ch in " ()<>\"'\n"):
        return None
    return url.strip()


# --- choices for selectors ----------------------------------------------------------------------


def practice_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.exec(select(Practice.id, Practice.name, Practice.key).order_by(Practice.name, Practice.key)).all()
    return [(row.id, row.name or row.key) for row in rows]


def clinician_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.exec(
        select(Clinician.id, Clinician.name, Practice.name, Practice.key)
        .join(Practice, Practice.id == Clinician.practice_id)
        .where(col(Clinician.gone_at).is_(None))
        .order_by(Clinician.name)
    ).all()
    return [(cid, f"{name} ({practice or key})") for cid, name, practice, key in rows]


def states_with_practices(session: Session) -> list[str]:
    return list(session.exec(select(ServiceArea.state).distinct().order_by(ServiceArea.state)).all())
