"""Serve bundled sample duma sites over HTTP on loopback addresses.

Used by ``dumawatch demo`` and by the tests. A *site* is a directory with a ``site.yaml``::

    name: Энская областная дума (демо)
    charset: windows-1251       # charset sent in Content-Type for .html; files are stored in it already
    routes:                      # optional: URL (path + query string) → file, for URLs a path can't name
      "/news/?PAGEN_1=2": news/page-2.html

Any other URL is served from the file at its path (``/news/12/`` → ``news/12/index.html``).
The placeholder ``{{base}}`` inside a served file is replaced by the site's base URL
(``http://127.0.0.2:8123``), so feeds and sitemaps can carry absolute links.
Every request is appended to ``server.requests`` (method, path with query, status) so tests can
prove what a crawl fetched. Files are served with an ``ETag`` and a ``Last-Modified`` header and
conditional requests get ``304 Not Modified``, as on a well-configured real server; a site can turn
that off with ``conditional: false`` in its ``site.yaml``. ``delays`` (URL → seconds) makes some answers
slow, so a test can decide which of a site's pages a crawl reads first.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

DEMO_SITES_DIR = Path(__file__).with_name("demo_sites")

CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".php": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".txt": "text/plain",
    ".css": "text/css",
    ".js": "application/javascript",
}


@dataclass
class SiteServer:
    """One site served on one loopback address, in a background thread."""

    root: Path
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[tuple[str, str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        config = yaml.safe_load((self.root / "site.yaml").read_text(encoding="utf-8")) or {}
        self.name = config.get("name", self.root.name)
        self.charset = config.get("charset", "utf-8")
        self.routes = {str(k): str(v) for k, v in (config.get("routes") or {}).items()}
        self.headers = {str(k): str(v) for k, v in (config.get("headers") or {}).items()}
        self.conditional = bool(config.get("conditional", True))
        self.delays = {str(k): float(v) for k, v in (config.get("delays") or {}).items()}
        self._httpd = ThreadingHTTPServer((self.host, self.port), _make_handler(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def paths_requested(self) -> list[str]:
        return [path for _method, path, _status in self.requests]

    def resolve(self, target: str) -> Path | None:
        """The file that answers ``target`` (path + query), or None."""
        if target in self.routes:
            return self.root / self.routes[target]
        path = unquote(urlsplit(target).path)
        candidate = (self.root / path.lstrip("/")).resolve()
        if self.root.resolve() not in candidate.parents and candidate != self.root.resolve():
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if candidate.name == "site.yaml" or not candidate.is_file():
            return None
        return candidate


def _make_handler(site: SiteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path in site.delays:
                time.sleep(site.delays[self.path])
            file = site.resolve(self.path)
            if file is None:
                self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
                return
            body = file.read_bytes().replace(b"{{base}}", site.base_url.encode("ascii"))
            validators = {}
            if site.conditional:
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                modified = formatdate(file.stat().st_mtime, usegmt=True)
                validators = {"ETag": etag, "Last-Modified": modified}
                if self.headers.get("If-None-Match") == etag or (
                        "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == modified):
                    self._send(304, b"", None, validators)
                    return
            ctype = CONTENT_TYPES.get(file.suffix.lower()) or mimetypes.guess_type(file.name)[0]
            ctype = ctype or "application/octet-stream"
            if ctype.startswith("text/") or ctype.endswith("xml"):
                ctype = f"{ctype}; charset={site.charset}" if ctype.startswith("text/html") else ctype
            self._send(200, body, ctype, validators)

        def _send(self, status: int, body: bytes, ctype: str | None, extra: dict | None = None) -> None:
            site.requests.append(("GET", self.path, status))
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            for name, value in site.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def serve_site(root: Path | str, host: str = "127.0.0.1", port: int = 0) -> SiteServer:
    """Start serving the site directory ``root`` on ``host:port`` (0 = any free port)."""
    return SiteServer(Path(root), host=host, port=port).start()
