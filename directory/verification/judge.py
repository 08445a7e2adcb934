"""One verdict for one claim, from the records matched to one clinician (pure reading of the database).

Order of reasoning: an exclusion overrides everything; two plausible people make it ambiguous; then every
basis that could authorise the claim (a license in the state, then the interstate authorities of
compacts.toml) yields a finding; the best passing finding wins only if its evidence is fresh; otherwise the
most telling failure; otherwise no record: not checkable (no source), source unavailable, or not found.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import us
from sqlalchemy import select
from sqlmodel import Session

from directory.models import Clinician, CredentialClaim, LicenseRecord, Verification
from directory.verification.claims import CREDENTIAL, PRESCRIBING, Claim, claimed_classes, is_prescriber
from directory.verification.coverage import Coverage, manual_checks_for
from directory.verification.health import SourceHealth, health_of, record_is_fresh, source_health
from directory.verification.matching import (
    PLAUSIBLE,
    PersonName,
    name_score,
    normalise_number,
    numbers_match,
    person_from_clinician,
    person_from_record,
    records_by_name,
    records_by_npi,
    records_by_number,
)
from directory.verification.rules import Authority, authorities
from directory.vocab import (
    PRESCRIBING_CLASSES,
    LicenseClass,
    LicenseStatus,
    RecordKind,
    ServiceMode,
    Verdict,
)

VERDICT_ORDER = {verdict.value: rank for rank, verdict in enumerate(Verdict)}
_NOT_A_LICENSE_CLASS = {LicenseClass.OTHER.value}
CLASS_WORDS = {
    LicenseClass.PROFESSIONAL_COUNSELOR.value: "professional counselor (LPC/LCPC/LMHC)",
    LicenseClass.CLINICAL_SOCIAL_WORKER.value: "clinical social worker",
    LicenseClass.SOCIAL_WORKER.value: "social worker (non-clinical)",
    LicenseClass.MARRIAGE_FAMILY_THERAPIST.value: "marriage and family therapist",
    LicenseClass.PSYCHOLOGIST.value: "psychologist",
    LicenseClass.PHYSICIAN.value: "physician",
    LicenseClass.NURSE_PRACTITIONER.value: "nurse practitioner",
    LicenseClass.PHYSICIAN_ASSISTANT.value: "physician assistant",
    LicenseClass.REGISTERED_NURSE.value: "registered nurse",
    LicenseClass.OTHER.value: "other (associate, intern or non-clinical)",
}


def state_name(code: str | None) -> str:
    found = us.states.lookup(code) if code else None
    return found.name if found is not None else (code or "?")


def class_words(classes) -> str:
    names = sorted(CLASS_WORDS.get(c, c.replace("_", " ")) for c in classes)
    return " or ".join(names) if names else "any"


def _day(value: date | datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d") if value else None


@dataclass
class Candidate:
    record: LicenseRecord
    score: float  # name score
    number_match: bool = False  # the site's or the NPI registry's license number equals the record's
    npi_match: bool = False

    @property
    def confidence(self) -> float:
        boost = 0.98 if (self.number_match or self.npi_match) else 0.0
        return round(max(self.score, boost), 3)

    @property
    def identity(self) -> str:
        """Records of one person and one license share an identity (two sources may publish one license)."""
        number = normalise_number(self.record.license_number)
        return f"{self.record.kind}:{self.record.state}:{number}" if number else f"id:{self.record.id}"


@dataclass
class Finding:
    verdict: str
    basis: str
    confidence: float | None
    record: LicenseRecord | None = None


@dataclass
class Outcome:
    verdict: str
    basis: str
    confidence: float | None
    record_id: int | None = None
    evidence: dict[str, Any] | None = None
    source_as_of: datetime | None = None


@dataclass
class ClinicianRecords:
    """What the database holds about one clinician, fetched once for all of their claims."""

    clinician: Clinician
    person: PersonName
    classes: frozenset[str]
    prescriber: bool
    candidates: list[Candidate] = field(default_factory=list)
    exclusion: Candidate | None = None


def evidence_of(record: LicenseRecord) -> dict[str, Any]:
    return {
        "source": record.source,
        "record_id": record.record_key,
        "license_number": record.license_number,
        "raw_status": record.status_raw,
        "expires": _day(record.expiry_date),
        "source_as_of": _day(record.source_as_of or record.fetched_at),
        "source_url": record.source_url,
        "kind": record.kind,
        "state": record.state,
        "title": record.title_raw,
        "holder_name": record.holder_name,
    }


def describe(record: LicenseRecord) -> str:
    what = {
        RecordKind.LICENSE.value: "license",
        RecordKind.COMPACT_PRIVILEGE.value: "Counseling Compact privilege",
        RecordKind.PSYPACT_AUTHORITY.value: "PSYPACT authority (APIT)",
        RecordKind.TELEHEALTH_REGISTRATION.value: "telehealth registration",
        RecordKind.EXCLUSION.value: "exclusion",
    }.get(record.kind, record.kind)
    title = record.title_raw or CLASS_WORDS.get(record.license_class or "", "")
    number = f" {record.license_number}" if record.license_number else ""
    place = state_name(record.state) if record.state else "national"
    return f"{place} {what} ({title}{number}, {record.source}: \"{record.status_raw or record.status}\")"


class Judge:
    def __init__(self, session: Session, *, now: datetime, stale_days: int, coverage: Coverage):
        self.session = session
        self.now = now
        self.today = now.date()
        self.stale_days = stale_days
        self.coverage = coverage
        self.health: dict[str, SourceHealth] = source_health(session, now=now, stale_days=stale_days)
        self.authorities: tuple[Authority, ...] = authorities()
        anywhere_kinds = {a.record_kind.value for a in self.authorities if a.evidence == "authority_anywhere"}
        self._exclusions = self._index_by_family([RecordKind.EXCLUSION.value])
        self._anywhere = self._index_by_family(sorted(anywhere_kinds))
        self._issuing: dict[str, tuple[Authority, ...]] = {}
        self._nlc_states = frozenset(
            state for a in self.authorities if a.evidence == "multistate_license" for state in a.members
        )

    def _index_by_family(self, kinds: list[str]) -> dict[str, list[LicenseRecord]]:
        """National lists (exclusions, PSYPACT) are small: held in memory, keyed by family name."""
        index: dict[str, list[LicenseRecord]] = defaultdict(list)
        if kinds:
            table = LicenseRecord.__table__
            query = select(table).where(table.c.kind.in_(kinds), table.c.removed_at.is_(None))
            for record in self.session.execute(query):
                for key in person_from_record(record).family_parts:
                    index[key].append(record)
        return index

    # --- gathering --------------------------------------------------------------------------------

    def records_for(self, clinician: Clinician, credentials: list[CredentialClaim], states: set[str]):
        person = person_from_clinician(clinician)
        classes = claimed_classes(credentials)
        info = ClinicianRecords(clinician, person, classes, is_prescriber(clinician, classes))
        site_numbers = [(c.state, c.license_number) for c in credentials if c.license_number]
        search_states = set(states)
        if LicenseClass.REGISTERED_NURSE.value in classes:
            search_states |= self._nlc_states  # a multistate RN license sits in the home state's roster
        found: dict[int, LicenseRecord] = {r.id: r for r in records_by_name(self.session, person, search_states)}
        npi_records = records_by_npi(self.session, clinician.npi)
        npi_numbers = [
            (r.state, r.license_number) for r in npi_records if r.kind == RecordKind.NPI.value and r.license_number
        ]
        npi_numbers += [
            (item.get("state"), item.get("license"))
            for r in npi_records
            if r.kind == RecordKind.NPI.value
            for item in (r.raw or {}).get("taxonomies", [])
            if isinstance(item, dict) and item.get("license")
        ]
        for record in [*npi_records, *records_by_number(self.session, [n for _, n in site_numbers + npi_numbers])]:
            found.setdefault(record.id, record)
        for record in found.values():
            if record.kind in (RecordKind.NPI.value, RecordKind.EXCLUSION.value):
                continue
            candidate = Candidate(record, name_score(person, person_from_record(record)))
            candidate.number_match = any(
                numbers_match(number, record.license_number) and (state in (None, record.state))
                for state, number in site_numbers + npi_numbers
            )
            candidate.npi_match = bool(clinician.npi and record.npi == clinician.npi)
            strong = candidate.number_match or candidate.npi_match
            if candidate.score >= PLAUSIBLE or (strong and candidate.score >= 0.5):
                info.candidates.append(candidate)
        for key in person.query_keys():
            for record in self._anywhere.get(key, []):
                if record.id not in found:
                    found[record.id] = record
                    score = name_score(person, person_from_record(record))
                    if score >= PLAUSIBLE:
                        info.candidates.append(Candidate(record, score, npi_match=bool(
                            clinician.npi and record.npi == clinician.npi)))
        info.exclusion = self._exclusion_for(clinician, person, states | {c.record.state for c in info.candidates})
        return info

    def _exclusion_for(self, clinician: Clinician, person: PersonName, states: set[str | None]):
        """An LEIE entry counts only when corroborated: same NPI, or a close name in a state the person works in."""
        best: Candidate | None = None
        for key in person.family_parts:
            for record in self._exclusions.get(key, []):
                if clinician.npi and record.npi and clinician.npi != record.npi:
                    continue  # an NPI on both sides that differs: another person
                score = name_score(person, person_from_record(record))
                npi_match = bool(clinician.npi and record.npi == clinician.npi)
                located = bool({record.state, record.address_state} & (states - {None}))
                if (npi_match and score >= 0.5) or (score >= 0.9 and located):
                    candidate = Candidate(record, score, npi_match=npi_match)
                    if best is None or candidate.confidence > best.confidence:
                        best = candidate
        return best

    # --- judging ----------------------------------------------------------------------------------

    def wanted_classes(self, claim: Claim, info: ClinicianRecords) -> frozenset[str]:
        if claim.kind == PRESCRIBING:
            return (info.classes & PRESCRIBING_CLASSES) or PRESCRIBING_CLASSES
        if claim.kind == CREDENTIAL and claim.license_class:
            return frozenset({claim.license_class})
        return info.classes

    @staticmethod
    def class_ok(record_class: str | None, wanted: frozenset[str]) -> bool:
        if record_class is None:
            return True  # the source does not say; the title was not classified
        if record_class in _NOT_A_LICENSE_CLASS:
            return False
        return not wanted or record_class in wanted

    def status_finding(self, record: LicenseRecord, passing: Verdict, confidence: float, lead: str) -> Finding:
        status = record.status
        if status in (LicenseStatus.ACTIVE.value, LicenseStatus.PROBATION.value) and record.expiry_date and (
            record.expiry_date < self.today
        ):
            return Finding(Verdict.EXPIRED.value, f"{lead} expired on {_day(record.expiry_date)}.", confidence, record)
        if status == LicenseStatus.ACTIVE.value and not record.discipline:
            return Finding(passing.value, f"{lead} is active.", confidence, record)
        if status in (LicenseStatus.ACTIVE.value, LicenseStatus.PROBATION.value):
            text = (record.discipline_text or "").strip() or "probation or discipline on record"
            return Finding(
                Verdict.VERIFIED_WITH_DISCIPLINE.value, f"{lead} is active with discipline: {text}", confidence, record
            )
        if status == LicenseStatus.EXPIRED.value:
            when = f" on {_day(record.expiry_date)}" if record.expiry_date else ""
            return Finding(Verdict.EXPIRED.value, f"{lead} expired{when}.", confidence, record)
        if status in (LicenseStatus.SUSPENDED.value, LicenseStatus.REVOKED.value, LicenseStatus.SURRENDERED.value):
            return Finding(Verdict.SUSPENDED_OR_REVOKED.value, f"{lead} is {status}.", confidence, record)
        if status in (LicenseStatus.INACTIVE.value, LicenseStatus.DECEASED.value):
            return Finding(Verdict.INACTIVE.value, f"{lead} is {status}.", confidence, record)
        return Finding(
            Verdict.INACTIVE.value, f"{lead} has a status that is not recognised as active.", confidence, record
        )

    def _one_identity(self, candidates: list[Candidate]) -> tuple[list[Candidate], bool]:
        """The candidates of one person, or (all, True) when two different people plausibly match.

        Two licenses of different classes (LPC and LMFT) may well be one person's; two different licenses of
        the same class in one state are two people unless the site's number or NPI says which."""
        groups: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in candidates:
            groups[candidate.identity].append(candidate)
        classes = [next(iter(g)).record.license_class for g in groups.values()]
        if len(groups) <= 1 or len(set(classes)) == len(classes):
            return candidates, False
        confirmed = [g for g in groups.values() if any(c.number_match or c.npi_match for c in g)]
        if len(confirmed) == 1:
            return confirmed[0], False
        return candidates, True

    @staticmethod
    def _best_record(candidates: list[Candidate]) -> Candidate:
        def rank(c: Candidate):
            active = c.record.status in (LicenseStatus.ACTIVE.value, LicenseStatus.PROBATION.value)
            return (not active, -(c.record.expiry_date or date.min).toordinal(), -c.confidence, c.record.id)

        return min(candidates, key=rank)

    def judge(self, claim: Claim, info: ClinicianRecords, previous: Verification | None) -> Outcome:
        state, mode = claim.state or "", claim.mode
        name = info.clinician.name.split(",")[0].strip()
        place = state_name(state)
        if info.exclusion is not None:
            record = info.exclusion.record
            basis = (
                f"{name} matches an OIG exclusion list entry ({record.holder_name}, {record.source}"
                f"{', NPI ' + record.npi if record.npi else ''}): excluded whatever the state license says."
            )
            return self._outcome(Finding(Verdict.EXCLUDED.value, basis, info.exclusion.confidence, record))
        wanted = self.wanted_classes(claim, info)
        findings: list[Finding] = []
        ambiguous: list[Candidate] = []

        in_state = [
            c for c in info.candidates if c.record.kind == RecordKind.LICENSE.value and c.record.state == state
        ]
        consistent = [c for c in in_state if self.class_ok(c.record.license_class, wanted)]
        if consistent:
            person_records, is_ambiguous = self._one_identity(consistent)
            if is_ambiguous:
                ambiguous += person_records
            else:
                best = self._best_record(person_records)
                lead = f"The {describe(best.record)}"
                findings.append(self.status_finding(best.record, Verdict.VERIFIED, best.confidence, lead))
        elif in_state:
            other = self._best_record(in_state)
            basis = (
                f"The site lists {name} as {class_words(wanted)}, but the {place} record found is "
                f"{describe(other.record)}: a different license class."
            )
            findings.append(Finding(Verdict.WRONG_LICENSE_CLASS.value, basis, other.confidence, other.record))

        if mode is not None and claim.kind != CREDENTIAL:
            for authority in self._issuing_in(state):
                findings += self._authority_findings(authority, claim, info, wanted, ambiguous)

        if ambiguous:
            numbers = sorted({f"{c.record.license_number or c.record.record_key} ({c.record.holder_name})"
                              for c in ambiguous})
            basis = (
                f"Two or more {place} records plausibly match {name}: {', '.join(numbers)}. "
                "They may be different people, so nothing is verified."
            )
            return Outcome(Verdict.AMBIGUOUS.value, basis, max(c.confidence for c in ambiguous))

        passes = [f for f in findings if Verdict(f.verdict).is_pass]
        if passes:
            fresh = [f for f in passes if record_is_fresh(f.record, self.health, now=self.now,
                                                          stale_days=self.stale_days)]
            if fresh:
                best = min(fresh, key=lambda f: (VERDICT_ORDER[f.verdict], -(f.confidence or 0)))
                if claim.kind == PRESCRIBING:
                    # Prescribing ketamine (Schedule III) also needs DEA registration, which has no public look-up.
                    best.basis += f" A DEA registration for {place} is also needed and is not publicly verifiable."
                return self._outcome(best)
            return self._unavailable_with_evidence(min(passes, key=lambda f: VERDICT_ORDER[f.verdict]), previous)
        if findings:
            worst = min(findings, key=lambda f: (VERDICT_ORDER[f.verdict], -(f.confidence or 0)))
            if worst.record is not None and not health_of(self.health, worst.record.source).available:
                worst.basis += f" (Stored data; {health_of(self.health, worst.record.source).reason}.)"
            return self._outcome(worst)
        return self._no_record(claim, info, wanted, previous)

    def _issuing_in(self, state: str) -> tuple[Authority, ...]:
        """Authorities that grant something in this state today (cached per run)."""
        if state not in self._issuing:
            self._issuing[state] = tuple(a for a in self.authorities if a.issues_in(state, self.today))
        return self._issuing[state]

    def _authority_findings(self, authority: Authority, claim: Claim, info: ClinicianRecords,
                            wanted: frozenset[str], ambiguous: list[Candidate]) -> list[Finding]:
        state, mode = claim.state or "", claim.mode
        if claim.kind == CREDENTIAL or not authority.issues_in(state, self.today):
            return []
        usable = authority.license_classes if not wanted else authority.license_classes & wanted
        if not usable:
            return []
        kind = authority.record_kind.value
        if authority.evidence == "privilege_in_state":
            records = [c for c in info.candidates if c.record.kind == kind and c.record.state == state]
        elif authority.evidence == "authority_anywhere":
            # Interjurisdictional only: in the home state itself the home license is what counts.
            records = [
                c for c in info.candidates
                if c.record.kind == kind and (c.record.home_state or c.record.state) != state
            ]
        else:  # multistate_license: a license in a member home state flagged multistate
            records = [
                c for c in info.candidates
                if c.record.kind == kind and c.record.multistate and c.record.state != state
                and authority.is_member(c.record.state or "", self.today)
            ]
        records = [c for c in records if c.record.license_class is None or c.record.license_class in usable]
        if not records:
            return []
        person_records, is_ambiguous = self._one_identity(records)
        if is_ambiguous:
            ambiguous += person_records
            return []
        best = self._best_record(person_records)
        lead = f"The {describe(best.record)} ({authority.name})"
        finding = self.status_finding(best.record, authority.verdict, best.confidence, lead)
        if mode in authority.modes:
            finding.basis += f" It covers {mode.value.replace('_', ' ')} care for a client in {state_name(state)}."
            return [finding]
        if mode == ServiceMode.IN_PERSON and Verdict(finding.verdict).is_pass:
            basis = (
                f"In person in {state_name(state)} is claimed, but the only basis found is the "
                f"{describe(best.record)} ({authority.name}), which covers virtual care only."
            )
            return [Finding(Verdict.IN_PERSON_NOT_COVERED.value, basis, best.confidence, best.record)]
        return []

    def _no_record(self, claim: Claim, info: ClinicianRecords, wanted: frozenset[str],
                   previous: Verification | None) -> Outcome:
        state = claim.state or ""
        place = state_name(state)
        name = info.clinician.name.split(",")[0].strip()
        classes = sorted(wanted) or [None]
        sources = sorted({s for cls in classes for s in self.coverage(state, cls, RecordKind.LICENSE.value)})
        what = f"{class_words(wanted)} license" if wanted else "license"
        # Sources nobody may fetch (Nursys, PSYPACT, WA Provider Credential Search): the verdict names where to check.
        by_hand = "".join(f" {info.check_here()}." for info in manual_checks_for(state, classes))
        if not sources:
            basis = (
                f"No source for {place} {what}s is configured (no roster, look-up or registry for that "
                f"board), so {place} cannot be checked.{by_hand}"
            )
            return Outcome(Verdict.NOT_CHECKABLE.value, basis, None)
        down = [health_of(self.health, s) for s in sources if not health_of(self.health, s).available]
        if down:
            return self._unavailable_without_record(down, previous, f"{place} {what}")
        as_of = ", ".join(f"{s} as of {_day(health_of(self.health, s).as_of)}" for s in sources)
        basis = f"No {place} {what} record matching {name} was found ({as_of}).{by_hand}"
        return Outcome(Verdict.NOT_FOUND.value, basis, 0.9)

    def _outcome(self, finding: Finding) -> Outcome:
        record = finding.record
        return Outcome(
            verdict=finding.verdict,
            basis=finding.basis,
            confidence=finding.confidence,
            record_id=record.id if record else None,
            evidence=evidence_of(record) if record else None,
            source_as_of=(record.source_as_of or record.fetched_at) if record else None,
        )

    @staticmethod
    def _last_verified(previous: Verification | None) -> str | None:
        if previous is None:
            return None
        if previous.verdict in VERDICT_ORDER and Verdict(previous.verdict).is_pass:
            return _day(previous.checked_at)
        return (previous.evidence or {}).get("last_verified_at")

    def _unavailable_with_evidence(self, finding: Finding, previous: Verification | None) -> Outcome:
        """A pass that rests on data the source cannot currently vouch for: kept as evidence, not as a pass."""
        record = finding.record
        health = health_of(self.health, record.source)
        outcome = self._outcome(finding)
        last = self._last_verified(previous)
        reason = health.reason if not health.available else f"the record is older than {self.stale_days} days"
        outcome.verdict = Verdict.SOURCE_UNAVAILABLE.value
        outcome.basis = f"{finding.basis} But {reason}, so this cannot be confirmed now." + (
            f" Last verified on {last}." if last else ""
        )
        if last:
            outcome.evidence["last_verified_at"] = last
        return outcome

    def _unavailable_without_record(self, down: list[SourceHealth], previous: Verification | None,
                                    what: str) -> Outcome:
        reasons = "; ".join(h.reason for h in down)
        last = self._last_verified(previous)
        basis = f"No {what} record could be checked: {reasons}."
        if last and previous is not None:
            # Never let a verified fact vanish silently: keep the last evidence on the row.
            evidence = dict(previous.evidence or {})
            evidence["last_verified_at"] = last
            return Outcome(
                Verdict.SOURCE_UNAVAILABLE.value,
                basis + f" Last verified on {last}.",
                None,
                previous.license_record_id,
                evidence,
                previous.source_as_of,
            )
        return Outcome(Verdict.SOURCE_UNAVAILABLE.value, basis, None)


def verification_expires(checked_at: datetime, ttl_days: int) -> datetime:
    return checked_at + timedelta(days=ttl_days)
