"""The egress policy (directory.egress) inside Scrapy: a downloader middleware and the reactor's resolver.

``EgressMiddleware`` checks every request before it is sent, robots.txt and every redirect hop included (a
redirect is a new request that passes through it again), and checks the address each response actually came
from. ``EgressResolver`` is the resolver every connection uses: it resolves a host once, checks every address,
and hands the connection only those checked addresses, cached for the crawl. The middleware's check goes through
the same cache, so the address connected to is the address checked and a DNS answer that changes between the
check and the connect (rebinding) is never used. A refused request fails with ``BlockedRequest`` and is
recorded as a ``blocked_address`` error; nothing is fetched.

With a proxy (``KAPDIR_PROXY``, e.g. the sample web's single port) the connection goes to the proxy, which the
operator chose; the target host is still checked here as far as this machine can resolve it.
"""

import logging
import threading
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, threads
from twisted.internet.error import DNSLookupError

from directory.egress import BlockedAddress, Policy, TemporaryDNSFailure, address_allowed, check_url, checked_addresses

logger = logging.getLogger(__name__)


class BlockedRequest(IgnoreRequest):
    """A request the egress policy refused (never sent)."""


def policy_from_settings(settings) -> Policy:
    """The policy the parent process computed (crawler.settings puts it in KAPDIR_EGRESS); strict if absent."""
    return Policy.from_dict(settings.getdict("KAPDIR_EGRESS"))


class _CheckedAnswers:
    """host -> checked addresses (or the refusal), one resolution per host per crawl process."""

    def __init__(self, policy: Policy, resolve=None) -> None:
        self.policy = policy
        self.resolve = resolve
        self._answers: dict[tuple[str, int], list[str] | BlockedAddress] = {}
        self._lock = threading.Lock()

    def get(self, host: str, port: int) -> list[str]:
        """Blocking (call from a thread); raise BlockedAddress."""
        key = (host, port)
        with self._lock:
            found = self._answers.get(key)
        if found is None:
            try:
                found = checked_addresses(host, port, self.policy, self.resolve)
            except TemporaryDNSFailure:
                raise  # this request fails; a later one asks the resolver again
            except BlockedAddress as exc:
                found = exc
            with self._lock:
                found = self._answers.setdefault(key, found)
        if isinstance(found, BlockedAddress):
            raise found
        return found


# One per crawl process: the resolver is built by Scrapy before the middlewares; both share it.
_shared: dict[str, _CheckedAnswers] = {}


def _answers_for(policy: Policy) -> _CheckedAnswers:
    answers = _shared.get("answers")
    if answers is None or answers.policy != policy:
        answers = _shared["answers"] = _CheckedAnswers(policy)
    return answers


class EgressResolver(CachingThreadedResolver):
    """Every connection's name lookup: only checked addresses; the proxy host (the operator's choice) as usual."""

    def __init__(self, reactor, timeout: float, policy: Policy, proxy_host: str | None) -> None:
        super().__init__(reactor, 0, timeout)  # no plain cache: the checked answers are the cache
        self.answers = _answers_for(policy)
        self.proxy_host = proxy_host
        self.proxy_address: str | None = None  # looked up once, as Scrapy's own resolver caches a name

    @classmethod
    def from_crawler(cls, crawler, reactor):
        proxy = crawler.settings.get("KAPDIR_PROXY")
        return cls(reactor, crawler.settings.getfloat("DNS_TIMEOUT"), policy_from_settings(crawler.settings),
                   urlsplit(proxy).hostname if proxy else None)

    def getHostByName(self, name: str, timeout=()):
        if self.proxy_host and name == self.proxy_host:
            # Every request connects to the proxy: a lookup in the thread pool each time cost ~1 ms of the reactor.
            if self.proxy_address is not None:
                return defer.succeed(self.proxy_address)
            return super().getHostByName(name, timeout).addCallback(self._remember_proxy)
        if address_allowed(name, self.answers.policy):
            return defer.succeed(name)  # an allowed IP literal needs no lookup

        def lookup() -> str:
            try:
                # The port is not known here; the middleware checked the port before the request got this far.
                return self.answers.get(name, 0)[0]
            except BlockedAddress as exc:
                raise DNSLookupError(str(exc)) from None

        return threads.deferToThreadPool(self.reactor, self.reactor.getThreadPool(), lookup)


    def _remember_proxy(self, address: str) -> str:
        self.proxy_address = address
        return address


class EgressMiddleware:
    """Refuse requests (and redirect hops) the policy forbids before they are sent; check where responses came from."""

    def __init__(self, policy: Policy, proxy: str | None) -> None:
        self.policy = policy
        self.answers = _answers_for(policy)
        self.proxied = bool(proxy)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(policy_from_settings(crawler.settings), crawler.settings.get("KAPDIR_PROXY"))

    async def process_request(self, request: Request) -> None:
        try:
            target = check_url(request.url, self.policy)
            if self.proxied and self.policy.allow_private:
                return None  # the sample world: its names resolve only through its proxy
            await maybe_deferred_to_future(threads.deferToThread(self.answers.get, target.host, 0))
        except BlockedAddress as exc:
            logger.info("refused %s: %s", request.url, exc)
            raise BlockedRequest(f"{exc} ({request.url})") from None
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        # The address the bytes really came from (None through a proxy, whose address the operator chose).
        if response.ip_address is not None and not self.proxied and not address_allowed(response.ip_address,
                                                                                            self.policy):
            raise BlockedRequest(f"blocked_address: {request.url} was answered from {response.ip_address}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, DNSLookupError) and "blocked_address" in str(exception):
            raise BlockedRequest(f"{exception} ({request.url})")
        return None
