"""Storing what a source yields: a roster staged by row hash and merged set-based, removals marked, every run logged.

A roster sync (issue 14) reads the source's raw rows (``Source.units``) and hashes each one (blake2b keyed by the
source's settings and the normalising code, ``Source.content_key``). The hashes go, page by page, into a temporary
table without indexes (``executemany``; ``COPY`` on PostgreSQL), and one query per page answers which of them the
source's live records already hold: those rows are unchanged and are neither normalised nor written, not even
re-dated. Only new or changed rows (and removed ones that came back) are normalised and upserted by (source,
record_key), with this sync's dates. Then one set-based statement marks the live records not seen as removed.
A first load (no live record yet) stages nothing; on SQLite a large one rebuilds the secondary indexes once
(``BulkLoad``); on PostgreSQL every batch is upserted by COPY into a temporary table and one INSERT ... SELECT.

So an unchanged record keeps the dates of the sync that last wrote it: its own date, as verification shows it. Its
freshness is its source's (``directory.verification.health.record_is_fresh``): a live roster record is by definition
in the source's last good sync, so nothing may read a live roster record's own ``fetched_at``/``source_as_of`` as
its freshness.

The sync runs in ONE transaction: if the source fails half-way (down, throttled, slow, garbage), or the new
roster would remove more than ``settings.max_removal_share`` of the records (unless forced), everything rolls
back and the previous records keep their as-of date. Either way a SourceSync row says what happened.

Each sync also counts what it could not read, over every record of the new roster (changed or not): status words
the source's table does not know (the record stays ``unknown``, never active) and rows with an unreadable date
(see ``directory.boards.dates``). More than ``MAX_DATE_ERROR_SHARE`` of the rows with unreadable dates means the
format changed: the sync is an error.
"""

import csv
import hashlib
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import islice
from operator import attrgetter

from sqlalchemy import case, column, exists, func, literal, select, table, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from directory.boards.base import NormalRecord, Source
from directory.boards.dates import DATE_ERRORS
from directory.db import session_scope
from directory.errors import KapdirError, SourceError
from directory.models import LicenseRecord, SourceSync
from directory.settings import get_settings
from directory.timeutil import utcnow
from directory.vocab import LicenseStatus

BATCH = 2000  # normalised records per upsert
STAGE_BATCH = 2000  # raw rows hashed, staged and looked up at a time
BULK_LOAD_ROWS = 50_000  # SQLite: a first load past this many rows rebuilds the secondary indexes (BulkLoad)
MAX_DATE_ERROR_SHARE = 0.01  # a few odd rows are counted; more means the source changed its date format
TABLE = LicenseRecord.__table__
_UPDATABLE = [c.name for c in TABLE.columns if c.name not in {"id", "source", "record_key"}]


class RefusedSync(KapdirError):
    """The new roster would remove too much; nothing was applied."""


@dataclass
class SyncResult:
    source: str
    status: str  # ok | error | refused | manual
    records: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    as_of: datetime | None = None
    error: str | None = None
    sync_id: int | None = None
    unchanged: bool = False  # the source said nothing changed since the last good sync: nothing downloaded
    kept: int = 0  # records whose raw rows had not changed: recognised by their hash, not normalised or rewritten
    unmapped: dict[str, int] = field(default_factory=dict)  # raw status word -> rows (their status is unknown)
    date_errors: int = 0  # rows with a date in none of the source's declared formats

    def line(self) -> str:
        if self.status == "ok" and self.unchanged:
            return f"{self.source}: ok, unchanged since {self.as_of:%Y-%m-%d %H:%M} (nothing downloaded)"
        if self.status == "ok":
            as_of = f", as of {self.as_of:%Y-%m-%d}" if self.as_of else ""
            problems = ""
            if self.unmapped:
                problems += f"; unmapped status words: {len(self.unmapped)} ({', '.join(sorted(self.unmapped))})"
            if self.date_errors:
                problems += f"; {self.date_errors} rows with unreadable dates (status unknown)"
            return (f"{self.source}: ok, {self.records} records ({self.added} new, {self.updated} updated, "
                    f"{self.kept} unchanged, {self.removed} removed){as_of}{problems}")
        return f"{self.source}: {self.status}: {self.error}"

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}


