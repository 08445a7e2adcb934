"""The practice spider: crawl each practice site for the pages that matter, politely and within a budget."""

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from itertools import islice
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from crawler.context import CrawlContext
from crawler.decoding import decode_body
from crawler.items import FetchedPage
from crawler.links import (
    clean_url,
    host_of,
    is_asset,
    is_denied,
    is_http,
    is_outbound_of_interest,
    is_pdf,
    is_relevant,
    iter_anchors,
    keyword_hits,
    menu_links,
    path_key,
)
from crawler.outcomes import outcome_for_failure, outcome_for_status
from crawler.profiles import profile_for
from directory.store import PageRecord
from directory.timeutil import utcnow
from directory.vocab import FetchOutcome

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
PDF_TYPES = ("application/pdf", "application/x-pdf")
SITEMAP_TYPES = ("application/xml", "text/xml")
MENU_PRIORITY = 100  # a link in the home page's menu or footer (plus its keyword hits)
KEYWORD_PRIORITY = 10  # a link that names a keyword (plus its hits); 0: neither
OPEN_SITES_POLL_S = 0.02  # how often start() looks whether a site has finished and another may open
MAX_ANCHORS = 5_000  # links read per page (a practice page has < 300; a hostile one could have a million)


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class PracticeSpider(scrapy.Spider):
    """One spider for every practice; a site's quirks come from its profile (``crawler/profiles.toml``)."""

    name = "practice"

    def __init__(self, context: CrawlContext, **kwargs) -> None:
        super().__init__(**kwargs)
        self.context = context
        self.budget = context.settings.max_pages_per_site
        self.max_depth = context.settings.max_depth

    # --- requests -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Each seed's home page, sitemap and known pages; at most ``context.max_open_sites`` sites at a time.

        Scrapy takes every start request at once and its scheduler serves all hosts in turn, so without the limit
        every site stays open until the end of the crawl: the writer idles while pages are fetched, then stores
        every site after the last fetch, and the ledger holds every site's pages meanwhile."""
        ledger, limit = self.context.ledger, self.context.max_open_sites
        while True:
            while limit and ledger.open_sites() >= limit:
                await asyncio.sleep(OPEN_SITES_POLL_S)
            if (url := ledger.pop_seed()) is None:
                return
            site = host_of(url)
            # Every request of the seed claimed before the first is sent, so the site cannot finish in between.
            requests = [self._request(url, site, depth=0)]
            sitemap = f"{url.split('://')[0]}://{host_of(url)}/sitemap.xml"
            if ledger.claim(site, sitemap, None):
                requests.append(self._request(sitemap, site, depth=1, kind="sitemap"))
            for known_url in self.context.known_by_site.get(site, []):
                if ledger.claim(site, known_url, self.budget):
                    requests.append(self._request(known_url, site, depth=1))
            for request in requests:
                yield request

    def _request(self, url: str, site: str, depth: int, kind: str = "page", priority: int = 0) -> scrapy.Request:
        headers = {}
        known = self.context.known.get(url)
        if known is not None and kind != "sitemap":
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        return scrapy.Request(
            url,
            callback=self.parse,
            errback=self.failed,
            headers=headers,
            priority=priority,  # menu pages first, then by keywords
            meta={"site": site, "page_url": url, "kap_depth": depth, "kind": kind},
        )

    def _follow(
        self, url: str, site: str, depth: int, kind: str = "page", priority: int = 0, budget: int | None = None
    ) -> Iterator[scrapy.Request]:
        if self.context.ledger.claim(site, url, self.budget if budget is None else budget):
            yield self._request(url, site, depth, kind, priority)

    # --- responses ------------------------------------------------------------------------------

    def _record(self, response: Response, outcome: FetchOutcome, **extra) -> PageRecord:
        meta = response.meta
        headers = response.headers
        return PageRecord(
            url=meta["page_url"],
            site_key=meta["site"],
            outcome=outcome.value,
            status=response.status,
            final_url=response.url,
            content_type=(headers.get(b"Content-Type") or b"").decode("latin-1")[:200] or None,
            fetched_at=utcnow(),
            etag=(headers.get(b"ETag") or b"").decode("latin-1") or None,
            last_modified=(headers.get(b"Last-Modified") or b"").decode("latin-1") or None,
            **extra,
        )

    def parse(self, response: Response) -> Iterator[scrapy.Request | FetchedPage]:
        meta = response.meta
        site, depth, kind = meta["site"], meta["kap_depth"], meta["kind"]
        outcome = outcome_for_status(response.status)
        if outcome is not FetchOutcome.OK:
            unchanged = outcome is FetchOutcome.NOT_MODIFIED
            error = None if unchanged else f"HTTP {response.status}"
            yield FetchedPage(self._record(response, outcome, error=error, unchanged=unchanged), kind=kind)
            return
        media_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").split(";")[0].strip().lower()
        body = response.body
        digest = content_hash(body)
        if kind == "sitemap":
            yield from self._parse_sitemap(body, site)
            yield FetchedPage(self._record(response, FetchOutcome.OK, content_hash=digest), kind=kind)
            return
        if media_type in PDF_TYPES or (not media_type and is_pdf(response.url)):
            yield FetchedPage(self._record(response, FetchOutcome.OK, content_hash=digest), kind="pdf", body=body)
            return
        if media_type not in HTML_TYPES + TEXT_TYPES and media_type:
            record = self._record(response, FetchOutcome.NON_HTML, error=f"not a document: {media_type}")
            yield FetchedPage(record, kind=kind)
            return
        declared = http_content_type_encoding(response.headers.get(b"Content-Type", b"").decode("latin-1"))
        declared = declared or (html_body_declared_encoding(body) if media_type != "text/plain" else None)
        text, note, lossy = decode_body(body, declared)
        outcome = FetchOutcome.DECODE if lossy else FetchOutcome.OK
        outbound: list[str] = []
        if media_type != "text/plain":
            yield from self._follow_links(text, response.url, site, depth, outbound)
        record = self._record(response, outcome, content_hash=digest, error=note, outbound=outbound)
        yield FetchedPage(record, kind="text" if media_type == "text/plain" else "page", text=text)

    def _follow_links(
        self, html: str, base_url: str, site: str, depth: int, outbound: list[str]
    ) -> Iterator[scrapy.Request]:
        """Same-site links by priority within the page budget: the home page's menu and footer links first (the
        site's own table of contents, whatever the pages are called), then links ranked by how many keywords of
        the site's profile they name, then the home page's other links while a quarter of the budget is left.
        Deeper pages' links that name no keyword are not followed (blog archives, calendars)."""
        profile = profile_for(site, html[:100_000])
        # A site that redirected (to https, to www., to a new domain) goes on under the host it landed on.
        hosts = {site, host_of(base_url)}
        menu = menu_links(html) if depth == 0 else set()
        candidates: dict[str, tuple[int, str]] = {}  # url -> (priority, kind)
        for href, label in islice(iter_anchors(html), MAX_ANCHORS):
            url = clean_url(urljoin(base_url, href)) if href else ""
            if not is_http(url):
                continue
            if host_of(url) not in hosts:
                if is_outbound_of_interest(url, label) and url not in outbound:
                    outbound.append(url)
                continue
            if depth >= self.max_depth or is_denied(url, profile) or is_asset(url):
                continue  # (outbound links are still recorded at the deepest level)
            hits = keyword_hits(url, label, profile)
            priority = MENU_PRIORITY + hits if href in menu else (KEYWORD_PRIORITY + hits if hits else 0)
            if priority == 0 and depth > 0 and not is_pdf(url):
                continue
            kind = "pdf" if is_pdf(url) else "page"
            if url not in candidates or candidates[url][0] < priority:
                candidates[url] = (priority, kind)
        for url, (priority, kind) in sorted(candidates.items(), key=lambda item: -item[1][0]):
            if "?" in url and not self.context.ledger.claim_variant(site, path_key(url), profile.max_query_variants):
                continue  # the same path with ever new query strings: a calendar or filter trap
            budget = self.budget if priority else self.budget - self.budget // 4
            yield from self._follow(url, site, depth + 1, kind, priority=priority, budget=budget)

    def _parse_sitemap(self, body: bytes, site: str) -> Iterator[scrapy.Request]:
        try:
            sitemap = Sitemap(body)
        except ValueError:
            return
        profile = profile_for(site)
        for entry in sitemap:
            url = clean_url(entry.get("loc", ""))
            if not is_http(url) or host_of(url) != site or is_denied(url, profile) or is_asset(url):
                continue
            if sitemap.type == "sitemapindex":
                yield from self._follow(url, site, 1, kind="sitemap")
            elif is_pdf(url):
                yield from self._follow(url, site, 1, kind="pdf")
            elif is_relevant(url, "", profile):
                yield from self._follow(url, site, 1)

    def failed(self, failure: Failure) -> Iterator[FetchedPage]:
        request = failure.request
        outcome, reason = outcome_for_failure(failure)
        yield FetchedPage(
            PageRecord(
                url=request.meta["page_url"],
                site_key=request.meta["site"],
                outcome=outcome.value,
                error=reason,
                fetched_at=utcnow(),
            ),
            kind=request.meta["kind"],
        )
