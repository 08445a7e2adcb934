"""1. Extraction: skip pages whose content hash is unchanged; otherwise read their facts (PDFs via their text).

Extraction is CPU work: with ``settings.extract_processes`` > 0 it runs in helper processes (forked before the
crawl starts) while the crawl process keeps fetching and storing.

Each page gets a wall-clock budget (``settings.extract_timeout_s``) so that one hostile page can never stall a
crawl: past it the page is recorded with the outcome ``extract_timeout`` (its last good facts are kept, marked
stale) and the crawl goes on. The budget is kept twice: inside the process that extracts (an interval timer
stops the extractor's Python code), and by the crawl process, which kills and replaces a helper process that
has not answered well after the budget (stuck in C code that the timer cannot interrupt).
"""

import asyncio
import logging
import multiprocessing
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from lxml.etree import LxmlError
from pypdf.errors import PyPdfError

from crawler.items import FetchedPage
from directory.extraction.types import PageFacts
from directory.vocab import FetchOutcome

logger = logging.getLogger(__name__)
EXTRACTABLE = (FetchOutcome.OK.value, FetchOutcome.DECODE.value)
# What a hostile or broken document can make a parser raise; anything else is a bug and should surface.
EXTRACTION_ERRORS = (ValueError, TypeError, KeyError, IndexError, UnicodeError, LxmlError, PyPdfError, RecursionError)
# How long past the budget the crawl process waits for a helper before killing it (a replacement helper starts
# from scratch and imports the extractor first, which takes a few seconds on a loaded machine).
HARD_GRACE_S = 20.0
# Pages handed to each helper at once: the next page is already there when one is done, so a helper does not idle
# while the crawl process (busy with the reactor) notices the result and sends another. A page's own budget starts
# when it starts running (the helper's timer); the crawl process's hard limit allows for the page ahead of it.
PAGES_PER_HELPER = 2


class ExtractTimeout(Exception):
    """A page's extraction ran past its wall-clock budget."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ExtractTimeout in this thread after `seconds`. An interval timer (SIGALRM) can only interrupt the
    main thread of a process, which is where both the crawl's reactor and a helper process run extraction."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum, _frame):
        raise ExtractTimeout(f"extraction took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def extract(kind: str, text: str | None, body: bytes | None, url: str, budget_s: float = 0.0) -> PageFacts:
    from directory.extraction import extract_page, pdf_text

    with time_limit(budget_s):
        if kind == "pdf":
            return extract_page(pdf_text(body or b""), url, "text/plain")
        return extract_page(text or "", url, "text/plain" if kind == "text" else "text/html")


def _warm() -> None:
    """Import the extractor and build its tables before a helper's first page (its budget starts after)."""
    extract("page", "<p>Jane Roe, LCSW, serving Baltimore, Maryland.</p>", None, "http://warm.invalid/")


class ExtractWorkers:
    """Helper processes that extract pages, each page within its budget, ``PAGES_PER_HELPER`` pages per helper in
    flight."""

    def __init__(self, processes: int, budget_s: float) -> None:
        self.processes = processes
        self.budget_s = budget_s
        # Fork (cheap, warm) before the reactor starts; a replacement is spawned, as forking a running crawl is not
        # safe.
        self.pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"))
        self.pool.submit(_warm).result()  # forks the helpers now, before the reactor starts
        self.slots: asyncio.Semaphore | None = None  # made in the reactor's event loop
        self.replaced = 0

    async def run(self, kind: str, text: str | None, body: bytes | None, url: str) -> PageFacts:
        if self.slots is None:
            self.slots = asyncio.Semaphore(self.processes * PAGES_PER_HELPER)
        async with self.slots:
            for attempt in range(3):
                pool = self.pool
                future = pool.submit(extract, kind, text, body, url, self.budget_s)
                try:
                    hard_limit = PAGES_PER_HELPER * self.budget_s + HARD_GRACE_S  # its own, and one ahead of it
                    return await asyncio.wait_for(asyncio.wrap_future(future), hard_limit)
                except TimeoutError as exc:
                    self._replace(pool)
                    raise ExtractTimeout(f"extraction took longer than {self.budget_s:g} s; helper killed") from exc
                except BrokenProcessPool:
                    if attempt == 2:
                        raise  # helpers that keep dying: a bug to surface, not a page to skip
                    self._replace(pool)  # another page's helper was killed: this page runs again on the new pool

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        if pool is not self.pool:
            return  # already replaced by another page
        # ProcessPoolExecutor cannot stop a running call; its processes (a stable private attribute) can be killed.
        for process in list((pool._processes or {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        self.pool = ProcessPoolExecutor(
            max_workers=self.processes, mp_context=multiprocessing.get_context("spawn"), initializer=_warm
        )
        self.replaced += 1
        logger.warning("extraction helper stuck past %s s: killed and replaced", self.budget_s)

    def shutdown(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def extraction_workers(processes: int, budget_s: float) -> ExtractWorkers | None:
    """Create before the reactor starts (forking a process with a running reactor is unsafe)."""
    if processes <= 0:
        return None
    return ExtractWorkers(processes, budget_s)


class ExtractPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item: FetchedPage) -> FetchedPage:
        record = item.record
        if item.kind == "sitemap" or record.outcome not in EXTRACTABLE:
            return item
        context = self.crawler.spider.context
        known = context.known.get(record.url)
        if known is not None and record.content_hash and known.content_hash == record.content_hash:
            record.unchanged = True  # same bytes as last time: the stored facts still hold
        else:
            url = record.final_url or record.url
            budget = context.settings.extract_timeout_s
            try:
                if context.extract_workers is None:
                    record.facts = extract(item.kind, item.text, item.body, url, budget)
                else:
                    record.facts = await context.extract_workers.run(item.kind, item.text, item.body, url)
            except ExtractTimeout as exc:
                logger.warning("extraction of %s stopped: %s", url, exc)
                record.outcome = FetchOutcome.EXTRACT_TIMEOUT.value
                record.error = str(exc)[:300]
            except EXTRACTION_ERRORS as exc:
                logger.warning("extraction failed for %s: %s", url, exc)
                record.error = f"extraction failed: {type(exc).__name__}: {exc}"[:300]
        item.text = None
        item.body = None
        return item
