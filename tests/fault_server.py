"""A fault-injection duma site on loopback: one realistic news listing, good articles, one path per fault.

``FaultServer(host)`` serves a small regional-parliament site whose listing ``/news/`` links to good
articles (``/news/1xx-.../``) and to one article path per fault (``/news/2xx-<fault>/``), so a single
crawl proves both that every good article arrives once and that every fault is reported. Every
request is logged in ``server.requests`` as ``(path, what happened)``.

The server is bounded: each connection that holds or trickles waits on the server's stop event with
a time limit (``hold_seconds``), endless streams stop at ``stream_cap`` bytes, and the whole server
shuts itself down after ``lifetime`` seconds even if a test forgets to stop it.

``serve_https`` wraps the same site in TLS with a self-signed certificate made at run time.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import ipaddress
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

GOOD_ARTICLES = {
    "/news/101-byudzhet-2027/": (
        "Депутаты приняли бюджет области на 2027 год во втором чтении",
        ["На пленарном заседании областной думы депутаты приняли во втором чтении закон об областном "
         "бюджете на 2027 год и на плановый период 2028 и 2029 годов.",
         "Доходы бюджета составят 182,4 млрд рублей, расходы — 190,1 млрд рублей. Более половины расходов "
         "направят на социальную сферу: образование, здравоохранение и поддержку семей с детьми.",
         "Председатель комитета по бюджету отметил, что в ходе подготовки ко второму чтению поступило "
         "сорок две поправки, из них приняты тридцать."],
    ),
    "/news/102-dorogi-v-selah/": (
        "В районах области отремонтируют 120 километров сельских дорог",
        ["Комитет по транспорту и дорожному хозяйству рассмотрел ход исполнения региональной программы "
         "ремонта дорог местного значения.",
         "В текущем сезоне планируется привести в порядок 120 километров дорог в сельских поселениях, "
         "в первую очередь подъезды к школам, фельдшерско-акушерским пунктам и остановкам автобусов.",
         "Депутаты рекомендовали правительству области ускорить заключение контрактов, чтобы работы "
         "начались сразу после схода снега."],
    ),
    "/news/103-molodezhnyj-parlament/": (
        "Молодёжный парламент провёл первое заседание нового созыва",
        ["В зале заседаний областной думы прошло первое заседание молодёжного парламента нового созыва.",
         "Участники избрали председателя, его заместителей и сформировали пять постоянных комиссий. "
         "Среди приоритетов — занятость студентов летом и развитие добровольчества в малых городах.",
         "Депутаты областной думы пожелали молодым парламентариям успешной работы и пообещали "
         "рассматривать их законодательные инициативы на заседаниях профильных комитетов."],
    ),
}

# A good article that arrives only on the second try (503 then 200; 429 with Retry-After then 200).
FLAKY_ARTICLES = {
    "/news/104-flaky-503/": (
        "Комитет по социальной политике обсудил поддержку многодетных семей",
        ["На заседании комитета по социальной политике депутаты обсудили меры поддержки многодетных "
         "семей: выплаты на школьную форму, бесплатный проезд и земельные участки.",
         "Министерство социальной защиты доложило, что в прошлом году меры поддержки получили "
         "более двенадцати тысяч семей области.",
         "Комитет рекомендовал расширить перечень выплат и упростить подачу заявлений через портал "
         "государственных услуг."],
    ),
    "/news/105-flaky-429/": (
        "Депутаты встретились с ветеранами в День народного единства",
        ["В преддверии Дня народного единства депутаты областной думы встретились с ветеранами "
         "труда и вооружённых сил в областном доме ветеранов.",
         "Участники встречи обсудили работу ветеранских организаций, поддержку патриотического "
         "воспитания молодёжи и сохранение памятников истории.",
         "Ветеранам вручили благодарственные письма областной думы за многолетнюю общественную работу."],
    ),
}

# served by every fault server; the target of /news/211-redirect-offsite/ on the "foreign" one
FOREIGN_ARTICLE = "/news/301-chuzhoj-sajt/"
FOREIGN_TEXT = (
    "Делегация думы обменялась опытом с коллегами из соседнего региона",
    ["Депутаты областной думы побывали с рабочим визитом в законодательном собрании соседнего региона "
     "и обсудили практику публичных слушаний по проекту бюджета.",
     "Стороны договорились об обмене законодательными инициативами в сфере поддержки сельского хозяйства "
     "и о совместном семинаре для депутатов муниципальных образований.",
     "Следующая встреча запланирована на весну, она пройдёт в областном центре."],
)

# fault path → what the crawl must report (a fragment of the error detail)
FAULTS = {
    "/news/201-http-500/": "HTTP 500",
    "/news/202-http-502/": "HTTP 502",
    "/news/203-http-503/": "HTTP 503",
    "/news/204-http-404/": "HTTP 404",
    "/news/205-http-410/": "HTTP 410",
    "/news/206-http-403/": "HTTP 403",
    "/news/207-http-429/": "HTTP 429",
    "/news/208-hang/": "timed out",
    "/news/209-trickle/": "timed out",
    "/news/210-redirect-loop/": "redirect loop",
    "/news/211-redirect-offsite/": "redirect to another domain",
    "/news/212-truncated/": "truncated",
    "/news/213-huge/": "larger than the download limit",
    "/news/214-endless/": "larger than the download limit",
    "/news/215-gzip-bomb/": "larger than the download limit",
    "/news/216-pdf-as-html/": "not an HTML page",
    "/news/217-png-as-html/": "not an HTML page",
    "/news/218-empty/": "no article text",
    "/news/219-all-javascript/": "no article text",
}

MB = 1024 * 1024


def article_html(title: str, paragraphs: list[str], day: str = "2026-11-02") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'>"
        f"<title>{title} | Тестовая областная дума</title>"
        f"<meta property='article:published_time' content='{day}T10:00:00+03:00'></head><body>"
        "<header><a href='/'>Тестовая областная дума</a> <nav><a href='/news/'>Новости</a></nav></header>"
        f"<main><article><h1>{title}</h1><div class='date'>{day}</div>{body}</article></main>"
        "<footer>© Тестовая областная дума</footer></body></html>"
    )


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up (the crawler giving up on a fault) are expected here, not tracebacks."""

    def handle_error(self, request, client_address) -> None:
        pass


