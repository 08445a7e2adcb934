"""Writing one crawled site into the directory.

``store_site`` takes every page record of one site from one crawl and:
- upserts its ``SourcePage`` rows (pages that vanished get ``gone_at``; pages that failed keep their facts, stale),
- merges the facts of every live page (fresh facts for pages that changed, stored facts for pages that did not),
- upserts the practice, its clinicians and their credential claims, service areas, locations and offerings,
- keeps the evidence trail (``Fact`` rows) per crawl run: new facts are added with the run that found them,
  facts the site no longer states get ``superseded_at`` (never deleted),
- records plain-English ``Change`` rows against the last crawl.

Credential claims and service areas the site no longer states (or states differently) are copied as they were
into ``RetiredClaim`` with the crawl run and time before the current row goes or changes, so the evidence behind
any past verdict can still be read.

A site that could not be reached keeps its last good facts and is marked stale. Nothing is ever wiped because a
crawl failed, and a re-crawl of the same web writes no duplicate rows.
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from typing import Any

import us
import zipcodes
from sqlalchemy import bindparam, delete, func, insert, update
from sqlmodel import Session, select

from directory.extraction.types import (
    AddressFact,
    CityFact,
    ClinicianFact,
    CredentialFact,
    Evidence,
    PageFacts,
    PriceFact,
    SiteFacts,
    StateFact,
)
from directory.models import (
    Change,
    Clinician,
    CrawlRun,
    CredentialClaim,
    Fact,
    Location,
    Offering,
    Practice,
    RetiredClaim,
    ServiceArea,
    SourcePage,
)
from directory.names import parse_name, person_key
from directory.timeutil import utcnow
from directory.vocab import (
    ROUTE_LABELS,
    SETTING_LABELS,
    CredentialKind,
    FetchOutcome,
    LicenseClass,
    Role,
    Route,
    Setting,
)

SNIPPET_MAX = 500
TEXT_MAX = 4000
STATE_CODES = frozenset(s.abbr for s in us.states.STATES_AND_TERRITORIES) | {"DC"}
# Outbound links that tell a patient how to book (kept on the practice, never crawled); word starts only,
# so "facebook" is not a booking link.
BOOKING_LINK = re.compile(
    r"\b(book|schedul|appointment|janeapp|simplepractice|calendly|intakeq|zocdoc|acuityscheduling|therapyportal"
    r"|headway)",
    re.IGNORECASE,
)


@dataclass
class PageRecord:
    """One requested URL of a site in one crawl, as the crawler saw it (validated values only)."""

    url: str
    site_key: str
    outcome: str  # directory.vocab.FetchOutcome
    status: int | None = None
    final_url: str | None = None
    content_type: str | None = None
    fetched_at: datetime = field(default_factory=utcnow)
    content_hash: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    facts: PageFacts | None = None  # None when unchanged (304 or same hash), failed, or not a document
    unchanged: bool = False
    outbound: list[str] = field(default_factory=list)  # off-site links of interest (booking, partner)

    @property
    def reached(self) -> bool:
        """The site answered this request with a usable document (or 'not modified')."""
        return self.outcome in (FetchOutcome.OK, FetchOutcome.NOT_MODIFIED, FetchOutcome.NON_HTML)

    @property
    def missing(self) -> bool:
        """The page is gone: 404, 410, or robots.txt now asks us not to read it."""
        return self.status in (404, 410) or self.outcome == FetchOutcome.ROBOTS_DISALLOWED


@dataclass
class SiteResult:
    practice_id: int | None
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    stale: bool = False
    changes: list[str] = field(default_factory=list)


# --- (de)serialising page facts -----------------------------------------------------------------


@lru_cache(maxsize=64)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _plain(value: Any) -> Any:
    """Like ``dataclasses.asdict`` (a few times faster: no deep copies of the leaves, which are plain values)."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "")  # PostgreSQL stores no NUL in text or JSON (a text/PDF page may have one)
    return value


