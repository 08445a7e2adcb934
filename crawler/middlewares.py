"""Downloader middlewares: a proxy on every request, robots.txt for every waiting request, retries that honour
Retry-After, redirect loops named."""

import logging
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.task import deferLater

from crawler.links import clean_url
from directory.timeutil import utcnow

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


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with the parsed rules handed to EVERY request that waited for them.

    Since Scrapy 2.13 (scrapy/scrapy#6802) the requests that arrive while a host's robots.txt is downloading all
    await one shared Deferred. Awaiting a Deferred (``Deferred.asFuture`` on asyncio, ``inlineCallbacks``
    otherwise) leaves it firing ``None`` for the next callback, so only the first waiter gets the parser and the
    others are let through as if the host had no robots.txt. One process seldom has several waiters (the home page
    comes first), but a distributed worker takes a site's links from the shared queue before it has that site's
    robots.txt. Once the download has finished, ``_parsers[netloc]`` holds the parser (or None after an error).
    """

    async def robot_parser(self, request: Request):
        await super().robot_parser(request)
        return self._parsers[urlparse_cached(request).netloc]


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