@dataclass
class FaultServer:
    """The fault site on one loopback address (HTTP, or HTTPS with ``tls=(certfile, keyfile)``)."""

    host: str = "127.0.0.1"
    port: int = 0
    foreign_base: str = "http://127.0.0.1:9"   # where /news/211-redirect-offsite/ sends the crawler
    hold_seconds: float = 15.0                 # how long hang/trickle connections are kept at most
    stream_cap: int = 64 * MB                  # an "endless" stream ends here at the latest
    lifetime: float = 240.0                    # the server stops itself after this many seconds
    tls: tuple[str, str] | None = None
    name: str = "Тестовая областная дума (сбои)"
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._hits: dict[str, int] = {}
        self._httpd = _QuietServer((self.host, self.port), _make_handler(self))
        self._httpd.daemon_threads = True
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        gzip_bomb()  # made before the first request, so that request is not slowed by it
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self) -> FaultServer:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()

    def log(self, path: str, what: str) -> int:
        """Record a request; returns how many times this path was asked for, this one included."""
        with self._lock:
            self.requests.append((path, what))
            self._hits[path] = self._hits.get(path, 0) + 1
            return self._hits[path]

    def hits(self, path: str) -> int:
        with self._lock:
            return self._hits.get(path, 0)

    def listing_html(self) -> str:
        items = [(path, title) for path, (title, _) in {**GOOD_ARTICLES, **FLAKY_ARTICLES}.items()]
        items += [(path, f"Новость с изъяном: {path.strip('/').split('/')[-1]}") for path in FAULTS]
        rows = "\n".join(f"<li><span class='date'>02.11.2026</span> <a href='{path}'>{title}</a></li>"
                         for path, title in items)
        return ("<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'><title>Новости | Тестовая "
                f"областная дума</title></head><body><h1>Новости</h1><ul class='news-list'>{rows}</ul>"
                "</body></html>")

    def home_html(self) -> str:
        return ("<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'><title>Тестовая областная дума"
                "</title></head><body><nav><a href='/'>Главная</a> <a href='/news/'>Новости</a> "
                "<a href='/deputies/'>Депутаты</a></nav><p>Официальный сайт.</p></body></html>")


def _gzip_bomb(size: int) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6) as handle:
        chunk = b"\0" * MB
        for _ in range(size // MB):
            handle.write(chunk)
    return out.getvalue()


_BOMB: list[bytes] = []
BOMB_SIZE = 64 * MB   # decompressed; about 64 KB on the wire


def gzip_bomb() -> bytes:
    if not _BOMB:
        _BOMB.append(_gzip_bomb(BOMB_SIZE))
    return _BOMB[0]
PDF_BYTES = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
             + bytes(range(256)) * 40 + b"\n%%EOF\n")
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40


