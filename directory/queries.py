"""The dashboard's query layer: every read it makes and the few admin writes.

Keyword-only functions taking an explicit session; they return plain dataclasses (picklable, so the
dashboard can cache them). Pages only render what these return: no SQL and no rule lives in a page.
"""

import csv
import io
import ipaddress
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import us
import zipcodes
from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from directory.errors import KapdirError
from directory.models import (
    Change,
    Clinician,
    CrawlRun,
    CredentialClaim,
    Discrepancy,
    Fact,
    FetchLog,
    LicenseRecord,
    Location,
    Offering,
    Practice,
    Seed,
    ServiceArea,
    SourceSync,
    Verification,
)
from directory.settings import get_settings
from directory.timeutil import utcnow
from directory.vocab import (
    BADGE_LABELS,
    PASSING_VERDICTS,
    Badge,
    CredentialKind,
    Role,
    Route,
    ServiceMode,
    Setting,
    Verdict,
    badge_for,
    verdict_label,
)

# --- plain-language vocabulary (verdict words and badges live in directory.vocab) ---------------------

MODE_LABELS = {
    ServiceMode.IN_PERSON: "in person",
    ServiceMode.VIRTUAL: "virtual (telehealth)",
    ServiceMode.PRESCRIBING: "prescribing",
}

ROUTE_LABELS: dict[str, str] = {
    Route.IV: "IV infusion",
    Route.IM: "IM injection",
    Route.ORAL_SUBLINGUAL: "Sublingual / oral (lozenge, RDT)",
    Route.INTRANASAL: "Intranasal",
    Route.ESKETAMINE_SPRAVATO: "Spravato (esketamine)",
}

SETTING_LABELS: dict[str, str] = {
    Setting.CLINIC: "In a clinic or office",
    Setting.AT_HOME: "At home",
    Setting.GROUP: "Group",
    Setting.RETREAT: "Retreat",
}


def offering_label(kind: str, value: str) -> str:
    """Plain words for a route or setting code; other offer values are shown as the site wrote them."""
    labels = {"route": ROUTE_LABELS, "setting": SETTING_LABELS}.get(kind, {})
    return labels.get(value, value)


SORT_OPTIONS = {
    "best": "Best verified first",
    "distance": "Nearest first",
    "price": "Lowest price first",
    "name": "Name (A to Z)",
}

_BADGE_RANK = {Badge.VERIFIED: 0, Badge.WARNING: 1, Badge.UNVERIFIED: 2, Badge.PROBLEM: 3}
_PASSING = sorted(v.value for v in PASSING_VERDICTS)


verdict_badge = badge_for  # kept name for callers of the query layer


_BADGE_CODES = {kind: sorted(code.value for code in Verdict if code.badge is kind) for kind in Badge}
_COUNTED = (Badge.VERIFIED, Badge.WARNING, Badge.PROBLEM)  # unverified: the rest, unknown codes included


def state_name(code: str | None) -> str:
    found = us.states.lookup(code) if code else None
    return found.name if found else (code or "")


def state_codes() -> list[str]:
    """USPS codes of the states plus DC, sorted by name (what the "I am in" selector offers)."""
    states = list(us.states.STATES_AND_TERRITORIES) + [us.states.DC]
    return [s.abbr for s in sorted(states, key=lambda s: s.name) if not s.is_territory or s.abbr == "DC"]


def _require_state(state: str) -> str:
    code = (state or "").strip().upper()
    if code not in set(state_codes()):
        raise KapdirError(f"unknown state {state!r}: use a two-letter code such as FL")
    return code


def _require_mode(mode: str) -> str:
    try:
        return ServiceMode(mode).value
    except ValueError:
        raise KapdirError(f"unknown mode {mode!r}: use in_person or virtual") from None


# --- places: the offline ZIP table of the `zipcodes` package ------------------------------------


@dataclass(frozen=True)
class Place:
    label: str
    lat: float
    lon: float


@lru_cache(maxsize=1)
def _zip_table() -> dict[str, tuple[float, float, str, str]]:
    table = {}
    for row in zipcodes.list_all():
        if row.get("lat") and row.get("long"):
            table[row["zip_code"]] = (float(row["lat"]), float(row["long"]), row["city"], row["state"])
    return table


def zip_point(zip_code: str | None) -> tuple[float, float] | None:
    found = _zip_table().get((zip_code or "").strip()[:5])
    return (found[0], found[1]) if found else None


def find_place(text: str, *, state: str) -> Place:
    """A ZIP code, or a city in `state`, to a point. Unknown places are a one-line error."""
    query = (text or "").strip()
    if not query:
        raise KapdirError("enter a city or a 5-digit ZIP code")
    if query[:5].isdigit():
        found = _zip_table().get(query[:5])
        if found is None:
            raise KapdirError(f"unknown ZIP code {query[:5]}")
        return Place(f"{found[2]}, {found[3]} {query[:5]}", found[0], found[1])
    city = query.split(",")[0].strip().lower()
    points = [(lat, lon) for lat, lon, c, st in _zip_table().values() if st == state and c.lower() == city]
    if not points:
        raise KapdirError(f"no city called {query!r} in {state_name(state)}")
    lat = sum(p[0] for p in points) / len(points)
    lon = sum(p[1] for p in points) / len(points)
    return Place(f"{query.split(',')[0].strip().title()}, {state}", lat, lon)


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    radius_miles = 3958.8
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * radius_miles * math.asin(math.sqrt(a))


