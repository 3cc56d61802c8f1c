"""A fast static HTTP/1.1 server for the crawl benchmarks, on loopback addresses only.

Python's ``http.server`` (one thread per connection, line-by-line parsing) becomes the bottleneck of a
5,000-page crawl, so the benchmarks serve their generated sites from memory with asyncio instead: one
listening socket per site (``127.0.0.x``), keep-alive, ``ETag`` + ``If-None-Match`` → 304, and a log of
every request (path with query, status) for counting server-side. The bare spider and dumawatch are served
by the same server, so the comparison stays fair. Bounded: GET/HEAD only, headers ≤ 16 KB, loopback only.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from dataclasses import dataclass, field

MAX_HEADER = 16 * 1024


@dataclass
class Host:
    address: str
    files: dict[str, tuple[bytes, str]]           # target (path + query) → (body, content type)
    port: int = 0
    log: list[tuple[str, int]] = field(default_factory=list)
    etags: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://{self.address}:{self.port}"

    def etag(self, target: str, body: bytes) -> str:
        if target not in self.etags:
            self.etags[target] = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        return self.etags[target]


class LoopbackServer:
    """Serve several in-memory sites, each on its own loopback address, from one background thread."""

    def __init__(self, hosts: list[Host]) -> None:
        for host in hosts:
            if not host.address.startswith("127."):
                raise ValueError(f"{host.address}: the benchmark server listens on loopback addresses only")
        self.hosts = hosts
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.base_events.Server] = []
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> LoopbackServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        async def close() -> None:
            for server in self._servers:
                server.close()
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(close(), self._loop)
        self._thread.join(5)

    def clear_logs(self) -> None:
        for host in self.hosts:
            host.log.clear()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def listen() -> None:
            for host in self.hosts:
                server = await asyncio.start_server(self._handler(host), host.address, host.port, backlog=256)
                host.port = server.sockets[0].getsockname()[1]
                self._servers.append(server)

        self._loop.run_until_complete(listen())
        self._ready.set()
        self._loop.run_forever()

    def _handler(self, host: Host):
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    try:
                        head = await reader.readuntil(b"\r\n\r\n")
                    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                        return
                    if len(head) > MAX_HEADER:
                        return
                    lines = head.decode("latin-1").split("\r\n")
                    method, target, _version = (lines[0].split(" ") + ["", ""])[:3]
                    headers = {}
                    for line in lines[1:]:
                        name, _, value = line.partition(":")
                        if name:
                            headers[name.strip().lower()] = value.strip()
                    writer.write(self._respond(host, method, target, headers))
                    await writer.drain()
                    if headers.get("connection", "").lower() == "close":
                        return
            finally:
                writer.close()

        return handle

    @staticmethod
    def _respond(host: Host, method: str, target: str, headers: dict[str, str]) -> bytes:
        found = host.files.get(target) if method in ("GET", "HEAD") else None
        if found is None:
            status, body, ctype, extra = 404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html", ""
        else:
            body, ctype = found
            etag = host.etag(target, body)
            extra = f"ETag: {etag}\r\n"
            status = 304 if headers.get("if-none-match") == etag else 200
            if status == 304:
                body = b""
        host.log.append((target, status))
        reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                f"{extra}Connection: keep-alive\r\n\r\n").encode("latin-1")
        return head + (body if method == "GET" else b"")
