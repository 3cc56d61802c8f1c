"""TLS certificate verification per source: verified by default, off only where a source says ``verify_tls: false``.

Scrapy does not verify server certificates unless ``DOWNLOAD_VERIFY_CERTIFICATES`` is set, and that
setting (like the deprecated ``DOWNLOADER_CLIENTCONTEXTFACTORY``) applies to the whole crawl. A monitor
must not silently accept an expired or self-signed certificate, yet some regional sites have exactly
that (or a certificate from the Russian Trusted Root CA, which the usual trust stores lack), and the
user may accept it for that one site. :class:`PerSourceTLSHandler` is the ``https`` download handler:
Scrapy's own HTTP/1.1 handler with a context-factory policy that, per host name,

- uses Scrapy's non-verifying connection options for the hosts of sources with ``verify_tls: false``
  (their ``url`` host and ``allow_domains``);
- uses Twisted's ``optionsForClientTLS`` (the platform's trust store, host name checked) for every other
  host, so an untrusted, expired or mismatched certificate fails the request with an SSL error that the
  spider reports as a TLS certificate error.
"""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from twisted.internet.ssl import AcceptableCiphers, optionsForClientTLS
from twisted.web.iweb import IPolicyForHTTPS
from zope.interface import implementer

from pipelines.urlkeys import on_site


@implementer(IPolicyForHTTPS)
class PerSourceTLSPolicy:
    """Verify the certificate of every host except those of sources that switched verification off."""

    def __init__(self, lenient: IPolicyForHTTPS, crawler, ciphers: str | None = None):
        self.lenient = lenient
        self.crawler = crawler
        self.ciphers = AcceptableCiphers.fromOpenSSLCipherString(ciphers) if ciphers else None

    def insecure(self, host: str) -> bool:
        sources = getattr(self.crawler.spider, "sources", {}) or {}
        url = f"https://{host}/"
        return any(not source.verify_tls and on_site(url, source.host, source.allow_domains)
                   for source in sources.values())

    def creatorForNetloc(self, hostname: bytes, port: int):  # noqa: N802 (Twisted's interface)
        host = hostname.decode("ascii")
        if self.insecure(host):
            return self.lenient.creatorForNetloc(hostname, port)
        extra = {"fixBrokenPeers": True}
        if self.ciphers is not None:
            extra["acceptableCiphers"] = self.ciphers
        return optionsForClientTLS(hostname=host, extraCertificateOptions=extra)


class PerSourceTLSHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler with :class:`PerSourceTLSPolicy` as its TLS policy."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._contextFactory = PerSourceTLSPolicy(
            self._contextFactory, crawler, crawler.settings.get("DOWNLOADER_CLIENT_TLS_CIPHERS"))


def is_certificate_error(exc: BaseException) -> bool:
    """True when a download failed with ``exc`` because the server's certificate was refused."""
    text = f"{type(exc).__name__} {exc}".lower()
    return any(word in text for word in ("certificate", "verificationerror", "ssl routines", "tlsv1 alert",
                                         "sslv3 alert", "openssl.ssl.error"))
