"""Batch look-ups for sources that only answer one query at a time (search forms and APIs).

``lookup_clinicians(engine, queries)`` asks every look-up source that covers each query's state and class,
skipping queries answered within ``settings.lookup_cache_ttl_days``; one batch (and, for the Scrapy form sources,
one child process) per source. Answers are stored as LicenseRecords, each answered query in LookupCache, and each
batch as a SourceSync row, so verification afterwards reads only the database. When a source answers a query it
answered before, the records it returned then and no longer returns are marked removed (a license the board no
longer lists must not keep verifying until it goes stale).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from directory.boards.adapters import adapter_class, make_adapter
from directory.boards.base import LookupQuery, NormalRecord
from directory.boards.registry import SourceInfo, all_sources, get_source
from directory.boards.store import SyncResult, _start_sync, finish_sync, store_records
from directory.db import session_scope
from directory.errors import KapdirError, SourceError
from directory.models import Clinician, CredentialClaim, LicenseRecord, LookupCache, ServiceArea
from directory.settings import get_settings
from directory.timeutil import utcnow
from directory.vocab import CredentialKind, LicenseClass, Role

NURSE_CLASSES = frozenset({LicenseClass.REGISTERED_NURSE.value, LicenseClass.NURSE_PRACTITIONER.value})


@dataclass
class LookupOutcome:
    source: str
    status: str  # ok | error | cached
    queries: int = 0
    cached: int = 0
    records: int = 0
    removed: int = 0  # records a query returned before and no longer returns
    errors: dict[str, str] = field(default_factory=dict)  # query key -> message
    error: str | None = None

    def line(self) -> str:
        if self.status == "error":
            return f"{self.source}: error: {self.error}"
        failed = f", {len(self.errors)} failed" if self.errors else ""
        removed = f", {self.removed} no longer listed" if self.removed else ""
        return (f"{self.source}: {self.status}, {self.queries} look-ups ({self.cached} cached{failed}), "
                f"{self.records} records{removed}")

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def lookup_sources(query: LookupQuery) -> list[SourceInfo]:
    """The configured look-up sources that could answer this query (NPI answers every query: identity)."""
    return [info for info in all_sources() if info.method == "lookup" and info.configured
            and info.covers(query.state, query.license_class)]


def _source_query(info: SourceInfo, query: LookupQuery) -> tuple[str, LookupQuery]:
    """(cache key, query as the source is asked). A ``per_person`` source (NPI: identity) is searched by name once
    per person, whatever the claim's state and class; the others per state and class."""
    if adapter_class(info.name, info.adapter).per_person:
        person = LookupQuery(query.name, query.state, None)
        return person.key.rsplit("|", 2)[0], person
    return query.key, query


def _fresh_keys(engine: Engine, source: str, keys: list[str], ttl_days: int) -> set[str]:
    cutoff = utcnow() - timedelta(days=ttl_days)
    with session_scope(engine) as session:
        rows = session.execute(select(LookupCache.query_key).where(
            LookupCache.source == source, LookupCache.query_key.in_(keys), LookupCache.fetched_at >= cutoff))
        return {row[0] for row in rows}


def _remember(engine: Engine, source: str, answers: dict[str, list[str]]) -> int:
    """Cache each answered query's record keys; retire records a query returned before and no longer returns
    (unless another cached answer of this source still returns them). Returns how many were retired."""
    now = utcnow()
    with session_scope(engine) as session:
        existing = {row.query_key: row for row in session.execute(select(LookupCache).where(
            LookupCache.source == source, LookupCache.query_key.in_(list(answers)))).scalars()}
        dropped: set[str] = set()
        for key, record_keys in answers.items():
            row = existing.get(key) or LookupCache(source=source, query_key=key)
            dropped |= set(row.record_keys or []) - set(record_keys)
            row.fetched_at, row.record_keys = now, sorted(set(record_keys))
            session.add(row)
        session.flush()
        if dropped:
            still = {k for (keys,) in session.execute(select(LookupCache.record_keys).where(
                LookupCache.source == source)) for k in keys or []}
            dropped -= still
        retired = 0
        if dropped:
            retired = session.execute(update(LicenseRecord).where(
                LicenseRecord.source == source, LicenseRecord.record_key.in_(sorted(dropped)),
                LicenseRecord.removed_at.is_(None)).values(removed_at=now)).rowcount
        session.commit()
    return retired


def _plan(queries: Iterable[LookupQuery], only: set[str] | None) -> dict[str, dict[str, LookupQuery]]:
    plan: dict[str, dict[str, LookupQuery]] = {}
    for query in queries:
        for info in lookup_sources(query):
            if only is None or info.name in only:
                key, source_query = _source_query(info, query)
                plan.setdefault(info.name, {}).setdefault(key, source_query)
    return plan


