"""Verify every claim in the directory against the stored board data, and keep the verdicts fresh.

``verify_all`` reads only the database (no network). A full run re-checks every claim; ``due_only`` judges again
only the clinicians whose recorded inputs changed (inputs.py: new or changed records under their look-up keys, a
license expiry that passed, a source that failed or came back, a changed listing) and rewrites only what is due:
new claims, verdicts past their expiry (settings.verification_ttl_days), and verdicts whose outcome changed.
Re-running on unchanged data leaves every row as it was; its verdicts are always exactly a full run's.

The audit trail: ``Verification`` holds the current verdict of each live claim; every change of a verdict (its
code, basis or evidence) is also appended to ``VerdictHistory`` with the verify run, the crawl run behind the
claim and the syncs behind the evidence; a claim the site no longer makes is retired there (event "retired",
with when) before its current row goes. Each run is a ``VerifyRun`` row that always ends finished or failed.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, delete, select

from directory.db import finish_run_record, session_scope
from directory.models import (
    Clinician,
    CrawlRun,
    CredentialClaim,
    LicenseRecord,
    Practice,
    ServiceArea,
    SourcePage,
    SourceSync,
    VerdictHistory,
    Verification,
    VerifyRun,
)
from directory.settings import get_settings
from directory.timeutil import utcnow
from directory.verification import inputs
from directory.verification.claims import Claim, claims_for, non_license_outcome
from directory.verification.coverage import Coverage, registry_coverage
from directory.verification.judge import Judge, Outcome, verification_expires
from directory.verification.summary import store_discrepancies
from directory.vocab import RecordKind

BATCH = 500  # clinicians per commit
# The verdict columns a history row copies from the current row.
VERDICT_COLUMNS = (
    "claim_key", "clinician_id", "practice_id", "claim_kind", "state", "mode", "credential_code", "verdict",
    "basis", "confidence", "license_record_id", "evidence", "checked_at", "expires_at", "source_as_of",
)


def iter_listings(session: Session):
    """(practice, clinician, service areas, credentials) for every current clinician, grouped in memory (light
    rows: verification only reads them)."""
    practices = {p.id: p for p in session.execute(select(Practice.__table__).where(Practice.gone_at.is_(None)))}
    areas: dict[int, list] = defaultdict(list)
    for area in session.execute(select(ServiceArea.__table__)):
        areas[area.practice_id].append(area)
    credentials: dict[int, list] = defaultdict(list)
    for credential in session.execute(select(CredentialClaim.__table__)):
        credentials[credential.clinician_id].append(credential)
    table = Clinician.__table__
    for clinician in session.execute(select(table).where(table.c.gone_at.is_(None)).order_by(table.c.id)):
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


@dataclass
class _Context:
    """What a run was judged against: the run itself, each practice's crawl run, each source's latest sync."""

    verify_run_id: int
    crawl_runs: dict[int, int]  # practice id -> the last crawl run that read its pages
    syncs: dict[str, int]  # source -> id of its latest finished sync
    session: Session | None = None  # to read the exclusion sources the first time a history row needs them
    _exclusion_sources: tuple[str, ...] | None = None

    @property
    def exclusion_sources(self) -> tuple[str, ...]:
        if self._exclusion_sources is None:
            self._exclusion_sources = tuple(sorted(self.session.execute(
                select(LicenseRecord.source).where(LicenseRecord.kind == RecordKind.EXCLUSION.value).distinct()
            ).scalars().all()))
        return self._exclusion_sources

    def history(self, values: dict[str, Any], *, event: str, at: datetime) -> dict[str, Any]:
        evidence = values.get("evidence") or {}
        sources = {*self.exclusion_sources, evidence.get("source")} - {None}
        return {
            **{column: values[column] for column in VERDICT_COLUMNS}, "event": event, "recorded_at": at,
            "verify_run_id": self.verify_run_id, "crawl_run_id": self.crawl_runs.get(values["practice_id"]),
            "sync_ids": {source: self.syncs[source] for source in sorted(sources) if source in self.syncs},
        }


def _start_run(engine: Engine, *, due_only: bool) -> _Context:
    """Record the run (committed at once, so a failure later still leaves a record to finish)."""
    with session_scope(engine) as session:
        syncs = {source: sync_id for source, sync_id in session.execute(
            select(SourceSync.source, func.max(SourceSync.id)).where(SourceSync.status != "running")
            .group_by(SourceSync.source))}
        crawl_run = session.execute(
            select(func.max(CrawlRun.id)).where(CrawlRun.status != "running")).scalar()
        crawl_runs = dict(session.execute(
            select(SourcePage.practice_id, func.max(SourcePage.crawl_run_id))
            .where(SourcePage.stale.is_(False), SourcePage.practice_id.is_not(None))  # type: ignore[union-attr]
            .group_by(SourcePage.practice_id)).all())
        run = VerifyRun(due_only=due_only, crawl_run_id=crawl_run, syncs=syncs)
        session.add(run)
        session.commit()
        return _Context(run.id, crawl_runs, syncs)


def _flush(session: Session, inserts: list[dict], updates: list[dict], history: list[dict]) -> None:
    """Write a batch in three statements (executemany): one insert, one update by id, one history append."""
    table = Verification.__table__
    if inserts:
        session.execute(insert(table), inserts)
    if updates:
        session.execute(update(table).where(table.c.id == bindparam("row_id")), updates)
    if history:
        session.execute(insert(VerdictHistory.__table__), history)
    inserts.clear()
    updates.clear()
    history.clear()


def _retire(session: Session, existing: dict[str, Any], gone: list[str], context: _Context, now: datetime) -> None:
    """Claims the site no longer makes: their last verdict is retired in the history (with when), then leaves
    the current table, which the dashboard and search read."""
    table = Verification.__table__
    for start in range(0, len(gone), BATCH):
        keys = gone[start:start + BATCH]
        rows = [context.history(existing[key]._asdict(), event="retired", at=now) for key in keys]
        session.execute(insert(VerdictHistory.__table__), rows)
        session.execute(delete(table).where(table.c.claim_key.in_(keys)))


def verify_all(engine: Engine, *, due_only: bool = False, now: datetime | None = None,
               coverage: Coverage | None = None) -> dict:
    """Verify every claim; returns {"claims": n, "verdicts": {code: count}, "rechecked": n, "retired": n,
    "run_id": id}. The run's record ends "finished", or "failed" with the error when anything raises."""
    context = _start_run(engine, due_only=due_only)
    try:
        result = _verify(engine, context, due_only=due_only, now=now or utcnow(), coverage=coverage)
    except BaseException as exc:
        finish_run_record(engine, VerifyRun, context.verify_run_id, status="failed",
                          message=(str(exc).splitlines() or [type(exc).__name__])[0][:500])
        raise
    finish_run_record(engine, VerifyRun, context.verify_run_id, status="finished", claims=result["claims"],
                      rechecked=result["rechecked"], retired=result["retired"])
    return {**result, "run_id": context.verify_run_id}


