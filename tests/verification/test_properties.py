"""Hypothesis properties over generated directories and board data (each example in a fresh SQLite file).

- no verified* verdict without an evidence record that is active, matches the state and class, and is fresh;
- a source failure never turns an earlier failure into a pass (and keeps a pass's evidence);
- re-running verification on unchanged data changes nothing.
"""

import atexit
import shutil
import tempfile
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from directory.db import get_engine, open_database, resolve_url, session_scope
from directory.models import LicenseRecord, Verification
from directory.verification import verify_all
from directory.verification.gather import exclusion_refresh_days
from directory.verification.rules import authorities
from directory.vocab import LicenseStatus, Verdict
from tests.verification.builders import NOW, clinician, practice, record, sync

STATES = ["CT", "TX", "FL", "MN", "CO", "NM"]
SOURCES = {"CT": "ct_socrata", "TX": "tx_bhec", "FL": "fl_mqa", "MN": "counseling_compact", "CO": "co_socrata",
           "NM": "generic_nm"}
CLASSES = ["professional_counselor", "marriage_family_therapist", "psychologist", "other"]
CODES = {"professional_counselor": "LPC", "marriage_family_therapist": "LMFT", "psychologist": "Licensed Psychologist"}
KINDS = ["license", "license", "license", "compact_privilege", "telehealth_registration", "psypact_authority"]

@st.composite
def scenario(draw):
    """A clinician, the states the practice serves, and board records biased towards plausible matches."""
    claimed = draw(st.sampled_from(CLASSES[:3]))
    areas = draw(st.dictionaries(st.sampled_from(STATES), st.tuples(st.booleans(), st.booleans()), min_size=1,
                                 max_size=3))
    served = sorted(areas)
    records = draw(st.lists(st.fixed_dictionaries({
        "state": st.one_of(st.sampled_from(served), st.sampled_from(STATES)),
        "license_class": st.one_of(st.just(claimed), st.sampled_from(CLASSES)),
        "kind": st.sampled_from(KINDS),
        "status": st.one_of(st.just("active"), st.sampled_from([s.value for s in LicenseStatus])),
        "expiry_days": st.one_of(st.none(), st.integers(-400, 400)),
        "as_of_days": st.integers(0, 120),
        "discipline": st.booleans(),
        "name": st.one_of(st.just("Roe, Jane Q"), st.sampled_from(
            ["Jane Roe", "Jane Roe-Smith", "Janet Roe", "Jane Rowe", "John Doe", "Jane R. Roe"])),
    }), max_size=4))
    sources = sorted(set(SOURCES.values()) | {"psypact", "oig_leie"})
    syncs = draw(st.dictionaries(st.sampled_from(sources),
                                 st.tuples(st.sampled_from(["ok", "ok", "error", "refused"]), st.integers(0, 120)),
                                 max_size=8))
    if draw(st.booleans()):  # most runs have a fresh exclusion list, else nothing could pass
        syncs["oig_leie"] = ("ok", draw(st.integers(0, 40)))
    return {"claimed_class": claimed, "areas": areas, "records": records, "syncs": syncs}


@lru_cache(maxsize=1)
def _template() -> Path:
    """One migrated database per session, copied for each example (migrations take longer than a test)."""
    directory = tempfile.mkdtemp(prefix="kapdir-prop-", dir=SCRATCH)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = Path(directory) / "template.db"
    open_database(path).dispose()
    return path


def fresh_engine(directory: str):
    path = Path(directory) / "p.db"
    shutil.copy(_template(), path)
    return get_engine(resolve_url(path))


# Examples are many small SQLite files: keep them in memory-backed storage when the system has it.
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build(engine, data):
    with session_scope(engine) as s:
        p = practice(s, "prop.example", {state: modes for state, modes in data["areas"].items()})
        cls = data["claimed_class"]
        clinician(s, p, "Jane Q. Roe", [(CODES[cls], "state_license", cls)])
        for i, r in enumerate(data["records"]):
            source = "psypact" if r["kind"] == "psypact_authority" else SOURCES[r["state"]]
            expiry = NOW.date() + timedelta(days=r["expiry_days"]) if r["expiry_days"] is not None else None
            record(s, source, r["name"], r["state"], r["license_class"], kind=r["kind"], status=r["status"],
                   status_raw=r["status"].upper(), expiry=expiry, discipline=r["discipline"],
                   number=f"N{i}", as_of=NOW - timedelta(days=r["as_of_days"]))
        for source, (status, age) in data["syncs"].items():
            sync(s, source, status=status, at=NOW - timedelta(days=age), error="down" if status != "ok" else None)
        s.commit()


