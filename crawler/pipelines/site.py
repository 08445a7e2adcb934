"""3. Sites: when a site's last outstanding request is done, merge its pages and store them in the directory."""

import logging

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from sqlmodel import Session

from crawler.items import FetchedPage
from crawler.ledger import MemoryLedger
from directory.store import add_run_counts, store_site

logger = logging.getLogger(__name__)


class SitePipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(pipeline.item_error, signal=signals.item_error)
        return pipeline

    @property
    def context(self):
        return self.crawler.spider.context

    def process_item(self, item: FetchedPage) -> FetchedPage:
        record = None if item.kind == "sitemap" else item.record
        if self.context.ledger.finish(item.record.site_key, record):
            self.flush(item.record.site_key)
        return item

    def request_dropped(self, request: Request) -> None:
        """A request the scheduler filtered as a duplicate (e.g. a redirect to a page already fetched)."""
        site = request.meta.get("site")
        if site and self.context.ledger.finish(site, None):
            self.flush(site)

    def item_error(self, item: FetchedPage, failure) -> None:
        """An earlier pipeline failed on this page (Scrapy logged it): keep the page's last facts, finish it."""
        record = item.record
        record.unchanged = True
        record.facts = None
        record.error = f"processing failed: {type(failure.value).__name__}: {failure.value}"[:300]
        self.process_item(item)

    def spider_idle(self) -> None:
        ledger = self.context.ledger
        if isinstance(ledger, MemoryLedger):
            self.flush_unfinished()
        elif ledger.pending_total() > 0:
            raise DontCloseSpider  # another worker is still fetching pages that may enqueue more

    def close_spider(self) -> None:
        if isinstance(self.context.ledger, MemoryLedger) or self.context.ledger.pending_total() <= 0:
            self.flush_unfinished()

    def flush_unfinished(self) -> None:
        for site in self.context.ledger.unfinished_sites():
            self.flush(site)

    def flush(self, site: str) -> None:
        pages = self.context.ledger.take_pages(site)
        if not pages:
            return
        home = min(pages, key=lambda page: len(page.url))
        site_url = home.url.split(site, 1)[0] + site + "/"
        context = self.context
        if context.writer is not None:
            context.writer.put(site, site_url, pages)  # stored in batches by the writer process
            return
        with Session(context.engine, expire_on_commit=False) as session:
            result = store_site(session, site_key=site, site_url=site_url, pages=pages, crawl_run_id=context.run_id)
            add_run_counts(session, context.run_id, result)
            session.commit()
        logger.info("stored %s: %s", site, result)
