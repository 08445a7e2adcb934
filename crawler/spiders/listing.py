"""The listing spider: discover practice websites from a paginated directory listing.

Every off-listing link on a listing page is a candidate practice site (its home page becomes a seed, with the
listing page as provenance); pagination links on the listing host are followed up to a page limit. A listing is
written by strangers: each candidate passes the one seed validator (directory.egress), at most ``max_seeds`` per
listing are kept, and they are stored inactive until an admin approves them (unless the crawl trusts the listing).
"""

import re
from collections.abc import Iterator
from urllib.parse import urljoin

import scrapy
from parsel import Selector
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.context import CrawlContext
from crawler.decoding import decode_body
from crawler.items import FetchedPage
from crawler.links import clean_url, host_of, is_http
from crawler.outcomes import outcome_for_failure, outcome_for_status
from directory.egress import BlockedAddress, Policy, validate_seed
from directory.store import PageRecord
from directory.timeutil import utcnow
from directory.vocab import FetchOutcome

# Links on a listing that are not practices: social networks, maps, app stores, the web's plumbing.
NOT_PRACTICES = (
    "facebook.com", "instagram.com", "twitter.com", "x.com", "linkedin.com", "youtube.com", "tiktok.com",
    "pinterest.com", "google.com", "goo.gl", "apple.com", "yelp.com", "w3.org", "schema.org", "wikipedia.org",
)
NEXT_LABELS = re.compile(r"^\s*(next|older|more|›|»|>|next page)\b", re.IGNORECASE)
PAGE_PARAM = re.compile(r"([?&](page|p|pg)=\d+|/page/\d+)", re.IGNORECASE)


def is_practice_link(url: str, listing_host: str) -> bool:
    host = host_of(url)
    return host != listing_host and not any(host == bad or host.endswith("." + bad) for bad in NOT_PRACTICES)


class ListingSpider(scrapy.Spider):
    name = "listing"
    custom_settings = {
        "ITEM_PIPELINES": {
            "crawler.pipelines.fetchlog.FetchLogPipeline": 200,
            "crawler.pipelines.listing.ListingSeedPipeline": 300,
        }
    }

    def __init__(self, context: CrawlContext, listings: list[str], max_listing_pages: int = 200,
                 trust: bool = False, max_seeds: int = 500, **kwargs) -> None:
        super().__init__(**kwargs)
        self.context = context
        self.listings = listings
        self.max_listing_pages = max_listing_pages
        self.trust = trust  # store the finds as active seeds (crawled now) instead of awaiting approval
        self.max_seeds = max_seeds
        self.discovered: dict[str, str] = {}  # practice home URL -> listing page it was found on
        self.found_in: dict[str, str] = {}  # practice home URL -> the listing (start URL) that named it
        self.per_listing: dict[str, int] = {}  # listing start URL -> candidates found on it
        self.refused = 0  # candidates the seed validator or the cap turned away
        self.policy = Policy.from_settings(context.settings)
        self.listing_pages = 0

    async def start(self):
        for url in self.listings:
            yield self._request(url, listing=url)

    def _request(self, url: str, *, listing: str) -> scrapy.Request:
        self.listing_pages += 1
        return scrapy.Request(url, callback=self.parse, errback=self.failed,
                              meta={"page_url": url, "listing": listing})

    def _keep(self, home: str, page_url: str, listing: str) -> None:
        """One candidate practice site, judged by its URL here; the pipeline resolves it and applies the cap."""
        if home in self.discovered:
            return
        if self.per_listing.get(listing, 0) >= 10 * self.max_seeds:  # bound the pipeline's DNS work
            self.refused += 1
            return
        try:
            clean = validate_seed(home, self.policy, dns=False)
        except BlockedAddress:
            self.refused += 1
            return
        self.discovered.setdefault(clean, page_url)
        self.found_in.setdefault(clean, listing)
        self.per_listing[listing] = self.per_listing.get(listing, 0) + 1

    def parse(self, response: Response) -> Iterator[scrapy.Request | FetchedPage]:
        outcome = outcome_for_status(response.status)
        record = PageRecord(url=response.meta["page_url"], site_key=host_of(response.url), outcome=outcome.value,
                            status=response.status, final_url=response.url, fetched_at=utcnow())
        if outcome is not FetchOutcome.OK:
            record.error = f"HTTP {response.status}"
            yield FetchedPage(record, kind="listing")
            return
        text, note, _ = decode_body(response.body, response.encoding)
        record.error = note
        listing_host = host_of(response.url)
        for anchor in Selector(text=text).xpath("//a[@href]"):
            url = clean_url(urljoin(response.url, anchor.attrib.get("href", "").strip()))
            if not is_http(url):
                continue
            if is_practice_link(url, listing_host):
                self._keep(f"{url.split('://')[0]}://{host_of(url)}/", response.url, response.meta["listing"])
            elif self._is_next_page(anchor, url) and self.listing_pages < self.max_listing_pages:
                yield self._request(url, listing=response.meta["listing"])
        yield FetchedPage(record, kind="listing")

    @staticmethod
    def _is_next_page(anchor: Selector, url: str) -> bool:
        label = " ".join(anchor.xpath("string()").get("").split())
        rel = anchor.attrib.get("rel", "").lower()
        return "next" in rel or bool(NEXT_LABELS.match(label)) or bool(PAGE_PARAM.search(url))

    def failed(self, failure: Failure) -> Iterator[FetchedPage]:
        outcome, reason = outcome_for_failure(failure)
        url = failure.request.meta["page_url"]
        yield FetchedPage(
            PageRecord(url=url, site_key=host_of(url), outcome=outcome.value, error=reason, fetched_at=utcnow()),
            kind="listing",
        )