def _batches(records: Iterable[NormalRecord], size: int = BATCH) -> Iterator[list[NormalRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def _upsert_statement(dialect: str):
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(TABLE)
    return statement.on_conflict_do_update(
        index_elements=["source", "record_key"], set_={name: statement.excluded[name] for name in _UPDATABLE}
    )


def upsert_records(connection: Connection, batch: list[NormalRecord]) -> None:
    """Insert or update one batch; a record seen again is no longer removed."""
    records: dict[tuple[str, str], NormalRecord] = {}
    for record in batch:  # de-duplicate within the batch: one statement may not touch a row twice
        records[(record.source, record.record_key)] = record
    if not records:
        return
    if connection.dialect.name == "sqlite":  # the DBAPI's executemany: SQLAlchemy's per-row binding costs ~2x
        connection.connection.driver_connection.executemany(_SQLITE_UPSERT, map(_sqlite_row, records.values()))
    elif connection.dialect.name == "postgresql":
        _postgres_upsert(connection, records.values())
    else:
        connection.execute(_upsert_statement(connection.dialect.name),
                           [{**record.as_row(), "removed_at": None} for record in records.values()])


# Every column but id and removed_at is a NormalRecord field (removed_at is always NULL: the record is in the roster).
_COLUMNS = [c.name for c in TABLE.columns if c.name not in {"id", "removed_at"}]
# Identifiers come from the model, never from input; every value is a bound parameter.
_SQLITE_UPSERT = (
    f"INSERT INTO {TABLE.name} ({', '.join(_COLUMNS)}, removed_at) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in _COLUMNS)}, NULL) "
    f"ON CONFLICT (source, record_key) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _UPDATABLE)}"
)


@lru_cache(maxsize=256)  # a sync's records share a few timestamps (its start, the source's as-of date)
def _sqlite_datetime(value):
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if value is not None else None


def _sqlite_date(value):
    return value.isoformat() if value is not None else None


def _json_text(value):
    return json.dumps(value) if value is not None else None  # as SQLAlchemy's JSON type writes it


# Values stored exactly as SQLAlchemy's SQLite types store them (so ORM reads are unchanged).
_CONVERTERS = {"DATETIME": _sqlite_datetime, "DATE": _sqlite_date, "JSON": _json_text}
_SQLITE_CONVERT = [(index, _CONVERTERS[kind]) for index, name in enumerate(_COLUMNS)
                   if (kind := type(TABLE.c[name].type).__name__.upper()) in _CONVERTERS]
_RECORD_VALUES = attrgetter(*_COLUMNS)
_RAW = _COLUMNS.index("raw")


# PostgreSQL: COPY the batch into a temporary table shaped like the record table, then one INSERT ... SELECT ...
# ON CONFLICT. A per-row executemany (even pipelined) cost about as much as the rest of the first sync.
_PG_STAGE = "record_staging"
_PG_STAGE_SQL = (f"CREATE TEMPORARY TABLE IF NOT EXISTS {_PG_STAGE} ON COMMIT DROP AS "  # noqa: S608
                 f"SELECT {', '.join(_COLUMNS)} FROM {TABLE.name} WITH NO DATA")
_PG_MERGE = (f"INSERT INTO {TABLE.name} ({', '.join(_COLUMNS)}, removed_at) "  # noqa: S608
             f"SELECT {', '.join(_COLUMNS)}, NULL FROM {_PG_STAGE} ON CONFLICT (source, record_key) DO UPDATE SET "
             + ", ".join(f"{c} = excluded.{c}" for c in _UPDATABLE))


def _postgres_upsert(connection: Connection, records: Iterable[NormalRecord]) -> None:
    with connection.connection.driver_connection.cursor() as cursor:
        cursor.execute(_PG_STAGE_SQL)
        with cursor.copy(f"COPY {_PG_STAGE} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:  # noqa: S608
            for record in records:
                values = list(_RECORD_VALUES(record))
                values[_RAW] = _json_text(values[_RAW])
                copy.write_row(values)
        cursor.execute(_PG_MERGE)
        cursor.execute(f"TRUNCATE {_PG_STAGE}")  # not DELETE: dead rows would be scanned by every later batch


def _sqlite_row(record: NormalRecord) -> list:
    values = list(_RECORD_VALUES(record))
    for index, convert in _SQLITE_CONVERT:
        values[index] = convert(values[index])
    return values


def _count(connection: Connection, source: str, *, live_only: bool) -> int:
    query = select(func.count()).select_from(TABLE).where(TABLE.c.source == source)
    if live_only:
        query = query.where(TABLE.c.removed_at.is_(None))
    return connection.execute(query).scalar_one()


def _start_sync(engine: Engine, source: str) -> int:
    with session_scope(engine) as session:
        row = SourceSync(source=source)
        session.add(row)
        session.commit()
        return row.id


def finish_sync(engine: Engine, result: SyncResult) -> None:
    with session_scope(engine) as session:
        row = session.get(SourceSync, result.sync_id)
        row.finished_at = utcnow()
        row.status = result.status
        row.records, row.added, row.updated, row.removed = result.records, result.added, result.updated, result.removed
        row.source_as_of = result.as_of
        row.error = result.error
        session.commit()


def last_good_as_of(engine: Engine, source: str) -> datetime | None:
    """The source's own as-of date at its last successful sync."""
    with session_scope(engine) as session:
        return session.execute(
            select(SourceSync.source_as_of).where(SourceSync.source == source, SourceSync.status == "ok",
                                                  SourceSync.source_as_of.is_not(None))
            .order_by(SourceSync.id.desc()).limit(1)).scalar()


def sync_roster(engine: Engine, adapter: Source, *, force: bool = False,
                on_progress: Callable[[int], None] | None = None) -> SyncResult:
    """Apply one full roster from ``adapter`` (see module docstring). Never raises for a source failure.

    Incremental where the source allows it: when its as-of date (Socrata ``rowsUpdatedAt``, a file's
    ``Last-Modified`` through If-Modified-Since) is no newer than the last good sync's, nothing is downloaded.
    ``force`` always downloads.
    """
    name = adapter.info.name
    share = get_settings().max_removal_share
    result = SyncResult(source=name, status="running", sync_id=_start_sync(engine, name))
    started = utcnow()
    try:
        since = None if force else last_good_as_of(engine, name)
        if since is not None and adapter.unchanged_since(since):
            result.status, result.unchanged, result.as_of = "ok", True, since
            with engine.connect() as connection:
                result.records = _count(connection, name, live_only=True)
            finish_sync(engine, result)
            return result
        with engine.begin() as connection:
            _merge_roster(connection, adapter, result, started=started, force=force, share=share,
                          on_progress=on_progress)
            result.status = "ok"
    except RefusedSync as exc:
        result.status, result.error = "refused", str(exc)
        result.unmapped, result.date_errors = {}, 0
        result.added = result.updated = result.removed = result.kept = 0
    except SourceError as exc:
        result.status, result.error = "error", str(exc)
        result.added = result.updated = result.removed = result.kept = 0
    except (csv.Error, UnicodeDecodeError, zipfile.BadZipFile) as exc:  # a malformed file the adapter let through
        result.status, result.error = "error", f"{name}: garbage: {exc}"
        result.added = result.updated = result.removed = result.kept = 0
    except (KeyError, TypeError, ValueError) as exc:  # rows of an unexpected shape (e.g. a field gone mid-roster)
        result.status, result.error = "error", f"{name}: garbage: unexpected data ({type(exc).__name__}: {exc})"
        result.added = result.updated = result.removed = result.kept = 0
    finish_sync(engine, result)
    return result


def _merge_roster(connection: Connection, adapter: Source, result: SyncResult, *, started: datetime, force: bool,
                  share: float, on_progress: Callable[[int], None] | None) -> None:
    """Stage, normalise what changed, merge (module docstring); raises to roll the whole sync back."""
    name = adapter.info.name
    before_live = _count(connection, name, live_only=True)
    before_all = _count(connection, name, live_only=False)
    # With no live record no row can be known and none removed: nothing to stage or look up (a first load).
    staging = Staging(connection, name) if before_live else None
    bulk = BulkLoad(connection) if not before_live and connection.dialect.name == "sqlite" else None
    hasher = hashlib.blake2b(digest_size=16, key=adapter.content_key())
    changed: list[NormalRecord] = []
    rows = upserted = 0
    for page in _batches(adapter.units(), STAGE_BATCH):
        hashes = []
        for content, _unit in page:
            digest = hasher.copy()
            digest.update(content)
            hashes.append(digest.digest())
        known = staging.add(hashes) if staging else ()
        for row_hash, (_content, unit) in zip(hashes, page, strict=True):
            if row_hash in known:
                continue  # a live record holds this very row: unchanged, neither normalised nor written
            for record in adapter.normalise(unit):
                record.row_hash, record.fetched_at = row_hash, started
                changed.append(record)
        if len(changed) >= BATCH:
            upsert_records(connection, changed)
            upserted, changed = upserted + len(changed), []
            if bulk:
                bulk.written(upserted)
        rows += len(page)
        if on_progress:
            on_progress(rows)
    upsert_records(connection, changed)
    upserted += len(changed)
    if bulk:
        bulk.finish()
    # Live records whose row this roster no longer has (every record written above holds a staged hash).
    live, to_remove = _live_and_stale(connection, name, staging)
    result.records = live - to_remove
    if result.records == 0:
        raise SourceError(f"{name}: empty roster (an empty sync is an error; previous records kept)")
    if to_remove:  # within the transaction: a check below that fails rolls it back with the rest
        stale = (TABLE.c.source == name) & TABLE.c.removed_at.is_(None) & staging.lacks(TABLE.c.row_hash)
        connection.execute(update(TABLE).where(stale).values(removed_at=started))
    if staging:
        staging.drop()
    problems = _problems(connection, adapter)
    if problems.date_errors > MAX_DATE_ERROR_SHARE * result.records:
        raise SourceError(f"{name}: garbage: {problems.date_errors} of {result.records} rows have dates in "
                          f"none of the declared formats (first: {problems.first_date_error}); previous "
                          f"records kept")
    if before_live and to_remove > share * before_live and not force:
        raise RefusedSync(
            f"would remove {to_remove} of {before_live} records ({to_remove / before_live:.0%} > "
            f"{share:.0%}); nothing applied, rerun with --force to accept"
        )
    result.unmapped, result.date_errors = dict(problems.unmapped), problems.date_errors
    result.added = _count(connection, name, live_only=False) - before_all
    result.updated = upserted - result.added
    result.kept = max(result.records - upserted, 0)  # live, in this roster, not written
    result.removed = to_remove
    result.as_of = adapter.as_of


class BulkLoad:
    """SQLite, a large first load of a source: past ``BULK_LOAD_ROWS`` written rows (and at least as many as the
    table held), drop the record table's secondary indexes and rebuild them once at the end. Inserting into six
    indexes row by row (random positions in the name, number, hash and source b-trees) was about half of a first
    sync; with one sorted build each (and no staging), a 300,000-row first load took 30-57 s, not 68-114 s.

    Safe for readers and for a failed sync: SQLite's DDL is transactional, and the drop and the rebuild run inside
    the sync's one write transaction. Other connections (WAL) keep reading the last committed state, indexes
    included, until the commit publishes the new rows and the rebuilt indexes together; an error or a crash rolls
    back the drop with the rows. The unique (source, record_key) index stays: the upsert needs it.

    Not on PostgreSQL: DROP INDEX takes an ACCESS EXCLUSIVE lock on the table until the commit, which would block
    every reader of every source for the whole sync."""

    def __init__(self, connection: Connection):
        self.driver = connection.connection.driver_connection
        table_rows = self.driver.execute(f"SELECT count(*) FROM {TABLE.name}").fetchone()[0]  # noqa: S608
        self.threshold = max(BULK_LOAD_ROWS, table_rows)
        self.dropped: list[tuple[str, str]] | None = None  # (name, CREATE statement) of each dropped index

    def written(self, rows: int) -> None:
        if self.dropped is not None or rows < self.threshold:
            return
        if not self.driver.in_transaction:  # never outside the sync's transaction (rows were written: it is open)
            raise RuntimeError("bulk load outside a transaction")
        self.dropped = self.driver.execute(
            "SELECT m.name, m.sql FROM pragma_index_list(?) AS l JOIN sqlite_master AS m ON m.name = l.name "
            "WHERE l.\"unique\" = 0 AND m.sql IS NOT NULL", (TABLE.name,)).fetchall()
        for index, _sql in self.dropped:
            self.driver.execute(f'DROP INDEX "{index}"')

    def finish(self) -> None:
        for _index, sql in self.dropped or ():
            self.driver.execute(sql)


def _live_and_stale(connection: Connection, name: str, staging: "Staging | None") -> tuple[int, int]:
    """The source's live records, and how many of them hold a row hash this roster did not stage (to be marked
    removed), in one scan (two before). Not merged with ``_problems``' grouped scan: SQLite groups by sorting,
    and sorting every record costs more than a second scan that sorts only the unknown ones."""
    if staging is None:
        return _count(connection, name, live_only=True), 0
    staging.analyse()
    records, stale = staging.flag_missing()
    query = (select(func.count(), func.coalesce(func.sum(stale), 0)).select_from(records)
             .where(TABLE.c.source == name, TABLE.c.removed_at.is_(None)))
    live, missing = connection.execute(query).one()
    return live, int(missing)


class Staging:
    """The hashes of one sync's rows, in a temporary table without indexes (plain ``executemany``; on PostgreSQL
    ``COPY``). ``add`` stages one page and answers which of its hashes live records of the source already hold
    (index ix_licenserecord_roster, row hash first, alone answers)."""

    NAME = "roster_staging"

    def __init__(self, connection: Connection, source: str):
        self.connection = connection
        self.source = source
        self.postgres = connection.dialect.name == "postgresql"
        self.staged = 0
        self.drop()  # a sync that failed on this (pooled) connection may have left its table
        if self.postgres:
            connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {self.NAME} (row_hash bytea) ON COMMIT DROP")
        else:
            connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {self.NAME} (row_hash BLOB)")

    def add(self, hashes: list[bytes]) -> set[bytes]:
        if not hashes:
            return set()
        if self.postgres:
            with self.connection.connection.driver_connection.cursor() as cursor:
                with cursor.copy(f"COPY {self.NAME} (row_hash) FROM STDIN") as copy:
                    for row_hash in hashes:
                        copy.write_row((row_hash,))
                cursor.execute(f"SELECT row_hash FROM {TABLE.name} WHERE source = %s AND removed_at IS NULL "  # noqa: S608
                               f"AND row_hash = ANY(%s)", (self.source, hashes))
                known = {bytes(row[0]) for row in cursor}
        else:
            driver = self.connection.connection.driver_connection
            driver.executemany(f"INSERT INTO temp.{self.NAME} (row_hash) VALUES (?)", zip(hashes))  # noqa: S608
            # This page's rows are the newest rowids of the (never deleted from) staging table.
            known = {row[0] for row in driver.execute(
                f"SELECT s.row_hash FROM temp.{self.NAME} s WHERE s.rowid > ? AND EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {TABLE.name} r WHERE r.source = ? AND r.removed_at IS NULL "
                f"AND r.row_hash = s.row_hash)", (self.staged, self.source)).fetchall()}
        self.staged += len(hashes)
        return known

    def analyse(self) -> None:
        """PostgreSQL never analyses a temporary table by itself: without its size the anti-join plan is a guess."""
        if self.postgres:
            self.connection.exec_driver_sql(f"ANALYZE {self.NAME}")

    def lacks(self, column):
        """``column`` (a record's row hash, maybe NULL) is not among the staged hashes. SQLite: NOT IN, read
        through a transient index of the subquery (NULL NOT IN is NULL: said apart). PostgreSQL: NOT EXISTS alone
        (a NULL hash matches nothing), so that it plans a hashed anti-join: its NOT IN hashes only a subquery that
        fits in work_mem, and a NOT EXISTS under an OR is a subplan run per row (measured: quadratic)."""
        if self.postgres:
            return ~exists(select(literal(1)).select_from(text(f"{self.NAME} s")).where(
                text(f"s.row_hash = {TABLE.name}.row_hash")))
        return column.is_(None) | column.not_in(select(text("row_hash")).select_from(text(f"temp.{self.NAME}")))

    def flag_missing(self):
        """(the record table joined as needed, a 0/1 column: the record's hash was not staged), to count in one
        scan. SQLite: a NOT IN whose subquery it reads once into a transient index. PostgreSQL: an outer join to
        the distinct staged hashes (a hash join; a NOT EXISTS in the select list would be a subplan per row)."""
        if self.postgres:
            staged = select(column("row_hash")).select_from(table(self.NAME)).distinct().subquery("staged")
            joined = TABLE.outerjoin(staged, staged.c.row_hash == TABLE.c.row_hash)
            return joined, case((staged.c.row_hash.is_(None), 1), else_=0)
        return TABLE, case((self.lacks(TABLE.c.row_hash), 1), else_=0)

    def drop(self) -> None:
        schema = "pg_temp" if self.postgres else "temp"
        self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS {schema}.{self.NAME}")


def _problems(connection: Connection, adapter: Source) -> "_Problems":
    """What the live roster could not read: date errors (status unknown, errors kept in raw) and unknown status
    words, counted over every record of the roster (changed or not: called once the records it lacks are marked
    removed) in one grouped scan of its unknown rows."""
    if connection.dialect.name == "postgresql":
        date_error = TABLE.c.raw.op("->")(literal(DATE_ERRORS))
    else:
        date_error = func.json_extract(TABLE.c.raw, f"$.{DATE_ERRORS}")
    has_error = case((date_error.is_(None), 0), else_=1)
    query = (select(TABLE.c.status_raw, has_error, func.count(), func.min(TABLE.c.record_key))
             .where(TABLE.c.source == adapter.info.name, TABLE.c.removed_at.is_(None),
                    TABLE.c.status == LicenseStatus.UNKNOWN)
             .group_by(TABLE.c.status_raw, has_error))
    problems = _Problems()
    first_error_key = None
    for word, errors, count, key in connection.execute(query):
        if errors:
            problems.date_errors += count
            first_error_key = min(key, first_error_key or key)
        elif is_unmapped(adapter.status, word):
            problems.unmapped[" ".join(word.upper().split())] += count
    if first_error_key is not None:
        raw = connection.execute(select(TABLE.c.raw).where(TABLE.c.source == adapter.info.name,
                                                           TABLE.c.record_key == first_error_key)).scalar_one()
        problems.first_date_error = f"{first_error_key}: {raw[DATE_ERRORS][0]}"
    return problems


@dataclass
class _Problems:
    """What one sync could not read: unknown status words (word -> rows) and rows with unreadable dates."""

    unmapped: Counter = field(default_factory=Counter)
    date_errors: int = 0
    first_date_error: str | None = None


def is_unmapped(status_of: Callable[[str], LicenseStatus], word: str | None) -> bool:
    """A non-empty raw status word the source's table does not know."""
    return bool(word and word.strip()) and status_of(word) == LicenseStatus.UNKNOWN


def live_counts(engine: Engine, status_of: Callable[[str, str], LicenseStatus]
                ) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Live records per source, and per source the raw status words of its live records that its table does not
    know (word -> records); ``status_of(source, word)`` is the source's own normalisation. One grouped scan."""
    query = (select(TABLE.c.source, TABLE.c.status, TABLE.c.status_raw, func.count())
             .where(TABLE.c.removed_at.is_(None)).group_by(TABLE.c.source, TABLE.c.status, TABLE.c.status_raw))
    counts: dict[str, int] = {}
    unmapped: dict[str, dict[str, int]] = {}
    with engine.connect() as connection:
        for source, status, word, count in connection.execute(query):
            counts[source] = counts.get(source, 0) + count
            if status == LicenseStatus.UNKNOWN and is_unmapped(lambda raw, s=source: status_of(s, raw), word):
                key = " ".join(word.upper().split())
                words = unmapped.setdefault(source, {})
                words[key] = words.get(key, 0) + count
    return counts, unmapped


def store_records(engine: Engine, records: Iterable[NormalRecord]) -> int:
    """Upsert look-up answers (never removes: a look-up is not a full roster)."""
    count = 0
    with engine.begin() as connection:
        for batch in _batches(records):
            upsert_records(connection, batch)
            count += len(batch)
    return count


def records_by_name(session: Session, *, state: str, family_key: str, given_key: str | None = None,
                    include_removed: bool = False) -> list[LicenseRecord]:
    """Records in ``state`` for a normalised family (and given) name: one indexed query
    (ix_licenserecord_lookup on state, family_key, given_key)."""
    query = select(LicenseRecord).where(LicenseRecord.state == state.upper(), LicenseRecord.family_key == family_key)
    if given_key:
        query = query.where(LicenseRecord.given_key == given_key)
    if not include_removed:
        query = query.where(LicenseRecord.removed_at.is_(None))
    return list(session.execute(query).scalars())
