"""Every fetched response kept as WARC (ISO 28500), so pages can be read again without fetching them.

Written with warcio (Webrecorder's library, which pywb and most archiving tools use): a request and a
response record per fetch, each record its own gzip member, so a stored article's `warc_file` and
`warc_offset` open it directly. scrapy-webarchive, the Scrapy extension on warcio, pins Scrapy < 2.12
and an older warcio, and keeps no pointer per item: it cannot serve here.
"""

from __future__ import annotations

import logging
import os
import socket
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from isal import isal_zlib
from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.python import to_unicode
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

# request.meta: where the response to this request is archived, as (file name, offset), and when it came:
# the article's fetch time is its record's, to the microsecond (WARC/1.1 dates).
RECORD = "news_warc_record"
FETCHED_AT = "news_fetched_at"
_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 404: "Not Found"}


@dataclass(frozen=True)
class ArchivedResponse:
    """One response record read back: the body with its transfer and content encodings undone."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    offset: int


class WarcArchive:
    """WARC files under `folder`, named `<prefix>-<UTC time>-<host>-<pid>-<serial>.warc.gz` (several
    processes may write into one folder), a new one begun past `max_bytes`."""

    def __init__(self, folder: Path, prefix: str, max_bytes: int, level: int = 1) -> None:
        self.folder = folder
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.level = level
        self.serial = 0
        self.file: IO[bytes] | None = None
        self.name = ""
        self.writer = WARCWriter(None, warc_version="1.1")  # builds records; _append writes them
        self.written = 0  # bytes, over every file of this run

    def _open(self) -> IO[bytes]:
        if self.file is not None and self.file.tell() < self.max_bytes:
            return self.file
        self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.name = f"{self.prefix}-{stamp}-{socket.gethostname()}-{os.getpid()}-{self.serial:05d}.warc.gz"
        self.file = open(self.folder / self.name, "xb")  # noqa: SIM115  # open across many writes
        self._append(
            self.writer.create_warcinfo_record(self.name, {"software": "korean-tech-news crawler (Scrapy)"})
        )
        return self.file

    def _append(self, *records: Any) -> None:
        """The records, each its own gzip member, deflated by ISA-L (python-isal) at our level 0-3: its
        level 1 makes zlib level 1's size in a quarter of the time (warcio's own gzip is zlib at 9)."""
        assert self.file is not None
        for record in records:
            plain = BytesIO()
            # the builder's header filter, which its block digests were taken with
            WARCWriter(
                plain, gzip=False, warc_version="1.1", header_filter=self.writer.header_filter
            ).write_record(record)
            packer = isal_zlib.compressobj(self.level, isal_zlib.DEFLATED, 16 + 15)
            self.file.write(packer.compress(plain.getvalue()) + packer.flush())

    def write(self, request: Request, response: Response, fetched_at: datetime) -> tuple[str, int]:
        """Archives one fetch, as the downloader gave it (bytes still in their content encoding); the
        response record's (file name, offset)."""
        file = self._open()
        writer = self.writer
        # warcio writes a naive UTC time as `…Z` (an aware one would get two zones).
        date = datetime_to_iso_date(fetched_at.astimezone(UTC).replace(tzinfo=None), use_micros=True)
        reason = _REASONS.get(response.status, "")
        protocol = (getattr(response, "protocol", None) or "HTTP/1.1").upper()
        http = StatusAndHeaders(
            f"{response.status} {reason}".strip(), _header_list(response.headers), protocol=protocol
        )
        record = _record(writer, response.url, "response", http, response.body, {"WARC-Date": date})
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = StatusAndHeaders(
            f"{request.method} {target} HTTP/1.1", _header_list(request.headers), protocol="HTTP/1.1"
        )
        asked = _record(
            writer,
            request.url,
            "request",
            sent,
            request.body,
            {"WARC-Date": date, "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID")},
        )
        offset = file.tell()
        self._append(record, asked)
        self.written += file.tell() - offset
        return self.name, offset

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        self.file = None


