"""One verdict for one claim: gathering (gather.py, database reads), the pure decision (decision.py) and its
wording (wording.py), joined here with what the previous verdict row said (the last time it was verified).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from directory.models import Clinician, CredentialClaim, Verification
from directory.verification.claims import Claim, permitted_classes
from directory.verification.coverage import Coverage, manual_checks_for
from directory.verification.decision import ClaimFacts, Context, Decision, decide
from directory.verification.gather import ClinicianRecords, Gatherer
from directory.verification.health import SourceHealth, health_of, source_health
from directory.verification.rules import Authority, authorities
from directory.verification.wording import basis, class_words, describe, state_name  # noqa: F401 (re-exported)
from directory.vocab import RecordKind, Verdict


@dataclass
class Outcome:
    verdict: str
    basis: str
    confidence: float | None
    record_id: int | None = None
    evidence: dict[str, Any] | None = None
    source_as_of: datetime | None = None


def _day(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d") if value else None


def evidence_json(decision: Decision) -> dict[str, Any] | None:
    """The evidence kept on the verdict row: the record it rests on and how it was tied to the person, the
    disagreeing record or the exclusion entry it names, and discipline from every source."""
    if decision.candidate is None:
        if decision.other is not None:  # excluded: the entry itself is the evidence
            return decision.other.evidence.stored(decision.other.identity)
        return None
    out = decision.candidate.evidence.stored(decision.candidate.identity)
    if decision.other is not None:
        key = "exclusion_entry" if decision.other.evidence.kind == RecordKind.EXCLUSION.value else "conflicting"
        out[key] = decision.other.evidence.stored(decision.other.identity)
    if decision.discipline:
        out["discipline"] = [{"source": source, "text": text} for source, text in decision.discipline]
    return out


class Judge:
    def __init__(self, session: Session, *, now: datetime, stale_days: int, coverage: Coverage):
        self.now = now
        self.stale_days = stale_days
        self.coverage = coverage
        self.health: dict[str, SourceHealth] = source_health(session, now=now, stale_days=stale_days)
        self.authorities: tuple[Authority, ...] = authorities()
        self.gatherer = Gatherer(session, now=now, health=self.health, authorities=self.authorities)
        self.context = Context(now=now, stale_days=stale_days, health=self.health, authorities=self.authorities)

    def records_for(self, clinician: Clinician, credentials: list[CredentialClaim],
                    states: set[str]) -> ClinicianRecords:
        return self.gatherer.records_for(clinician, credentials, states)

    def facts(self, claim: Claim, info: ClinicianRecords) -> ClaimFacts:
        wanted = permitted_classes(claim, info.credentials, info.clinician.role)
        state = claim.state or ""
        sources = sorted({s for cls in sorted(wanted) for s in self.coverage(state, cls, RecordKind.LICENSE.value)})
        manual = manual_checks_for(state, sorted(wanted) or [None])
        by_hand = tuple(info.check_here() for info in manual)
        return ClaimFacts(kind=claim.kind, state=state, mode=claim.mode, wanted=wanted, sources=tuple(sources),
                          by_hand=by_hand, authorities_by_hand=self._authorities_by_hand(claim, wanted, manual))

    def _authorities_by_hand(self, claim: Claim, wanted: frozenset[str], manual) -> tuple[str, ...]:
        """Authorities issuing in the claim's state for its mode and classes whose evidence is kept only by a
        manual source (never fetched): their absence from our data proves nothing."""
        if claim.mode is None or not claim.state:
            return ()
        manual_kinds = {kind for info in manual for kind in info.record_kinds}
        return tuple(
            authority.name for authority in self.authorities
            if authority.issues_in(claim.state, self.now.date()) and claim.mode in authority.modes
            and {c.value for c in authority.license_classes} & wanted
            and authority.record_kind.value in manual_kinds
        )

    def judge(self, claim: Claim, info: ClinicianRecords, previous: Verification | None) -> Outcome:
        facts = self.facts(claim, info)
        info.watch.update(f"source:{source}" for source in facts.sources)  # their health is read (inputs.py)
        decision = decide(facts, info.candidates, info.exclusion, self.context)
        name = info.clinician.name.split(",")[0].strip()
        return self.outcome(decision, facts, name, previous)

    def outcome(self, decision: Decision, facts: ClaimFacts, name: str, previous: Verification | None) -> Outcome:
        text = basis(decision, facts, name)
        record = decision.candidate or (decision.other if decision.verdict == Verdict.EXCLUDED else None)
        confidence = record.confidence if record is not None else None
        if decision.verdict == Verdict.AMBIGUOUS:
            confidence = max(c.confidence for c in decision.related)
        elif decision.verdict == Verdict.NOT_FOUND:
            confidence = 0.9
        outcome = Outcome(
            verdict=decision.verdict.value, basis=text, confidence=confidence,
            record_id=record.evidence.id if record is not None else None, evidence=evidence_json(decision),
            source_as_of=record.evidence.as_of if record is not None else None,
        )
        if decision.verdict == Verdict.SOURCE_UNAVAILABLE:
            return self._unavailable(outcome, previous)
        if record is not None and not decision.verdict.is_pass and decision.verdict != Verdict.EXCLUDED:
            health = health_of(self.health, record.evidence.source)
            if not health.available:
                outcome.basis += f" (Stored data; {health.reason}.)"
        return outcome

    @staticmethod
    def _last_verified(previous: Verification | None) -> str | None:
        if previous is None:
            return None
        if previous.verdict in {v.value for v in Verdict} and Verdict(previous.verdict).is_pass:
            return _day(previous.checked_at)
        return (previous.evidence or {}).get("last_verified_at")

    def _unavailable(self, outcome: Outcome, previous: Verification | None) -> Outcome:
        """Never let a verified fact vanish silently: say when it was last verified and keep its evidence."""
        last = self._last_verified(previous)
        if not last:
            return outcome
        outcome.basis += f" Last verified on {last}."
        if outcome.evidence is None and previous is not None:
            outcome.evidence = dict(previous.evidence or {})
            outcome.record_id = previous.license_record_id
            outcome.source_as_of = previous.source_as_of
        if outcome.evidence is not None:
            outcome.evidence["last_verified_at"] = last
        return outcome


def verification_expires(checked_at: datetime, ttl_days: int) -> datetime:
    return checked_at + timedelta(days=ttl_days)