# --- find care ----------------------------------------------------------------------------------


@dataclass
class MapPoint:
    practice_id: int
    practice: str
    address: str
    city: str
    state: str
    zip: str
    lat: float
    lon: float
    distance_miles: float | None = None


@dataclass
class PracticeCard:
    practice_id: int
    name: str
    website: str | None
    badge: Badge
    reason: str
    badge_counts: dict[str, int]  # badge -> how many verdicts for this state and mode
    last_checked: datetime | None
    stale: bool
    therapy_included: bool | None
    medical_partner: str | None
    price_min: float | None = None
    price_max: float | None = None
    distance_miles: float | None = None
    nearest: str | None = None
    routes: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    clinicians: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    state: str
    mode: str
    total: int
    page: int
    pages: int
    cards: list[PracticeCard]
    locations: list[MapPoint]
    place: Place | None = None


def practice_badge(verdicts: Iterable[str]) -> Badge:
    """One badge for a practice from its clinicians' verdicts for one state and mode.

    Verified when someone may serve you and nobody's record is a problem; a warning when authority is
    confirmed but someone has discipline or a problem; a problem when no one passes and a record
    contradicts the claim; otherwise unverified (a missing check never counts as a pass).
    """
    return badge_of_counts({verdict_badge(v): 1 for v in verdicts})


def badge_of_counts(counts: dict[str, int]) -> Badge:
    """practice_badge from per-badge counts (what the search aggregates in SQL)."""
    if counts.get(Badge.VERIFIED):
        return Badge.WARNING if counts.get(Badge.WARNING) or counts.get(Badge.PROBLEM) else Badge.VERIFIED
    if counts.get(Badge.WARNING):
        return Badge.WARNING
    if counts.get(Badge.PROBLEM):
        return Badge.PROBLEM
    return Badge.UNVERIFIED


def _mode_served(mode: str):
    """The site says it serves the state in this mode, or lists the state without saying how."""
    flag, other = (
        (ServiceArea.in_person, ServiceArea.virtual)
        if mode == ServiceMode.IN_PERSON
        else (ServiceArea.virtual, ServiceArea.in_person)
    )
    return or_(col(flag).is_(True), and_(col(flag).is_(None), col(other).is_(None)))


def _offering_practices(kind: str, values: Sequence[str]):
    return select(Offering.practice_id).where(Offering.kind == kind, col(Offering.value).in_(list(values)))


