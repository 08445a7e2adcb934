"""Gathering: the database reads behind a clinician's verdicts (records by name, number and NPI; the exclusion
list; source health), turned into typed evidence for the pure decision (decision.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from directory.boards import registry
from directory.errors import KapdirError
from directory.models import Clinician, CredentialClaim, LicenseRecord
from directory.verification.claims import claimed_classes
from directory.verification.decision import ExclusionCheck
from directory.verification.evidence import Candidate, Evidence, Identity
from directory.verification.health import SourceHealth, health_of, is_fresh
from directory.verification.matching import (
    PLAUSIBLE,
    PersonName,
    full_name_match,
    name_score,
    numbers_match,
    person_from_clinician,
    person_from_record,
    records_by_name,
    records_by_npi,
    records_by_number,
    watch_keys,
)
from directory.verification.rules import Authority
from directory.vocab import LicenseClass, RecordKind

EXCLUSION_SOURCE = "oig_leie"
DEFAULT_EXCLUSION_REFRESH_DAYS = 35


def exclusion_refresh_days() -> int:
    """How old the exclusion list's data may be (sources.toml ``refresh_days``: the LEIE is republished monthly)."""
    try:
        return registry.get_source(EXCLUSION_SOURCE).refresh_days or DEFAULT_EXCLUSION_REFRESH_DAYS
    except KapdirError:
        return DEFAULT_EXCLUSION_REFRESH_DAYS


@dataclass
class ClinicianRecords:
    """What the database holds about one clinician, fetched once for all of their claims."""

    clinician: Clinician
    person: PersonName
    credentials: list[CredentialClaim]
    npis: frozenset[str] = frozenset()  # every NPI any source ties to the person (the site, the registry, boards)
    candidates: list[Candidate] = field(default_factory=list)
    exclusion: ExclusionCheck | None = None
    # What the verdicts depend on (inputs.py): every record read, and the look-up keys through which a new or
    # changed record would be read next time.
    read: dict[int, Any] = field(default_factory=dict)
    watch: set[str] = field(default_factory=set)
    scores: dict[int, float] = field(default_factory=dict)  # name scores computed on the way (record id -> score)


def _identity(person: PersonName, record, *, number: bool, npi: bool) -> Identity:
    if number:
        return Identity.LICENSE_NUMBER
    if npi:
        return Identity.NPI
    # A full name ties the record only with the same surname: one half of a hyphenated surname, or a middle name
    # read as a former surname, may as well be a namesake (Ana Jones is not always Ana Smith-Jones).
    named = person_from_record(record)
    same = full_name_match(person, named) and _same_surname(person, named)
    return Identity.FULL_NAME if same else Identity.NAME_ONLY


def _same_surname(a: PersonName, b: PersonName) -> bool:
    """The whole surname alike, hyphen or not ("Castellanos-Abbott" ~ WREN CASTELLANOS ABBOTT, read with a middle
    name; "Jose Luis Garcia Lopez" ~ GARCIA LOPEZ, JOSE LUIS, its first surname read as a second middle name)."""
    return a.family_key == b.family_key or a.family_key in b.surnames_with_middle or (
        b.family_key in a.surnames_with_middle)