def _record(
    writer: WARCWriter, url: str, kind: str, http: StatusAndHeaders, body: bytes, warc: dict[str, str]
) -> Any:
    """A WARC record of a body held in memory, its digests taken over the whole of it at once: warcio,
    given a stream of unknown length, spools it to a temporary file and reads it three times in 16 KB
    pieces, each hashed apart (and the GIL taken back after each, from the crawl's thread)."""
    http.compute_headers_buffer(writer.header_filter)
    payload, block = Digester("sha1"), Digester("sha1")
    payload.update(body)
    block.update(http.headers_buff)
    block.update(body)
    digests = {"WARC-Payload-Digest": str(payload), "WARC-Block-Digest": str(block)}
    return writer.create_warc_record(
        url,
        kind,
        payload=BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict={**warc, **digests},
    )


def _header_list(headers: Any) -> list[tuple[str, str]]:
    return [
        (to_unicode(name, "latin-1"), to_unicode(value, "latin-1"))
        for name, values in headers.items()
        for value in values
    ]


class ArchiveMiddleware:
    """Archives every response the downloader gives (next to it: before decompression, so the bytes are
    the ones received), robots.txt, feeds and lists included; the record's place goes into the request's
    meta for the article it becomes. NEWS_WARC_DIR (default `output/warc`; empty turns it off) and
    NEWS_WARC_MAX_MB (a new file past it, default 1024).

    Records are gzipped and written by one thread of their own (ISA-L and hashlib release the GIL), in the
    order responses come, so the crawl's thread goes on parsing meanwhile; a response goes on once its
    record is written, with its place known."""

    def __init__(self, crawler: Any, archive: WarcArchive) -> None:
        self.crawler = crawler
        self.archive = archive
        self.pool = ThreadPool(minthreads=0, maxthreads=1, name="warc")
        self.pool.start()

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchiveMiddleware:
        folder = crawler.settings.get("NEWS_WARC_DIR")
        if not folder:
            raise NotConfigured
        prefix = crawler.spidercls.name if getattr(crawler.spidercls, "name", None) else "crawl"
        max_bytes = int(crawler.settings.getfloat("NEWS_WARC_MAX_MB", 1024) * 1024 * 1024)
        level = crawler.settings.getint("NEWS_WARC_GZIP_LEVEL")
        middleware = cls(crawler, WarcArchive(Path(folder), prefix, max_bytes, level))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        from twisted.internet import reactor  # installed by now: the crawler is built on it

        # A forced stop (a second Ctrl-C) ends the reactor without spider_closed: the writing thread
        # must end with it, or the process waits for it forever.
        installed: Any = reactor  # typed as the module; it is the running reactor
        installed.addSystemEventTrigger("during", "shutdown", middleware.stop_writing)
        return middleware

    async def process_response(self, request: Request, response: Response) -> Response:
        if not request.url.startswith(("http://", "https://")):
            return response  # a data: or file: URL fetched nothing from the web
        from twisted.internet import reactor  # the one the crawl installed: importing it earlier installs one

        fetched_at = datetime.now(UTC)
        name, offset = await maybe_deferred_to_future(
            deferToThreadPool(reactor, self.pool, self.archive.write, request, response, fetched_at)
        )
        request.meta[RECORD] = (name, offset)
        request.meta[FETCHED_AT] = fetched_at
        stats = self.crawler.stats
        stats.inc_value("news/warc/records")
        stats.set_value("news/warc/bytes", self.archive.written)
        return response

    def spider_closed(self) -> None:
        self.stop_writing()

    def stop_writing(self) -> None:
        if not self.pool.joined:
            self.pool.stop()  # after the records already queued: every response was archived before it went on
        self.archive.close()  # a forced stop ends here: the file's last records reach the disk


