"""Offline crawls: a real HTTP server on 127.0.0.1 serves pages by their original URL, and a download
handler sends every request there instead of to the web.

Spider code does not change: `-s NEWS_REPLAY_URL=http://127.0.0.1:PORT` makes `ReplayAddon` install
`ReplayDownloadHandler` for http and https. The handler asks the server for
`/<scheme>/<host><path>?<query>` through Scrapy's own HTTP/1.1 handler (so timeouts, sizes and
concurrency are the real downloader's) and gives the response back under the original URL, so
redirects, robots.txt, retries and the page layer all see the site as it would be live.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Response
from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)

_HANDLER = "crawler.replay.ReplayDownloadHandler"


class ReplayAddon:
    """Routes all HTTP(S) downloads to the replay server when NEWS_REPLAY_URL is set; else does nothing."""

    def update_settings(self, settings: Any) -> None:
        if settings.get("NEWS_REPLAY_URL"):
            handlers = settings.getdict("DOWNLOAD_HANDLERS")
            settings.set(
                "DOWNLOAD_HANDLERS", {**handlers, "http": _HANDLER, "https": _HANDLER}, priority="addon"
            )


def replay_path(url: str) -> str:
    """Where the replay server keeps `url`: `/<scheme>/<host><path>?<query>`."""
    parts = urlsplit(url)
    path = f"/{parts.scheme}/{parts.netloc}{parts.path or '/'}"
    return f"{path}?{parts.query}" if parts.query else path


def original_url(path: str) -> str | None:
    """The inverse of `replay_path`."""
    scheme, _, rest = path.lstrip("/").partition("/")
    if scheme not in {"http", "https"} or not rest:
        return None
    netloc, _, tail = rest.partition("/")
    location, _, query = f"/{tail}".partition("?")
    return urlunsplit((scheme, netloc, location, query, ""))


class ReplayDownloadHandler(BaseDownloadHandler):
    """Downloads `request` from the replay server and answers under the request's own URL."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.server = crawler.settings.get("NEWS_REPLAY_URL").rstrip("/")
        self.http = HTTP11DownloadHandler.from_crawler(crawler)

    async def download_request(self, request: Request) -> Response:
        local = request.replace(url=self.server + replay_path(request.url))
        response = await self.http.download_request(local)
        return response.replace(url=request.url)

    async def close(self) -> None:
        await self.http.close()


@dataclass
class Resource:
    """What the server answers for one URL. The first `fail_times` answers are `fail_status` (with
    `fail_headers`, e.g. a Retry-After); `delay` is slept before answering."""

    body: bytes = b""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0
    fail_times: int = 0
    fail_status: int = 500
    fail_headers: Mapping[str, str] = field(default_factory=dict)
    hits: int = 0


ROBOTS = Resource(b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})
# A resource made per request from its URL and headers (an API reads both); None: not found. The
# headers are the request's, looked up without regard to case.
Route = Callable[[str, Any], Resource | None]


def same_page(url: str) -> str:
    """The form two URLs of one page share: a server reads query parameters in any order."""
    return canonicalize_url(url, keep_fragments=False)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out on purpose (slow pages) reset their connection: not an error here.
        logger.debug("replay client %s went away", client_address, exc_info=True)


class ReplayServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) serving `site`, a map of original URLs to
    resources. A robots.txt allowing everything is served where the site has none. Use as a context
    manager, or start()/stop()."""

    def __init__(
        self, site: Mapping[str, Resource], port: int = 0, routes: Mapping[str, Route] | None = None
    ) -> None:
        self.site = dict(site)
        self.pages = {same_page(url): resource for url, resource in self.site.items()}
        # URL prefix → Route, asked where no resource is stored (a site map may bring its own).
        self.routes = dict(routes or getattr(site, "routes", {}))
        self.lock = threading.Lock()
        self.httpd = _QuietServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="replay-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def start(self) -> ReplayServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def hits(self, url: str) -> int:
        resource = self.site.get(url)
        return resource.hits if resource else 0

    def _resolve(self, path: str, headers: Any) -> Resource | None:
        url = original_url(path)
        if url is None:
            return None
        with self.lock:
            resource = self.site.get(url) or self.pages.get(same_page(url))
            if resource is None:
                route = next((r for prefix, r in self.routes.items() if url.startswith(prefix)), None)
                resource = route(url, headers) if route else None
            if resource is None and urlsplit(url).path == "/robots.txt":
                return ROBOTS
            if resource is not None:
                resource.hits += 1
                if resource.hits <= resource.fail_times:
                    headers = {"Content-Type": "text/plain", **resource.fail_headers}
                    return Resource(b"temporary failure", status=resource.fail_status, headers=headers)
            return resource

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                resource = server._resolve(self.path, self.headers)
                if resource is None:
                    resource = Resource(b"not found", status=404, headers={"Content-Type": "text/plain"})
                if resource.delay:
                    time.sleep(resource.delay)
                self.send_response(resource.status)
                for name, value in resource.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(resource.body)))
                self.end_headers()
                try:
                    self.wfile.write(resource.body)
                except (BrokenPipeError, ConnectionResetError):
                    logger.debug("client went away before %s", self.path)

            def log_message(self, format: str, *args: Any) -> None:
                logger.debug("replay: " + format, *args)

        return Handler
