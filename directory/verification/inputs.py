"""What each verdict was judged from, and which verdicts are due (``kapdir verify --due``, issue 14).

A clinician's claims are judged together from one gathering of board records (gather.py), so the inputs are kept
per clinician (models: ``VerdictInputs``, ``VerdictInputRecord``, ``VerdictInputKey``):

- the hash of the claims' own inputs: practice, clinician, credentials, service areas (``listing_hash``);
- every board record read, with a fingerprint of its judged fields;
- the look-up keys under which a new or changed record would be read (``name:CT:roe``, ``number:…``, ``npi:…``,
  ``family:roe``, ``prefix:CT:smit``) and the sources whose health the verdicts read (``source:ct_socrata``);
- the earliest moment a dated input flips: an expiry date passing, a record's data leaving the freshness window.

and for the run as a whole (``VerdictInputState``): the rules version, each source's health, the highest record id
and the highest entry of the record change log (``RecordChange``, written by triggers on every update of a
record's judged fields, whoever writes it).

A ``--due`` run re-judges a clinician when it is new or its listing changed; a record it read changed or went; a
new or changed record has one of its keys (a new namesake in the state turns ``verified`` into ``ambiguous``); a
source it read changed health (a failed sync, data gone stale, a source back); its recheck time passed; one of its
verdicts reached the end of its time to live; or its stored verdict rows are not the ones it left. A new rules
version (code, data tables, settings, the interstate rules in force that day) makes every clinician due. The
others keep their verdicts, which are exactly what a full run would write (tests/verification/test_incremental.py).
"""

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import delete, func, insert, select, text
from sqlmodel import Session

from directory.models import (
    LicenseRecord,
    RecordChange,
    VerdictInputKey,
    VerdictInputRecord,
    VerdictInputs,
    VerdictInputState,
)
from directory.verification.coverage import Coverage, registry_coverage
from directory.verification.gather import ClinicianRecords
from directory.verification.health import SourceHealth
from directory.verification.matching import record_keys
from directory.verification.rules import authorities
from directory.vocab import RecordKind

CHUNK = 900  # ids per IN (...) list
EXCLUSION_CHECK = "source:@exclusion-list"  # the exclusion list's health as the verdicts read it (its cadence)
# The record's columns a verdict reads (evidence, name matching, look-ups); its date is source_as_of or fetched_at.
JUDGED = (
    "source", "record_key", "kind", "state", "home_state", "license_class", "title_raw", "license_number",
    "holder_name", "given_name", "middle_name", "family_name", "suffix", "family_key", "given_key", "status",
    "status_raw", "issue_date", "expiry_date", "discipline", "discipline_text", "multistate", "npi", "city",
    "address_state", "source_url", "removed_at", "raw",
)
PACKAGE = Path(__file__).resolve().parent.parent
# Code and data the verdicts are computed from: a change to any of them makes every verdict due.
RULE_FILES = ("verification/*.py", "verification/*.csv", "data/*.toml", "data/*.csv", "boards/titles.py",
              "boards/registry.py", "extraction/taxonomy.py", "names.py", "vocab.py")


def _digest(value: Any) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=10).hexdigest()


def record_fingerprint(record: Any) -> str:
    return _digest([getattr(record, column) for column in JUDGED] + [record.source_as_of or record.fetched_at])


def listing_hash(practice: Any, clinician: Any, areas: list, credentials: list) -> str:
    """Everything the claims and their judging read from the site's side."""
    return _digest((
        practice.id, practice.key,
        (clinician.id, clinician.key, clinician.name, clinician.given_name, clinician.middle_name,
         clinician.family_name, clinician.suffix, clinician.role, clinician.npi),
        sorted(((a.state, a.in_person, a.virtual) for a in areas), key=repr),
        sorted(((c.code, c.kind, c.license_class, c.state, c.license_number) for c in credentials), key=repr),
    ))