def lookup_clinicians(engine: Engine, queries: Iterable[LookupQuery], *, sources: Iterable[str] | None = None,
                      force: bool = False) -> list[LookupOutcome]:
    """Look every query up in every look-up source that covers it (see module docstring)."""
    settings = get_settings()
    only = set(sources) if sources is not None else None
    outcomes = []
    for name, planned in _plan(queries, only).items():
        info = get_source(name)
        keys = list(planned)
        fresh = set() if force else _fresh_keys(engine, name, keys, settings.lookup_cache_ttl_days)
        pending = [planned[k] for k in keys if k not in fresh]
        outcome = LookupOutcome(source=name, status="cached", queries=len(keys), cached=len(fresh))
        outcomes.append(outcome)
        if not pending:
            continue
        result = SyncResult(source=name, status="running", sync_id=_start_sync(engine, name))
        key_of = {q: k for k, q in planned.items()}
        answers: dict[str, list[str]] = {key_of[q]: [] for q in pending}
        records: list[NormalRecord] = []
        try:
            adapter = make_adapter(info.name)
            for query, record in adapter.lookup(pending):
                answers[key_of[query]].append(record.record_key)
                records.append(record)
            failed = {key_of[q]: message for q, message in getattr(adapter, "errors", {}).items()}
            failed.update({key_of[q]: message for q, message in getattr(adapter, "misses", {}).items()
                           if "no family name" not in message})
        except (SourceError, KeyError, TypeError, ValueError) as exc:  # down, throttled, slow, or an odd answer
            message = str(exc) if isinstance(exc, SourceError) else (
                f"{name}: garbage: unexpected data ({type(exc).__name__}: {exc})")
            outcome.status, outcome.error = "error", message
            result.status, result.error = "error", message
            finish_sync(engine, result)
            continue
        except KapdirError as exc:  # e.g. a source made manual since the plan was made
            outcome.status, outcome.error = "error", str(exc)
            result.status, result.error = "error", str(exc)
            finish_sync(engine, result)
            continue
        store_records(engine, records)
        retired = _remember(engine, name, {k: v for k, v in answers.items() if k not in failed})
        outcome.status, outcome.records, outcome.errors, outcome.removed = "ok", len(records), failed, retired
        result.status, result.records, result.added, result.removed = "ok", len(records), len(records), retired
        if failed:
            result.error = f"{len(failed)} of {len(pending)} look-ups failed: {next(iter(failed.values()))}"
        finish_sync(engine, result)
    return outcomes


def database_queries(engine: Engine) -> list[LookupQuery]:
    """One query per clinician, state their practice serves, and claimed license class, where a look-up source
    covers that state (so that after ``boards sync`` verification needs no network). A nurse (role ``nurse``) whose
    site names no nursing license is asked about as a registered nurse."""
    with session_scope(engine) as session:
        clinicians = session.execute(select(Clinician).where(Clinician.gone_at.is_(None))).scalars().all()
        states: dict[int, set[str]] = {}
        for area in session.execute(select(ServiceArea)).scalars():
            states.setdefault(area.practice_id, set()).add(area.state.upper())
        classes: dict[int, set[str]] = {}
        claims = session.execute(select(CredentialClaim).where(
            CredentialClaim.kind == CredentialKind.STATE_LICENSE.value)).scalars()
        for claim in claims:
            if claim.license_class:
                classes.setdefault(claim.clinician_id, set()).add(claim.license_class)
    queries = []
    for clinician in clinicians:
        claimed = classes.get(clinician.id, set())
        if clinician.role == Role.NURSE.value and not claimed & NURSE_CLASSES:
            claimed = claimed | {LicenseClass.REGISTERED_NURSE.value}  # a nurse whose site names no license
        for state in sorted(states.get(clinician.practice_id, ())):
            for license_class in sorted(claimed) or [None]:
                query = LookupQuery(clinician.name, state, license_class)
                if lookup_sources(query):
                    queries.append(query)
    return queries


def parse_class(text: str | None):
    """'professional_counselor', 'LPC' or 'Licensed Clinical Social Worker' -> LicenseClass (None for None)."""
    from directory.boards.registry import classify_title

    if not text:
        return None
    try:
        return LicenseClass(text.strip().lower())
    except ValueError:
        found = classify_title(None, text)
        if found is LicenseClass.OTHER:
            raise KapdirError(f"unknown license class {text!r} (e.g. LPC, LCSW, LMFT, psychologist, MD)") from None
        return found