def page_facts_to_dict(facts: PageFacts) -> dict[str, Any]:
    return _plain(facts)


def _build(cls: type, data: dict[str, Any]) -> Any:
    names = _field_names(cls)
    return cls(**{k: v for k, v in data.items() if k in names})


def page_facts_from_dict(data: dict[str, Any]) -> PageFacts:
    """Rebuild stored page facts; unknown keys (from an older or newer extractor) are ignored."""
    facts = _build(PageFacts, data)
    facts.clinicians = [
        _build(ClinicianFact, {**c, "credentials": [_build(CredentialFact, k) for k in c.get("credentials", [])]})
        for c in data.get("clinicians", [])
    ]
    facts.states = [_build(StateFact, s) for s in data.get("states", [])]
    facts.cities = [_build(CityFact, c) for c in data.get("cities", [])]
    facts.addresses = [_build(AddressFact, a) for a in data.get("addresses", [])]
    facts.prices = [_build(PriceFact, p) for p in data.get("prices", [])]
    facts.evidence = [_build(Evidence, e) for e in data.get("evidence", [])]
    return facts


# --- validation helpers -------------------------------------------------------------------------


def _clean(text: Any, limit: int = 300) -> str | None:
    if not isinstance(text, str):
        return None
    text = " ".join(text.replace("\x00", "").split())  # no NUL: PostgreSQL refuses it in text
    return text[:limit] or None


def _state(code: Any) -> str | None:
    if not isinstance(code, str):
        return None
    code = code.strip().upper()
    return code if code in STATE_CODES else None


def _enum(enum: type, value: Any, default: Any = None) -> Any:
    try:
        return enum(value).value
    except ValueError:
        return default


def state_name(code: str) -> str:
    found = us.states.lookup(code)
    return found.name if found else code


clinician_key = person_key  # a clinician's key within a practice is the one person key (directory.names)


@lru_cache(maxsize=1)
def _city_index() -> dict[tuple[str, str], tuple[float, float]]:
    index: dict[tuple[str, str], tuple[float, float]] = {}
    for entry in zipcodes.list_all():
        key = (entry["city"].upper(), entry["state"])
        if key not in index and entry["lat"] and entry["long"]:
            index[key] = (float(entry["lat"]), float(entry["long"]))
    return index


@lru_cache(maxsize=1)
def _zip_index() -> dict[str, tuple[float, float] | None]:
    """ZIP -> its centroid (None without one): what ``zipcodes.matching(zip)[0]`` gives, without a scan of the
    42,000 ZIPs for every address (0.35 ms each)."""
    index: dict[str, tuple[float, float] | None] = {}
    for entry in zipcodes.list_all():
        if entry["zip_code"] not in index:
            index[entry["zip_code"]] = (float(entry["lat"]), float(entry["long"])) if entry["lat"] else None
    return index


def geocode(city: str | None, state: str | None, zip_code: str | None) -> tuple[float | None, float | None]:
    """Offline: the ZIP's centroid, else the first ZIP of the city in that state, else nothing."""
    if zip_code and isinstance(zip_code, str) and (centroid := _zip_index().get(zip_code[:5])) is not None:
        return centroid
    if city and state:
        return _city_index().get((city.upper(), state), (None, None))
    return None, None


def _evidence_for(facts: PageFacts, field_names: Iterable[str], value: Any) -> Evidence | None:
    """The first evidence item of these fields that mentions the value (best effort, for provenance)."""
    wanted = str(value).lower()
    for item in facts.evidence:
        if item.field not in field_names:
            continue
        candidates = item.value if isinstance(item.value, list | tuple) else [item.value]
        for candidate in candidates:
            if isinstance(candidate, dict):
                candidate = candidate.get("state") or candidate.get("name") or candidate.get("value")
            if candidate is not None and str(candidate).lower() == wanted:
                return item
    return None


# --- the entry point ----------------------------------------------------------------------------