@lru_cache(maxsize=1)
def _code_version() -> str:
    digest = hashlib.blake2b(digest_size=10)
    for pattern in RULE_FILES:
        for path in sorted(PACKAGE.glob(pattern)):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def rules_version(coverage: Coverage, now: datetime, stale_days: int) -> str:
    """Code, data tables, the freshness window and the interstate rules in force on the day. Another coverage
    than the registry's (a what-if run) can never be compared: its verdicts are all due on the next run."""
    if coverage is not registry_coverage:
        return f"custom coverage {uuid4()}"
    today = now.date()
    dated = [(a.key, state, a.issues_in(state, today), a.is_member(state, today))
             for a in authorities() for state in sorted(a.members | set(a.issuing or {}))]
    return _digest((_code_version(), stale_days, dated))


def _health_print(health: SourceHealth) -> str:
    return f"{health.available}|{health.reason}|{health.as_of}"


def health_prints(health: dict[str, SourceHealth], exclusion: SourceHealth) -> dict[str, str]:
    prints = {f"source:{source}": _health_print(h) for source, h in health.items()}
    prints[EXCLUSION_CHECK] = _health_print(exclusion)
    return prints


def recheck_at(read: Iterable[Any], now: datetime, stale_days: int) -> datetime | None:
    """The earliest moment one of these records changes a verdict by the calendar alone: the day after its
    expiry date (decision.status_verdict), or the end of its freshness window (health.is_fresh)."""
    moments = []
    for record in read:
        if record.expiry_date is not None:
            lapse = datetime.combine(record.expiry_date + timedelta(days=1), time.min)
            if lapse > now:
                moments.append(lapse)
        as_of = record.source_as_of or record.fetched_at
        if as_of is not None and as_of + timedelta(days=stale_days) >= now:
            moments.append(as_of + timedelta(days=stale_days))
    return min(moments, default=None)


@dataclass
class Marks:
    """The highest record id and record-change id, read before anything else a run reads."""

    records: int
    changes: int


def marks(session: Session) -> Marks:
    return Marks(session.execute(select(func.max(LicenseRecord.id))).scalar() or 0,
                 session.execute(select(func.max(RecordChange.id))).scalar() or 0)


def chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


TRIGGERS = ("licenserecord_changed", "licenserecord_deleted")


def change_log_kept(session: Session) -> bool:
    """Whether the triggers that keep the change log exist (a later migration that rebuilds ``licenserecord`` on
    SQLite would drop them): without them nothing can be skipped."""
    if session.get_bind().dialect.name == "postgresql":
        query = text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'licenserecord'::regclass")
    else:
        query = text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'licenserecord'")
    return set(TRIGGERS) <= set(session.execute(query).scalars())


@dataclass
class Plan:
    due: set[int]  # clinicians to re-judge
    gone_practices: set[int]  # practices of clinicians no longer listed whose inputs were kept


