"""Issue 14: an incremental roster sync (unchanged rows recognised by their hash, never normalised) leaves exactly
the records a fresh full sync of the final roster gives, whatever sequence of changes came before.

Random sequences of roster changes (rows added, removed, restored, a status, expiry or name changed, twins added,
nothing changed, a date that does not parse) are served as Socrata pages over loopback HTTP; after each step the
roster is synced into one database (sometimes refused or failed: that keeps the previous state). Then the final
roster is synced into an empty database, and the live records must be the same, column for column, except ids and
the sync timestamps, and equally fresh as verification reads it (``health.record_is_fresh``). Record dates may
differ, and must: an unchanged record keeps the date of the sync that last wrote it (an unchanged re-sync moves no
verdict), never later than the source's own as-of. Row templates follow the real fixtures
(tests/boards/fixtures/ct_socrata, wa_socrata).
"""

import copy
import json
import os
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from directory.boards import store
from directory.boards.adapters import make_adapter
from directory.boards.store import sync_roster
from directory.db import open_database, session_scope
from directory.models import LicenseRecord, SourceSync
from directory.sample_world.mirrors.core import Mirror, text
from directory.sample_world.mirrors.soql import query
from directory.timeutil import utcnow
from directory.verification.health import record_as_of, record_is_fresh, source_health
from tests.boards.conftest import board_env
from tests.boards.fixture_server import DATASETS, ROWS_UPDATED_AT, SocrataFixture, fixture_rows, serving

EXAMPLES = int(os.environ.get("KAPDIR_PROPERTY_EXAMPLES", "30"))
IGNORED = {"id", "fetched_at", "source_as_of", "removed_at"}  # ids and the dates of the sync that wrote the row
NAMES = [("JANE", "A", "DOE"), ("MARY", "", "O'BRIEN"), ("JOHN", "", "SMITH JR"), ("MARIA", "", "DE LA CRUZ"),
         ("WEI", "", "ZHANG"), ("ANN", "E", "LEE"), ("ELENA", "V", "IVANOVA")]
STATUSES = {
    "ct_socrata": ["ACTIVE", "INACTIVE", "LAPSED", "ACTIVE IN RENEWAL", "PENDING BOARD REVIEW"],  # last: unmapped
    "wa_socrata": ["Active", "Expired", "Active On Probation", "Superseded", "Pending Board Review"],
}
EXPIRIES = ["2027-03-31", "2026-01-31", "2028-12-01", "2025-06-30", None, "bad"]  # "bad": a date error


class LiveRoster(Mirror):
    """A Socrata dataset whose rows and rowsUpdatedAt the test changes between syncs."""

    def __init__(self, dataset: str):
        super().__init__()
        self.dataset = dataset
        self.rows: list[dict] = []
        self.updated_at = ROWS_UPDATED_AT

    def handle(self, request):
        if request.path == f"/api/views/{self.dataset}":
            return text(json.dumps({"id": self.dataset, "rowsUpdatedAt": self.updated_at}), "application/json")
        if request.path == f"/resource/{self.dataset}.json":
            rows = [{**row, ":id": index} for index, row in enumerate(self.rows)]
            return text(json.dumps(query(rows, request.query)), "application/json")
        return text("not found", status=404)


def ct_row(number: int, name: tuple, status: str, expiry: str | None) -> dict:
    given, middle, family = name
    row = {"credentialid": str(1100000 + number), "name": " ".join(p for p in (given, middle, family) if p),
           "type": "INDIVIDUAL", "fullcredentialcode": f"PRC.{number:07d}", "credentialnumber": f"{number:07d}",
           "credentialtype": "LICENSE", "credential": "PROFESSIONAL COUNSELOR", "status": status, "active": "1",
           "issuedate": "2012-03-15T00:00:00.000", "city": "HARTFORD", "state": "CT", "zip": "06103",
           "recordrefreshedon": "2026-11-20T00:00:00.000"}
    if status == "INACTIVE":
        row["statusreason"] = "LAPSED DUE TO NON-RENEWAL"
    if expiry == "bad":
        row["expirationdate"] = "31/03/2027"
    elif expiry:
        row["expirationdate"] = f"{expiry}T00:00:00.000"
    return row


def wa_row(number: int, name: tuple, status: str, expiry: str | None) -> dict:
    given, middle, family = name
    row = {"credentialnumber": f"LH{number:08d}", "lastname": family, "firstname": given,
           "credentialtype": "Mental Health Counselor License", "status": status, "birthyear": "1978",
           "firstissuedate": "09/14/2015"}
    if middle:
        row["middlename"] = middle
    if expiry == "bad":
        row["expirationdate"] = "2027-14-09"
    elif expiry:
        year, month, day = expiry.split("-")
        row["expirationdate"] = f"{month}/{day}/{year}"
    return row