def store_site(
    session: Session,
    *,
    site_key: str,
    site_url: str,
    pages: list[PageRecord],
    crawl_run_id: int | None,
    merge: Callable[[list[PageFacts]], SiteFacts] | None = None,
) -> SiteResult:
    """Write one site's crawl into the database (the caller commits)."""
    if merge is None:
        from directory.extraction import merge_site as merge
    with session.no_autoflush:  # one flush where ids are needed, not one before every query
        return _store_site(session, site_key, site_url, pages, crawl_run_id, merge)


def _store_site(session, site_key, site_url, pages, crawl_run_id, merge) -> SiteResult:
    now = utcnow()
    practice = session.exec(select(Practice).where(Practice.key == site_key)).first()
    if not any(page.reached for page in pages):
        return _mark_down(session, practice, pages, crawl_run_id, now)

    first_crawl = practice is None
    if practice is None:
        practice = Practice.model_validate({"key": site_key, "website": site_url, "first_seen": now})
        session.add(practice)
        session.flush()
    result = SiteResult(practice_id=practice.id)
    known = {page.url: page for page in session.exec(select(SourcePage).where(SourcePage.practice_id == practice.id))}
    _update_pages(session, practice, known, pages, crawl_run_id, now, result)

    if practice.stale:
        result.changes.append("Site reachable again")
    site_changed = first_crawl or result.new or result.changed or result.gone
    if site_changed:
        # Home page first, then by URL: the merge prefers earlier pages (first partner, first evidence), and the
        # order in which pages finished fetching must not decide what the directory says.
        live = sorted((page for page in known.values() if page.gone_at is None and page.facts),
                      key=lambda page: (len(page.url), page.url))
        facts = merge([page_facts_from_dict(page.facts) for page in live])
        fetched = {page.url: page for page in live}
        fetched.update({page.final_url: page for page in live if page.final_url})
        outbound = [link for record in pages for link in record.outbound]
        _apply_facts(session, practice, facts, fetched, outbound, now, result, crawl_run_id)
    practice.stale = False
    practice.gone_at = None
    practice.last_seen = now
    practice.last_crawled = now
    session.add(practice)
    if first_crawl:
        result.changes = ["First crawled"]
    _record_changes(session, practice.id, crawl_run_id, result.changes, now)
    return result


def _mark_down(
    session: Session, practice: Practice | None, pages: list[PageRecord], crawl_run_id: int | None, now: datetime
) -> SiteResult:
    """Nothing answered: keep the last good facts, mark them stale (a site never seen stays unknown)."""
    if practice is None:
        return SiteResult(practice_id=None, stale=True)
    result = SiteResult(practice_id=practice.id, stale=True)
    reason = next((page.error or page.outcome for page in pages if page.error or page.outcome), "no answer")
    if not practice.stale:
        since = practice.last_crawled.date().isoformat() if practice.last_crawled else "the last crawl"
        result.changes.append(f"Site unreachable ({_clean(reason, 120)}); showing facts from {since}")
    practice.stale = True
    session.add(practice)
    errors = {page.url: page for page in pages}
    for source_page in session.exec(select(SourcePage).where(SourcePage.practice_id == practice.id)):
        source_page.stale = True
        record = errors.get(source_page.url)
        if record is not None:
            source_page.error = _clean(record.error or record.outcome, 500)
            source_page.crawl_run_id = crawl_run_id
        session.add(source_page)
    _record_changes(session, practice.id, crawl_run_id, result.changes, now)
    return result


