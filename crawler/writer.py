"""Storing finished sites in batches, in a process of its own beside the crawl.

Storing a site (merge its pages, upsert the practice and its rows, add the evidence) is CPU work in Python: done in
the crawl process it competes with Scrapy for the one interpreter and the reactor waits for every commit. The
writer process takes finished sites from a queue and stores up to ``batch`` of them in one transaction, so the
crawl process only hands over the pages (pickled by the queue's feeder thread) and goes on fetching.

The fetch log goes the same way (``log``): its rows are inserted, and the run's live counts refreshed, by the
writer between batches, so the crawl process does no database work at all while it crawls (with SQLite it used to
wait on the reactor thread for the writer's transaction to release the database; with PostgreSQL, for the crawl
run's row, which both updated).

Each site is stored exactly as ``store_site`` stores it alone: the batch flushes after every site, and if storing
one site of a batch fails, the batch is rolled back and its sites are stored again one transaction each, so a bad
site loses only itself (its last good data stays, as when storing inline fails). The crawl process waits for the
writer at the end of the crawl; a writer that died makes the crawl process exit non-zero (the run is failed).
"""

import logging
import multiprocessing
import queue
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from crawler.runs import refresh_counts
from directory.models import FetchLog
from directory.store import PageRecord, SiteResult, add_run_counts, store_site

logger = logging.getLogger(__name__)
# Sites (and fetch-log batches) waiting for the writer, held in the crawl process until its feeder thread pickles
# them: two batches. A longer queue does not make a slower writer faster; it only holds more pages in memory.
QUEUE_SITES = 40
_DONE = None


class WriterFailed(RuntimeError):
    """The writer process died: some finished sites may not have been stored."""


def store_sites(engine, sites: list[tuple[str, str, list[PageRecord]]], run_id: int) -> None:
    """Store these sites in one transaction; on any failure, each again in a transaction of its own."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            batch = SiteResult(practice_id=None)  # the run's counts: one update per batch, not per site
            for site, site_url, pages in sites:
                result = _store_one(session, site, site_url, pages, run_id)
                for count in ("new", "changed", "unchanged", "gone"):
                    setattr(batch, count, getattr(batch, count) + getattr(result, count))
                session.flush()  # the next site's queries see this one, as after a commit
            add_run_counts(session, run_id, batch)
            session.commit()
        return
    except Exception:  # noqa: BLE001 - any failure: fall back to one site per transaction to find the bad one
        if len(sites) == 1:
            logger.exception("storing %s failed; its last stored data is kept", sites[0][0])
            return
        logger.warning("storing a batch of %d sites failed; storing each on its own", len(sites), exc_info=True)
    for site, site_url, pages in sites:
        try:
            with Session(engine, expire_on_commit=False) as session:
                add_run_counts(session, run_id, _store_one(session, site, site_url, pages, run_id))
                session.commit()
        except Exception:  # noqa: BLE001 - a bad site must not stop the others; logged with its traceback
            logger.exception("storing %s failed; its last stored data is kept", site)


def _store_one(session: Session, site: str, site_url: str, pages: list[PageRecord], run_id: int | None
               ) -> SiteResult:
    result = store_site(session, site_key=site, site_url=site_url, pages=pages, crawl_run_id=run_id)
    logger.info("stored %s: %s", site, result)
    return result


def write_fetch_log(engine, rows: list[dict], run_id: int) -> None:
    """Fetch-log rows in one executemany, then the run's live counts; a transaction of its own."""
    with Session(engine) as session:
        if rows:
            session.execute(insert(FetchLog), rows)
        refresh_counts(session, run_id)
        session.commit()


def _writer_main(db_url: str, run_id: int, batch: int, sites: multiprocessing.Queue) -> None:
    from directory.db import get_engine

    # The crawl process's engine (cached, with its settings and listeners), copied by the fork: its pooled
    # connections belong to the crawl process, so this process leaves them alone and opens its own.
    engine = get_engine(db_url)
    engine.dispose(close=False)
    done = False
    while not done:
        pending = [sites.get()]
        while len(pending) < batch:
            try:
                pending.append(sites.get_nowait())
            except queue.Empty:
                break
        done = _DONE in pending
        to_store = [item[1:] for item in pending if item is not _DONE and item[0] == "site"]
        log_rows = [row for item in pending if item is not _DONE and item[0] == "log" for row in item[1]]
        if to_store:
            store_sites(engine, to_store, run_id)
        if log_rows or done:
            write_fetch_log(engine, log_rows, run_id)  # a failure here is the writer's death: the run fails
    engine.dispose()


class SiteWriter:
    """Forked before the reactor starts (forking a process with a running reactor is unsafe)."""

    def __init__(self, db_url: str, run_id: int, batch: int) -> None:
        context = multiprocessing.get_context("fork")
        self.sites: Any = context.Queue(maxsize=QUEUE_SITES)
        self.process = context.Process(target=_writer_main, args=(db_url, run_id, batch, self.sites),
                                       name="kapdir-writer", daemon=True)
        self.process.start()

    def put(self, site: str, site_url: str, pages: list[PageRecord]) -> None:
        self._put(("site", site, site_url, pages))

    def log(self, rows: list[dict]) -> None:
        """Fetch-log rows (FetchLog columns) to insert."""
        self._put(("log", rows))

    def _put(self, message: tuple) -> None:
        while True:
            try:
                self.sites.put(message, timeout=5)
                return
            except queue.Full:
                if not self.process.is_alive():
                    raise WriterFailed(f"the writer process exited with {self.process.exitcode}") from None

    def close(self) -> None:
        """Wait until every queued site is stored."""
        if self.process.is_alive():
            self.sites.put(_DONE)
        self.process.join()
        self.sites.close()
        self.sites.join_thread()
        if self.process.exitcode != 0:
            raise WriterFailed(f"the writer process exited with {self.process.exitcode}")