def _make_handler(site: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            try:
                self._route(path)
            except (TimeoutError, BrokenPipeError, ConnectionResetError, ssl.SSLError):
                site.requests.append((path, "client went away"))

        def _route(self, path: str) -> None:
            if path == "/robots.txt":
                return self._send(path, 200, b"User-agent: *\nAllow: /\n", "text/plain")
            if path == "/":
                return self._send(path, 200, site.home_html().encode(), "text/html; charset=utf-8")
            if path == "/news/":
                return self._send(path, 200, site.listing_html().encode(), "text/html; charset=utf-8")
            if path in GOOD_ARTICLES or path == FOREIGN_ARTICLE:
                title, paragraphs = GOOD_ARTICLES.get(path) or FOREIGN_TEXT
                return self._send(path, 200, article_html(title, paragraphs).encode(), "text/html; charset=utf-8")
            if path in FLAKY_ARTICLES:
                return self._flaky(path)
            if path in FAULTS or path.startswith("/loop/"):
                return self._fault(path)
            return self._send(path, 404, b"<html><body><h1>404</h1></body></html>", "text/html")

        def _flaky(self, path: str) -> None:
            hit = site.hits(path) + 1
            if hit == 1:
                status, extra = (503, {}) if "503" in path else (429, {"Retry-After": "1"})
                return self._send(path, status, b"<html><body>busy</body></html>", "text/html", extra)
            return self._send(path, 200, article_html(*FLAKY_ARTICLES[path]).encode(), "text/html; charset=utf-8")

        def _fault(self, path: str) -> None:
            kind = path.strip("/").split("/")[-1].split("-", 1)[-1]
            error_page = b"<html><body><h1>Error</h1></body></html>"
            if kind.startswith("http-"):
                status = int(kind.removeprefix("http-"))
                extra = {"Retry-After": "1"} if status in (429, 503) else {}
                return self._send(path, status, error_page, "text/html", extra)
            if kind == "hang":  # accept, read the request, never answer
                site.log(path, "hold")
                site.stopping.wait(site.hold_seconds)
                return None
            if kind == "trickle":  # headers at once, then one byte a second
                site.log(path, "trickle")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                deadline = time.monotonic() + site.hold_seconds
                while time.monotonic() < deadline and not site.stopping.wait(1.0):
                    self.wfile.write(b"<")
                    self.wfile.flush()
                return None
            if kind == "redirect-loop":
                return self._redirect(path, "/loop/a/")
            if path.startswith("/loop/"):
                return self._redirect(path, "/loop/b/" if path == "/loop/a/" else "/loop/a/")
            if kind == "redirect-offsite":
                return self._redirect(path, site.foreign_base + FOREIGN_ARTICLE)
            if kind == "truncated":
                body = article_html(*GOOD_ARTICLES["/news/101-byudzhet-2027/"]).encode()
                site.log(path, "truncated")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body) * 3))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True
                return None
            if kind == "huge":
                return self._stream(path, total=50 * MB)
            if kind == "endless":
                return self._stream(path, total=None)
            if kind == "gzip-bomb":
                bomb = gzip_bomb()
                return self._send(path, 200, bomb, "text/html; charset=utf-8", {"Content-Encoding": "gzip"})
            if kind == "pdf-as-html":
                return self._send(path, 200, PDF_BYTES, "text/html")
            if kind == "png-as-html":
                return self._send(path, 200, PNG_BYTES, "text/html; charset=utf-8")
            if kind == "empty":
                return self._send(path, 200, b"", "text/html; charset=utf-8")
            if kind == "all-javascript":
                script = ("<!DOCTYPE html><html><head><title>Загрузка…</title><script src='/app.js'></script>"
                          "<script>window.__STATE__={news:[]};document.write('<div id=app></div>')</script>"
                          "</head><body><div id='app'></div><noscript>Включите JavaScript</noscript></body></html>")
                return self._send(path, 200, script.encode(), "text/html; charset=utf-8")
            return self._send(path, 404, error_page, "text/html")

        def _redirect(self, path: str, target: str) -> None:
            site.log(path, f"302 → {target}")
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _stream(self, path: str, total: int | None) -> None:
            """``total`` bytes with a Content-Length, or chunked without end (until the cap)."""
            site.log(path, f"stream {total or 'endless'}")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if total:
                self.send_header("Content-Length", str(total))
            else:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + "Бесконечная строка. ".encode() * 3000 + b"</p>\n"
            sent, cap = 0, min(total or site.stream_cap, site.stream_cap)
            while sent < cap and not site.stopping.is_set():
                piece = chunk[: cap - sent]
                self.wfile.write(piece if total else b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
            self.close_connection = True

        def _send(self, path: str, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
            site.log(path, str(status))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def serve_faults(host: str, **kwargs) -> FaultServer:
    return FaultServer(host=host, **kwargs).start()


def self_signed_certificate(directory: Path, host: str, expired: bool = False) -> tuple[str, str]:
    """Write a self-signed certificate (optionally expired) for ``host``; returns (certfile, keyfile)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    start, end = (now - dt.timedelta(days=400), now - dt.timedelta(days=30)) if expired else \
        (now - dt.timedelta(days=1), now + dt.timedelta(days=30))
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    certfile, keyfile = directory / "cert.pem", directory / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return str(certfile), str(keyfile)


@dataclass
class BytesSite:
    """A site of fixed pages, each with its own bytes and Content-Type: for charsets and broken markup.

    ``pages`` maps a path to ``(body bytes, Content-Type header)``; ``/`` and ``/robots.txt`` are added.
    """

    pages: dict[str, tuple[bytes, str]]
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                body, ctype = site.pages.get(path, (b"<html><body>404</body></html>", "text/html"))
                status = 200 if path in site.pages else 404
                site.requests.append((path, str(status)))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.pages.setdefault("/robots.txt", (b"User-agent: *\nAllow: /\n", "text/plain"))
        self._httpd = _QuietServer((self.host, self.port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