def _update_pages(
    session: Session,
    practice: Practice,
    known: dict[str, SourcePage],
    pages: list[PageRecord],
    crawl_run_id: int | None,
    now: datetime,
    result: SiteResult,
) -> None:
    requested = set()
    unknown = [record.url for record in pages if record.url not in known and record.reached]
    # A URL may be stored under another practice (a site that moved): adopt it rather than duplicate it.
    elsewhere = {page.url: page for page in session.exec(select(SourcePage).where(SourcePage.url.in_(unknown)))}
    for record in pages:
        requested.add(record.url)
        page = known.get(record.url)
        if page is None and record.reached:
            page = elsewhere.get(record.url)
            if page is None:
                page = SourcePage.model_validate({"url": record.url, "practice_id": practice.id, "first_seen": now})
            page.practice_id = practice.id
            page.gone_at = None
            known[record.url] = page
            result.new += 1
        elif page is None:
            continue  # a URL that never worked: the fetch log has it, the directory does not need it
        elif record.reached:
            if page.gone_at is not None:
                result.new += 1
            elif record.unchanged:
                result.unchanged += 1
            else:
                result.changed += 1
        if record.reached:
            page.gone_at = None
            page.stale = False
            page.error = _clean(record.error, 500)  # e.g. a wrong charset, an extraction failure
            page.last_seen = now
            page.fetched_at = record.fetched_at
            page.final_url = record.final_url
            if record.outcome != FetchOutcome.NOT_MODIFIED:
                page.status = record.status
                page.content_type = _clean(record.content_type, 200)
            page.content_hash = record.content_hash or page.content_hash
            page.etag = _clean(record.etag, 300) or page.etag
            page.last_modified = _clean(record.last_modified, 100) or page.last_modified
            if record.facts is not None:
                page.facts = page_facts_to_dict(record.facts)
            elif not record.unchanged:
                page.facts = None  # a document with no facts (an image, an empty page)
        elif record.missing:
            if page.gone_at is None:
                page.gone_at = now
                result.gone += 1
            page.status = record.status
            page.error = _clean(record.error, 500)
        else:  # a transient failure: keep what the page said last time
            page.stale = True
            page.status = record.status
            page.error = _clean(record.error or record.outcome, 500)
        page.crawl_run_id = crawl_run_id
        session.add(page)
    for url, page in known.items():
        if url not in requested and page.gone_at is None:
            page.gone_at = now  # no longer linked from the site
            page.crawl_run_id = crawl_run_id
            session.add(page)
            result.gone += 1
    session.flush()


def _record_changes(
    session: Session, practice_id: int | None, crawl_run_id: int | None, changes: list[str], now: datetime
) -> None:
    for description in changes:
        session.add(
            Change.model_validate(
                {"practice_id": practice_id, "crawl_run_id": crawl_run_id, "at": now, "description": description}
            )
        )


# --- applying merged facts ----------------------------------------------------------------------


def _apply_facts(
    session: Session,
    practice: Practice,
    facts: SiteFacts,
    pages: dict[str, SourcePage],
    outbound: list[str],
    now: datetime,
    result: SiteResult,
    crawl_run_id: int | None = None,
) -> None:
    def fetched_at(url: str | None) -> datetime:
        page = pages.get(url or "")
        return page.fetched_at if page else now

    practice.name = _clean(facts.practice_name, 200) or practice.name
    practice.therapy_included = facts.therapy_included if isinstance(facts.therapy_included, bool) else None
    practice.group_or_retreat = facts.group_or_retreat if isinstance(facts.group_or_retreat, bool) else None
    practice.medical_partner = _clean(facts.medical_partner, 200)
    practice.insurance = _clean(facts.insurance, 100)
    practice.phones = sorted({p for p in (_clean(x, 40) for x in facts.phones) if p})
    practice.emails = sorted({e for e in (_clean(x, 200) for x in facts.emails) if e and "@" in e})
    links = {link for link in [*facts.links, *outbound] if isinstance(link, str) and link.startswith("http")}
    practice.booking_urls = sorted(link for link in links if BOOKING_LINK.search(link))[:20]
    practice.discrepancies = [d for d in (_clean(x, 500) for x in facts.discrepancies) if d]

    retire = _Retirer(session, practice.id, crawl_run_id, now)
    clinician_ids = _apply_clinicians(session, practice, facts, fetched_at, now, result, retire)
    _apply_service_areas(session, practice, facts, fetched_at, result, retire)
    _apply_locations(session, practice, facts, fetched_at, result)
    _apply_offerings(session, practice, facts, fetched_at, result)
    _apply_evidence(session, practice, facts, pages, clinician_ids, fetched_at, crawl_run_id, now)