def search_practices(
    session: Session,
    *,
    state: str,
    mode: str,
    near: str | None = None,
    radius_miles: float | None = None,
    routes: Sequence[str] = (),
    settings: Sequence[str] = (),
    therapy_included: bool | None = None,
    roles: Sequence[str] = (),
    license_classes: Sequence[str] = (),
    verified_only: bool = False,
    price_min: float | None = None,
    price_max: float | None = None,
    prescriber: str | None = None,
    sort: str = "best",
    page: int = 1,
    page_size: int = 10,
) -> SearchResult:
    """Practices that say they serve `state` in `mode`, filtered, sorted and paged, with one badge each.

    prescriber: None (any), "on_staff" (a prescribing clinician listed), "partner" (a named prescribing
    partner) or "either".
    """
    state = _require_state(state)
    mode = _require_mode(mode)
    if mode == ServiceMode.PRESCRIBING:
        raise KapdirError("search in_person or virtual; prescribing verdicts show on the provider page")
    if sort not in SORT_OPTIONS:
        raise KapdirError(f"unknown sort {sort!r}: use one of {', '.join(SORT_OPTIONS)}")
    place = find_place(near, state=state) if near and mode == ServiceMode.IN_PERSON else None

    query = (
        select(
            Practice.id, Practice.name, Practice.key, Practice.website, Practice.therapy_included,
            Practice.medical_partner, Practice.stale,
        )
        .join(ServiceArea, ServiceArea.practice_id == Practice.id)
        .where(ServiceArea.state == state, _mode_served(mode), col(Practice.gone_at).is_(None))
    )
    # Each filter is an uncorrelated IN (subquery): SQLite and PostgreSQL evaluate it once per search.
    if routes:
        query = query.where(col(Practice.id).in_(_offering_practices("route", routes)))
    if settings:
        query = query.where(col(Practice.id).in_(_offering_practices("setting", settings)))
    if therapy_included is not None:
        query = query.where(Practice.therapy_included == therapy_included)
    if roles:
        query = query.where(col(Practice.id).in_(
            select(Clinician.practice_id).where(col(Clinician.role).in_(list(roles)), col(Clinician.gone_at).is_(None))
        ))
    if license_classes:
        query = query.where(col(Practice.id).in_(
            select(Clinician.practice_id).join(CredentialClaim, CredentialClaim.clinician_id == Clinician.id)
            .where(col(CredentialClaim.license_class).in_(list(license_classes)))
        ))
    if verified_only:
        query = query.where(col(Practice.id).in_(
            select(Verification.practice_id).where(
                Verification.state == state, Verification.mode == mode, col(Verification.verdict).in_(_PASSING)
            )
        ))
    if price_min is not None or price_max is not None:
        price_conditions = [Offering.kind == "price"]
        if price_min is not None:
            price_conditions.append(col(Offering.amount_usd) >= price_min)
        if price_max is not None:
            price_conditions.append(col(Offering.amount_usd) <= price_max)
        query = query.where(col(Practice.id).in_(select(Offering.practice_id).where(*price_conditions)))
    if prescriber is not None:
        on_staff = col(Practice.id).in_(select(Clinician.practice_id).where(
            Clinician.role == Role.PRESCRIBER, col(Clinician.gone_at).is_(None)))
        partner = or_(col(Practice.medical_partner).is_not(None),
                      col(Practice.id).in_(select(Offering.practice_id).where(Offering.kind == "partner")))
        choices = {"on_staff": on_staff, "partner": partner, "either": or_(on_staff, partner)}
        if prescriber not in choices:
            raise KapdirError(f"unknown prescriber filter {prescriber!r}: use on_staff, partner or either")
        query = query.where(choices[prescriber])

    connection = session.connection()  # plain Core rows: no ORM bookkeeping for thousands of candidates
    rows = connection.execute(query).all()
    ids = [row.id for row in rows]

    badge_counts: dict[int, dict[str, int]] = {}
    last_checked: dict[int, datetime] = {}
    prices: dict[int, tuple[float | None, float | None]] = {}
    # The follow-up queries take the candidate ids as bound lists (in chunks): re-running the filtered
    # candidate query as a subquery in each of them would cost more than the lists.
    per_badge = [func.sum(case((col(Verification.verdict).in_(_BADGE_CODES[kind]), 1), else_=0)) for kind in _COUNTED]
    for chunk in _chunks(ids):
        verdict_rows = connection.execute(
            select(Verification.practice_id, func.max(Verification.checked_at), func.count(), *per_badge)
            .where(Verification.state == state, Verification.mode == mode, col(Verification.practice_id).in_(chunk))
            .group_by(Verification.practice_id)
        ).all()
        for practice_id, checked, total, *numbers in verdict_rows:
            counted = dict(zip(_COUNTED, numbers, strict=True))
            counted[Badge.UNVERIFIED] = total - sum(numbers)
            badge_counts[practice_id] = {kind.value: n for kind, n in counted.items() if n}
            last_checked[practice_id] = checked
        price_rows = connection.execute(
            select(Offering.practice_id, func.min(Offering.amount_usd), func.max(Offering.amount_usd))
            .where(Offering.kind == "price", col(Offering.practice_id).in_(chunk))
            .group_by(Offering.practice_id)
        ).all()
        prices.update((pid, (low, high)) for pid, low, high in price_rows)

    points = _locations(session, ids, state) if mode == ServiceMode.IN_PERSON else []
    nearest: dict[int, MapPoint] = {}
    if place is not None:
        for point in points:
            point.distance_miles = round(haversine_miles(place.lat, place.lon, point.lat, point.lon), 1)
            best = nearest.get(point.practice_id)
            if best is None or point.distance_miles < best.distance_miles:
                nearest[point.practice_id] = point

    cards = []
    for row in rows:
        counts = badge_counts.get(row.id, {})
        low, high = prices.get(row.id, (None, None))
        near_point = nearest.get(row.id)
        if place is not None and radius_miles is not None and (
            near_point is None or near_point.distance_miles > radius_miles
        ):
            continue
        cards.append(
            PracticeCard(
                practice_id=row.id, name=row.name or row.key, website=row.website,
                badge=badge_of_counts(counts), reason="", badge_counts=counts,
                last_checked=last_checked.get(row.id), stale=bool(row.stale),
                therapy_included=row.therapy_included, medical_partner=row.medical_partner,
                price_min=low, price_max=high,
                distance_miles=near_point.distance_miles if near_point else None,
                nearest=f"{near_point.city}, {near_point.state}" if near_point else None,
            )
        )
    _sort_cards(cards, sort)
    total = len(cards)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    shown = cards[(page - 1) * page_size : page * page_size]
    _fill_cards(session, shown, state=state, mode=mode)
    kept = {card.practice_id for card in cards}
    if place is not None:
        points = sorted((p for p in points if p.practice_id in kept), key=lambda p: p.distance_miles)
    else:
        points = [p for p in points if p.practice_id in kept]
    return SearchResult(state=state, mode=mode, total=total, page=page, pages=pages, cards=shown,
                        locations=points, place=place)


def _sort_cards(cards: list[PracticeCard], sort: str) -> None:
    far = float("inf")
    keys = {
        "best": lambda c: (_BADGE_RANK[c.badge], c.distance_miles if c.distance_miles is not None else far,
                           c.name.lower()),
        "distance": lambda c: (c.distance_miles if c.distance_miles is not None else far, c.name.lower()),
        "price": lambda c: (c.price_min if c.price_min is not None else far, c.name.lower()),
        "name": lambda c: c.name.lower(),
    }
    cards.sort(key=keys[sort])


