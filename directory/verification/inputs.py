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
from collections import Counter, defaultdict
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
from directory.verification.health import SourceHealth, in_live_roster, record_as_of
from directory.verification.matching import (
    PersonName,
    name_score,
    person_from_clinician,
    person_from_record,
    record_keys,
)
from directory.verification.rules import authorities
from directory.vocab import RecordKind

CHUNK = 900  # ids per IN (...) list
EXCLUSION_CHECK = "source:@exclusion-list"  # the exclusion list's health as the verdicts read it (its cadence)
# The record's columns a verdict reads (evidence, name matching, look-ups), and its own date (source_as_of or
# fetched_at). A live roster record is fresh while its source is: the source's health print, which every clinician
# who read one of its records watches ("source:…"), is read at each run, so a source going stale is seen then.
JUDGED = (
    "source", "record_key", "kind", "state", "home_state", "license_class", "title_raw", "license_number",
    "holder_name", "given_name", "middle_name", "family_name", "suffix", "family_key", "given_key", "status",
    "status_raw", "issue_date", "expiry_date", "discipline", "discipline_text", "multistate", "npi", "city",
    "address_state", "source_url", "removed_at", "raw", "row_hash",
)
# Where a record is and under which name (what a record that cannot weigh in still counts by).
PLACE_AND_NAME = ("kind", "state", "family_key", "holder_name", "given_name", "middle_name", "family_name", "suffix",
                  "npi", "license_number", "removed_at")
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
    return f"{health.available}|{health.reason}"  # no date: an unchanged re-sync changes no verdict


def health_prints(health: dict[str, SourceHealth], exclusion: SourceHealth) -> dict[str, str]:
    prints = {f"source:{source}": _health_print(h) for source, h in health.items()}
    prints[EXCLUSION_CHECK] = _health_print(exclusion)
    return prints


def recheck_at(read: Iterable[Any], now: datetime, stale_days: int) -> datetime | None:
    """The earliest moment one of these records changes a verdict by the calendar alone: the day after its
    expiry date (decision.status_verdict), or the end of its own freshness window (health.is_fresh; a live roster
    record has none of its own: its source's health is read at every run)."""
    moments = []
    for record in read:
        if record.expiry_date is not None:
            lapse = datetime.combine(record.expiry_date + timedelta(days=1), time.min)
            if lapse > now:
                moments.append(lapse)
        as_of = None if in_live_roster(record) else record_as_of(record)
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


def plan(session: Session, *, listings: dict[int, tuple], hashes: dict[int, str], rows: list, rules: str,
         prints: dict[str, str], upto: Marks, now: datetime, family_kinds: frozenset[str]) -> Plan | None:
    """The clinicians a --due run must re-judge; None when all are (no earlier state, or a new rules version).
    ``listings``/``hashes``: listed clinician -> (practice, clinician, areas, credentials) / listing hash; ``rows``:
    the current verdict rows (claim_key, clinician_id, expires_at)."""
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
    sources = {source for source in prints.keys() | before.keys() if prints.get(source) != before.get(source)}
    for chunk in chunks(sources):
        due |= set(session.execute(select(VerdictInputKey.clinician_id).where(
            VerdictInputKey.key.in_(chunk))).scalars())
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
    for ids in chunks(changed):  # a record read has changed what its readers kept of it (or is gone)
        for cid, record_id, kept in session.execute(select(
                VerdictInputRecord.clinician_id, VerdictInputRecord.record_id, VerdictInputRecord.fingerprint)
                .where(VerdictInputRecord.record_id.in_(ids))):
            record = current.get(record_id)
            if record is None or fingerprint(record, relevant=kept.startswith("f:")) != kept:
                due.add(cid)
    # A new or changed record under a clinician's look-up keys, with a name close enough to matter (or the site's
    # NPI). Any record joining an exact surname group matters to a clinician whose look-up fell back on the
    # surname prefix (it found no exact surname).
    by_key: dict[str, list] = defaultdict(list)
    for record in current.values():
        for key in record_keys(record, family_kinds):
            by_key[key].append(record)
    fallback = set(session.execute(select(VerdictInputKey.clinician_id).where(
        VerdictInputKey.key >= "prefix:", VerdictInputKey.key < "prefix;")).scalars())
    for chunk in chunks(by_key):
        for cid, key in session.execute(select(VerdictInputKey.clinician_id, VerdictInputKey.key).where(
                VerdictInputKey.key.in_(chunk))):
            if cid in due or cid not in listings:
                continue
            clinician = listings[cid][1]
            person = person_from_clinician(clinician)
            if cid in fallback or any(relevant(person, clinician.npi, r) for r in by_key[key]):
                due.add(cid)
    gone = {s.practice_id for cid, s in stored.items() if cid not in hashes}
    return Plan(due & set(hashes), gone)