@dataclass
class _Retirer:
    """Copies a claim row, as it was, into ``RetiredClaim`` before it is deleted (gone) or overwritten (changed)."""

    session: Session
    practice_id: int
    crawl_run_id: int | None
    now: datetime

    def __call__(self, row: CredentialClaim | ServiceArea, reason: str, clinician_id: int | None = None) -> None:
        self.session.add(RetiredClaim.model_validate({
            "practice_id": self.practice_id, "clinician_id": clinician_id, "table_name": row.__tablename__,
            "data": _json_safe(row.model_dump()), "retired_at": self.now, "crawl_run_id": self.crawl_run_id,
            "reason": reason,
        }))

    def if_changed(self, row: CredentialClaim | ServiceArea, new: dict[str, Any],
                   clinician_id: int | None = None) -> None:
        if row.id is not None and any(getattr(row, key) != value for key, value in new.items()):
            self(row, "changed", clinician_id)


def _apply_clinicians(session, practice, facts, fetched_at, now, result, retire) -> dict[str, int]:
    existing = {c.key: c for c in session.exec(select(Clinician).where(Clinician.practice_id == practice.id))}
    wanted: dict[str, ClinicianFact] = {}
    for person in facts.clinicians:
        name = _clean(person.name, 200)
        if name and (key := clinician_key(name)):
            wanted.setdefault(key, person)
    claims: dict[int, list[CredentialClaim]] = {}
    if existing:
        query = select(CredentialClaim).where(CredentialClaim.clinician_id.in_([c.id for c in existing.values()]))
        for claim in session.exec(query):
            claims.setdefault(claim.clinician_id, []).append(claim)
    ids = {}
    for key, person in wanted.items():
        name = _clean(person.name, 200)
        parsed = parse_name(name)
        clinician = existing.get(key)
        if clinician is None:
            clinician = Clinician.model_validate(
                {"practice_id": practice.id, "key": key, "name": name, "first_seen": now}
            )
            result.changes.append(f"{name} added")
        elif clinician.gone_at is not None:
            result.changes.append(f"{name} listed again")
        clinician.name = name
        clinician.given_name = parsed.given or None
        clinician.middle_name = parsed.middle or None
        clinician.family_name = parsed.family or None
        clinician.suffix = parsed.suffix or None
        clinician.role = _enum(Role, person.role, Role.OTHER.value)
        clinician.npi = person.npi if isinstance(person.npi, str) and person.npi.isdigit() else None
        clinician.bio = _clean(person.bio, TEXT_MAX)
        clinician.last_seen = now
        clinician.gone_at = None
        session.add(clinician)
        if clinician.id is None:
            session.flush()
        ids[key] = clinician.id
        _apply_claims(session, clinician, claims.get(clinician.id, []), person, facts, fetched_at, result, retire)
    for key, clinician in existing.items():
        if key not in wanted and clinician.gone_at is None:
            clinician.gone_at = now
            session.add(clinician)
            result.changes.append(f"{clinician.name} no longer listed")
    return ids