def _chunks(ids: list[int], size: int = 2000) -> Iterable[list[int]]:
    """Bound-parameter lists small enough for SQLite and PostgreSQL limits."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _locations(session: Session, practice_ids: list[int], state: str) -> list[MapPoint]:
    rows = []
    for chunk in _chunks(practice_ids):
        rows += session.connection().execute(
            select(Location.practice_id, Practice.name, Location.address, Location.city, Location.state,
                   Location.zip, Location.lat, Location.lon)
            .join(Practice, Practice.id == Location.practice_id)
            .where(col(Location.practice_id).in_(chunk), Location.state == state)
        ).all()
    points = []
    for row in rows:
        lat, lon = row.lat, row.lon
        if lat is None or lon is None:  # the crawler may not geocode: place it by its ZIP, offline
            found = zip_point(row.zip)
            if found is None:
                continue
            lat, lon = found
        points.append(MapPoint(
            practice_id=row.practice_id, practice=row.name or "", address=row.address or "", city=row.city or "",
            state=row.state or "", zip=row.zip or "", lat=lat, lon=lon,
        ))
    return points


def _fill_cards(session: Session, cards: list[PracticeCard], *, state: str, mode: str) -> None:
    """Offerings, clinicians and the reason in words, only for the cards on the page."""
    if not cards:
        return
    ids = [card.practice_id for card in cards]
    offerings = session.exec(
        select(Offering.practice_id, Offering.kind, Offering.value)
        .where(col(Offering.practice_id).in_(ids), col(Offering.kind).in_(["route", "setting"]))
        .order_by(Offering.value)
    ).all()
    people = session.exec(
        select(Clinician.practice_id, Clinician.id, Clinician.name, Clinician.role)
        .where(col(Clinician.practice_id).in_(ids), col(Clinician.gone_at).is_(None))
        .order_by(Clinician.name)
    ).all()
    checks = session.exec(
        select(Verification.practice_id, Verification.clinician_id, Verification.verdict, Verification.basis)
        .where(col(Verification.practice_id).in_(ids), Verification.state == state, Verification.mode == mode)
    ).all()
    names = {row.id: row.name for row in people}
    by_card: dict[int, PracticeCard] = {card.practice_id: card for card in cards}
    for practice_id, kind, value in offerings:
        (by_card[practice_id].routes if kind == "route" else by_card[practice_id].settings).append(value)
    for row in people:
        by_card[row.practice_id].clinicians.append(f"{row.name} ({row.role})")
    checks_by_practice = defaultdict(list)
    for row in checks:
        checks_by_practice[row.practice_id].append(row)
    for card in cards:
        card.reason = _reason(card, checks_by_practice[card.practice_id], names, state=state, mode=mode)


def _reason(card: PracticeCard, checks: list, names: dict[int, str], *, state: str, mode: str) -> str:
    where = f"{MODE_LABELS[ServiceMode(mode)]} in {state_name(state)}"
    if not checks:
        return f"No clinician's authority for {where} has been checked yet."
    passing = [c for c in checks if verdict_badge(c.verdict) in {Badge.VERIFIED, Badge.WARNING}]
    problems = [c for c in checks if verdict_badge(c.verdict) is Badge.PROBLEM]
    people = len({c.clinician_id for c in checks})
    parts = [f"{len({c.clinician_id for c in passing})} of {people} clinicians checked may serve you {where}."]
    shown = passing[0] if passing else (problems[0] if problems else checks[0])
    parts.append(f"{names.get(shown.clinician_id, 'A clinician')}: {verdict_label(shown.verdict)}. {shown.basis}")
    if passing and problems:
        other = problems[0]
        parts.append(f"Also: {names.get(other.clinician_id, 'a clinician')}: {verdict_label(other.verdict)}.")
    return " ".join(parts)


# --- the provider page --------------------------------------------------------------------------


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
    license_number: str | None
    raw_status: str | None
    expires: str | None
    source_as_of: str | None
    source_url: str | None
    checked_at: datetime
    due: bool  # past its expiry or older than the verification TTL: needs a re-check


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


def _verdict_row(check: Verification, now: datetime, ttl: timedelta) -> VerdictRow:
    evidence = check.evidence or {}
    due = bool((check.expires_at and check.expires_at <= now) or check.checked_at <= now - ttl)
    return VerdictRow(
        clinician_id=check.clinician_id, claim_kind=check.claim_kind, state=check.state, mode=check.mode,
        credential_code=check.credential_code, verdict=check.verdict, badge=verdict_badge(check.verdict),
        label=verdict_label(check.verdict), basis=check.basis or "",
        source=evidence.get("source"), license_number=evidence.get("license_number"),
        raw_status=evidence.get("raw_status"), expires=_text(evidence.get("expires")),
        source_as_of=_text(evidence.get("source_as_of") or check.source_as_of),
        source_url=evidence.get("source_url"), checked_at=check.checked_at, due=due,
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
    for check in checks:
        checks_by[check.clinician_id].append(_verdict_row(check, now, ttl))
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
        value = _fact_value(fact.value)
        entry = grouped.setdefault((fact.field, value, clinician), {
            "field": fact.field, "value": value, "clinician": clinician, "snippets": [], "sources": [],
        })
        if fact.snippet and fact.snippet not in entry["snippets"]:
            entry["snippets"].append(fact.snippet)
        if fact.source_url and all(src["url"] != fact.source_url for src in entry["sources"]):
            entry["sources"].append({"url": fact.source_url, "fetched_at": fact.fetched_at})
    return list(grouped.values())


def _fact_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


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


# --- compare and vetting ------------------------------------------------------------------------


@dataclass
class Comparison:
    columns: list[str]  # one per practice or clinician compared
    rows: list[tuple[str, list[str]]]  # aspect -> one value per column

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["aspect", *map(_csv_safe, self.columns)])
        for aspect, values in self.rows:
            writer.writerow([aspect, *map(_csv_safe, values)])
        return out.getvalue()


def _csv_safe(text: str) -> str:
    """Crawled text must not become a spreadsheet formula (=, +, -, @ at the start of a cell)."""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "not stated"}[value]


def _verdict_summary(rows: Iterable[VerdictRow], *, with_names: dict[int, str] | None = None) -> str:
    lines = []
    for row in rows:
        if row.claim_kind != "service" and row.mode != ServiceMode.PRESCRIBING:
            continue
        who = f"{with_names[row.clinician_id]}: " if with_names else ""
        lines.append(f"{who}{row.state} {row.mode}: {BADGE_LABELS[row.badge]} ({row.label}; checked "
                     f"{row.checked_at:%Y-%m-%d})")
    return "; ".join(lines) or "no verdicts yet"


def compare_practices(session: Session, *, practice_ids: Sequence[int]) -> Comparison:
    if not 2 <= len(practice_ids) <= 4:
        raise KapdirError("choose 2 to 4 practices to compare")
    details = [practice_detail(session, practice_id=pid) for pid in practice_ids]
    aspects: list[tuple[str, list[str]]] = []

    def add(aspect: str, values: list[str]) -> None:
        aspects.append((aspect, values))

    add("Website", [d.website or "" for d in details])
    add("In person in", [", ".join(a["state"] for a in d.service_areas if a["in_person"]) or "none stated"
                         for d in details])
    add("Virtual in", [", ".join(a["state"] for a in d.service_areas if a["virtual"]) or "none stated"
                       for d in details])
    add("Clinicians", ["; ".join(f"{c.name} ({c.role})" for c in d.clinicians if not c.gone) for d in details])
    add("Credentials claimed", [
        "; ".join(f"{c.name}: {', '.join(cr['code'] for cr in c.credentials)}" for c in d.clinicians if c.credentials)
        for d in details
    ])
    for kind, label in (("route", "Routes"), ("setting", "Settings")):
        add(label, [", ".join(offering_label(kind, o["value"]) for o in d.offerings if o["kind"] == kind)
                    or "not stated" for d in details])
    add("Therapy included", [_yes_no(d.therapy_included) for d in details])
    add("Prices (USD)", [_price_text(d.offerings) for d in details])
    add("Prescribing partner", [d.medical_partner or ", ".join(
        o["value"] for o in d.offerings if o["kind"] == "partner") or "none stated" for d in details])
    add("Prescriber on staff", [_yes_no(any(c.role == Role.PRESCRIBER for c in d.clinicians)) for d in details])
    add("Verdicts", [
        _verdict_summary((v for c in d.clinicians for v in c.verdicts), with_names={c.id: c.name for c in d.clinicians})
        for d in details
    ])
    add("Discrepancies", ["; ".join(d.discrepancies) or "none found" for d in details])
    add("Freshness", [d.stale_note or f"crawled {d.last_crawled:%Y-%m-%d}" for d in details])
    return Comparison(columns=[d.name for d in details], rows=aspects)


def _price_text(offerings: list[dict[str, Any]]) -> str:
    prices = [o for o in offerings if o["kind"] == "price" and o["amount_usd"] is not None]
    if not prices:
        return "not stated"
    return ", ".join(f"${o['amount_usd']:,.0f}" + (f" per {o['unit']}" if o["unit"] else "") for o in prices)


@dataclass
class ChecklistItem:
    question: str
    answer: str
    badge: Badge
    evidence: str = ""


@dataclass
class Checklist:
    clinician: str
    practice: str
    role: str
    items: list[ChecklistItem]
    generated_at: datetime

    def to_text(self) -> str:
        lines = [
            f"Vetting checklist: {self.clinician} ({self.role}), {self.practice}",
            f"Generated {self.generated_at:%Y-%m-%d %H:%M} UTC by kapdir. Not medical or legal advice; "
            "confirm at the primary source before referring.",
            "",
        ]
        for item in self.items:
            lines.append(f"[{BADGE_LABELS[item.badge]}] {item.question}")
            lines.append(f"    {item.answer}")
            if item.evidence:
                lines.append(f"    Evidence: {item.evidence}")
        return "\n".join(lines) + "\n"


def vetting_checklist(session: Session, *, clinician_id: int, now: datetime | None = None) -> Checklist:
    """A one-page checklist for a referring therapist: license by state, standing, discipline, training, prescriber."""
    clinician = session.get(Clinician, clinician_id)
    if clinician is None:
        raise KapdirError(f"no clinician with id {clinician_id}")
    detail = practice_detail(session, practice_id=clinician.practice_id, now=now)
    me = next(c for c in detail.clinicians if c.id == clinician_id)
    items = []
    service = [v for v in me.verdicts if v.claim_kind == "service" and v.mode != ServiceMode.PRESCRIBING]
    for row in service:
        items.append(ChecklistItem(
            question=f"May practise {MODE_LABELS.get(row.mode, row.mode)} in {state_name(row.state)}?",
            answer=f"{row.label}. {row.basis} (last checked {row.checked_at:%Y-%m-%d})",
            badge=row.badge, evidence=_evidence_text(row),
        ))
    if not service:
        items.append(ChecklistItem("License by state", "No state authority has been checked yet.", Badge.UNVERIFIED))
    bad = [v for v in me.verdicts if v.verdict in {Verdict.EXCLUDED, Verdict.SUSPENDED_OR_REVOKED}]
    items.append(ChecklistItem(
        question="In good standing (not excluded, suspended or revoked)?",
        answer="; ".join(f"{v.label} ({v.state or 'federal'})" for v in bad) or
        ("No exclusion or suspension found in the records checked." if me.verdicts else "Not checked yet."),
        badge=Badge.PROBLEM if bad else (Badge.VERIFIED if me.verdicts else Badge.UNVERIFIED),
    ))
    disciplined = [v for v in me.verdicts if v.verdict == Verdict.VERIFIED_WITH_DISCIPLINE]
    items.append(ChecklistItem(
        question="Any board discipline on record?",
        answer="; ".join(f"{v.state}: {v.basis}" for v in disciplined) or "None recorded in the boards checked.",
        badge=Badge.WARNING if disciplined else (Badge.VERIFIED if service else Badge.UNVERIFIED),
    ))
    claimed_kinds = {CredentialKind.TRAINING, CredentialKind.NATIONAL_CERTIFICATION}
    trainings = [c for c in me.credentials if c["kind"] in claimed_kinds]
    confirmed = {v.credential_code for v in me.verdicts if v.verdict == "confirmed"}
    items.append(ChecklistItem(
        question="KAP training and certifications: claimed vs confirmed",
        answer="; ".join(f"{c['code']}: {'confirmed' if c['code'] in confirmed else 'claimed only'}"
                         for c in trainings) or "None claimed on the website.",
        badge=Badge.VERIFIED if trainings and all(c["code"] in confirmed for c in trainings) else Badge.UNVERIFIED,
        evidence="Trainings and certifications are not authority to practise.",
    ))
    prescribing = [v for v in me.verdicts if v.mode == ServiceMode.PRESCRIBING]
    if me.role == Role.PRESCRIBER or prescribing:
        items.append(ChecklistItem(
            question="May prescribe ketamine where the client is?",
            answer="; ".join(f"{v.state}: {v.label}" for v in prescribing) or "No prescribing check yet.",
            badge=practice_badge(v.verdict for v in prescribing),
            evidence="DEA registration is not publicly checkable; ask for it directly.",
        ))
    else:
        partner = detail.medical_partner or ", ".join(o["value"] for o in detail.offerings if o["kind"] == "partner")
        items.append(ChecklistItem(
            question="Who prescribes?",
            answer=f"Not a prescriber. Prescribing partner named by the practice: {partner or 'none stated'}.",
            badge=Badge.UNVERIFIED,
        ))
    return Checklist(clinician=me.name, practice=detail.name, role=me.role, items=items,
                     generated_at=now or utcnow())


def _evidence_text(row: VerdictRow) -> str:
    parts = [
        f"source {row.source}" if row.source else "",
        f"license {row.license_number}" if row.license_number else "",
        f"status '{row.raw_status}'" if row.raw_status else "",
        f"expires {row.expires}" if row.expires else "",
        f"source as of {row.source_as_of}" if row.source_as_of else "",
    ]
    return ", ".join(p for p in parts if p)


def compare_clinicians(session: Session, *, clinician_ids: Sequence[int]) -> Comparison:
    if not 2 <= len(clinician_ids) <= 4:
        raise KapdirError("choose 2 to 4 clinicians to compare")
    lists = [vetting_checklist(session, clinician_id=cid) for cid in clinician_ids]
    details = []
    for cid in clinician_ids:
        clinician = session.get(Clinician, cid)
        detail = practice_detail(session, practice_id=clinician.practice_id)
        details.append((detail, next(c for c in detail.clinicians if c.id == cid)))
    rows: list[tuple[str, list[str]]] = [
        ("Practice", [d.name for d, _ in details]),
        ("Role", [c.role for _, c in details]),
        ("Credentials claimed", [", ".join(cr["code"] for cr in c.credentials) or "none" for _, c in details]),
        ("Routes", [", ".join(offering_label("route", o["value"]) for o in d.offerings if o["kind"] == "route")
                    or "not stated" for d, _ in details]),
        ("Settings", [", ".join(offering_label("setting", o["value"]) for o in d.offerings if o["kind"] == "setting")
                      or "not stated" for d, _ in details]),
        ("Therapy included", [_yes_no(d.therapy_included) for d, _ in details]),
        ("Prices (USD)", [_price_text(d.offerings) for d, _ in details]),
        ("Verdicts", [_verdict_summary(c.verdicts) for _, c in details]),
    ]
    questions = [item.question for item in lists[0].items]
    for checklist in lists[1:]:
        questions += [item.question for item in checklist.items if item.question not in questions]
    for question in questions:
        rows.append((question, [
            next((f"{BADGE_LABELS[i.badge]}: {i.answer}" for i in checklist.items if i.question == question), "n/a")
            for checklist in lists
        ]))
    return Comparison(columns=[c.name for _, c in details], rows=rows)


# --- admin: seeds -------------------------------------------------------------------------------

_DEMO_ONLY_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local", ".internal", ".lan", ".home.arpa")


def validate_seed_url(url: str, *, demo_mode: bool) -> str:
    """A seed must be an http(s) URL of a public host; private and loopback hosts only in demo mode.

    The check is DNS-free on purpose: it judges the URL as written (an IP literal or a host name).
    """
    text = (url or "").strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in {"http", "https"}:
        raise KapdirError(f"seed must be an http or https URL, not {parts.scheme or 'no scheme'!r}")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise KapdirError("seed URL has no host")
    if parts.username or parts.password:
        raise KapdirError("seed URL must not carry a user name or password")
    try:
        port = parts.port
    except ValueError:
        raise KapdirError("seed URL has an invalid port") from None
    address = _ip_literal(host)
    if address is not None:
        if not address.is_global and not demo_mode:
            raise KapdirError(f"seed host {host} is a private, loopback or reserved address")
    elif host == "localhost" or host.endswith(_DEMO_ONLY_SUFFIXES):
        if not demo_mode:
            raise KapdirError(f"seed host {host} is not a public host (allowed only in demo mode)")
    elif "." not in host or not host.rsplit(".", 1)[1].isalpha():
        raise KapdirError(f"seed host {host!r} is not a public host name")
    netloc = host if port is None else f"{host}:{port}"
    if ":" in host:
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # Numeric hosts in forms browsers and resolvers still accept (2130706433, 0x7f.1, 127.1) are addresses.
    pieces = host.split(".")
    if all(p and (p.isdigit() or (p.startswith("0x") and all(c in "0123456789abcdef" for c in p[2:]))) for p in pieces):
        try:
            return ipaddress.ip_address(_inet_aton(pieces))
        except ValueError:
            return ipaddress.ip_address("0.0.0.0")  # unparseable numeric host: treat as reserved
    return None


def _inet_aton(pieces: list[str]) -> int:
    numbers = [int(p, 16) if p.startswith("0x") else int(p, 8) if len(p) > 1 and p.startswith("0") else int(p)
               for p in pieces]
    if len(numbers) > 4:
        raise ValueError("too many parts")
    value = 0
    for number in numbers[:-1]:
        if number > 255:
            raise ValueError("part too large")
        value = value * 256 + number
    last_bits = 8 * (5 - len(numbers))
    if numbers[-1] >= 2**last_bits:
        raise ValueError("last part too large")
    return (value << last_bits) | numbers[-1]


@dataclass
class SeedRow:
    id: int
    url: str
    origin: str
    active: bool
    added_at: datetime


def list_seeds(session: Session) -> list[SeedRow]:
    seeds = session.exec(select(Seed).order_by(Seed.url)).all()
    return [SeedRow(id=s.id, url=s.url, origin=s.origin, active=s.active, added_at=s.added_at) for s in seeds]


def add_seed(session: Session, *, url: str, demo_mode: bool, origin: str = "admin") -> SeedRow:
    clean = validate_seed_url(url, demo_mode=demo_mode)
    existing = session.exec(select(Seed).where(Seed.url == clean)).first()
    if existing is not None:
        raise KapdirError(f"seed {clean} is already in the list")
    seed = Seed.model_validate({"url": clean, "origin": origin, "active": True})
    session.add(seed)
    session.commit()
    session.refresh(seed)
    return SeedRow(id=seed.id, url=seed.url, origin=seed.origin, active=seed.active, added_at=seed.added_at)


def set_seed_active(session: Session, *, seed_id: int, active: bool) -> None:
    seed = session.get(Seed, seed_id)
    if seed is None:
        raise KapdirError(f"no seed with id {seed_id}")
    seed.active = active
    session.add(seed)
    session.commit()


# --- admin: history, freshness, what is due -----------------------------------------------------


def crawl_history(session: Session, *, limit: int = 20) -> list[dict[str, Any]]:
    runs = session.exec(select(CrawlRun).order_by(col(CrawlRun.started_at).desc(), col(CrawlRun.id).desc())
                        .limit(limit)).all()
    return [
        {"id": r.id, "started": r.started_at, "finished": r.finished_at, "status": r.status, "pages": r.pages,
         "new": r.new, "changed": r.changed, "unchanged": r.unchanged, "gone": r.gone,
         "errors": sum((r.errors or {}).values()), "duration_s": r.duration_s, "message": r.message or ""}
        for r in runs
    ]


def crawl_errors(session: Session, *, crawl_run_id: int) -> list[dict[str, Any]]:
    """Requests of one crawl run that did not end well: the errors per URL."""
    logs = session.exec(
        select(FetchLog).where(FetchLog.crawl_run_id == crawl_run_id,
                               col(FetchLog.outcome).not_in(["ok", "not_modified"]))
        .order_by(FetchLog.url)
    ).all()
    return [{"url": f.url, "status": f.status, "outcome": f.outcome, "error": f.error or "", "at": f.at} for f in logs]


def sync_history(session: Session, *, limit: int = 50) -> list[dict[str, Any]]:
    syncs = session.exec(select(SourceSync).order_by(col(SourceSync.started_at).desc(), col(SourceSync.id).desc())
                         .limit(limit)).all()
    return [
        {"id": s.id, "source": s.source, "started": s.started_at, "finished": s.finished_at, "status": s.status,
         "records": s.records, "added": s.added, "updated": s.updated, "removed": s.removed,
         "source_as_of": s.source_as_of, "error": s.error or ""}
        for s in syncs
    ]


def source_freshness(session: Session, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per source: last good sync, the source's own as-of date, records held, and whether it is fresh, by the
    same rule the verdicts use (``directory.verification.health``)."""
    from directory.verification.health import health_of, source_health

    now = now or utcnow()
    health = source_health(session, now=now)
    last_ok = dict(session.exec(
        select(SourceSync.source, func.max(SourceSync.finished_at)).where(SourceSync.status == "ok")
        .group_by(SourceSync.source)
    ).all())
    last_any = {s.source: s for s in session.exec(select(SourceSync).order_by(SourceSync.started_at)).all()}
    records = dict(session.exec(
        select(LicenseRecord.source, func.count()).where(col(LicenseRecord.removed_at).is_(None))
        .group_by(LicenseRecord.source)
    ).all())
    as_of = dict(session.exec(
        select(LicenseRecord.source, func.max(LicenseRecord.source_as_of)).group_by(LicenseRecord.source)
    ).all())
    rows = []
    for source in sorted(set(last_ok) | set(last_any) | set(records)):
        last = last_any.get(source)
        state = health_of(health, source)
        rows.append({
            "source": source, "last_good_sync": last_ok.get(source), "last_attempt": last.started_at if last else None,
            "last_status": last.status if last else "", "last_error": (last.error or "") if last else "",
            "source_as_of": (last.source_as_of if last and last.source_as_of else as_of.get(source)),
            "records": records.get(source, 0), "freshness": "fresh" if state.available else state.reason,
            "due": not state.available,
        })
    return rows


