"""Incremental re-verification (issue 14): ``verify --due`` re-judges only what its inputs say changed, and its
verdicts are exactly a full run's.

The property: a directory is verified in full; then, round after round, random changes hit the board records
(status, expiry, discipline, removal and return, a renamed holder, a new namesake, a new exclusion entry), the
sources (a failed or new sync: a new one re-dates the live records a roster sync stored), the site (service
areas, credentials, NPI, a clinician dropped or back) and the calendar (hours to months);
after each round the database is copied, ``--due`` runs on one copy and a full run on the other, and the verdicts,
the history rows the run appended and the practice discrepancies must be identical.
"""

import sqlite3
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text, update
from sqlmodel import select

from directory.db import get_engine, resolve_url, session_scope
from directory.models import (
    Clinician,
    CredentialClaim,
    Discrepancy,
    LicenseRecord,
    RecordChange,
    ServiceArea,
    VerdictHistory,
    Verification,
)
from directory.names import name_key, parse_name
from directory.verification import verify_all
from directory.verification.inputs import change_log_kept
from directory.vocab import LicenseStatus, Verdict
from tests.verification.builders import NOW, clinician, practice, record, sync
from tests.verification.test_properties import PROPERTY, SCRATCH, SOURCES, STATES, fresh_engine

INCREMENTAL = settings(PROPERTY, max_examples=60)

CLASSES = {"professional_counselor": "LPC", "marriage_family_therapist": "LMFT"}
PEOPLE = ["Jane Q. Roe", "Ana Smith-Jones"]
HOLDERS = ["Roe, Jane Q", "Jane Roe", "Janet Roe", "Jane Rowe", "Ana Smith-Jones", "Ana Jones", "Anna Smith",
           "John Doe"]
ALL_SOURCES = sorted(set(SOURCES.values()) | {"psypact", "oig_leie"})
STATUSES = [s.value for s in LicenseStatus]

HOLDERS_OF = {"Jane Q. Roe": ["Roe, Jane Q", "Jane Roe", "Roe, Jane"], "Ana Smith-Jones": ["Ana Smith-Jones"]}


def record_spec(served: list[str], classes: list[str]):
    """Board records biased towards the clinicians: their names, the states served, the classes claimed."""
    return st.fixed_dictionaries({
        "state": st.one_of(st.sampled_from(served), st.sampled_from(STATES)),
        "license_class": st.one_of(st.sampled_from(classes), st.sampled_from([*CLASSES, "other"])),
        "kind": st.sampled_from(["license", "license", "license", "license", "compact_privilege",
                                 "psypact_authority"]),
        "status": st.one_of(st.just("active"), st.just("active"), st.sampled_from(STATUSES)),
        "expiry_days": st.one_of(st.none(), st.integers(-30, 200)), "as_of_days": st.integers(0, 60),
        "discipline": st.booleans(),
        "name": st.one_of(st.sampled_from([h for names in HOLDERS_OF.values() for h in names]),
                          st.sampled_from(HOLDERS)),
        "npi": st.sampled_from([None, None, "1234567893"]),
        "roster": st.booleans(),  # stored by a roster sync: dated by its source's last good sync while live
    })


def changes(served: list[str], classes: list[str]):
    return st.one_of(
        st.tuples(st.just("status"), st.integers(0, 20), st.sampled_from(STATUSES)),
        st.tuples(st.just("expiry"), st.integers(0, 20), st.integers(-10, 60)),
        st.tuples(st.just("discipline"), st.integers(0, 20), st.booleans()),
        st.tuples(st.just("remove"), st.integers(0, 20)),
        st.tuples(st.just("restore"), st.integers(0, 20)),
        st.tuples(st.just("rename"), st.integers(0, 20), st.sampled_from(HOLDERS)),
        st.tuples(st.just("as_of"), st.integers(0, 20), st.integers(0, 60)),
        st.tuples(st.just("namesake"), record_spec(served, classes)),
        st.tuples(st.just("namesake"), record_spec(served, classes)),
        st.tuples(st.just("exclusion"), st.sampled_from(HOLDERS),
                  st.sampled_from([None, "1234567893", "1999999999"])),
        st.tuples(st.just("sync"), st.sampled_from(ALL_SOURCES), st.sampled_from(["ok", "error"])),
        st.tuples(st.just("area"), st.sampled_from(STATES), st.tuples(st.booleans(), st.booleans())),
        st.tuples(st.just("credential"), st.integers(0, 1), st.sampled_from(list(CLASSES))),
        st.tuples(st.just("npi"), st.integers(0, 1), st.sampled_from([None, "1234567893"])),
        st.tuples(st.just("gone"), st.integers(0, 1), st.booleans()),
        st.tuples(st.just("time"), st.sampled_from([1, 2, 5, 20, 50, 95])),
    )