def _apply_claims(session, clinician, stored: list[CredentialClaim], person: ClinicianFact, facts, fetched_at,
                  result, retire) -> None:
    existing = {(c.code, c.state): c for c in stored}
    wanted: dict[tuple[str, str | None], CredentialFact] = {}
    for credential in person.credentials:
        code = _clean(credential.code, 40)
        if code:
            wanted.setdefault((code, _state(credential.state)), credential)
    evidence = _evidence_for(facts, ("clinicians", "credentials"), person.name)
    for (code, state), credential in wanted.items():
        claim = existing.get((code, state))
        if claim is None:
            claim = CredentialClaim.model_validate({"clinician_id": clinician.id, "code": code, "kind": "other"})
            result.changes.append(f"{code} added for {clinician.name}")
        source_url = person.url or (evidence.url if evidence else None)
        new = {
            "state": state,
            "kind": _enum(CredentialKind, credential.kind, CredentialKind.TRAINING.value),
            "license_class": _enum(LicenseClass, credential.license_class),
            "license_number": _clean(credential.license_number, 40),
            "source_url": source_url,
            "snippet": _clean(evidence.snippet, SNIPPET_MAX) if evidence else None,
        }
        retire.if_changed(claim, new, clinician.id)
        for column, value in new.items():
            setattr(claim, column, value)
        claim.fetched_at = fetched_at(claim.source_url)
        session.add(claim)
    for key, claim in existing.items():
        if key not in wanted:
            result.changes.append(f"{claim.code} no longer listed for {clinician.name}")
            retire(claim, "gone", clinician.id)
            session.delete(claim)


def _mode_text(in_person: bool | None, virtual: bool | None) -> str:
    modes = [m for m, on in (("in person", in_person), ("virtual", virtual)) if on]
    return f" ({', '.join(modes)})" if modes else ""


def _apply_service_areas(session, practice, facts, fetched_at, result, retire) -> None:
    existing = {a.state: a for a in session.exec(select(ServiceArea).where(ServiceArea.practice_id == practice.id))}
    wanted: dict[str, StateFact] = {}
    for fact in facts.states:
        if state := _state(fact.state):
            wanted.setdefault(state, fact)
    for state, fact in wanted.items():
        in_person = fact.in_person if isinstance(fact.in_person, bool) else None
        virtual = fact.virtual if isinstance(fact.virtual, bool) else None
        area = existing.get(state)
        if area is None:
            area = ServiceArea.model_validate({"practice_id": practice.id, "state": state})
            result.changes.append(f"{state_name(state)}{_mode_text(in_person, virtual)} now listed")
        else:
            for label, old, new in (("in person", area.in_person, in_person), ("virtual", area.virtual, virtual)):
                if old is True and new is not True:
                    result.changes.append(f"{state_name(state)} ({label}) no longer listed")
                elif old is not True and new is True:
                    result.changes.append(f"{state_name(state)} ({label}) now listed")
        evidence = _evidence_for(facts, ("states", "state"), state)
        new = {"in_person": in_person, "virtual": virtual, "source_url": evidence.url if evidence else None,
               "snippet": _clean(evidence.snippet, SNIPPET_MAX) if evidence else None}
        retire.if_changed(area, new)
        for column, value in new.items():
            setattr(area, column, value)
        area.fetched_at = fetched_at(area.source_url)
        session.add(area)
    for state, area in existing.items():
        if state not in wanted:
            result.changes.append(f"{state_name(state)}{_mode_text(area.in_person, area.virtual)} no longer listed")
            retire(area, "gone")
            session.delete(area)