@dataclass
class DueSummary:
    verdicts_due: int
    verdicts_total: int
    practices_stale: int
    practices_not_recrawled: int
    sources_stale: list[str]
    seeds_active: int


def due_summary(session: Session, *, now: datetime | None = None, recrawl_days: int = 30) -> DueSummary:
    now = now or utcnow()
    ttl = timedelta(days=get_settings().verification_ttl_days)
    due = session.exec(
        select(func.count()).select_from(Verification)
        .where(or_(col(Verification.expires_at) <= now, col(Verification.checked_at) <= now - ttl))
    ).one()
    total = session.exec(select(func.count()).select_from(Verification)).one()
    stale = session.exec(select(func.count()).select_from(Practice).where(col(Practice.stale).is_(True))).one()
    old = session.exec(
        select(func.count()).select_from(Practice).where(
            or_(col(Practice.last_crawled).is_(None), col(Practice.last_crawled) <= now - timedelta(days=recrawl_days))
        )
    ).one()
    seeds = session.exec(select(func.count()).select_from(Seed).where(col(Seed.active).is_(True))).one()
    sources = [row["source"] for row in source_freshness(session, now=now) if row["due"]]
    return DueSummary(verdicts_due=due, verdicts_total=total, practices_stale=stale, practices_not_recrawled=old,
                      sources_stale=sources, seeds_active=seeds)


