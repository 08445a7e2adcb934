"""The verdict of one claim as a pure function of its evidence: no database, no wording (see wording.py).

Order of reasoning:
1. a corroborated exclusion (same NPI) overrides everything;
2. no license class known for the claim (no credential on the site, no role): nothing can pass;
3. every basis that could authorise the claim (a license in the state, then the interstate authorities of
   compacts.toml) yields a finding. Records of one license from several sources: the freshest decides; equally
   fresh ones that disagree on whether it is in force are ``conflicting_sources``; otherwise the worse status
   decides. Discipline from any source of the license is kept;
4. two plausible people: ``ambiguous``;
5. the best passing finding counts only if its evidence is fresh, and then only as a pass when the exclusion
   list was checked on fresh data and names nobody of that name, and the record is tied to the person by more
   than a loose name (caps: ``possible_exclusion``, ``source_unavailable``, ``identity_unconfirmed``);
6. otherwise the most telling failure; otherwise no record: not checkable (no source, or an interstate
   authority that only a manual source shows could cover it), source unavailable or not found.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from directory.verification.evidence import Candidate, Identity
from directory.verification.health import SourceHealth, health_of, is_fresh
from directory.verification.rules import Authority
from directory.vocab import LicenseClass, LicenseStatus, RecordKind, ServiceMode, Verdict

SERVICE = "service"
PRESCRIBING = "prescribing"
CREDENTIAL = "credential"

VERDICT_ORDER = {verdict: rank for rank, verdict in enumerate(Verdict)}

# Worse statuses first: among equally fresh records of one license, the worse one decides.
_SEVERITY = {
    LicenseStatus.REVOKED.value: 0, LicenseStatus.SUSPENDED.value: 0, LicenseStatus.SURRENDERED.value: 0,
    LicenseStatus.EXPIRED.value: 1, LicenseStatus.DECEASED.value: 2, LicenseStatus.INACTIVE.value: 2,
    LicenseStatus.UNKNOWN.value: 2, LicenseStatus.PROBATION.value: 3, LicenseStatus.ACTIVE.value: 4,
}


@dataclass(frozen=True)
class ClaimFacts:
    """What is claimed, reduced to what the decision needs."""

    kind: str  # service | prescribing | credential
    state: str
    mode: ServiceMode | None
    wanted: frozenset[str]  # license classes that permit this claim (empty: none known)
    sources: tuple[str, ...] = ()  # license sources that could hold a record for it
    by_hand: tuple[str, ...] = ()  # where a person can check what no source fetches (manual sources)
    # Interstate authorities (compacts.toml) that could cover this claim but whose records only a manual source
    # holds (Nursys for NLC, PSYPACT): with no record found, the claim cannot be decided, not refuted.
    authorities_by_hand: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExclusionCheck:
    """The exclusion list (OIG LEIE) as checked for one clinician."""

    checked: bool  # the list synced and its data is within its refresh cadence
    health: SourceHealth  # why not, or as of when
    excluded: Candidate | None = None  # an entry tied to the person (same NPI)
    possible: Candidate | None = None  # an entry of the same name, nothing to tell them apart


@dataclass(frozen=True)
class Context:
    now: datetime
    stale_days: int  # the freshness window (settings.source_stale_days)
    health: Mapping[str, SourceHealth]
    authorities: tuple[Authority, ...]

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str  # a reason code (wording.py turns it into a sentence)
    candidate: Candidate | None = None  # the record the verdict rests on
    other: Candidate | None = None  # the disagreeing record (conflict) or the exclusion entry
    authority: Authority | None = None
    related: tuple[Candidate, ...] = ()  # the records of an ambiguous match
    discipline: tuple[tuple[str, str], ...] = ()  # (source, text) from every source of the license
    capped: Verdict | None = None  # the pass the evidence would give, when a cap stopped it
    down: tuple[SourceHealth, ...] = ()


def class_ok(record_class: str | None, wanted: frozenset[str]) -> bool:
    """A record backs a claim only with a known class that permits it (an unclassified record backs nothing)."""
    return record_class is not None and record_class != LicenseClass.OTHER.value and record_class in wanted


def record_fresh(candidate: Candidate, ctx: Context) -> bool:
    """The one freshness rule (health.py): the record's source is healthy and the record is in its live roster or
    in the window."""
    record = candidate.evidence
    return health_of(dict(ctx.health), record.source).available and (record.in_roster or is_fresh(
        record.as_of, now=ctx.now, stale_days=ctx.stale_days))


def status_verdict(candidate: Candidate, passing: Verdict, today: date, disciplined: bool) -> tuple[Verdict, str]:
    record = candidate.evidence
    status = record.status
    if status in (LicenseStatus.ACTIVE.value, LicenseStatus.PROBATION.value) and record.expires and (
        record.expires < today
    ):
        return Verdict.EXPIRED, "expired_by_date"
    if status == LicenseStatus.ACTIVE.value and not disciplined:
        return passing, "active"
    if status in (LicenseStatus.ACTIVE.value, LicenseStatus.PROBATION.value):
        return Verdict.VERIFIED_WITH_DISCIPLINE, "active_with_discipline"
    if status == LicenseStatus.EXPIRED.value:
        return Verdict.EXPIRED, "expired"
    if status in (LicenseStatus.SUSPENDED.value, LicenseStatus.REVOKED.value, LicenseStatus.SURRENDERED.value):
        return Verdict.SUSPENDED_OR_REVOKED, "suspended_or_revoked"
    if status in (LicenseStatus.INACTIVE.value, LicenseStatus.DECEASED.value):
        return Verdict.INACTIVE, "inactive"
    return Verdict.INACTIVE, "status_not_recognised"


def one_identity(candidates: list[Candidate]) -> tuple[list[Candidate], bool]:
    """The candidates of one person, or (all, True) when two different people plausibly match.

    Two licenses of different classes (LPC and LMFT) may well be one person's; two different licenses of the
    same class in one state are two people unless the site's number or the NPI says which."""
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        groups[candidate.license_key].append(candidate)
    classes = [group[0].evidence.license_class for group in groups.values()]
    if len(groups) <= 1 or len(set(classes)) == len(classes):
        return candidates, False
    tied = [g for g in groups.values() if any(c.identity in (Identity.LICENSE_NUMBER, Identity.NPI) for c in g)]
    if len(tied) == 1:
        return tied[0], False
    return candidates, True


