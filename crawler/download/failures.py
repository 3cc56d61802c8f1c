"""One clear line for each way a download can fail, for the run summary and ``runs.csv`` (``error_detail``).

Scrapy and Twisted signal failures with many exception types, some with an empty message
(``ResponseDataLossError``, a cancelled endless stream); a user reading ``runs.csv`` wants to know
what happened in words: the host does not resolve, nothing listens, the server never answered, the
certificate was refused, the page was cut off or too big, a redirect went in circles or off the site.
"""

from __future__ import annotations

from scrapy import exceptions as scrapy_errors
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_errors
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.download.middlewares import OffsiteRedirect
from crawler.download.tls import is_certificate_error

MAX_DETAIL_CHARS = 300


def _causes(failure) -> list:
    """The failure's exception and, for Twisted's wrappers, the failures it wraps."""
    found = [failure.value]
    for wrapper in (ResponseNeverReceived, ResponseFailed):
        if isinstance(failure.value, wrapper):
            found += [getattr(inner, "value", inner) for inner in failure.value.reasons]
    return found


DNS_FAILED, REFUSED, TIMED_OUT, TLS_REFUSED = "DNS lookup failed", "connection refused", "timed out", "TLS certificate error"
TRUNCATED, TOO_BIG, REDIRECT_LOOP = "truncated response", "page larger than the download limit", "too many redirects"
ROBOTS, CONNECTION_LOST = "forbidden by robots.txt", "connection lost"
_WITH_URL = {  # the crawl's line for each reason; any other reason is followed by "on <url>"
    DNS_FAILED: "DNS lookup failed for {url}",
    TLS_REFUSED: "TLS certificate error on {url} (expired, self-signed or not for this host; "
                 "set verify_tls: false for this source to accept it)",
    TRUNCATED: "truncated response from {url} (the connection closed before the announced length)",
    TOO_BIG: "page larger than the download limit (DOWNLOAD_MAXSIZE) on {url}",
    REDIRECT_LOOP: "too many redirects (a redirect loop?) from {url}",
    ROBOTS: "forbidden by robots.txt: {url}",
    CONNECTION_LOST: "connection lost before a full answer from {url}",
}


def failure_reason(failure) -> str:
    """What went wrong with a request, in a few words: "connection refused", "HTTP 503", "timed out"…
    (``sources check``'s reason; :func:`describe_failure` is the crawl's line with the URL)."""
    causes = _causes(failure)

    def any_of(*types) -> bool:
        return any(isinstance(cause, types) for cause in causes)

    message = failure.getErrorMessage() or ""
    if any_of(HttpError):
        return f"HTTP {failure.value.response.status}"
    if any_of(OffsiteRedirect):
        return message
    if any_of(scrapy_errors.CannotResolveHostError, net_errors.DNSLookupError):
        return DNS_FAILED
    if any_of(scrapy_errors.DownloadConnectionRefusedError, net_errors.ConnectionRefusedError):
        return REFUSED
    if any_of(scrapy_errors.DownloadTimeoutError, net_errors.TimeoutError, net_errors.TCPTimedOutError):
        return TIMED_OUT
    if any_of(net_errors.NoRouteError):
        return "no route to host"
    if any(is_certificate_error(cause) for cause in causes):
        return TLS_REFUSED
    if any_of(scrapy_errors.ResponseDataLossError):
        return TRUNCATED
    if any_of(scrapy_errors.DownloadCancelledError) or "download max size" in message \
            or "DOWNLOAD_MAXSIZE" in message:
        return TOO_BIG
    if any_of(scrapy_errors.IgnoreRequest) and "max redirections" in message:
        return REDIRECT_LOOP
    if any_of(scrapy_errors.IgnoreRequest) and "robots.txt" in message.lower():
        return ROBOTS
    if any_of(net_errors.ConnectionLost, net_errors.ConnectionDone, ResponseFailed, ResponseNeverReceived):
        return CONNECTION_LOST
    return f"{failure.type.__name__}: {message or 'download failed'}"


def describe_failure(failure, url: str) -> str:
    """What went wrong with the download of ``url``, in one line (``runs.csv``'s ``error_detail``)."""
    reason = failure_reason(failure)
    if any(isinstance(cause, OffsiteRedirect) for cause in _causes(failure)):
        text = reason  # it names both ends
    else:
        text = _WITH_URL.get(reason, "{reason} on {url}").format(reason=reason, url=url)
    return " ".join(text.split())[:MAX_DETAIL_CHARS]