def _apply_locations(session, practice, facts, fetched_at, result) -> None:
    """Offices (street addresses) and served cities, geocoded offline; replaced as a set."""
    wanted: dict[tuple, dict[str, Any]] = {}
    for address in facts.addresses:
        state = _state(address.state)
        city = _clean(address.city, 100)
        zip_code = _clean(address.zip, 10)
        key = ((_clean(address.street, 200) or "").lower(), (city or "").lower(), state)
        wanted.setdefault(key, {"address": _clean(address.street, 200), "city": city, "state": state, "zip": zip_code})
    covered = {(row["city"] or "").lower() for row in wanted.values()}
    for city_fact in facts.cities:
        city = _clean(city_fact.city, 100)
        if city and city.lower() not in covered:
            covered.add(city.lower())
            wanted[("", city.lower(), _state(city_fact.state))] = {
                "address": None, "city": city, "state": _state(city_fact.state), "zip": None,
            }
    existing = list(session.exec(select(Location).where(Location.practice_id == practice.id)))
    old = {((loc.address or "").lower(), (loc.city or "").lower(), loc.state) for loc in existing}
    if old == set(wanted):
        return
    for key in set(wanted) - old:
        row = wanted[key]
        result.changes.append(f"Location {row['address'] or row['city']}, {row['state'] or '?'} added")
    for key in old - set(wanted):
        result.changes.append(f"Location {key[0] or key[1]} no longer listed")
    session.execute(delete(Location).where(Location.practice_id == practice.id))
    for row in wanted.values():
        lat, lon = geocode(row["city"], row["state"], row["zip"])
        evidence = _evidence_for(facts, ("addresses", "cities", "locations"), row["city"])
        source_url = evidence.url if evidence else None
        session.add(
            Location.model_validate(
                {**row, "practice_id": practice.id, "lat": lat, "lon": lon, "source_url": source_url,
                 "fetched_at": fetched_at(source_url)}
            )
        )


def _offer_rows(facts: SiteFacts) -> dict[tuple[str, str], dict[str, Any]]:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for route in facts.routes:
        if value := _enum(Route, route):
            rows[("route", value)] = {"evidence": ("routes", route)}
    for setting in facts.settings:
        if value := _enum(Setting, setting):
            rows[("setting", value)] = {"evidence": ("settings", setting)}
    for price in facts.prices:
        if isinstance(price.amount_usd, int | float) and 0 < price.amount_usd < 100_000:
            unit = _clean(price.unit, 40)
            value = f"{price.amount_usd:g} USD" + (f" per {unit}" if unit else "")
            rows[("price", value)] = {"amount_usd": float(price.amount_usd), "unit": unit,
                                      "snippet": _clean(price.snippet, SNIPPET_MAX),
                                      "evidence": ("prices_usd", price.amount_usd)}
    if partner := _clean(facts.medical_partner, 200):
        rows[("partner", partner)] = {"evidence": ("medical_partner", facts.medical_partner)}
    return rows


def _offer_words(kind: str, value: str) -> str:
    """A change record in words ("Route IV infusion"), never a code: the provider page shows these."""
    return f"{kind.capitalize()} {({'route': ROUTE_LABELS, 'setting': SETTING_LABELS}.get(kind, {})).get(value, value)}"


def _apply_offerings(session, practice, facts, fetched_at, result) -> None:
    existing = {(o.kind, o.value): o for o in session.exec(select(Offering).where(Offering.practice_id == practice.id))}
    wanted = _offer_rows(facts)
    for (kind, value), extra in wanted.items():
        evidence_field, evidence_value = extra.pop("evidence")
        evidence = _evidence_for(facts, (evidence_field,), evidence_value)
        offering = existing.get((kind, value))
        if offering is None:
            offering = Offering.model_validate({"practice_id": practice.id, "kind": kind, "value": value})
            result.changes.append(f"{_offer_words(kind, value)} now listed")
        offering.amount_usd = extra.get("amount_usd")
        offering.unit = extra.get("unit")
        offering.source_url = evidence.url if evidence else None
        offering.snippet = extra.get("snippet") or (_clean(evidence.snippet, SNIPPET_MAX) if evidence else None)
        offering.fetched_at = fetched_at(offering.source_url)
        session.add(offering)
    for key, offering in existing.items():
        if key not in wanted:
            result.changes.append(f"{_offer_words(offering.kind, offering.value)} no longer listed")
            session.delete(offering)


def _fact_identity(field_name, value, snippet, url, clinician_id) -> tuple:
    # A plain string (most facts: names, credentials, towns) is its own key, tagged so that it never equals a
    # JSON text; other values by their canonical JSON (json.dumps was a sixth of storing a site).
    key = ("str", value) if isinstance(value, str) else json.dumps(_canonical(value), sort_keys=True)
    return field_name, key, snippet, url, clinician_id