ROW = {"ct_socrata": ct_row, "wa_socrata": wa_row}


def entries(source: str):
    return st.fixed_dictionaries({"name": st.sampled_from(NAMES), "status": st.sampled_from(STATUSES[source]),
                                  "expiry": st.sampled_from(EXPIRIES), "twin": st.none()})


def operation(source: str):
    index = st.integers(min_value=0, max_value=40)
    ops = [
        st.tuples(st.just("add"), entries(source)),
        st.tuples(st.just("remove"), index),
        st.tuples(st.just("restore"), index),  # a removed row comes back exactly as it was
        st.tuples(st.just("status"), index, st.sampled_from(STATUSES[source])),
        st.tuples(st.just("expiry"), index, st.sampled_from(EXPIRIES)),
        st.tuples(st.just("name"), index, st.sampled_from(NAMES)),
        st.tuples(st.just("unchanged")),
    ]
    if source == "wa_socrata":  # a credential number listed twice: the live row and a Superseded one
        ops.append(st.tuples(st.just("twin"), index, st.sampled_from(STATUSES[source])))
    return st.one_of(ops)


def scenario(source: str):
    steps = st.lists(st.tuples(st.lists(operation(source), max_size=4), st.booleans()), min_size=1, max_size=6)
    return st.tuples(st.lists(entries(source), min_size=1, max_size=10), steps)


def apply(roster: dict[int, dict], op: tuple, next_number: list[int], removed: list[tuple[int, dict]]) -> None:
    numbers = sorted(roster)
    kind = op[0]
    if kind == "add":
        roster[next_number[0]] = dict(op[1])
        next_number[0] += 1
        return
    if kind == "restore" and removed:
        number, entry = removed.pop(op[1] % len(removed))
        roster[number] = entry
        return
    if kind == "unchanged" or not numbers:
        return
    number = numbers[op[1] % len(numbers)]
    if kind == "remove":
        removed.append((number, roster.pop(number)))
    elif kind in {"status", "expiry", "name"}:
        roster[number][kind] = op[2]
    elif kind == "twin":
        roster[number]["twin"] = op[2]


def rows_of(source: str, roster: dict[int, dict]) -> list[dict]:
    rows = []
    for number, entry in sorted(roster.items()):
        rows.append(ROW[source](number, entry["name"], entry["status"], entry["expiry"]))
        if entry["twin"]:
            rows.append(ROW[source](number, entry["name"], entry["twin"], "2024-03-01"))
    return rows


def live_records(engine, source: str) -> tuple[dict[str, dict], dict[str, datetime]]:
    """Live records by key: their columns (but IGNORED) and whether verification reads them as fresh; and their
    own dates (``health.record_as_of``)."""
    now = utcnow()
    with session_scope(engine) as session:
        health = source_health(session, now=now)
        rows = session.execute(select(LicenseRecord.__table__).where(
            LicenseRecord.source == source, LicenseRecord.removed_at.is_(None))).all()
    return ({row.record_key: {**{k: v for k, v in row._mapping.items() if k not in IGNORED},
                              "fresh": record_is_fresh(row, health, now=now)} for row in rows},
            {row.record_key: record_as_of(row) for row in rows})


def clear(engine) -> None:
    with engine.begin() as connection:
        connection.execute(delete(LicenseRecord.__table__))
        connection.execute(delete(SourceSync.__table__))


def check_incremental_equals_full(engine, mirror: LiveRoster, source: str, initial: list[dict], steps) -> None:
    clear(engine)
    roster = {number: dict(entry) for number, entry in enumerate(initial, start=1)}
    next_number, removed = [len(initial) + 1], []
    mirror.rows, mirror.updated_at = rows_of(source, roster), ROWS_UPDATED_AT
    sync_roster(engine, make_adapter(source, page_size=3), force=True)
    for operations, force in steps:
        before = rows_of(source, roster)
        for op in operations:
            apply(roster, op, next_number, removed)
        mirror.rows = rows_of(source, roster)
        if mirror.rows != before or not operations:
            mirror.updated_at += 86_400  # a real source's rowsUpdatedAt moves when its rows do
        outcome = sync_roster(engine, make_adapter(source, page_size=3), force=force)
        assert outcome.status in {"ok", "refused", "error"}, outcome
    incremental = sync_roster(engine, make_adapter(source, page_size=3), force=True)
    kept_before_full, kept_dates = live_records(engine, source)

    clear(engine)
    full = sync_roster(engine, make_adapter(source, page_size=3), force=True)
    assert (incremental.status, incremental.error) == (full.status, full.error)
    if full.status != "ok":
        return  # the final roster itself is garbage (date errors): both syncs refused it
    assert (incremental.records, incremental.unmapped, incremental.date_errors) == (
        full.records, full.unmapped, full.date_errors)
    fresh, fresh_dates = live_records(engine, source)
    assert kept_before_full.keys() == fresh.keys()
    for key, record in fresh.items():
        assert kept_before_full[key] == record, key
    as_of = datetime.fromtimestamp(mirror.updated_at, UTC).replace(tzinfo=None)
    assert all(date == as_of for date in fresh_dates.values())
    assert all(date is not None and date <= as_of for date in kept_dates.values())


