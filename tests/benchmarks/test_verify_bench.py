"""Verification benchmark (issues 5 and 14): verify 10,000 clinicians' claims against 1,000,000 roster rows,
on SQLite and on PostgreSQL: a full run, ``--due`` on unchanged data, and ``--due`` after 1 % of the records
changed (a plain SQL UPDATE, as a bulk sync writes it), then a second full run on the changed data.

The database is generated through the models' tables with bulk inserts (practices, clinicians, service areas,
credentials, license records, source syncs). The verification itself runs in a child process pinned to one
core, so its wall time and peak memory (RSS) are its own. Results go to the "## Verification" section of
docs/benchmarks.md.

    .venv/bin/pytest tests/benchmarks/test_verify_bench.py --benchmark-only -s
    KAPDIR_BENCH_CLINICIANS=2000 KAPDIR_BENCH_ROSTER_ROWS=200000 \
        .venv/bin/pytest tests/benchmarks/test_verify_bench.py --benchmark-only -s

Set KAPDIR_BENCH_DB=/path/bench.db to keep the generated database and reuse it on the next run.
"""

import json
import os
import platform
import random
import re
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from directory.db import get_engine, resolve_url, upgrade
from directory.models import Clinician, CredentialClaim, LicenseRecord, Practice, ServiceArea, SourceSync

CLINICIANS = int(os.environ.get("KAPDIR_BENCH_CLINICIANS", "10000"))
ROSTER_ROWS = int(os.environ.get("KAPDIR_BENCH_ROSTER_ROWS", "1000000"))
NOW = datetime(2026, 11, 23, 12, 0, 0)
STATES = {"CT": "ct_socrata", "TX": "tx_bhec", "FL": "fl_mqa", "CO": "co_socrata", "IL": "il_socrata",
          "WA": "wa_socrata", "NY": "generic_ny", "GA": "generic_ga", "NC": "generic_nc", "MA": "generic_ma",
          "MD": "md_bpct", "VA": "va_dhp", "NM": None}
CLASSES = [("LPC", "professional_counselor", "therapist"), ("LCSW", "clinical_social_worker", "therapist"),
           ("LMFT", "marriage_family_therapist", "therapist"), ("Licensed Psychologist", "psychologist", "therapist"),
           ("MD", "physician", "prescriber")]
GIVEN = ["Jane", "John", "Maria", "David", "Sarah", "Michael", "Linda", "James", "Priya", "Wei", "Aisha", "Carlos",
         "Elena", "Omar", "Grace", "Hiro", "Fatima", "Liam", "Noor", "Sofia", "William", "Elizabeth", "Katherine",
         "Robert", "Ana", "Tomas", "Ines", "Yusuf", "Mei", "Kofi"]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"


def family_names(count: int = 20000) -> list[str]:
    rng = random.Random(1)
    syllables = ["an", "ber", "cas", "del", "ev", "for", "gan", "hol", "in", "jor", "kel", "lan", "mor", "nas",
                 "or", "pel", "quin", "ros", "san", "tor", "ul", "van", "wel", "yor", "zel"]
    return sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).title() for _ in range(count)})


def _record(i: int, state: str, given: str, family: str, license_class: str, status: str, expiry: date) -> dict:
    source = STATES[state]
    return {
        "source": source, "record_key": f"{source}:{i}", "kind": "license", "state": state,
        "license_class": license_class, "title_raw": license_class, "license_number": f"{state}{i:08d}",
        "holder_name": f"{family.upper()}, {given.upper()}", "given_name": given, "family_name": family,
        "given_key": given.lower(), "family_key": family.lower(), "status": status, "status_raw": status.upper(),
        "expiry_date": expiry, "discipline": False, "fetched_at": NOW - timedelta(days=1),
        "source_as_of": NOW - timedelta(days=1), "source_url": f"https://{source}.example/", "raw": {},
        "row_hash": f"{source}:{i}".encode(),  # a roster row, as a roster sync stores it (fresh while its source is)
    }


