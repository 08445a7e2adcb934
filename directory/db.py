"""Engines, sessions and schema upgrades (Alembic) for SQLite or PostgreSQL; database existence, lock waits and
per-job locks.

Only the commands that build a directory (``demo``, ``crawl``, ``boards sync``, ``db upgrade``) create a
database; every other command needs one to exist (``require_database``). A database locked by another writer is
waited for ``settings.db_busy_timeout_s``, then the command fails with one line (``DatabaseLocked``). Two jobs of
the same kind (crawl, sync, verify) never run at once on one database (``job_lock``).
"""

import fcntl
import hashlib
import json
import os
import re
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

from directory.errors import KapdirError
from directory.settings import get_settings
from directory.timeutil import utcnow

MIGRATIONS = Path(__file__).parent / "migrations"
CREATE_HINT = "create one with `kapdir demo`, `kapdir crawl`, `kapdir boards sync` or `kapdir db upgrade`"


class DatabaseLocked(KapdirError):
    """Another process held the database's write lock for longer than we wait."""


class JobRunning(KapdirError):
    """A job of the same kind is already running on this database."""


def resolve_url(db: str | Path | None = None) -> str:
    """--db PATH (an SQLite file, or a database URL) first, then DATABASE_URL, then the data directory's file."""
    if db is not None:
        if isinstance(db, str) and "://" in db:  # a URL from code: use it as it is
            return db
        if re.match(r"^[a-z][a-z0-9+.-]*:/", str(db)):  # a URL typed as --db (a Path folds its '//')
            raise KapdirError(f"--db takes an SQLite file, not a URL ({str(db).split(':')[0]}:...): "
                              "set DATABASE_URL for PostgreSQL")
        return f"sqlite:///{Path(db).expanduser().resolve()}"
    settings = get_settings()
    return settings.database_url or settings.default_database_url


def sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def describe_url(url: str) -> str:
    """The database for a message: the file, or the URL without its password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "the configured database"


def _busy_timeout() -> float:
    return max(0.0, get_settings().db_busy_timeout_s)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # the dashboard reads while a crawl writes
    cursor.execute(f"PRAGMA busy_timeout={int(_busy_timeout() * 1000)}")
    cursor.close()


def _locked_as_one_line(path: Path):
    def handle_error(context) -> None:
        original = context.original_exception
        if isinstance(original, sqlite3.OperationalError) and "locked" in str(original).lower():
            raise DatabaseLocked(
                f"database {path} is locked by another process (waited {_busy_timeout():g} s); "
                "try again when it has finished"
            ) from original

    return handle_error


@lru_cache(maxsize=16)
def get_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KapdirError(f"cannot create database directory {path.parent}: {exc}") from exc
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": _busy_timeout()})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "handle_error", _locked_as_one_line(path))
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the schema to the newest migration (idempotent; never drops data)."""
    engine = get_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def require_database(db: str | Path | None = None) -> str:
    """The database URL, if that database exists; else a one-line error naming it (nothing is created)."""
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise KapdirError(f"no database at {path}: {CREATE_HINT}")
    return url


def open_database(db: str | Path | None = None, *, create: bool = True) -> Engine:
    """Resolve, upgrade the schema (creating the database when ``create``), and return the engine."""
    url = resolve_url(db) if create else require_database(db)
    _open(url)
    return get_engine(url)


def _open(url: str) -> None:
    """Upgrade the schema; a database that cannot be opened (not a database, unreachable) is one line."""
    try:
        upgrade(url)
    except KapdirError:
        raise
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise KapdirError(f"cannot open database {describe_url(url)}: {reason}") from exc


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def finish_run_record(engine: Engine, model: type, run_id: int, *, status: str, **values: Any) -> bool:
    """Mark a run record finished in its own transaction. False when even that failed (the database stayed
    locked, or went away): the next job of that kind closes it (``close_orphaned_runs``)."""
    table = model.__table__
    try:
        with engine.begin() as connection:
            connection.execute(
                update(table).where(table.c.id == run_id).values(status=status, finished_at=utcnow(), **values)
            )
    except (KapdirError, SQLAlchemyError):
        return False
    return True


# --- one job of a kind at a time ------------------------------------------------------------------

JOB_KINDS = ("crawl", "sync", "verify")
_ADVISORY_NAMESPACE = int.from_bytes(hashlib.sha256(b"kapdir").digest()[:4], "big", signed=True)


def _holder() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "since": utcnow().isoformat(timespec="seconds")}


def _holder_text(holder: dict[str, Any]) -> str:
    since = f" since {holder['since']} UTC" if holder.get("since") else ""
    return f"process {holder.get('pid', '?')} on {holder.get('host', '?')}{since}"