@st.composite
def world(draw):
    areas = draw(st.dictionaries(st.sampled_from(STATES), st.tuples(st.booleans(), st.booleans()), min_size=1,
                                 max_size=3))
    served = sorted(areas)
    classes = [draw(st.sampled_from(list(CLASSES))) for _ in PEOPLE]
    records = draw(st.lists(record_spec(served, classes), max_size=6))
    # Most sources synced and fresh (else nothing passes and little can change); failures come as changes.
    syncs = {source: ("ok", draw(st.integers(0, 30))) for source in ALL_SOURCES if draw(st.integers(0, 4))}
    rounds = draw(st.lists(st.lists(changes(served, classes), min_size=1, max_size=3), min_size=1, max_size=4))
    return {"areas": areas, "classes": classes, "records": records, "syncs": syncs, "rounds": rounds}


def _add_record(s, spec, number: str, at):
    source = "psypact" if spec["kind"] == "psypact_authority" else SOURCES[spec["state"]]
    expiry = at.date() + timedelta(days=spec["expiry_days"]) if spec["expiry_days"] is not None else None
    record(s, source, spec["name"], spec["state"], spec["license_class"], kind=spec["kind"], status=spec["status"],
           status_raw=spec["status"].upper(), expiry=expiry, discipline=spec["discipline"], number=number,
           npi=spec["npi"], as_of=at - timedelta(days=spec["as_of_days"]), roster=spec["roster"])


def build(engine, data):
    with session_scope(engine) as s:
        p = practice(s, "incr.example", data["areas"])
        for name, cls in zip(PEOPLE, data["classes"], strict=True):
            clinician(s, p, name, [(CLASSES[cls], "state_license", cls)])
        for i, spec in enumerate(data["records"]):
            _add_record(s, spec, f"N{i}", NOW)
        for source, (status, age) in data["syncs"].items():
            sync(s, source, status=status, at=NOW - timedelta(days=age))
        s.commit()


def apply(engine, changes, now, serial):
    """One round of changes, written as the syncs and the crawler would (plain updates and inserts)."""
    with session_scope(engine) as s:
        records = list(s.exec(select(LicenseRecord).order_by(LicenseRecord.id)))
        people = list(s.exec(select(Clinician).order_by(Clinician.id)))
        for kind, *args in changes:
            if kind in ("status", "expiry", "discipline", "remove", "restore", "rename", "as_of") and records:
                rec = records[args[0] % len(records)]
                if kind == "status":
                    rec.status, rec.status_raw = args[1], args[1].upper()
                elif kind == "expiry":
                    rec.expiry_date = now.date() + timedelta(days=args[1])
                elif kind == "discipline":
                    rec.discipline, rec.discipline_text = args[1], "Probation order" if args[1] else None
                elif kind == "remove":
                    rec.removed_at = now
                elif kind == "restore":
                    rec.removed_at = None
                elif kind == "rename":
                    parsed = parse_name(args[1])
                    rec.holder_name, rec.given_name, rec.family_name = args[1], parsed.given, parsed.family
                    rec.middle_name, rec.family_key = parsed.middle or None, name_key(parsed.family)
                    rec.given_key = name_key(parsed.given)
                else:
                    rec.source_as_of = now - timedelta(days=args[1])
                s.add(rec)
            elif kind == "namesake":
                _add_record(s, args[0], f"M{next(serial)}", now)
            elif kind == "exclusion":
                record(s, "oig_leie", args[0], None, None, kind="exclusion", status="excluded",
                       status_raw="EXCLUDED", number=f"X{next(serial)}", npi=args[1], expiry=None,
                       as_of=now - timedelta(days=1))
            elif kind == "sync":
                sync(s, args[0], status=args[1], at=now - timedelta(minutes=30),
                     error="HTTP 503" if args[1] != "ok" else None)
            elif kind == "area":
                area = s.exec(select(ServiceArea).where(ServiceArea.state == args[0])).first()
                if area is None:
                    area = ServiceArea.model_validate({"practice_id": people[0].practice_id, "state": args[0]})
                area.in_person, area.virtual = args[1]
                s.add(area)
            elif kind == "credential":
                claim = s.exec(select(CredentialClaim).where(
                    CredentialClaim.clinician_id == people[args[0]].id)).first()
                claim.code, claim.license_class = CLASSES[args[1]], args[1]
                s.add(claim)
            elif kind == "npi":
                people[args[0]].npi = args[1]
                s.add(people[args[0]])
            elif kind == "gone":  # the site drops a clinician, or lists them again
                people[args[0]].gone_at = now if args[1] else None
                s.add(people[args[0]])
            s.flush()
        s.commit()


