"""Find care: practices serving a state in a mode, filtered, sorted and paged, one badge each."""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from directory.errors import KapdirError
from directory.models import (
    Clinician,
    CredentialClaim,
    Location,
    Offering,
    Practice,
    ServiceArea,
    Verification,
)
from directory.queries.geography import (
    Place,
    _require_mode,
    _require_state,
    find_place,
    haversine_miles,
    state_name,
    zip_point,
)
from directory.queries.labels import MODE_LABELS, SORT_OPTIONS, badge_of_counts
from directory.vocab import (
    PASSING_VERDICTS,
    Badge,
    Role,
    ServiceMode,
    Verdict,
    badge_for,
    verdict_label,
)

_BADGE_RANK = {Badge.VERIFIED: 0, Badge.WARNING: 1, Badge.UNVERIFIED: 2, Badge.PROBLEM: 3}
_PASSING = sorted(v.value for v in PASSING_VERDICTS)


_BADGE_CODES = {kind: sorted(code.value for code in Verdict if code.badge is kind) for kind in Badge}
_COUNTED = (Badge.VERIFIED, Badge.WARNING, Badge.PROBLEM)  # unverified: the rest, unknown codes included


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
    passing = [c for c in checks if badge_for(c.verdict) in {Badge.VERIFIED, Badge.WARNING}]
    problems = [c for c in checks if badge_for(c.verdict) is Badge.PROBLEM]
    people = len({c.clinician_id for c in checks})
    parts = [f"{len({c.clinician_id for c in passing})} of {people} clinicians checked may serve you {where}."]
    shown = passing[0] if passing else (problems[0] if problems else checks[0])
    parts.append(f"{names.get(shown.clinician_id, 'A clinician')}: {verdict_label(shown.verdict)}. {shown.basis}")
    if passing and problems:
        other = problems[0]
        parts.append(f"Also: {names.get(other.clinician_id, 'a clinician')}: {verdict_label(other.verdict)}.")
    return " ".join(parts)