def _day(candidate: Candidate) -> date:
    return candidate.evidence.as_of.date() if candidate.evidence.as_of else date.min


def _resolve(group: list[Candidate], passing: Verdict, today: date, authority: Authority | None) -> Decision:
    """One license, possibly published by several sources: the freshest decides; equally fresh disagreeing
    sources are a conflict; otherwise the worse status."""
    discipline = tuple(sorted({(c.evidence.source, c.evidence.discipline_text.strip()) for c in group
                               if c.evidence.discipline_text and c.evidence.discipline_text.strip()}))
    disciplined = bool(discipline) or any(c.evidence.discipline for c in group)
    newest = max(_day(c) for c in group)
    top = [c for c in group if _day(c) == newest]
    in_force = [c for c in top if c.evidence.passing_status(today)]
    lapsed = [c for c in top if not c.evidence.passing_status(today)]
    if in_force and lapsed:
        return Decision(Verdict.CONFLICTING_SOURCES, "conflict", candidate=max(in_force, key=_strength),
                        other=min(lapsed, key=_worse), authority=authority, discipline=discipline)
    decisive = min(top, key=_worse)
    verdict, reason = status_verdict(decisive, passing, today, disciplined or decisive.evidence.discipline)
    return Decision(verdict, reason, candidate=decisive, authority=authority, discipline=discipline)


def _strength(c: Candidate) -> tuple:
    return (c.confidence, -c.evidence.id)


def _worse(c: Candidate) -> tuple:
    record = c.evidence
    return (_SEVERITY.get(record.status, 2), not record.discipline, -c.confidence, record.id)


def _rank(decision: Decision) -> tuple:
    """Best first: passes before failures, then the later expiry and the stronger tie to the person."""
    expires = decision.candidate.evidence.expires if decision.candidate else None
    confidence = decision.candidate.confidence if decision.candidate else 0.0
    return (VERDICT_ORDER[decision.verdict], -(expires or date.min).toordinal(), -confidence)


def _judge_records(candidates: list[Candidate], passing: Verdict, ctx: Context, ambiguous: list[Candidate],
                   authority: Authority | None = None) -> Decision | None:
    person, is_ambiguous = one_identity(candidates)
    if is_ambiguous:
        ambiguous += person
        return None
    licenses: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in person:
        licenses[candidate.license_key].append(candidate)
    return min((_resolve(group, passing, ctx.today, authority) for group in licenses.values()), key=_rank)


def _authority_class_ok(candidate: Candidate, usable: frozenset[str], authority: Authority) -> bool:
    record_class = candidate.evidence.license_class
    if record_class is None and len(authority.license_classes) == 1:
        record_class = next(iter(authority.license_classes)).value  # the authority is of one profession
    return class_ok(record_class, usable)