@pytest.fixture
def small_batches(monkeypatch):
    """Several staging pages and upsert batches per sync, so page boundaries are exercised."""
    monkeypatch.setattr(store, "STAGE_BATCH", 4)
    monkeypatch.setattr(store, "BATCH", 3)


PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                                 HealthCheck.too_slow])


@pytest.mark.parametrize("live_roster", ["ct_socrata", "wa_socrata"], indirect=True)
@PROPERTY
@given(data=st.data())
def test_incremental_sync_equals_full_sync_on_sqlite(live_roster, small_batches, tmp_path, data):
    source, mirror = live_roster
    engine = open_database(tmp_path / "incremental.db")
    initial, steps = data.draw(scenario(source))
    check_incremental_equals_full(engine, mirror, source, initial, steps)


@pytest.mark.postgres
@pytest.mark.parametrize("live_roster", ["ct_socrata", "wa_socrata"], indirect=True)
@settings(PROPERTY, max_examples=max(EXAMPLES // 2, 5))
@given(data=st.data())
def test_incremental_sync_equals_full_sync_on_postgres(live_roster, small_batches, pg_engine, data):
    source, mirror = live_roster
    initial, steps = data.draw(scenario(source))
    check_incremental_equals_full(pg_engine, mirror, source, initial, steps)


def test_a_changed_row_is_normalised_and_an_unchanged_one_is_not(boards, engine, monkeypatch):
    """The point of the hash: a re-sync normalises only the rows that changed."""
    first = sync_roster(engine, make_adapter("co_socrata", page_size=7))
    assert first.status == "ok" and first.added == first.records > 0
    normalised = []
    adapter = make_adapter("co_socrata", page_size=7)
    original = adapter.normalise

    def counting(unit):
        normalised.append(unit)
        return original(unit)

    monkeypatch.setattr(adapter, "normalise", counting)
    again = sync_roster(engine, adapter, force=True)
    assert again.status == "ok" and normalised == [] and again.kept == again.records == first.records
    assert (again.added, again.updated, again.removed) == (0, 0, 0)


def test_a_settings_change_renormalises_every_row(monkeypatch, tmp_path, engine):
    """The hash is keyed by the source's settings: a status word newly mapped in sources.toml reaches rows whose
    raw content did not change."""
    board_env(monkeypatch, tmp_path, {})
    rows = copy.deepcopy(fixture_rows("co_socrata"))
    rows[0]["licensestatusdescription"] = "Pending Board Review"  # a word no table knows
    with serving(SocrataFixture(DATASETS["co_socrata"], rows)) as url:
        first = sync_roster(engine, make_adapter("co_socrata", base_url=url))
        assert first.status == "ok" and first.unmapped == {"PENDING BOARD REVIEW": 1}
        adapter = make_adapter("co_socrata", base_url=url)
        adapter.info = replace(adapter.info, status_words={**adapter.info.status_words,
                                                           "PENDING BOARD REVIEW": "inactive"})
        again = sync_roster(engine, adapter, force=True)
    assert again.status == "ok" and again.kept == 0 and again.updated == again.records == first.records
    assert again.unmapped == {}
    with engine.connect() as connection:
        statuses = connection.execute(select(LicenseRecord.status).where(
            LicenseRecord.source == "co_socrata", LicenseRecord.status_raw == "Pending Board Review")).scalars().all()
    assert statuses == ["inactive"]


def test_records_stored_before_hashes_are_renormalised_once_not_removed(boards, engine):
    """Records from before migration 0003 have no hash: the first sync rewrites them (same keys), then they keep."""
    first = sync_roster(engine, make_adapter("ct_socrata"))
    with engine.begin() as connection:
        connection.execute(LicenseRecord.__table__.update().values(row_hash=None))
    upgraded = sync_roster(engine, make_adapter("ct_socrata"), force=True)
    assert (upgraded.added, upgraded.updated, upgraded.kept, upgraded.removed) == (0, first.records, 0, 0)
    again = sync_roster(engine, make_adapter("ct_socrata"), force=True)
    assert (again.added, again.updated, again.kept, again.removed) == (0, 0, first.records, 0)
