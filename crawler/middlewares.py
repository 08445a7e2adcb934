"""Downloader middlewares: a proxy on every request, robots.txt as RFC 9309 says (every waiting request, unreachable
= disallow, Crawl-delay), retries that honour Retry-After, redirect loops named."""

import logging
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater
from twisted.python.failure import Failure

from crawler.links import clean_url
from crawler.outcomes import RobotsUnreachable, outcome_for_failure
from directory.timeutil import utcnow
from directory.vocab import FetchOutcome

logger = logging.getLogger(__name__)


class ProxyEverywhereMiddleware:
    """Send every request (robots.txt included) through KAPDIR_PROXY, e.g. the sample web's single port.

    Download slots stay keyed by the request's own host, so per-domain politeness is unchanged.
    """

    def __init__(self, proxy: str | None) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("KAPDIR_PROXY"))

    def process_request(self, request: Request) -> None:
        if self.proxy and "proxy" not in request.meta:
            request.meta["proxy"] = self.proxy


class UnreachableRobots:
    """What stands for a robots.txt that could not be read: complete disallow (RFC 9309, 2.3.1.4)."""

    def __init__(self, outcome: FetchOutcome, reason: str) -> None:
        self.outcome = outcome
        self.reason = reason

    def allowed(self, url, user_agent) -> bool:
        return False

    def crawl_delay(self, user_agent) -> float | None:
        return None


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, made to follow RFC 9309 where Scrapy (2.19) does not, plus Crawl-delay.

    1. Every request that waited for a host's robots.txt gets its rules. Since Scrapy 2.13 (scrapy/scrapy#6802)
       the requests that arrive while a host's robots.txt is downloading all await one shared Deferred. Awaiting a
       Deferred (``Deferred.asFuture`` on asyncio, ``inlineCallbacks`` otherwise) leaves it firing ``None`` for the
       next callback, so only the first waiter got the parser and the others were let through as if the host had
       no robots.txt (a distributed worker takes a site's links from the shared queue before it has its robots.txt).
    2. A robots.txt that cannot be read because of a server or network error means "crawl nothing" (RFC 9309,
       2.3.1.4: the crawler MUST assume complete disallow). Scrapy parses a 5xx error page as if it were the rules
       (usually: allow everything) and treats a download error as no robots.txt at all. Here a 5xx (and a 429,
       as Google does), after the usual retries, or a timeout or connection failure, refuses every request of that
       host in this crawl with ``RobotsUnreachable``; the next crawl asks again. A 4xx other than 429 still means
       "no rules" (2.3.1.3), and so does a refused redirect (more than 5, a loop, a private address; 2.3.1.2),
       and so does a robots.txt larger than the body limit (``KAPDIR_MAX_BODY_BYTES``): the server did answer, and
       Scrapy keeps no part of a body it cancels, so the rules within RFC 9309's 500 KiB (2.5) cannot be read.
    3. ``Crawl-delay`` for our user agent (or ``*``) becomes the host's minimum delay between requests, capped at
       ``KAPDIR_MAX_CRAWL_DELAY`` seconds (``crawler.settings``), without jitter, and AutoThrottle never goes below
       it (``CrawlDelayAutoThrottle``).
    """

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.max_crawl_delay = crawler.settings.getfloat("KAPDIR_MAX_CRAWL_DELAY", 30.0)

    async def robot_parser(self, request: Request):
        await super().robot_parser(request)
        return self._parsers[urlparse_cached(request).netloc]

    def process_request_2(self, rp, request: Request) -> None:
        if isinstance(rp, UnreachableRobots):
            self._stats.inc_value("robotstxt/unreachable_refused")
            raise RobotsUnreachable(rp.outcome, f"{rp.reason}: not crawled (robots.txt unreachable, RFC 9309 2.3.1.4)")
        super().process_request_2(rp, request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500 or response.status == 429:
            logger.warning("robots.txt of %s answered HTTP %d: its pages are not crawled", netloc, response.status)
            self._set_unreachable(netloc, FetchOutcome.ROBOTS_UNREACHABLE,
                                  f"robots.txt answered HTTP {response.status}")
            return
        await super()._parse_robots(response, netloc, request)
        self._apply_crawl_delay(self._parsers[netloc], request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):  # a redirect not followed: no robots.txt, as 2.3.1.2 allows
            super()._robots_error(exc, netloc)
            return
        outcome, reason = outcome_for_failure(Failure(exc))
        if outcome == FetchOutcome.TOO_LARGE:  # the server answered, with more than the body limit: not an outage
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._set_unreachable(netloc, outcome, f"robots.txt unreachable ({reason})")

    def _set_unreachable(self, netloc: str, outcome: FetchOutcome, reason: str) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = UnreachableRobots(outcome, reason)
        if isinstance(waiting, Deferred):
            waiting.callback(self._parsers[netloc])

    def _apply_crawl_delay(self, rp, request: Request) -> None:
        useragent = self._robotstxt_useragent or request.headers.get(b"User-Agent", self._default_useragent)
        delay = rp.crawl_delay(useragent) if rp is not None else None
        if not delay or delay <= 0:
            return
        delay = min(float(delay), self.max_crawl_delay)
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        # New slots of this host (Scrapy drops a slot idle for a minute) start from its DOWNLOAD_SLOTS entry.
        downloader.per_slot_settings[key] = {**downloader.per_slot_settings.get(key, {}), "delay": delay, "jitter": 0}
        if (slot := downloader.slots.get(key)) is not None:
            slot.delay, slot.jitter = max(slot.delay, delay), 0


class CrawlDelayAutoThrottle(AutoThrottle):
    """Scrapy's AutoThrottle, never below a host's robots.txt Crawl-delay (its per-slot delay, set above)."""

    def _response_downloaded(self, response: Response, request: Request, spider) -> None:
        super()._response_downloaded(response, request, spider)
        key, slot = self._get_slot(request, spider)
        floor = self.crawler.engine.downloader.per_slot_settings.get(key, {}).get("delay") if key else None
        if slot is not None and floor:
            slot.delay = max(slot.delay, floor)


def retry_after_seconds(value: bytes | None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when.replace(tzinfo=None) - utcnow()).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, except that a 429/503 with Retry-After waits that long (up to a limit) or gives up."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.max_retry_after = settings.getfloat("KAPDIR_MAX_RETRY_AFTER", 30.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        delay = retry_after_seconds(response.headers.get(b"Retry-After"))
        if response.status not in (429, 503) or delay is None or request.meta.get("dont_retry"):
            return super().process_response(request, response)
        if delay > self.max_retry_after:
            logger.info("giving up on %s: Retry-After %.0fs exceeds %.0fs", request.url, delay, self.max_retry_after)
            return response
        retry = self._retry(request, f"{response.status} with Retry-After {delay:.0f}s")
        if retry is None:
            return response
        from twisted.internet import reactor  # imported late: importing it installs a reactor

        await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return retry


class RedirectLoopMiddleware:
    """Stop a redirect back to a URL already in this request's redirect chain, and say so.

    Without it the loop's second lap would be silently dropped as a duplicate request.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            target = clean_url(urljoin(request.url, location.decode("latin-1")))
            chain = {clean_url(url) for url in request.meta.get("redirect_urls", [])} | {clean_url(request.url)}
            if target in chain:
                raise IgnoreRequest(f"redirect loop: {request.url} -> {target}")
        return response
