"""Storing what a source yields: streamed upserts by (source, record_key), removals marked, every run logged.

A roster sync runs in ONE transaction: if the source fails half-way (down, throttled, slow, garbage), or the
new roster would remove more than ``settings.max_removal_share`` of the records (unless forced), everything
rolls back and the previous records keep their as-of date. Either way a SourceSync row says what happened.

Each sync also counts what it could not read: status words the source's table does not know (the record stays
``unknown``, never active) and rows with an unreadable date (see ``directory.boards.dates``). More than
``MAX_DATE_ERROR_SHARE`` of the rows with unreadable dates means the format changed: the sync is an error.
"""

import csv
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from sqlalchemy import func, select, update
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

BATCH = 2000
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
                    f"{self.removed} removed){as_of}{problems}")
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
    rows: dict[tuple[str, str], dict] = {}
    for record in batch:  # de-duplicate within the batch: one statement may not touch a row twice
        row = record.as_row()
        row["removed_at"] = None
        rows[(record.source, record.record_key)] = row
    if not rows:
        return
    if connection.dialect.name == "sqlite":  # the DBAPI's executemany: SQLAlchemy's per-row binding costs ~2x
        connection.exec_driver_sql(_SQLITE_UPSERT, [_sqlite_row(row) for row in rows.values()])
    else:
        connection.execute(_upsert_statement(connection.dialect.name), list(rows.values()))


_COLUMNS = [c.name for c in TABLE.columns if c.name != "id"]
# Identifiers come from the model, never from input; every value is a bound parameter.
_SQLITE_UPSERT = (
    f"INSERT INTO {TABLE.name} ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)}) "  # noqa: S608
    f"ON CONFLICT (source, record_key) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _UPDATABLE)}"
)


def _sqlite_datetime(value):
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if value is not None else None


def _sqlite_date(value):
    return value.isoformat() if value is not None else None


def _sqlite_json(value):
    return json.dumps(value) if value is not None else None


# Values stored exactly as SQLAlchemy's SQLite types store them (so ORM reads are unchanged).
_CONVERTERS = {"DATETIME": _sqlite_datetime, "DATE": _sqlite_date, "JSON": _sqlite_json}
_SQLITE_CONVERT = [
    (name, _CONVERTERS.get(type(TABLE.c[name].type).__name__.upper())) for name in _COLUMNS
]


def _sqlite_row(row: dict) -> tuple:
    return tuple(convert(row[name]) if convert else row[name] for name, convert in _SQLITE_CONVERT)


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
            before_live = _count(connection, name, live_only=True)
            before_all = _count(connection, name, live_only=False)
            problems = _Problems()
            for batch in _batches(adapter.sync()):
                upsert_records(connection, batch)
                result.records += len(batch)
                problems.count(adapter, batch)
                if on_progress:
                    on_progress(result.records)
            if result.records == 0:
                raise SourceError(f"{name}: empty roster (an empty sync is an error; previous records kept)")
            if problems.date_errors > MAX_DATE_ERROR_SHARE * result.records:
                raise SourceError(f"{name}: garbage: {problems.date_errors} of {result.records} rows have dates in "
                                  f"none of the declared formats (first: {problems.first_date_error}); previous "
                                  f"records kept")
            result.unmapped, result.date_errors = dict(problems.unmapped), problems.date_errors
            stale = (TABLE.c.source == name) & TABLE.c.removed_at.is_(None) & (TABLE.c.fetched_at < started)
            to_remove = connection.execute(select(func.count()).select_from(TABLE).where(stale)).scalar_one()
            if before_live and to_remove > share * before_live and not force:
                raise RefusedSync(
                    f"would remove {to_remove} of {before_live} records ({to_remove / before_live:.0%} > "
                    f"{share:.0%}); nothing applied, rerun with --force to accept"
                )
            connection.execute(update(TABLE).where(stale).values(removed_at=started))
            result.added = _count(connection, name, live_only=False) - before_all
            result.updated = result.records - result.added
            result.removed = to_remove
            result.as_of = adapter.as_of
            result.status = "ok"
    except RefusedSync as exc:
        result.status, result.error = "refused", str(exc)
        result.unmapped, result.date_errors = {}, 0
        result.added = result.updated = result.removed = 0
    except SourceError as exc:
        result.status, result.error = "error", str(exc)
        result.added = result.updated = result.removed = 0
    except (csv.Error, UnicodeDecodeError, zipfile.BadZipFile) as exc:  # a malformed file the adapter let through
        result.status, result.error = "error", f"{name}: garbage: {exc}"
        result.added = result.updated = result.removed = 0
    except (KeyError, TypeError, ValueError) as exc:  # rows of an unexpected shape (e.g. a field gone mid-roster)
        result.status, result.error = "error", f"{name}: garbage: unexpected data ({type(exc).__name__}: {exc})"
        result.added = result.updated = result.removed = 0
    finish_sync(engine, result)
    return result


@dataclass
class _Problems:
    """What one sync could not read: unknown status words (word -> rows) and rows with unreadable dates."""

    unmapped: Counter = field(default_factory=Counter)
    date_errors: int = 0
    first_date_error: str | None = None

    def count(self, adapter: Source, batch: list[NormalRecord]) -> None:
        for record in batch:
            errors = record.raw.get(DATE_ERRORS)
            if errors:
                self.date_errors += 1
                self.first_date_error = self.first_date_error or f"{record.record_key}: {errors[0]}"
            elif record.status == LicenseStatus.UNKNOWN and is_unmapped(adapter.status, record.status_raw):
                self.unmapped[" ".join(record.status_raw.upper().split())] += 1


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