def copy(engine, directory: str, name: str):
    """A consistent copy of the SQLite database (WAL included) through the backup API."""
    source = engine.url.database
    path = Path(directory) / name
    with sqlite3.connect(source) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    return get_engine(resolve_url(path))


def verdicts(engine):
    with session_scope(engine) as s:
        return {r.claim_key: (r.verdict, r.basis, r.confidence, r.license_record_id, r.evidence, r.source_as_of,
                              r.clinician_id, r.practice_id, r.state, r.mode, r.credential_code)
                for r in s.exec(select(Verification))}


def history_of(engine, run_id):
    with session_scope(engine) as s:
        rows = s.exec(select(VerdictHistory).where(VerdictHistory.verify_run_id == run_id))
        return sorted((r.event, r.claim_key, r.verdict, r.basis, repr(r.evidence), r.license_record_id,
                       repr(sorted(r.sync_ids.items()))) for r in rows)


def discrepancies(engine):
    with session_scope(engine) as s:
        return sorted((r.practice_id, r.state, r.text) for r in s.exec(select(Discrepancy)))


def check_due_equals_full(engine, data, copy_of) -> None:
    """Build, verify in full, then per round: change, copy (``copy_of(engine, name)``), --due here, full there."""
    serial = iter(range(1000))
    build(engine, data)
    verify_all(engine, now=NOW)
    now = NOW
    for number, changes in enumerate(data["rounds"]):
        now += timedelta(hours=1) + sum((timedelta(days=c[1]) for c in changes if c[0] == "time"), timedelta())
        apply(engine, changes, now, serial)
        full_copy = copy_of(engine, f"full{number}")
        due = verify_all(engine, now=now, due_only=True)
        full = verify_all(full_copy, now=now)
        assert verdicts(engine) == verdicts(full_copy), changes
        assert history_of(engine, due["run_id"]) == history_of(full_copy, full["run_id"]), changes
        assert discrepancies(engine) == discrepancies(full_copy), changes
        assert {k: due[k] for k in ("claims", "verdicts", "retired")} == {
            k: full[k] for k in ("claims", "verdicts", "retired")}
        full_copy.dispose()


@INCREMENTAL
@given(world())
def test_due_run_gives_exactly_the_verdicts_of_a_full_run(data):
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        check_due_equals_full(fresh_engine(tmp), data, lambda engine, name: copy(engine, tmp, f"{name}.db"))


class PostgresCopies:
    """Databases of the throwaway PostgreSQL server: a migrated template, and copies by CREATE DATABASE ...
    TEMPLATE (which needs the source to have no open connection)."""

    def __init__(self, url: str):
        self.base, _, _ = url.rpartition("/")
        self.admin = get_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        self.create("kapdir_incr_template", None)
        from directory.db import upgrade

        upgrade(f"{self.base}/kapdir_incr_template")

    def create(self, name: str, template: str | None):
        with self.admin.connect() as conn:
            if template:  # e.g. the pool of the engine upgrade() used: idle, but it blocks the copy
                conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                                     "AND pid <> pg_backend_pid()", (template,))
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
            conn.exec_driver_sql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return get_engine(f"{self.base}/{name}")

    def copy_of(self, engine, name: str):
        engine.dispose()
        return self.create(f"kapdir_incr_{name}", engine.url.database)


@pytest.fixture(scope="module")
def postgres_copies(postgres_url):
    return PostgresCopies(postgres_url)


@pytest.mark.postgres
@settings(INCREMENTAL, max_examples=15, suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.function_scoped_fixture])
@given(world())
def test_due_run_gives_exactly_the_verdicts_of_a_full_run_on_postgres(postgres_copies, data):
    engine = postgres_copies.create("kapdir_incr_example", "kapdir_incr_template")
    try:
        check_due_equals_full(engine, data, postgres_copies.copy_of)
    finally:
        engine.dispose()


