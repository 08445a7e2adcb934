"""Map what happened to a request (a response status or a failure) onto ``FetchOutcome``."""

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet import error as net_error
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.egress import BlockedRequest
from directory.vocab import FetchOutcome

_TIMEOUTS = (DownloadTimeoutError, net_error.TimeoutError, net_error.TCPTimedOutError)
_CONNECTION = (
    DownloadConnectionRefusedError, CannotResolveHostError, DownloadFailedError, ResponseDataLossError,
    net_error.ConnectError, net_error.ConnectionLost, net_error.ConnectionDone, net_error.DNSLookupError,
    ResponseFailed, ResponseNeverReceived,
)


class RobotsUnreachable(IgnoreRequest):
    """A request not sent because its host's robots.txt could not be read (a server or network error)."""

    def __init__(self, outcome: FetchOutcome, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome


def outcome_for_status(status: int) -> FetchOutcome:
    if status == 304:
        return FetchOutcome.NOT_MODIFIED
    if 400 <= status < 500:
        return FetchOutcome.HTTP_4XX
    if status >= 500:
        return FetchOutcome.HTTP_5XX
    return FetchOutcome.OK


def outcome_for_failure(failure: Failure) -> tuple[FetchOutcome, str]:
    """The outcome and a one-line reason for a request that produced no usable response."""
    exc = failure.value
    message = " ".join(str(exc).split())[:300] or type(exc).__name__
    if isinstance(exc, BlockedRequest):
        return FetchOutcome.BLOCKED_ADDRESS, message
    if isinstance(exc, RobotsUnreachable):  # robots_unreachable for a 5xx; a network error keeps its own kind
        return exc.outcome, message
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in message:
            return FetchOutcome.ROBOTS_DISALLOWED, message
        if "redirect" in message:
            return FetchOutcome.REDIRECT_LOOP, message
        if "DOWNLOAD_MAXSIZE" in message:  # a compressed body that inflates past the limit (a gzip/brotli bomb)
            return FetchOutcome.TOO_LARGE, message
        return FetchOutcome.OTHER, message
    if isinstance(exc, _TIMEOUTS):
        return FetchOutcome.TIMEOUT, message
    if isinstance(exc, DownloadCancelledError | CancelledError):
        return FetchOutcome.TOO_LARGE, message or "body larger than the download limit"
    if isinstance(exc, _CONNECTION):
        return FetchOutcome.CONNECTION, message
    return FetchOutcome.OTHER, f"{type(exc).__name__}: {message}"
