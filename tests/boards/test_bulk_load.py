"""Issue 14: a large first load on SQLite drops the record table's secondary indexes and rebuilds them in the same
transaction (``directory.boards.store.BulkLoad``). It must give exactly the rows of the row-by-row path, never show
a reader a table without its indexes, and a load that fails half-way must leave the last good data and every index.
"""

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from directory.boards import store
from directory.boards.adapters import make_adapter
from directory.boards.base import NormalRecord
from directory.boards.store import store_records, sync_roster
from directory.db import open_database
from directory.models import LicenseRecord
from tests.boards.test_incremental_sync import EXPIRIES, NAMES, PROPERTY, STATUSES, entries, rows_of

NOT_COMPARED = {"id", "fetched_at"}  # the row id and the time the sync started differ between two databases


def other_source_records(engine) -> None:
    """Another source's records in the table: the last good data a failed load must keep, and rows a bulk load's
    index rebuild must cover too."""
    store_records(engine, [NormalRecord(source="tx_bhec", record_key=f"LPC-{n}", holder_name=f"Ann Lee {n}",
                                        state="TX", family_name="LEE", family_key="lee", given_key="ann",
                                        license_number=f"{n:05d}", npi=f"12345678{n:02d}") for n in range(5)])


def table_dump(path) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        names = [row[1] for row in connection.execute(f"PRAGMA table_info({LicenseRecord.__tablename__})")]
        kept = ", ".join(name for name in names if name not in NOT_COMPARED)
        return connection.execute(f"SELECT {kept} FROM licenserecord ORDER BY source, record_key").fetchall()


def indexes(path) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                  "AND tbl_name = 'licenserecord' ORDER BY name").fetchall()


@pytest.fixture
def bulk_spy(monkeypatch):
    """Small batches; per bulk load that reached its end, the indexes it dropped (and rebuilt)."""
    monkeypatch.setattr(store, "STAGE_BATCH", 4)
    monkeypatch.setattr(store, "BATCH", 3)
    rebuilt: list[list] = []
    finish = store.BulkLoad.finish

    def spied(self):
        rebuilt.append(list(self.dropped or []))
        finish(self)

    monkeypatch.setattr(store.BulkLoad, "finish", spied)
    return rebuilt


@pytest.fixture
def drops(monkeypatch):
    """The number of rows written when each bulk load dropped its indexes."""
    at: list[int] = []
    written = store.BulkLoad.written

    def spied(self, rows):
        was = self.dropped
        written(self, rows)
        if was is None and self.dropped is not None:
            at.append(rows)

    monkeypatch.setattr(store.BulkLoad, "written", spied)
    return at


def first_load(tmp_path, name: str, source: str, bulk_rows: int, monkeypatch):
    monkeypatch.setattr(store, "BULK_LOAD_ROWS", bulk_rows)
    path = tmp_path / f"{name}.db"
    path.unlink(missing_ok=True)
    engine = open_database(path)
    other_source_records(engine)
    result = sync_roster(engine, make_adapter(source, page_size=3), force=True)
    engine.dispose()
    return path, result