def _canonical(value: Any) -> Any:
    """A stored JSON value as the extractor would give it: 1800.0 and 1800 are one price (databases return JSON
    numbers either way), so a fact still stated is not superseded and added again on every re-crawl."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def _apply_evidence(session, practice, facts, pages, clinician_ids, fetched_at, crawl_run_id=None, now=None) -> None:
    """The evidence trail, kept per crawl run: facts already current stay (their ``fetched_at`` moves to the
    latest read), new ones are added with this crawl run, and current ones the site no longer states are
    marked ``superseded_at`` (never deleted).

    The largest table by far, so rows go in as one executemany of cleaned values (the same values
    ``Fact.model_validate`` would get); a fact a page repeats is kept once.
    """
    now = now or utcnow()
    table = Fact.__table__
    current = {
        _fact_identity(row.field, row.value, row.snippet, row.source_url, row.clinician_id): (row.id, row.fetched_at)
        for row in session.execute(
            select(table.c.id, table.c.field, table.c.value, table.c.snippet, table.c.source_url,
                   table.c.clinician_id, table.c.fetched_at)
            .where(table.c.practice_id == practice.id, table.c.superseded_at.is_(None)))
    }
    rows, seen, refetched = [], set(), []
    for item in facts.evidence:
        field_name = _clean(item.field, 60)
        value = _json_safe(item.value)
        snippet = _clean(item.snippet, SNIPPET_MAX)
        source_url = _clean(item.url, 2000)
        clinician_id = None
        if item.field in ("clinicians", "clinician") and isinstance(item.value, str):
            clinician_id = clinician_ids.get(clinician_key(item.value))
        identity = _fact_identity(field_name, value, snippet, source_url, clinician_id)
        if not field_name or identity in seen:
            continue
        seen.add(identity)
        if identity in current:
            # Still stated: the row (and the crawl run that first found it) stays; it was last read now.
            row_id, stored_at = current[identity]
            if fetched_at(item.url) != stored_at:
                refetched.append({"row_id": row_id, "fetched_at": fetched_at(item.url)})
            continue
        page = pages.get(item.url or "")
        rows.append(
            {"practice_id": practice.id, "clinician_id": clinician_id, "source_page_id": page.id if page else None,
             "field": field_name, "value": value, "snippet": snippet, "source_url": source_url,
             "fetched_at": fetched_at(item.url), "crawl_run_id": crawl_run_id}
        )
    if refetched:
        session.execute(update(table).where(table.c.id == bindparam("row_id")), refetched)
    gone = [row_id for identity, (row_id, _at) in current.items() if identity not in seen]
    for start in range(0, len(gone), 500):
        session.execute(update(table).where(table.c.id.in_(gone[start:start + 500])).values(superseded_at=now))
    if rows:
        session.execute(insert(Fact), rows)


def _json_safe(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")  # PostgreSQL's JSON has no NUL
    if value is None or isinstance(value, int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return _json_safe(asdict(value))
    return str(value)


# --- crawl-run bookkeeping ----------------------------------------------------------------------


def add_run_counts(session: Session, crawl_run_id: int, result: SiteResult) -> None:
    """Atomic increments, so several worker processes can share one crawl run."""
    session.execute(
        update(CrawlRun)
        .where(CrawlRun.id == crawl_run_id)
        .execution_options(synchronize_session=False)
        .values(
            new=CrawlRun.new + result.new,
            changed=CrawlRun.changed + result.changed,
            unchanged=CrawlRun.unchanged + result.unchanged,
            gone=CrawlRun.gone + result.gone,
        )
    )


def practices_in_run(session: Session, crawl_run: CrawlRun) -> int:
    """Practices this run reached (a site that was down is stale, not counted)."""
    return session.exec(
        select(func.count(Practice.id)).where(Practice.last_crawled >= crawl_run.started_at, Practice.stale.is_(False))
    ).one()