def relevant(person: PersonName, site_npi: str | None, record: Any, score: float | None = None) -> bool:
    """Can this record weigh in a clinician's verdicts? Every use gather.py makes of a record needs a name score of
    at least 0.5 (a candidate, an exclusion entry, an NPI registry entry of the same full name) or the site's NPI
    (the registry entries whose license numbers tie records). Any other record only counts as being there."""
    if site_npi and record.npi == site_npi:
        return True
    if score is None:
        score = name_score(person, person_from_record(record))
    return score >= 0.5


def fingerprint(record: Any, *, relevant: bool) -> str:
    """What a verdict depends on in a record: all its judged fields when it can weigh in, else only where and under
    which name it is (a namesake's status change cannot change the verdict; its leaving the surname group can)."""
    if relevant:
        return "f:" + record_fingerprint(record)
    return "n:" + _digest([getattr(record, column) for column in PLACE_AND_NAME])


class Writer:
    """Writes the inputs of the clinicians judged, batch by batch (nothing of the gathering is held longer)."""

    TABLES = (VerdictInputKey.__table__, VerdictInputRecord.__table__, VerdictInputs.__table__)

    def __init__(self, session: Session, *, judging: set[int], listed: set[int], everything: bool, now: datetime,
                 stale_days: int, run_id: int):
        """Drop the inputs about to be replaced (all of them for a full run) and those of clinicians no longer
        listed."""
        self.session, self.now, self.stale_days, self.run_id = session, now, stale_days, run_id
        self.rows: tuple[list, list, list] = ([], [], [])
        if everything:
            for table in self.TABLES:
                session.execute(delete(table))
        else:
            stale = set(session.execute(select(VerdictInputs.clinician_id)).scalars()) - listed
            for chunk in chunks(judging | stale):
                for table in self.TABLES:
                    session.execute(delete(table).where(table.c.clinician_id.in_(chunk)))

    def add(self, clinician_id: int, practice_id: int, listing: str, claims: int,
            info: ClinicianRecords | None) -> None:
        keys, records, inputs = self.rows
        read = list(info.read.values()) if info else []
        inputs.append({"clinician_id": clinician_id, "practice_id": practice_id, "listing_hash": listing,
                       "claims": claims, "recheck_at": recheck_at(read, self.now, self.stale_days),
                       "judged_at": self.now, "verify_run_id": self.run_id})
        if info is None:
            return
        npi = info.clinician.npi or None
        for record in read:
            weighs = relevant(info.person, npi, record, info.scores.get(record.id))
            records.append({"clinician_id": clinician_id, "record_id": record.id,
                            "fingerprint": fingerprint(record, relevant=weighs)})
        watch = info.watch | {f"source:{r.source}" for r in read} | {EXCLUSION_CHECK}
        keys += [{"clinician_id": clinician_id, "key": key} for key in sorted(watch)]

    def flush(self) -> None:
        for table, values in zip(self.TABLES, self.rows, strict=True):
            if values:
                self.session.execute(insert(table), values)
            values.clear()

    def finish(self, *, rules: str, prints: dict[str, str], upto: Marks) -> None:
        """The run's state, and the change log pruned up to what it read."""
        self.flush()
        state = VerdictInputState.__table__
        self.session.execute(delete(state))
        self.session.execute(insert(state), [{"id": 1, "rules_version": rules, "health": prints,
                                              "records_upto": upto.records, "changes_upto": upto.changes,
                                              "verify_run_id": self.run_id}])
        log = RecordChange.__table__
        self.session.execute(delete(log).where(log.c.id <= upto.changes))


def family_kinds(anywhere_kinds: frozenset[str]) -> frozenset[str]:
    """Record kinds looked up nationally by surname (gather.Gatherer's in-memory lists)."""
    return anywhere_kinds | {RecordKind.EXCLUSION.value}