def build(url: str) -> dict:
    """A directory of CLINICIANS clinicians (10 per practice) and ROSTER_ROWS license records."""
    engine = get_engine(url)
    upgrade(url)
    rng = random.Random(7)
    families = family_names()
    covered = [s for s, source in STATES.items() if source]
    started = time.perf_counter()
    with engine.begin() as conn:
        practices = [{"key": f"p{i}.example", "name": f"Practice {i}", "website": f"https://p{i}.example/",
                      "phones": [], "emails": [], "booking_urls": [], "discrepancies": [],
                      "first_seen": NOW, "last_seen": NOW} for i in range(CLINICIANS // 10)]
        conn.execute(Practice.__table__.insert(), practices)
        served: dict[int, list[str]] = {}
        areas = []
        for pid in range(1, len(practices) + 1):
            states = rng.sample(list(STATES), 2)
            served[pid] = states
            for state in states:
                areas.append({"practice_id": pid, "state": state, "in_person": rng.random() < 0.6, "virtual": True})
        conn.execute(ServiceArea.__table__.insert(), areas)
        clinicians, credentials, records = [], [], []
        for cid in range(1, CLINICIANS + 1):
            pid = (cid - 1) // 10 + 1
            code, license_class, role = rng.choice(CLASSES)
            given, family = rng.choice(GIVEN), rng.choice(families)
            clinicians.append({"practice_id": pid, "key": f"c{cid}", "name": f"{given} {family}, {code}",
                               "given_name": given, "family_name": family, "role": role,
                               "first_seen": NOW, "last_seen": NOW})
            credentials.append({"clinician_id": cid, "code": code, "kind": "state_license",
                                "license_class": license_class})
            for state in served[pid]:
                if STATES[state] and rng.random() < 0.8:  # most clinicians hold the license they claim
                    status = "active" if rng.random() < 0.9 else rng.choice(["expired", "inactive", "revoked"])
                    records.append(_record(len(records), state, given, family, license_class, status,
                                           date(2027, 6, 30)))
        conn.execute(Clinician.__table__.insert(), clinicians)
        conn.execute(CredentialClaim.__table__.insert(), credentials)
        conn.execute(LicenseRecord.__table__.insert(), records)
        batch = []
        for i in range(len(records), ROSTER_ROWS):
            _, license_class, _ = rng.choice(CLASSES)
            status = "active" if rng.random() < 0.85 else rng.choice(["expired", "inactive", "probation"])
            batch.append(_record(i, rng.choice(covered), rng.choice(GIVEN) + rng.choice(["", "a", "e", "o"]),
                                 rng.choice(families), license_class, status, date(2027, 1, 31)))
            if len(batch) == 50000:
                conn.execute(LicenseRecord.__table__.insert(), batch)
                batch = []
        if batch:
            conn.execute(LicenseRecord.__table__.insert(), batch)
        conn.execute(SourceSync.__table__.insert(), [
            {"source": source, "status": "ok", "started_at": NOW - timedelta(days=1),
             "finished_at": NOW - timedelta(days=1), "source_as_of": NOW - timedelta(days=1), "records": 0,
             "added": 0, "updated": 0, "removed": 0}
            for source in sorted({s for s in STATES.values() if s} | {"oig_leie"})  # a pass needs the exclusion list
        ])
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return {"build_s": round(time.perf_counter() - started, 1)}


CHILD = """
import json, os, random, resource, sys, time
from datetime import datetime, timedelta
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
from sqlalchemy import bindparam, func, select, update
from directory.db import get_engine
from directory.models import LicenseRecord
from directory.verification import verify_all
engine = get_engine(sys.argv[1])
now = datetime(2026, 11, 23, 12, 0, 0)
t0 = time.perf_counter()
full = verify_all(engine, now=now)
t1 = time.perf_counter()
peak_full = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
due = verify_all(engine, now=now + timedelta(hours=1), due_only=True)
t2 = time.perf_counter()
# 1 % of the records change (one executemany UPDATE, as a bulk sync writes): the status flips between active and
# expired, the discipline flag turns, every second one gets a new expiry date. Flipped from what is stored, so a
# reused database changes as much as a new one.
table = LicenseRecord.__table__
with engine.begin() as conn:
    top = conn.execute(select(func.max(table.c.id))).scalar()
    ids = sorted(random.Random(3).sample(range(1, top + 1), top // 100))
    rows = []
    for start in range(0, len(ids), 900):
        for rid, status, discipline, expiry in conn.execute(select(
                table.c.id, table.c.status, table.c.discipline, table.c.expiry_date).where(
                table.c.id.in_(ids[start:start + 900]))):
            new = "expired" if status == "active" else "active"
            rows.append({"rid": rid, "st": new, "disc": not discipline,
                         "exp": expiry + timedelta(days=30) if rid % 2 and expiry else expiry})
    conn.execute(update(table).where(table.c.id == bindparam("rid")).values(
        status=bindparam("st"), status_raw=bindparam("st"), expiry_date=bindparam("exp"), discipline=bindparam("disc")),
        rows)
t3 = time.perf_counter()
changed = verify_all(engine, now=now + timedelta(hours=2), due_only=True)
t4 = time.perf_counter()
from directory.models import Clinician, VerdictInputs
with engine.connect() as conn:  # clinicians judged again by that run, of all
    judged = conn.execute(select(func.count()).select_from(VerdictInputs).where(
        VerdictInputs.verify_run_id == changed["run_id"])).scalar()
    clinicians = conn.execute(select(func.count()).select_from(Clinician)).scalar()
again = verify_all(engine, now=now + timedelta(hours=3))
t5 = time.perf_counter()
# An unchanged re-sync of every source, as a daily refresh does: no record row is written (boards/store.py), only a
# new good sync with a newer as-of date, which no verdict reads (verification/health.py): --due judges nobody.
from directory.models import SourceSync
with engine.begin() as conn:
    sources = sorted(conn.execute(select(SourceSync.source).distinct()).scalars())
    synced = now + timedelta(days=1)
    conn.execute(SourceSync.__table__.insert(), [
        {"source": source, "status": "ok", "started_at": synced, "finished_at": synced, "source_as_of": synced,
         "records": 0, "added": 0, "updated": 0, "removed": 0} for source in sources])
t6 = time.perf_counter()
resynced = verify_all(engine, now=now + timedelta(days=1, hours=1), due_only=True)
t7 = time.perf_counter()
print(json.dumps({"full_s": round(t1 - t0, 1), "due_s": round(t2 - t1, 2), "peak_mb": round(peak_full),
                  "claims": full["claims"], "verdicts": full["verdicts"], "due_rechecked": due["rechecked"],
                  "changed_records": len(ids), "update_s": round(t3 - t2, 1), "changed_s": round(t4 - t3, 2),
                  "changed_rechecked": changed["rechecked"], "judged": judged, "clinicians": clinicians,
                  "full2_s": round(t5 - t4, 1), "resync_s": round(t7 - t6, 2),
                  "resync_rechecked": resynced["rechecked"],
                  "same_verdicts": changed["verdicts"] == again["verdicts"]}))
"""


def run_verification(url: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, url], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def write_section(text: str) -> None:
    current = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    section = "## Verification\n\n" + text.strip() + "\n"
    pattern = re.compile(r"^## Verification\n.*?(?=^## |\Z)", re.S | re.M)
    updated = pattern.sub(lambda _: section + "\n", current) if pattern.search(current) else (
        current.rstrip() + "\n\n" + section)
    DOCS.write_text(updated.rstrip() + "\n")


def reuse(db: Path) -> dict:
    """Start again from a database built by an earlier run (KAPDIR_BENCH_DB): no verdicts yet, records as built."""
    with sqlite3.connect(db) as conn:
        for table in ("verdictinputkey", "verdictinputrecord", "verdictinputs", "verdictinputstate", "verification",
                      "discrepancy", "recordchange"):
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 (our own table names)
        conn.execute("INSERT INTO sourcesync (source, status, started_at, finished_at, source_as_of, records, added, "
                     "updated, removed) SELECT 'oig_leie', 'ok', started_at, finished_at, source_as_of, 0, 0, 0, 0 "
                     "FROM sourcesync WHERE source = 'ct_socrata' AND NOT EXISTS "
                     "(SELECT 1 FROM sourcesync WHERE source = 'oig_leie') LIMIT 1")
    return {"build_s": None}


def _pg_url(request) -> str | None:
    """A fresh PostgreSQL schema (the repository's throwaway server), or None when none can be started."""
    try:
        url = request.getfixturevalue("postgres_url")
    except pytest.skip.Exception:
        return None
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    return url


def _row(name: str, built: dict, r: dict) -> str:
    return (f"| {name} | {built['build_s'] or 'reused'} | **{r['full_s']} s** | {r['due_s']} s "
            f"(**{100 * r['due_s'] / r['full_s']:.1f} %**, {r['due_rechecked']} re-checked) | {r['changed_s']} s "
            f"(**{100 * r['changed_s'] / r['full_s']:.1f} %**; {r['judged']:,} of {r['clinicians']:,} clinicians "
            f"judged again, {r['changed_rechecked']:,} verdicts re-written) | "
            f"{r['full2_s']} s | {r['resync_s']} s (**{100 * r['resync_s'] / r['full_s']:.1f} %**; "
            f"{r['resync_rechecked']:,} verdicts re-written) | {r['peak_mb']} MB |")


def test_verify_10k_clinicians_against_1m_rows(benchmark, tmp_path, request):
    kept = os.environ.get("KAPDIR_BENCH_DB")
    db = Path(kept) if kept else tmp_path / "bench.db"
    built = reuse(db) if kept and db.exists() else build(resolve_url(db))
    result = benchmark.pedantic(run_verification, args=(resolve_url(db),), rounds=1, iterations=1)
    results = {"SQLite": (built, result)}
    pg = _pg_url(request)
    if pg is not None:
        pg_built = build(pg)
        results["PostgreSQL"] = (pg_built, run_verification(pg))
    for _, r in results.values():
        assert r["claims"] >= CLINICIANS * 2 and r["due_rechecked"] == 0 and r["same_verdicts"]
    scale = ""
    if CLINICIANS != 10000 or ROSTER_ROWS != 1000000:
        scale = (f"\nThis run used {CLINICIANS:,} clinicians and {ROSTER_ROWS:,} rows (scaled down): look-ups are "
                 "indexed, so time grows with the number of clinicians, not the roster.\n")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    verdicts = ", ".join(f"{k} {v:,}" for k, v in sorted(result["verdicts"].items(), key=lambda kv: -kv[1]))
    pg_version = ""
    if pg is not None:
        with get_engine(pg).connect() as conn:
            pg_version = ", PostgreSQL " + conn.exec_driver_sql("SHOW server_version").scalar()
    rows = "\n".join(_row(name, b, r) for name, (b, r) in results.items())
    write_section(f"""
Date: {date.today().isoformat()}; machine: {os.cpu_count()} CPUs (`nproc`), {platform.machine()}, Python
{platform.python_version()}, SQLite {sqlite3.sqlite_version}{pg_version}; load average at the end {load} (other
areas' tests shared the machine, so expect the times of an idle machine to be lower). Command:
`.venv/bin/pytest tests/benchmarks/test_verify_bench.py --benchmark-only -s` (PostgreSQL: the repository's
throwaway server of `tests/conftest.py`, on loopback, `fsync=off`; skipped where it is not installed).

{CLINICIANS:,} clinicians (10 per practice, 2 states each, in person and/or virtual, prescribers among them) and
{ROSTER_ROWS:,} license rows across 12 states, generated with bulk inserts through the model tables. `verify_all`
runs in a child process pinned to one core (`sched_setaffinity`; PostgreSQL's server runs beside it), reading only
the database: claims, indexed look-ups by (state, family_key) / license number / NPI, name scoring, verdicts and
evidence written, practice discrepancies stored, and (issue 14) the inputs of every verdict recorded. In one
child, one after the other: a full run; `--due` an hour later on unchanged data; 1 % of the license rows
({result['changed_records']:,}, chosen at random) changed by one SQL UPDATE (status flipped between active and
expired, discipline flag turned, every second expiry date moved),
then `--due`; then a second full run on the changed data (its verdict counts equal the `--due` run's); then an
unchanged re-sync of every source a day later (a new good sync each, no record written, as `boards/store.py` does
for unchanged rows) and `--due`. The percentages are of the first full run in the same child.

| Database | generate (s) | Full run | `--due`, unchanged | `--due`, 1 % of rows changed | Full run again | \
`--due` after an unchanged re-sync of every source | Peak RSS |
|---|---|---|---|---|---|---|---|
{rows}

Targets (issue 14): `--due` on unchanged data under 10 % of a full run; after 1 % of the records changed under
20 %. How `--due` finds what changed (docs/verification.md, "Incremental re-verification"): per clinician it kept
the records read (with a fingerprint), the look-up keys a new or changed record would be found under, the sources
whose health was read and the earliest dated flip (an expiry, the freshness window); a change log on
`licenserecord`, written by triggers, names the records updated since the last run, and new records have higher
ids. Only the clinicians those touch are judged again: a changed or new row counts for a clinician when it is
under one of their look-up keys and its name is close enough to weigh in (score >= 0.5) or it carries the site's
NPI; a namesake's status change does not. The synthetic names come from small pools (30 given names, ~5 records
per state and surname). A verdict is dated by its record's own data, and a live roster record is fresh while its
source is: an unchanged re-sync (a new good sync, no record written) changes no verdict, so it makes nobody due;
the source's latest sync is read beside the verdicts where they are shown (docs/verification.md).

Verdicts (SQLite): {verdicts}. The synthetic names make same-name people in one state common: hence the many
`ambiguous` and `wrong_license_class` verdicts. `source_unavailable`: md_bop (Maryland physicians) has no sync
in this data set.
{scale}""")