def read_record(path: Path, offset: int) -> ArchivedResponse:
    """The response record at `offset` in a WARC file (as a stored article points at it); ValueError if
    there is none, or it is damaged or cut short (never a part of it taken for the page)."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        records = ArchiveIterator(stream)
        try:
            for record in records:
                found = _response(record, offset)
                records.get_record_length()  # the record read to its end
                member = getattr(records.reader, "decompressor", None)
                if member is not None and not member.eof:
                    raise ValueError(f"the record at {path}:{offset} is cut short")
                if found is not None:
                    return found
                break
        except (ArchiveLoadFailed, EOFError, zlib.error) as error:
            raise ValueError(f"the record at {path}:{offset} is damaged: {error}") from None
    raise ValueError(f"no response record at {path}:{offset}")


def responses(
    path: Path, problems: list[str] | None = None, want: Callable[[str], bool] | None = None
) -> Iterator[ArchivedResponse]:
    """Every HTTP response record of a WARC or ARC file, streamed (a file of any size, one record in
    memory). A record or file that cannot be read ends the file's reading; what was wrong goes into
    `problems` (a truncated download of a large file still gives what comes before the cut)."""
    try:
        with open(path, "rb") as stream:
            yield from stream_responses(stream, problems, want)
    except OSError as error:
        if problems is None:
            raise
        problems.append(f"{path}: {error}")


def stream_responses(
    stream: IO[bytes],
    problems: list[str] | None = None,
    want: Callable[[str], bool] | None = None,
    damaged: list[str] | None = None,
) -> Iterator[ArchivedResponse]:
    """`responses` over an open stream (a local file, or an HTTP download read as it arrives); with
    `want`, only the responses whose URL it accepts (the others' bodies are skipped unread).

    In a file of one gzip member per record (as WARC writers make them, CC-NEWS's included) a damaged
    record costs only itself: reading goes on at the next member, and the record is named in `damaged`
    (or `problems` without it). A fault no member follows ends the reading, named in `problems`."""
    source = _Source(stream)
    name = getattr(stream, "name", None) or getattr(stream, "url", "stream")
    skipped = problems if damaged is None else damaged
    end = 0  # where the last whole record ends: the next one begins there
    begun = 0  # where the current reading began (warcio's offsets in a non-chunked file are no guide)
    while True:
        records = ArchiveIterator(source, arc2warc=True)
        records.reader = _StrictReader(source)
        try:
            for record in records:
                found = _response(record, 0, want)
                # Asked before the body is read, warcio reads the record to its end, body and all.
                offset = records.get_record_offset()
                member = getattr(records.reader, "decompressor", None)
                if member is not None and not member.eof:
                    if not source.exhausted or records.reader.rem_length():  # the member goes on past it
                        raise ValueError(
                            f"the gzip member at offset {offset} holds more than one record "
                            "(`warcio recompress` makes a file of one member per record)"
                        )
                    # its gzip member ends before the record: a download cut short in this record
                    raise EOFError(f"the record at offset {offset} is cut short")
                end = offset + records.get_record_length()
                source.forget_before(end)
                if found is not None:
                    yield replace(found, offset=offset)
        except (ArchiveLoadFailed, ValueError, EOFError, OSError, zlib.error) as error:
            fault = f"{name}: {_printable(str(error))}"
            resumed = source.next_member(max(end, begun) + 1) if source.gzipped else None
            if resumed is None:
                if problems is None:
                    raise
                problems.append(fault)
                return
            if skipped is None:
                raise
            skipped.append(
                f"{fault} (the record at offset {max(end, begun)} skipped; read on from {resumed})"
            )
            end = begun = resumed
            continue
        break
    # warcio ends quietly at a record cut short (a download that stopped): bytes past the last whole
    # record say so.
    if source.read_to > end + 4:
        cut = f"{name}: {source.read_to - end} bytes after offset {end} hold no whole record (cut short?)"
        if problems is None:
            raise ValueError(cut)
        problems.append(cut)


def _printable(text: str, limit: int = 200) -> str:
    """An error's text for a log line (warcio quotes the bytes it met: binary in a damaged record): one
    line of printable ASCII, cut to `limit`; a first line of binary that warcio quotes is left out."""
    if "\\x" in text:
        text = text.split(", first line:")[0]
    shown = " ".join("".join(c if c.isascii() and c.isprintable() else " " for c in text).split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class _StrictReader(DecompressingBufferedReader):
    """warcio's reader, raising on a gzip member whose data fails partway instead of printing the error
    and reading on to the end of the file (every later block printing it again): the damaged record is
    then skipped at once, and the reading goes on at the next member."""

    def _decompress(self, data: bytes) -> bytes:
        # In a gzipped file a member's first block failing is damage too: warcio would read the member
        # as plain text, and a long run of zeros as one endless line (quadratic time and memory).
        gzipped = getattr(self.stream, "gzipped", False)
        if self.decompressor is not None and data and (self.num_block_read or gzipped):
            return self.decompressor.decompress(data)
        return super()._decompress(data)


class _Source:
    """The raw stream as warcio reads it, keeping the bytes since the last whole record, so that reading
    can start again at the next gzip member after a damaged one (a download cannot seek back)."""

    _MEMBER = b"\x1f\x8b\x08"  # gzip magic and deflate: where a member may begin

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.position = 0  # where the next read begins
        self.kept = bytearray()  # raw bytes from `kept_from` up to `read_to`
        self.kept_from = 0
        self.read_to = 0
        self.gzipped: bool | None = None
        self.exhausted = False  # the stream has given its last byte

    def read(self, size: int = -1) -> bytes:
        if self.position < self.read_to:  # bytes read before, handed out again after a rewind
            start = self.position - self.kept_from
            data = bytes(self.kept[start : None if size < 0 else start + size])
        else:
            data = self._pull(size)
        if self.gzipped is None and data:
            self.gzipped = data.startswith(b"\x1f\x8b")
        self.position += len(data)
        return data

    def tell(self) -> int:
        return self.position

    def forget_before(self, position: int) -> None:
        drop = min(position, self.read_to) - self.kept_from
        if drop > 0:
            del self.kept[:drop]
            self.kept_from += drop

    def next_member(self, start: int) -> int | None:
        """The position of the first gzip member at or after `start` that opens a WARC or ARC record
        (reading on as far as needed), the reading rewound to it; None at the end of the stream."""
        while True:
            found = self.kept.find(self._MEMBER, max(start - self.kept_from, 0))
            if found < 0:
                start = max(start, self.read_to - len(self._MEMBER) + 1)
                self.forget_before(start)  # junk scanned past is not kept (a long run of zeros)
                if not self._more():
                    return None
                continue
            if len(self.kept) - found < 512 and self._more():
                continue  # too few bytes after the candidate yet to tell a member from chance
            if _opens_record(bytes(self.kept[found : found + 512])):
                self.position = self.kept_from + found
                self.forget_before(self.position)
                return self.position
            start = self.kept_from + found + 1

    def _more(self) -> bool:
        return bool(self._pull(65536))

    def _pull(self, size: int) -> bytes:
        """Bytes read from the stream for the first time, kept until a whole record is past them."""
        data = self.stream.read(size)
        self.kept += data
        self.read_to += len(data)
        self.exhausted = self.exhausted or (not data and size != 0)
        return data


def _opens_record(head: bytes) -> bool:
    """Whether gzip data begins with a WARC record (`WARC/1.x`) or an ARC one (a URL or `filedesc:`)."""
    try:
        text = zlib.decompressobj(zlib.MAX_WBITS + 16).decompress(head, 64)
    except zlib.error:
        return False
    return text.startswith((b"WARC/", b"filedesc:", b"http:", b"https:", b"dns:"))


def _warc_date(value: str) -> datetime:
    """A WARC-Date, to the microsecond where it says one (WARC/1.1); ValueError if it is none."""
    # warcio's own reader refuses the microseconds WARC/1.1 allows (and this module writes).
    try:
        return datetime.fromisoformat(value.strip().removesuffix("Z") + "+00:00").astimezone(UTC)
    except ValueError:
        try:
            return iso_date_to_datetime(value).replace(tzinfo=UTC)
        except (TypeError, ValueError):
            raise ValueError(f"WARC-Date {value!r} is no date") from None


def _response(record: Any, offset: int, want: Callable[[str], bool] | None = None) -> ArchivedResponse | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<>")
    if want is not None and not want(url):
        return None
    try:
        status = int(record.http_headers.get_statuscode() or 0)
    except ValueError:
        status = 0
    body = record.content_stream().read()
    date = record.rec_headers.get_header("WARC-Date")
    fetched_at = _warc_date(date) if date else datetime.now(UTC)
    headers = {name: value for name, value in record.http_headers.headers}
    # The body is decoded now: its encodings must not be undone twice by whoever reads it next.
    for name in [n for n in headers if n.lower() in {"content-encoding", "transfer-encoding"}]:
        del headers[name]
    return ArchivedResponse(url, status, headers, body, fetched_at, offset)