@contextmanager
def job_lock(url: str, kind: str) -> Iterator[None]:
    """Hold the ``kind`` job lock of this database, or fail at once saying who holds it.

    SQLite: an exclusive ``flock`` on ``<database>.<kind>.lock`` (released by the kernel if the process dies);
    the file names the holder. PostgreSQL: a session advisory lock on its own connection (released when that
    connection ends), whose application_name names the holder."""
    if kind not in JOB_KINDS:
        raise KapdirError(f"unknown job kind {kind!r}")
    path = sqlite_path(url)
    if path is not None:
        with _file_lock(path.with_name(f"{path.name}.{kind}.lock"), kind, path):
            yield
    else:
        with _advisory_lock(url, kind):
            yield


@contextmanager
def _file_lock(lock_path: Path, kind: str, db_path: Path) -> Iterator[None]:
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole job
    except OSError as exc:
        raise KapdirError(f"cannot create the lock file {lock_path}: {exc.strerror or exc}") from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            try:
                holder = json.loads(handle.read() or "{}")
            except ValueError:
                holder = {}
            raise JobRunning(
                f"another {kind} is running on {db_path} ({_holder_text(holder)}); wait for it to finish"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(_holder()))
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _advisory_lock(url: str, kind: str) -> Iterator[None]:
    key = JOB_KINDS.index(kind) + 1
    holder = _holder()
    name = f"kapdir {kind} pid {holder['pid']} on {holder['host']}"[:63]
    engine = get_engine(url)
    try:
        connection = engine.connect()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise KapdirError(f"cannot open database {describe_url(url)}: {reason}") from exc
    with connection:
        connection.execute(text("SELECT set_config('application_name', :name, false)"), {"name": name})
        got = connection.execute(text("SELECT pg_try_advisory_lock(:ns, :key)"),
                                 {"ns": _ADVISORY_NAMESPACE, "key": key}).scalar()
        connection.commit()
        if not got:
            row = connection.execute(text(
                "SELECT a.application_name, a.pid, a.backend_start FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = :ns_oid "
                "AND l.objid::bigint = :key AND l.objsubid = 2"),
                {"ns_oid": _ADVISORY_NAMESPACE & 0xFFFFFFFF, "key": key}).first()
            who = (f"{row.application_name or 'a session'} (server pid {row.pid}, connected "
                   f"{row.backend_start:%Y-%m-%d %H:%M:%S %Z})".replace(" )", ")") if row else "another session")
            raise JobRunning(f"another {kind} is running on {describe_url(url)}: {who}; wait for it to finish")
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:ns, :key)"), {"ns": _ADVISORY_NAMESPACE, "key": key})
            connection.execute(text("SELECT set_config('application_name', '', false)"))
            connection.commit()


def close_orphaned_runs(engine: Engine, kind: str,
                        reason: str = "interrupted: the process ended before finishing") -> int:
    """Under the ``kind`` job lock no other job of that kind is alive, so its runs still marked running were
    interrupted (killed, failed, or their database stayed locked as they ended): mark them so, with ``reason``.
    Returns how many."""
    from directory.models import CrawlRun, SourceSync, VerifyRun

    model, failed = {"crawl": (CrawlRun, "failed"), "sync": (SourceSync, "error"),
                     "verify": (VerifyRun, "failed")}[kind]
    table = model.__table__
    note = {"error" if kind == "sync" else "message": reason[:500]}
    with engine.begin() as connection:
        result = connection.execute(
            update(table).where(table.c.status == "running").values(status=failed, finished_at=utcnow(), **note)
        )
    return result.rowcount or 0


@contextmanager
def exclusive_jobs(url: str, *kinds: str) -> Iterator[None]:
    """Be the only job of these kinds on the database: take their locks (or fail naming the holder), close the
    runs an earlier process left "running", and if this job fails, mark its own unfinished runs failed."""
    with ExitStack() as stack:
        for kind in kinds:
            stack.enter_context(job_lock(url, kind))
        path = sqlite_path(url)
        if path is None or path.is_file():  # nothing to close in a database about to be created
            _open(url)
            for kind in kinds:
                close_orphaned_runs(get_engine(url), kind)
        try:
            yield
        except BaseException as exc:
            # Still under the locks: a run of these kinds still "running" is this job's, cut short. Marking it
            # may fail too (the database still locked): the next job of the kind closes it then.
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            for kind in kinds:
                with suppress(KapdirError, SQLAlchemyError):
                    close_orphaned_runs(get_engine(url), kind, f"failed: {reason}")
            raise