def _world(session, holder="Roe, Jane"):
    p = practice(session, "incr.example", {"CT": (True, True)})
    clinician(session, p, "Jane Roe", [("LPC", "state_license", "professional_counselor")])
    rec = record(session, "ct_socrata", holder, "CT", "professional_counselor", expiry=date(2027, 12, 31))
    sync(session, "ct_socrata")
    sync(session, "oig_leie")
    session.commit()
    return rec


def test_unchanged_data_rejudges_nothing_and_a_change_only_its_clinician(engine, session):
    _world(session)
    other = practice(session, "other.example", {"TX": (True, False)})
    clinician(session, other, "Ray Dunn", [("LPC", "state_license", "professional_counselor")])
    record(session, "tx_bhec", "Dunn, Ray", "TX", "professional_counselor")
    sync(session, "tx_bhec")
    session.commit()
    verify_all(engine, now=NOW)
    again = verify_all(engine, now=NOW + timedelta(hours=1), due_only=True)
    assert again["rechecked"] == 0 and again["claims"] == 3
    with engine.begin() as conn:  # a plain SQL update, as a bulk sync would write it
        conn.execute(update(LicenseRecord.__table__).where(LicenseRecord.__table__.c.family_key == "dunn")
                     .values(status="revoked", status_raw="REVOKED"))
    changed = verify_all(engine, now=NOW + timedelta(hours=2), due_only=True)
    assert changed["rechecked"] == 1
    assert changed["verdicts"] == {Verdict.VERIFIED.value: 2, Verdict.SUSPENDED_OR_REVOKED.value: 1}


def test_without_the_change_log_triggers_everything_is_judged_again(engine, session):
    _world(session)
    verify_all(engine, now=NOW)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER licenserecord_changed")
        conn.execute(update(LicenseRecord.__table__).values(status="expired", status_raw="EXPIRED"))
    result = verify_all(engine, now=NOW + timedelta(hours=1), due_only=True)
    assert result["verdicts"] == {Verdict.EXPIRED.value: 2}


def test_a_new_namesake_in_the_state_makes_a_verified_claim_ambiguous(engine, session):
    _world(session)
    verify_all(engine, now=NOW)
    with session_scope(engine) as s:  # another Jane Roe, same class, same state: which one is she?
        record(s, "ct_socrata", "Roe, Jane", "CT", "professional_counselor")
        s.commit()
    result = verify_all(engine, now=NOW + timedelta(hours=1), due_only=True)
    assert result["verdicts"] == {Verdict.AMBIGUOUS.value: 2} and result["rechecked"] == 2


def test_the_change_log_holds_only_judged_changes_and_is_pruned(engine, session):
    rec = _world(session)
    verify_all(engine, now=NOW)
    assert change_log_kept(session)  # the migrations left the triggers in place
    table = LicenseRecord.__table__
    with engine.begin() as conn:  # a re-sync that only re-stamps when it read the record logs nothing
        conn.execute(update(table).values(fetched_at=NOW + timedelta(hours=1)))
        assert conn.execute(select(RecordChange.id)).all() == []
        conn.execute(update(table).where(table.c.id == rec.id).values(expiry_date=date(2028, 1, 31)))
        assert conn.execute(select(RecordChange.record_id)).scalars().all() == [rec.id]
    verify_all(engine, now=NOW + timedelta(hours=2), due_only=True)
    with session_scope(engine) as s:
        assert s.exec(select(RecordChange)).all() == []


@pytest.mark.postgres
def test_incremental_verify_on_postgres(postgres_url):
    engine = get_engine(postgres_url)
    with engine.begin() as conn:  # an empty schema
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    from directory.db import upgrade

    upgrade(postgres_url)
    with session_scope(engine) as s:
        rec = _world(s)
    verify_all(engine, now=NOW)
    with session_scope(engine) as s:
        assert change_log_kept(s)
    assert verify_all(engine, now=NOW + timedelta(hours=1), due_only=True)["rechecked"] == 0
    with engine.begin() as conn:
        conn.execute(text("UPDATE licenserecord SET status = 'expired', status_raw = 'EXPIRED' WHERE id = :id"),
                     {"id": rec.id})
    result = verify_all(engine, now=NOW + timedelta(hours=2), due_only=True)
    assert result["verdicts"] == {Verdict.EXPIRED.value: 2} and result["rechecked"] == 2
    with session_scope(engine) as s:
        record(s, "ct_socrata", "Roe, Jane", "CT", "professional_counselor", status="expired")
        s.commit()
    result = verify_all(engine, now=NOW + timedelta(hours=3), due_only=True)
    assert result["verdicts"] == {Verdict.AMBIGUOUS.value: 2}