def _verify(engine: Engine, context: _Context, *, due_only: bool, now: datetime, coverage: Coverage | None) -> dict:
    settings = get_settings()
    coverage = coverage or registry_coverage
    counts: Counter[str] = Counter()
    rechecked = 0
    seen: set[str] = set()
    with session_scope(engine) as session:
        context.session = session
        upto = inputs.marks(session)  # first: a record written while this run reads is new to the next one
        judge = Judge(session, now=now, stale_days=settings.source_stale_days, coverage=coverage)
        rules = inputs.rules_version(coverage, now, settings.source_stale_days)
        prints = inputs.health_prints(judge.health, judge.gatherer.exclusion_health)
        listings = {clinician.id: (practice, clinician, areas, credentials)
                    for practice, clinician, areas, credentials in iter_listings(session)}
        hashes = {cid: inputs.listing_hash(*listing) for cid, listing in listings.items()}
        table = Verification.__table__
        plan = None
        if due_only:
            light = session.execute(select(table.c.claim_key, table.c.clinician_id, table.c.practice_id,
                                           table.c.verdict, table.c.expires_at)).all()
            plan = inputs.plan(session, listings=listings, hashes=hashes, rows=light, rules=rules, prints=prints,
                               upto=upto, now=now, family_kinds=inputs.family_kinds(judge.gatherer.anywhere_kinds))
        if plan is None:  # judge every clinician, each against the row the previous run left ("previous")
            due = set(listings)
            existing = {row.claim_key: row for row in session.execute(select(table))}
        else:
            due = plan.due
            # Rows of clinicians not re-judged stand as they are: counted, kept. The rest are read in full: the
            # "previous" verdict each claim is judged against, or the last verdict of a claim to retire.
            kept = [row for row in light if row.clinician_id in listings and row.clinician_id not in due]
            for row in kept:
                seen.add(row.claim_key)
                counts[row.verdict] += 1
            wanted = {row.clinician_id for row in light} - {row.clinician_id for row in kept}
            existing = {}
            for chunk in inputs.chunks(wanted):
                existing.update({row.claim_key: row for row in session.execute(
                    select(table).where(table.c.clinician_id.in_(chunk)))})
        inserts: list[dict] = []
        updates: list[dict] = []
        history: list[dict] = []
        writer = inputs.Writer(session, judging=due, listed=set(listings), everything=plan is None, now=now,
                               stale_days=settings.source_stale_days, run_id=context.verify_run_id)
        for done, cid in enumerate(sorted(due), start=1):
            practice, clinician, areas, credentials = listings[cid]
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
                row = existing.get(claim.key)
                values = _values(row, claim, outcome, now=now, ttl_days=settings.verification_ttl_days,
                                 due_only=due_only)
                if values is not None:
                    (updates if "row_id" in values else inserts).append(values)
                    rechecked += 1
                    if row is None or not _same(row, claim, outcome):
                        history.append(context.history(values, event="checked", at=now))
            writer.add(cid, practice.id, hashes[cid], len(claims), info)
            if done % BATCH == 0:
                _flush(session, inserts, updates, history)
                writer.flush()
        _flush(session, inserts, updates, history)
        gone = [key for key in existing if key not in seen]
        _retire(session, existing, gone, context, now)
        writer.finish(rules=rules, prints=prints, upto=upto)
        if plan is None:
            affected = None
        else:  # the practices whose discrepancies can have changed
            staffed = {practice.id for practice, *_ in listings.values()}
            affected = ({listings[cid][0].id for cid in due} | {existing[key].practice_id for key in gone}
                        | plan.gone_practices | (_live_practices(session) - staffed))
        session.expire_all()  # rows were written in bulk: re-read them, not the objects loaded before
        store_discrepancies(session, now=now, practice_ids=affected)
        session.commit()
    return {"claims": len(seen), "verdicts": dict(sorted(counts.items())), "rechecked": rechecked,
            "retired": len(gone)}


def _live_practices(session: Session) -> set[int]:
    return set(session.execute(select(Practice.id).where(Practice.gone_at.is_(None))).scalars())  # type: ignore