def plan(session: Session, *, hashes: dict[int, str], rows: list, rules: str, prints: dict[str, str],
         upto: Marks, now: datetime, family_kinds: frozenset[str]) -> Plan | None:
    """The clinicians a --due run must re-judge; None when all are (no earlier state, or a new rules version).
    ``hashes``: listed clinician -> listing hash; ``rows``: the current verdict rows (claim_key, clinician_id,
    expires_at)."""
    state = session.get(VerdictInputState, 1)
    if state is None or state.rules_version != rules or not change_log_kept(session):
        return None
    stored = {r.clinician_id: r for r in session.execute(select(
        VerdictInputs.clinician_id, VerdictInputs.practice_id, VerdictInputs.listing_hash, VerdictInputs.claims,
        VerdictInputs.recheck_at))}
    per_clinician = Counter(row.clinician_id for row in rows)
    due = {cid for cid, listing in hashes.items() if (s := stored.get(cid)) is None or s.listing_hash != listing
           or s.claims != per_clinician[cid] or (s.recheck_at is not None and s.recheck_at <= now)}
    due |= {row.clinician_id for row in rows if row.expires_at is None or row.expires_at <= now}
    before = state.health or {}
    keys = {source for source in prints.keys() | before.keys() if prints.get(source) != before.get(source)}
    # Records updated or deleted since the last run (the change log), and records added since (higher ids).
    changed = set(session.execute(select(RecordChange.record_id).where(
        RecordChange.id > state.changes_upto, RecordChange.id <= upto.changes)).scalars())
    table = LicenseRecord.__table__
    current = {}
    for ids in chunks(changed):
        current.update({r.id: r for r in session.execute(select(table).where(table.c.id.in_(ids)))})
    if upto.records > state.records_upto:
        current.update({r.id: r for r in session.execute(select(table).where(
            table.c.id > state.records_upto, table.c.id <= upto.records))})
    for ids in chunks(changed):  # a record read has changed (or is gone): its readers are due
        for cid, record_id, fingerprint in session.execute(select(
                VerdictInputRecord.clinician_id, VerdictInputRecord.record_id, VerdictInputRecord.fingerprint)
                .where(VerdictInputRecord.record_id.in_(ids))):
            record = current.get(record_id)
            if record is None or record_fingerprint(record) != fingerprint:
                due.add(cid)
    for record in current.values():  # a new or changed record now found under a clinician's keys
        keys |= record_keys(record, family_kinds)
    for chunk in chunks(keys):
        due |= set(session.execute(select(VerdictInputKey.clinician_id).where(
            VerdictInputKey.key.in_(chunk))).scalars())
    gone = {s.practice_id for cid, s in stored.items() if cid not in hashes}
    return Plan(due & set(hashes), gone)


@dataclass
class Judged:
    """One clinician's inputs, as gathered and judged in this run."""

    practice_id: int
    listing_hash: str
    claims: int
    info: ClinicianRecords | None  # None: no license claim, nothing read


def save(session: Session, judged: dict[int, Judged], *, listed: set[int], everything: bool, rules: str,
         prints: dict[str, str], upto: Marks, now: datetime, stale_days: int, run_id: int) -> None:
    """Replace the inputs of the clinicians judged (all of them after a full run), drop those of clinicians no
    longer listed, record the run's state and prune the change log it has read."""
    tables = (VerdictInputKey.__table__, VerdictInputRecord.__table__, VerdictInputs.__table__)
    if everything:
        for table in tables:
            session.execute(delete(table))
    else:
        stale = set(session.execute(select(VerdictInputs.clinician_id)).scalars()) - listed
        for chunk in chunks(set(judged) | stale):
            for table in tables:
                session.execute(delete(table).where(table.c.clinician_id.in_(chunk)))
    prints_by_id: dict[int, str] = {}
    inputs, records, keys = [], [], []
    for cid, entry in judged.items():
        read = entry.info.read.values() if entry.info else ()
        inputs.append({"clinician_id": cid, "practice_id": entry.practice_id, "listing_hash": entry.listing_hash,
                       "claims": entry.claims, "recheck_at": recheck_at(read, now, stale_days), "judged_at": now,
                       "verify_run_id": run_id})
        for record in read:
            if record.id not in prints_by_id:
                prints_by_id[record.id] = record_fingerprint(record)
            records.append({"clinician_id": cid, "record_id": record.id, "fingerprint": prints_by_id[record.id]})
        if entry.info is not None:
            watch = entry.info.watch | {f"source:{r.source}" for r in read} | {EXCLUSION_CHECK}
            keys += [{"clinician_id": cid, "key": key} for key in sorted(watch)]
    for table, values in zip(tables, (keys, records, inputs), strict=True):
        for start in range(0, len(values), 5000):
            session.execute(insert(table), values[start:start + 5000])
    state = VerdictInputState.__table__
    session.execute(delete(state))
    session.execute(insert(state), [{"id": 1, "rules_version": rules, "health": prints, "records_upto": upto.records,
                                     "changes_upto": upto.changes, "verify_run_id": run_id}])
    log = RecordChange.__table__
    session.execute(delete(log).where(log.c.id <= upto.changes))


def family_kinds(anywhere_kinds: frozenset[str]) -> frozenset[str]:
    """Record kinds looked up nationally by surname (gather.Gatherer's in-memory lists)."""
    return anywhere_kinds | {RecordKind.EXCLUSION.value}
