"""One clear line for each way a download can fail, for the run summary and ``runs.csv`` (``error_detail``).

Scrapy and Twisted signal failures with many exception types, some with an empty message
(``ResponseDataLossError``, a cancelled endless stream); a user reading ``runs.csv`` wants to know
what happened in words: the host does not resolve, nothing listens, the server never answered, the
certificate was refused, the page was cut off or too big, a redirect went in circles or off the site.
"""

from __future__ import annotations

from scrapy import exceptions as scrapy_errors
from twisted.internet import error as net_errors
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.middlewares import OffsiteRedirect
from crawler.tls import is_certificate_error

MAX_DETAIL_CHARS = 300


def _causes(failure) -> list:
    """The failure's exception and, for Twisted's wrappers, the failures it wraps."""
    found = [failure.value]
    for wrapper in (ResponseNeverReceived, ResponseFailed):
        if isinstance(failure.value, wrapper):
            found += [getattr(inner, "value", inner) for inner in failure.value.reasons]
    return found


def describe_failure(failure, url: str) -> str:
    """What went wrong with the download of ``url``, in one line."""
    causes = _causes(failure)

    def any_of(*types) -> bool:
        return any(isinstance(cause, types) for cause in causes)

    message = failure.getErrorMessage() or ""
    if any_of(OffsiteRedirect):
        text = message
    elif any_of(scrapy_errors.CannotResolveHostError, net_errors.DNSLookupError):
        text = f"DNS lookup failed for {url}"
    elif any_of(scrapy_errors.DownloadConnectionRefusedError, net_errors.ConnectionRefusedError):
        text = f"connection refused on {url}"
    elif any_of(scrapy_errors.DownloadTimeoutError, net_errors.TimeoutError, net_errors.TCPTimedOutError):
        text = f"timed out on {url}"
    elif is_certificate_error(failure) or any(is_certificate_error(_Fake(cause)) for cause in causes):
        text = (f"TLS certificate error on {url} (expired, self-signed or not for this host; "
                f"set verify_tls: false for this source to accept it)")
    elif any_of(scrapy_errors.ResponseDataLossError):
        text = f"truncated response from {url} (the connection closed before the announced length)"
    elif any_of(scrapy_errors.DownloadCancelledError) or "download max size" in message \
            or "DOWNLOAD_MAXSIZE" in message:
        text = f"page larger than the download limit (DOWNLOAD_MAXSIZE) on {url}"
    elif any_of(scrapy_errors.IgnoreRequest) and "max redirections" in message:
        text = f"too many redirects (a redirect loop?) from {url}"
    elif any_of(scrapy_errors.IgnoreRequest) and "robots.txt" in message:
        text = f"forbidden by robots.txt: {url}"
    elif any_of(net_errors.ConnectionLost, net_errors.ConnectionDone, ResponseFailed, ResponseNeverReceived):
        text = f"connection lost before a full answer from {url}"
    else:
        text = f"{failure.type.__name__}: {message or 'download failed'} on {url}"
    return " ".join(text.split())[:MAX_DETAIL_CHARS]


class _Fake:
    """Lets :func:`is_certificate_error` look at a wrapped exception as if it were a failure."""

    def __init__(self, exc) -> None:
        self.type = type(exc)
        self._exc = exc

    def getErrorMessage(self) -> str:  # noqa: N802 (Twisted's name)
        return str(self._exc)