class Gatherer:
    def __init__(self, session: Session, *, now: datetime, health: dict[str, SourceHealth],
                 authorities: tuple[Authority, ...]):
        self.session = session
        self.now = now
        self.health = health
        self.anywhere_kinds = frozenset(a.record_kind.value for a in authorities if a.evidence == "authority_anywhere")
        self._nlc_states = frozenset(
            state for a in authorities if a.evidence == "multistate_license" for state in a.members
        )
        leie = health_of(health, EXCLUSION_SOURCE)
        if leie.available and not is_fresh(leie.as_of, now=now, stale_days=exclusion_refresh_days()):
            leie = SourceHealth(EXCLUSION_SOURCE, False, f"{EXCLUSION_SOURCE}'s data is from "
                                f"{leie.as_of.strftime('%Y-%m-%d') if leie.as_of else 'an unknown date'}, older "
                                f"than its {exclusion_refresh_days()}-day refresh cadence", leie.as_of)
        self.exclusion_health = leie

    @cached_property
    def _exclusions(self) -> dict[str, list]:
        return self._index_by_family([RecordKind.EXCLUSION.value])

    @cached_property
    def _anywhere(self) -> dict[str, list]:
        # Read on first use: a --due run with nothing due never scans the national lists.
        return self._index_by_family(sorted(self.anywhere_kinds))

    def _index_by_family(self, kinds: list[str]) -> dict[str, list]:
        """National lists (exclusions, PSYPACT) are small: held in memory, keyed by family name."""
        index: dict[str, list] = defaultdict(list)
        if kinds:
            table = LicenseRecord.__table__
            query = select(table).where(table.c.kind.in_(kinds), table.c.removed_at.is_(None))
            for record in self.session.execute(query):
                for key in person_from_record(record).family_parts:
                    index[key].append(record)
        return index

    def records_for(self, clinician: Clinician, credentials: list[CredentialClaim],
                    states: set[str]) -> ClinicianRecords:
        person = person_from_clinician(clinician)
        info = ClinicianRecords(clinician, person, credentials)
        site_numbers = [(c.state, c.license_number) for c in credentials if c.license_number]
        search_states = set(states)
        if LicenseClass.REGISTERED_NURSE.value in claimed_classes(credentials):
            search_states |= self._nlc_states  # a multistate RN license sits in the home state's roster
        found = {r.id: r for r in records_by_name(self.session, person, search_states)}
        site_npi = clinician.npi or None
        # The NPI registry's records of the site's NPI list license numbers by state: they tie records too.
        npi_records = [r for r in records_by_npi(self.session, site_npi) if r.kind == RecordKind.NPI.value]
        npi_numbers = [(r.state, r.license_number) for r in npi_records if r.license_number]
        npi_numbers += [
            (item.get("state"), item.get("license"))
            for r in npi_records
            for item in (r.raw or {}).get("taxonomies", [])
            if isinstance(item, dict) and item.get("license")
        ]
        numbers = [n for _, n in site_numbers + npi_numbers]
        info.watch = watch_keys(person, search_states, list(found.values()), site_npi, numbers)
        for record in [*records_by_npi(self.session, site_npi), *records_by_number(self.session, numbers)]:
            found.setdefault(record.id, record)
        npis = {site_npi} if site_npi else set()
        # An NPI registry entry of the same full name in a state served joins the identity (for the exclusion
        # list), when it is the only one of that name.
        named = {r.npi for r in found.values() if r.kind == RecordKind.NPI.value and r.npi
                 and full_name_match(person, person_from_record(r))}
        if len(named) == 1:
            npis |= named
        for record in found.values():
            if record.kind in (RecordKind.NPI.value, RecordKind.EXCLUSION.value):
                continue
            score = info.scores[record.id] = name_score(person, person_from_record(record))
            number = any(numbers_match(n, record.license_number) and state in (None, record.state)
                         for state, n in site_numbers + npi_numbers)
            npi = bool(site_npi and record.npi == site_npi)
            if score >= PLAUSIBLE or ((number or npi) and score >= 0.5):
                info.candidates.append(Candidate(Evidence.of(record), score,
                                                 _identity(person, record, number=number, npi=npi)))
        for key in person.query_keys():
            for record in self._anywhere.get(key, []):
                if record.id not in found:
                    found[record.id] = record
                    score = info.scores[record.id] = name_score(person, person_from_record(record))
                    if score >= PLAUSIBLE:
                        npi = bool(site_npi and record.npi == site_npi)
                        info.candidates.append(Candidate(Evidence.of(record), score,
                                                         _identity(person, record, number=False, npi=npi)))
        # A board record firmly tied to the person lends its NPI to the identity as well.
        npis |= {c.evidence.npi for c in info.candidates if c.evidence.npi and c.identity.strong}
        info.npis = frozenset(npis)
        places = set(states) | {c.evidence.state for c in info.candidates if c.evidence.state}
        info.exclusion = self.exclusion_for(person, info.npis, places)
        info.read = found
        for key in person.query_keys() | person.family_parts:
            info.watch.add(f"family:{key}")  # the national lists, looked up by family name
            for record in self._exclusions.get(key, []):
                info.read.setdefault(record.id, record)
        return info

    def exclusion_for(self, person: PersonName, npis: frozenset[str], states: set[str]) -> ExclusionCheck:
        """Tied by NPI: excluded. The same full name (or a close name where the person works), with no NPI on
        both sides to tell them apart: a possible exclusion that caps any pass. A different NPI: another person."""
        excluded: Candidate | None = None
        possible: Candidate | None = None
        for key in person.family_parts:
            for record in self._exclusions.get(key, []):
                entry = person_from_record(record)
                score = name_score(person, entry)
                if record.npi and npis:
                    if record.npi in npis and score >= 0.5:
                        candidate = Candidate(Evidence.of(record), score, Identity.NPI)
                        if excluded is None or candidate.confidence > excluded.confidence:
                            excluded = candidate
                    continue  # both sides have NPIs: they decide
                located = bool({record.state, record.address_state} & (states - {None}))
                if full_name_match(person, entry) or (score >= 0.9 and located):
                    identity = Identity.FULL_NAME if full_name_match(person, entry) else Identity.NAME_ONLY
                    candidate = Candidate(Evidence.of(record), score, identity)
                    if possible is None or candidate.confidence > possible.confidence:
                        possible = candidate
        return ExclusionCheck(checked=self.exclusion_health.available, health=self.exclusion_health,
                              excluded=excluded, possible=possible)