def rows(engine):
    with session_scope(engine) as s:
        return {r.claim_key: r for r in s.exec(select(Verification))}


def assert_passes_have_valid_evidence(engine, claimed_class):
    stale = NOW - timedelta(days=45)
    with session_scope(engine) as s:
        for row in s.exec(select(Verification)):
            if row.verdict not in {v.value for v in Verdict} or not Verdict(row.verdict).is_pass:
                continue
            rec = s.get(LicenseRecord, row.license_record_id)
            assert rec is not None, row.basis
            assert rec.status in (LicenseStatus.ACTIVE, LicenseStatus.PROBATION)
            assert rec.expiry_date is None or rec.expiry_date >= NOW.date()
            assert (rec.source_as_of or rec.fetched_at) >= stale
            assert rec.license_class != "other"
            if rec.kind in ("license", "compact_privilege", "telehealth_registration") and not rec.multistate:
                assert rec.state == row.state
            assert rec.license_class == claimed_class
            if row.verdict == Verdict.VERIFIED:
                assert rec.kind == "license"
            if row.mode == "in_person":
                assert row.verdict not in (Verdict.VERIFIED_PSYPACT, Verdict.VERIFIED_TELEHEALTH_REGISTRATION)
            if row.verdict == Verdict.VERIFIED_COMPACT_PRIVILEGE:
                compact = next(a for a in authorities() if a.key == "counseling_compact")
                assert compact.issues_in(row.state, NOW.date())
            latest = {}
            from directory.models import SourceSync

            for sync_row in s.exec(select(SourceSync).order_by(SourceSync.id)):
                latest[sync_row.source] = sync_row.status
            assert latest.get(rec.source) == "ok"
            # ... and the exclusion list was checked on data within its monthly cadence.
            assert latest.get("oig_leie") == "ok"
            leie = s.exec(select(SourceSync).where(SourceSync.source == "oig_leie", SourceSync.status == "ok")
                          .order_by(SourceSync.id.desc())).first()
            assert leie.source_as_of >= NOW - timedelta(days=exclusion_refresh_days())


@PROPERTY
@given(scenario())
def test_no_pass_without_active_matching_fresh_evidence(data):
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        engine = fresh_engine(tmp)
        build(engine, data)
        verify_all(engine, now=NOW)
        assert_passes_have_valid_evidence(engine, data["claimed_class"])


@PROPERTY
@given(scenario(), st.sampled_from(["error", "refused"]))
def test_a_source_failure_never_turns_a_failure_into_a_pass(data, failure):
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        engine = fresh_engine(tmp)
        build(engine, data)
        verify_all(engine, now=NOW)
        before = {k: (r.verdict, r.evidence) for k, r in rows(engine).items()}
        with session_scope(engine) as s:
            for source in sorted(set(SOURCES.values()) | {"psypact", "oig_leie"}):
                sync(s, source, status=failure, at=NOW + timedelta(hours=1), error="HTTP 503")
            s.commit()
        verify_all(engine, now=NOW + timedelta(hours=2), due_only=True)
        after = rows(engine)
        for key, (verdict, evidence) in before.items():
            new = after[key].verdict
            was_pass = verdict in {v.value for v in Verdict} and Verdict(verdict).is_pass
            now_pass = new in {v.value for v in Verdict} and Verdict(new).is_pass
            assert not now_pass, (key, verdict, new)
            if was_pass:
                assert new == Verdict.SOURCE_UNAVAILABLE and after[key].evidence is not None
                assert after[key].evidence["record_id"] == evidence["record_id"]


@PROPERTY
@given(scenario())
def test_rerunning_on_unchanged_data_changes_nothing(data):
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        engine = fresh_engine(tmp)
        build(engine, data)
        # Both runs a few minutes before NOW: the scenario's whole-day ages put every freshness window's edge at NOW
        # itself, which a run after NOW would legitimately cross (a source 45 days old turning stale).
        verify_all(engine, now=NOW - timedelta(minutes=10))

        def snap():
            return {k: (r.id, r.verdict, r.basis, r.confidence, r.license_record_id, r.evidence, r.checked_at)
                    for k, r in rows(engine).items()}

        first = snap()
        result = verify_all(engine, now=NOW - timedelta(minutes=5), due_only=True)
        assert snap() == first and result["rechecked"] == 0