def crawl_runs_since(session: Session, *, since: datetime) -> list[dict[str, Any]]:
    """Crawl runs started at or after `since` (live progress of a crawl the admin started)."""
    runs = session.exec(select(CrawlRun).where(col(CrawlRun.started_at) >= since).order_by(CrawlRun.id)).all()
    return [
        {"id": r.id, "status": r.status, "pages": r.pages, "new": r.new, "changed": r.changed,
         "unchanged": r.unchanged, "gone": r.gone, "errors": dict(r.errors or {}), "message": r.message or ""}
        for r in runs
    ]


def syncs_since(session: Session, *, since: datetime) -> list[dict[str, Any]]:
    return [row for row in sync_history(session, limit=200) if row["started"] >= since]


def verifications_checked_since(session: Session, *, since: datetime) -> int:
    return session.exec(
        select(func.count()).select_from(Verification).where(col(Verification.checked_at) >= since)
    ).one()


def directory_counts(session: Session) -> dict[str, int]:
    def count(model) -> int:
        return session.exec(select(func.count()).select_from(model)).one()

    return {
        "practices": count(Practice), "clinicians": count(Clinician), "verdicts": count(Verification),
        "board records": count(LicenseRecord), "seeds": count(Seed), "crawl runs": count(CrawlRun),
    }