@pytest.mark.parametrize("live_roster", ["ct_socrata", "wa_socrata"], indirect=True)
@PROPERTY
@given(data=st.data())
def test_bulk_first_load_gives_the_rows_of_the_row_by_row_path(live_roster, bulk_spy, tmp_path, monkeypatch, data):
    source, mirror = live_roster
    roster = dict(enumerate(data.draw(st.lists(entries(source), min_size=10, max_size=25)), start=1))
    for number in data.draw(st.lists(st.sampled_from(sorted(roster)), max_size=3)):  # some rows listed twice
        roster[number]["twin"] = data.draw(st.sampled_from(STATUSES[source]))
    mirror.rows = rows_of(source, roster)

    bulk_spy.clear()
    plain_path, plain = first_load(tmp_path, "plain", source, 10**9, monkeypatch)
    assert bulk_spy == [[]], "the row-by-row path drops nothing"
    bulk_path, bulk = first_load(tmp_path, "bulk", source, 0, monkeypatch)
    assert len(bulk_spy) == 2 and len(bulk_spy[1]) >= 5, "the bulk path dropped the secondary indexes"

    assert (bulk.status, bulk.error, bulk.records, bulk.added, bulk.unmapped, bulk.date_errors) == (
        plain.status, plain.error, plain.records, plain.added, plain.unmapped, plain.date_errors)
    assert table_dump(bulk_path) == table_dump(plain_path)
    assert indexes(bulk_path) == indexes(plain_path)
    with sqlite3.connect(bulk_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("live_roster", ["ct_socrata"], indirect=True)
def test_failed_bulk_load_keeps_the_last_good_data_and_the_indexes(live_roster, bulk_spy, drops, tmp_path,
                                                                    monkeypatch):
    source, mirror = live_roster
    monkeypatch.setattr(store, "BULK_LOAD_ROWS", 0)
    path = tmp_path / "failed.db"
    engine = open_database(path)
    other_source_records(engine)
    roster = {number: {"name": ("JANE", "A", "DOE"), "status": "ACTIVE", "expiry": "2027-03-31", "twin": None}
              for number in range(1, 31)}
    mirror.rows = rows_of(source, roster)
    del mirror.rows[24]["fullcredentialcode"]  # a row of another shape, well after the indexes were dropped
    before, index_sql = table_dump(path), indexes(path)
    seen_by_reader = []

    def reader(rows: int) -> None:
        """Another connection, while the sync writes: the last committed table, with every index."""
        seen_by_reader.append((rows, table_dump(path), indexes(path)))

    result = sync_roster(engine, make_adapter(source, page_size=3), force=True, on_progress=reader)

    assert result.status == "error" and "garbage" in result.error
    assert bulk_spy == [] and len(drops) == 1, "the indexes were dropped, the load failed before the rebuild"
    assert all((dump, sql) == (before, index_sql) for _rows, dump, sql in seen_by_reader)
    assert any(rows >= drops[0] for rows, _dump, _sql in seen_by_reader), "the reader looked after the drop"
    assert table_dump(path) == before and indexes(path) == index_sql
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        plan = " ".join(row[3] for row in connection.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM licenserecord WHERE state = 'TX' AND family_key = 'lee'"))
        assert "ix_licenserecord_lookup" in plan

    mirror.rows = rows_of(source, roster)  # the source repaired: the next load succeeds, indexes and all
    repaired = sync_roster(engine, make_adapter(source, page_size=3), force=True)
    assert repaired.status == "ok" and repaired.added == 30 and len(bulk_spy) == 1 and bulk_spy[0]
    assert indexes(path) == index_sql
    with engine.connect() as connection:
        assert len(connection.execute(select(LicenseRecord.id)).all()) == 35


@pytest.mark.postgres
@pytest.mark.parametrize("live_roster", ["ct_socrata", "wa_socrata"], indirect=True)
def test_postgres_copy_upsert_stores_what_sqlite_stores(live_roster, bulk_spy, pg_engine, tmp_path, monkeypatch):
    """The PostgreSQL path (COPY into a temporary table, one INSERT ... SELECT) against SQLite's executemany, on the
    same roster (repeated keys, an unreadable date, a status word no table knows), read back through the model."""
    source, mirror = live_roster
    monkeypatch.setattr(store, "BULK_LOAD_ROWS", 0)
    expiries = [expiry for expiry in EXPIRIES if expiry != "bad"]
    roster = {number: {"name": NAMES[number % len(NAMES)], "status": STATUSES[source][number % len(STATUSES[source])],
                       "expiry": expiries[number % len(expiries)], "twin": None} for number in range(1, 121)}
    roster[3]["twin"] = roster[8]["twin"] = STATUSES[source][1]
    roster[5]["expiry"] = "bad"  # one row in 120: counted, under the share that makes the sync an error
    mirror.rows = rows_of(source, roster)

    def stored(engine):
        other_source_records(engine)
        result = sync_roster(engine, make_adapter(source, page_size=3), force=True)
        with engine.connect() as connection:
            rows = connection.execute(select(LicenseRecord.__table__).order_by(
                LicenseRecord.source, LicenseRecord.record_key)).all()
        return result, [{k: v for k, v in row._mapping.items() if k not in NOT_COMPARED} for row in rows]

    lite, lite_rows = stored(open_database(tmp_path / "lite.db"))
    pg, pg_rows = stored(pg_engine)
    assert lite.status == pg.status == "ok" and (lite.records, lite.unmapped, lite.date_errors) == (
        pg.records, pg.unmapped, pg.date_errors)
    assert lite.date_errors == 1 and lite.unmapped
    assert lite_rows == pg_rows