def _authority_finding(authority: Authority, claim: ClaimFacts, candidates: list[Candidate], ctx: Context,
                       ambiguous: list[Candidate]) -> Decision | None:
    usable = frozenset(c.value for c in authority.license_classes) & claim.wanted
    if not usable:
        return None
    kind, state = authority.record_kind.value, claim.state
    if authority.evidence == "privilege_in_state":
        records = [c for c in candidates if c.evidence.kind == kind and c.evidence.state == state]
    elif authority.evidence == "authority_anywhere":
        # Interjurisdictional only: in the home state itself the home license is what counts.
        records = [c for c in candidates
                   if c.evidence.kind == kind and (c.evidence.home_state or c.evidence.state) != state]
    else:  # multistate_license: a license in a member home state flagged multistate
        records = [c for c in candidates
                   if c.evidence.kind == kind and c.evidence.multistate and c.evidence.state != state
                   and authority.is_member(c.evidence.state or "", ctx.today)]
    records = [c for c in records if _authority_class_ok(c, usable, authority)]
    if not records:
        return None
    finding = _judge_records(records, authority.verdict, ctx, ambiguous, authority)
    if finding is None or claim.mode in authority.modes:
        return finding
    if claim.mode == ServiceMode.IN_PERSON and finding.verdict.is_pass:
        return replace(finding, verdict=Verdict.IN_PERSON_NOT_COVERED, reason="virtual_only_authority")
    return None


def _capped(best: Decision, exclusion: ExclusionCheck) -> Decision:
    """A pass stands only on a fresh exclusion check naming nobody of that name, and a firm tie to the person."""
    if exclusion.possible is not None:
        return replace(best, verdict=Verdict.POSSIBLE_EXCLUSION, reason="possible_exclusion",
                       other=exclusion.possible, capped=best.verdict)
    if not exclusion.checked:
        return replace(best, verdict=Verdict.SOURCE_UNAVAILABLE, reason="exclusions_unchecked",
                       capped=best.verdict, down=(exclusion.health,))
    if best.candidate is not None and not best.candidate.identity.strong:
        return replace(best, verdict=Verdict.IDENTITY_UNCONFIRMED, reason="identity_name_only", capped=best.verdict)
    return best


def _no_record(claim: ClaimFacts, ctx: Context) -> Decision:
    if not claim.sources:
        return Decision(Verdict.NOT_CHECKABLE, "no_source")
    down = tuple(health_of(dict(ctx.health), s) for s in claim.sources if not health_of(dict(ctx.health), s).available)
    if down:
        return Decision(Verdict.SOURCE_UNAVAILABLE, "source_down", down=down)
    if claim.authorities_by_hand:
        return Decision(Verdict.NOT_CHECKABLE, "authority_by_hand",
                        down=tuple(health_of(dict(ctx.health), s) for s in claim.sources))
    return Decision(Verdict.NOT_FOUND, "not_found",
                    down=tuple(health_of(dict(ctx.health), s) for s in claim.sources))


def decide(claim: ClaimFacts, candidates: list[Candidate], exclusion: ExclusionCheck, ctx: Context) -> Decision:
    if exclusion.excluded is not None:
        return Decision(Verdict.EXCLUDED, "excluded", other=exclusion.excluded)
    if not claim.wanted:
        return Decision(Verdict.NOT_CHECKABLE, "class_unknown")
    findings: list[Decision] = []
    ambiguous: list[Candidate] = []
    in_state = [c for c in candidates
                if c.evidence.kind == RecordKind.LICENSE.value and c.evidence.state == claim.state]
    consistent = [c for c in in_state if class_ok(c.evidence.license_class, claim.wanted)]
    if consistent:
        finding = _judge_records(consistent, Verdict.VERIFIED, ctx, ambiguous)
        if finding is not None:
            findings.append(finding)
    elif in_state:
        other = max(in_state, key=lambda c: (c.evidence.passing_status(ctx.today), c.confidence, -c.evidence.id))
        findings.append(Decision(Verdict.WRONG_LICENSE_CLASS, "class_mismatch", candidate=other))
    if claim.mode is not None and claim.kind != CREDENTIAL:
        for authority in ctx.authorities:
            if authority.issues_in(claim.state, ctx.today):
                finding = _authority_finding(authority, claim, candidates, ctx, ambiguous)
                if finding is not None:
                    findings.append(finding)
    if ambiguous:
        return Decision(Verdict.AMBIGUOUS, "ambiguous", related=tuple(ambiguous))
    passes = [f for f in findings if f.verdict.is_pass]
    if passes:
        fresh = [f for f in passes if f.candidate is not None and record_fresh(f.candidate, ctx)]
        if fresh:
            return _capped(min(fresh, key=_rank), exclusion)
        stale = min(passes, key=_rank)
        return replace(stale, verdict=Verdict.SOURCE_UNAVAILABLE, reason="stale_evidence", capped=stale.verdict,
                       down=(health_of(dict(ctx.health), stale.candidate.evidence.source),))
    if findings:
        return min(findings, key=_rank)
    return _no_record(claim, ctx)

