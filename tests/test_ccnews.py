"""The CC-NEWS backfill on WARC files built here from the real captures of tests/fixtures (their exact
bytes and headers), with pages of hosts no spider crawls, a photo, a 404 and a truncated record mixed in,
read from files, an index file, and an HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import http.server
import json
import sqlite3
import subprocess
import threading
import uuid
from datetime import UTC
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.archive import responses
from crawler.offline import SavedPage, saved_pages
from crawler.replay import ReplayServer, Resource, replay_path
from tests.crawling import crawl_command

ROOT = Path(__file__).parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
# The captures some spider files as an article: Naver's (naver_it, 2021 CP949 and 2023–24 layouts) and
# Yonhap's; the others (Hankook Ilbo, mk.co.kr, KBS World, en.yna.co.kr, home pages) are no spider's.
ARTICLES = {
    "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&oid=081&aid=0003219994&sid1=001",
    "https://n.news.naver.com/mnews/article/003/0012577249",
    "https://n.news.naver.com/article/607/0000001728?cds=news_media_pc&type=editn",
    "https://www.yna.co.kr/view/AKR20220907138351061",
}


def _record(
    writer: WARCWriter, url: str, body: bytes, headers: dict, when: str, status: str = "200 OK"
) -> bytes:
    http = StatusAndHeaders(status, list(headers.items()), protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": when}
    )
    out = BytesIO()
    WARCWriter(out, gzip=True).write_record(record)
    return out.getvalue()


def build_warc(
    path: Path,
    pages: list[SavedPage],
    *,
    extra: bool = True,
    truncated: bool = False,
    damaged: int | None = None,
) -> None:
    """A CC-NEWS-like file: a response record per page, its bytes as captured; with `damaged`, that
    page's record has bytes in the middle of its compressed data overwritten (a disk or transfer fault)."""
    writer = WARCWriter(BytesIO(), gzip=True)
    chunks = []
    for page in pages:
        assert page.url and page.fetched_at
        headers = {"Content-Type": "text/html", **page.headers}
        when = page.fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        chunks.append(_record(writer, page.url, page.body, headers, when))
    if extra:
        # a photo and a 404 at article addresses of a spider's host: counted, not articles
        photo = b"\xff\xd8\xff\xe0" + bytes(2000)
        url = "https://www.yna.co.kr/view/AKR20220907999999999"
        chunks.append(_record(writer, url, photo, {"Content-Type": "image/jpeg"}, "2022-09-08T00:00:00Z"))
        url = "https://www.yna.co.kr/view/AKR20220907888888888"
        chunks.append(
            _record(
                writer, url, b"gone", {"Content-Type": "text/html"}, "2022-09-08T00:00:00Z", "404 Not Found"
            )
        )
    if damaged is not None:
        record = bytearray(chunks[damaged])
        middle = len(record) // 2
        record[middle : middle + 64] = bytes(64)
        chunks[damaged] = bytes(record)
    if truncated:
        chunks.append(chunks[-1][: len(chunks[-1]) // 2])  # a download cut off mid-record
    path.write_bytes(b"".join(chunks))


def pages(*names: str) -> list[SavedPage]:
    found = {f"{p.path.parent.name}/{p.path.name}": p for p in saved_pages(FIXTURES)}
    return [found[n] for n in names] if names else list(found.values())


def backfill(tmp_path: Path, *args: str, **settings: object) -> tuple[int, dict, str]:
    options = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'news.sqlite3'}",
        "NEWS_JEKYLL_SITE": tmp_path / "site",
        "NEWS_LOCK_DIR": tmp_path / "locks",
        "NEWS_WARC_DIR": tmp_path / "warc",
        "NEWS_STATS_FILE": tmp_path / "stats.json",
        **settings,
    }
    done = subprocess.run(
        crawl_command("ccnews", options, args), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    stats = json.loads((tmp_path / "stats.json").read_text()) if (tmp_path / "stats.json").exists() else {}
    return done.returncode, stats, done.stderr


def stored(tmp_path: Path) -> dict[str, tuple]:
    with sqlite3.connect(tmp_path / "news.sqlite3") as connection:
        rows = connection.execute(
            "select url, source, fetched_at, warc_file, warc_offset from articles"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_exactly_the_articles_of_our_spiders_come_out_and_bad_records_are_counted(tmp_path: Path) -> None:
    warc = tmp_path / "CC-NEWS-20220908000000-00000.warc.gz"
    build_warc(warc, pages(), truncated=True)
    status, stats, err = backfill(tmp_path, f"warc={warc}")
    assert status == 0, err
    articles = stored(tmp_path)
    assert set(articles) == ARTICLES
    # filed under the spider of their host, with the record's fetch time and a pointer into the file
    assert articles["https://www.yna.co.kr/view/AKR20220907138351061"][:2] == (
        "yna",
        "2022-09-07 13:50:29.000000",
    )
    assert all(a[2] == str(warc) and a[3] > 0 for a in articles.values())
    assert stats["news/ccnews/other_hosts"] == 5  # KBS World, Hankook Ilbo (2), mk.co.kr, entermedia
    assert stats["news/discovery/not_article_url"] == 9  # our hosts' home pages and lists, en.yna.co.kr
    assert stats["news/dropped/not_html"] == 1  # the photo
    assert stats["news/article_failed/404"] == 1
    assert stats["news/ccnews/bad_files"] == 1 and "read up to a fault" in err  # the truncated record


def test_a_backfill_run_again_skips_the_files_it_finished_and_rereads_one_cut_short(tmp_path: Path) -> None:
    whole, cut = tmp_path / "a.warc.gz", tmp_path / "b.warc.gz"
    build_warc(whole, pages("yna/article-1.html", "mk/article-1.html.gz"), extra=False)
    build_warc(cut, pages("naver/article-2.html", "naver/article-3.html"), extra=False, truncated=True)
    status, first, _ = backfill(tmp_path, f"warc={whole},{cut}")
    # Yonhap, and Naver's two pages before the cut; the file cut short is not marked read
    assert status == 0 and len(stored(tmp_path)) == 3 and first["news/ccnews/bad_files"] == 1
    status, again, _ = backfill(tmp_path, f"warc={whole},{cut}")
    assert status == 0
    assert again["news/ccnews/files_read_before"] == 1  # the whole file
    assert again["news/skipped/stored"] == 2 and again.get("item_scraped_count", 0) == 0  # no doubles
    assert len(stored(tmp_path)) == 3


def test_a_damaged_record_costs_only_itself_and_the_file_is_read_to_its_end(tmp_path: Path) -> None:
    names = ("yna/article-1.html", "naver/article-2.html", "mk/article-1.html.gz", "naver/article-3.html")
    warc = tmp_path / "CC-NEWS-20240530000000-00002.warc.gz"
    build_warc(warc, pages(*names), extra=False, damaged=1)  # Naver's 2024 page
    status, first, err = backfill(tmp_path, f"warc={warc}")
    assert status == 0, err
    # the records on both sides of the damaged one: Yonhap and Naver's other page (mk has no spider)
    assert set(stored(tmp_path)) == {page.url for page in pages(names[0], names[3])}
    assert first["news/ccnews/bad_records"] == 1 and "CC-NEWS record damaged" in err
    assert "bad_files" not in str(first)  # the file was read to its end, and is recorded
    status, again, _ = backfill(tmp_path, f"warc={warc}")
    assert status == 0 and again["news/ccnews/files_read_before"] == 1
    # downloaded, the same damage may be the transfer's: the file is read again next time
    served = f"https://data.example.org/crawl-data/{warc.name}"
    with ReplayServer({served: Resource(warc.read_bytes())}) as server:
        url = server.url.rstrip("/") + replay_path(served)
        for _ in range(2):
            status, run, err = backfill(tmp_path / "http", f"warc={url}")
            assert status == 0 and run["news/ccnews/bad_records"] == 1, err
    assert "files_read_before" not in run and len(stored(tmp_path / "http")) == 2


@pytest.mark.parametrize("given", ["warc", "text"])
def test_an_index_that_is_no_list_of_warc_paths_fails_the_run_in_one_line(tmp_path: Path, given: str) -> None:
    if given == "warc":
        index = tmp_path / "CC-NEWS-20240530000000-00003.warc.gz"
        build_warc(index, pages("yna/article-1.html"), extra=False)
    else:
        index = tmp_path / "notes.txt"
        index.write_text("crawl-data/CC-NEWS/2024/05/CC-NEWS-1.warc.gz\nsee the README\n", encoding="utf-8")
    status, stats, err = backfill(tmp_path, f"paths={index}")
    assert status == 3 and stats["news/files_unreadable"] == 1 and "Error while reading start" not in err
    why = "a WARC file given as its index" if given == "warc" else "line 2 is no WARC file's path"
    assert f"CC-NEWS index not read: {index}: " in err and why in err
    assert not (tmp_path / "news.sqlite3").exists() or not stored(tmp_path)


def test_an_index_file_of_paths_and_an_http_download_are_read_as_streams(tmp_path: Path) -> None:
    month = tmp_path / "crawl-data" / "CC-NEWS" / "2024" / "05"
    month.mkdir(parents=True)
    warc = month / "CC-NEWS-20240530000000-00001.warc.gz"
    build_warc(warc, pages("naver/article-2.html", "kbsworld/article-1.html"))
    index = tmp_path / "warc.paths.gz"
    index.write_bytes(gzip.compress(f"{warc.relative_to(tmp_path)}\n".encode()))
    status, _, err = backfill(tmp_path / "local", f"paths={index}", f"base={tmp_path}/")
    assert status == 0, err
    assert set(stored(tmp_path / "local")) == {"https://n.news.naver.com/mnews/article/003/0012577249"}
    served = f"https://data.example.org/crawl-data/{warc.name}"
    with ReplayServer(
        {served: Resource(warc.read_bytes(), headers={"Content-Type": "application/warc"})}
    ) as server:
        url = server.url.rstrip("/") + replay_path(served)  # a real HTTP download, on 127.0.0.1
        status, _, err = backfill(tmp_path / "http", f"warc={url}")
    assert status == 0, err
    assert set(stored(tmp_path / "http")) == {"https://n.news.naver.com/mnews/article/003/0012577249"}


class _ShortServer(http.server.BaseHTTPRequestHandler):
    """Announces the whole file's length and sends it only up to `cut`: a download the network ended."""

    body = b""
    cut = 0

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body[: self.cut])
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


def test_a_download_ended_on_a_records_boundary_is_no_whole_file(tmp_path: Path) -> None:
    warc = tmp_path / "CC-NEWS-20240530000000-00004.warc.gz"
    build_warc(warc, pages("yna/article-1.html", "naver/article-2.html"), extra=False)
    _ShortServer.body = warc.read_bytes()
    _ShortServer.cut = [r.offset for r in responses(warc)][1]  # where the second record begins
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ShortServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/{warc.name}"
        status, stats, err = backfill(tmp_path, f"warc={url}")
    finally:
        server.shutdown()
    assert status == 0 and set(stored(tmp_path)) == {"https://www.yna.co.kr/view/AKR20220907138351061"}
    assert stats["news/ccnews/bad_files"] == 1 and "short of its length" in err
    with sqlite3.connect(tmp_path / "news.sqlite3") as connection:
        assert connection.execute("select count(*) from archive_files").fetchone() == (0,)


def test_hosts_narrow_the_backfill_and_unknown_ones_are_refused(tmp_path: Path) -> None:
    warc = tmp_path / "c.warc.gz"
    build_warc(warc, pages(), extra=False)
    status, _, err = backfill(tmp_path, f"warc={warc}", "hosts=yna.co.kr")
    assert status == 0, err
    assert set(stored(tmp_path)) == {"https://www.yna.co.kr/view/AKR20220907138351061"}
    status, _, err = backfill(tmp_path / "bad", f"warc={warc}", "hosts=example.org")
    assert status == 2 and "example.org" in err and "Traceback" not in err


def test_since_and_until_keep_to_publication_dates(tmp_path: Path) -> None:
    warc = tmp_path / "d.warc.gz"
    build_warc(warc, pages(), extra=False)
    status, stats, err = backfill(tmp_path, f"warc={warc}", "since=2023-01-01", "until=2024-12-31")
    assert status == 0, err
    assert set(stored(tmp_path)) == {
        "https://n.news.naver.com/mnews/article/003/0012577249",
        "https://n.news.naver.com/article/607/0000001728?cds=news_media_pc&type=editn",
    }
    assert stats["news/skipped/outside_window"] == 2


@pytest.mark.parametrize("missing", ["warc=/nonexistent/file.warc.gz"])
def test_a_file_that_cannot_be_opened_fails_the_run(tmp_path: Path, missing: str) -> None:
    status, _, err = backfill(tmp_path, missing)
    assert status != 0 and "nonexistent" in err


def test_processes_of_a_distributed_backfill_share_the_files_each_read_once(
    tmp_path: Path, redis_url: str
) -> None:
    files = [tmp_path / f"CC-NEWS-2024053000000{n}-0000{n}.warc.gz" for n in range(4)]
    for path, names in zip(
        files,
        [
            ("yna/article-1.html",),
            ("naver/article-1.html",),
            ("naver/article-2.html",),
            ("naver/article-3.html",),
        ],
        strict=True,
    ):
        build_warc(path, pages(*names), extra=False)
    job = uuid.uuid4().hex
    processes = []
    for worker in ("a", "b"):
        options = {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'news.sqlite3'}",
            "NEWS_JEKYLL_SITE": tmp_path / "site",
            "NEWS_LOCK_DIR": tmp_path / f"locks-{worker}",
            "NEWS_WARC_DIR": tmp_path / "warc",
            "NEWS_STATS_FILE": tmp_path / f"stats-{worker}.json",
            "NEWS_REDIS_URL": redis_url,
            "NEWS_JOB": job,
        }
        command = crawl_command("ccnews", options, [f"warc={','.join(map(str, files))}"])
        processes.append(subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True))
    errors = [p.communicate(timeout=300)[1] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], errors
    read = [json.loads((tmp_path / f"stats-{w}.json").read_text()).get("news/ccnews/files", 0) for w in "ab"]
    assert sum(read) == 4  # each file by one process
    assert set(stored(tmp_path)) == ARTICLES
    with sqlite3.connect(tmp_path / "news.sqlite3") as connection:
        assert connection.execute("select count(*) from archive_files").fetchone() == (4,)


def test_a_file_read_for_some_hosts_or_a_few_items_is_read_again_for_the_rest(tmp_path: Path) -> None:
    warc = tmp_path / "e.warc.gz"
    build_warc(warc, pages(), extra=False)
    assert backfill(tmp_path, f"warc={warc}", "hosts=yna.co.kr")[0] == 0
    assert backfill(tmp_path, f"warc={warc}", "max_items=1")[0] == 0  # bounded: the file is not done
    assert len(stored(tmp_path)) == 2
    status, stats, err = backfill(tmp_path, f"warc={warc}")
    assert status == 0, err
    assert set(stored(tmp_path)) == ARTICLES and stats["news/skipped/stored"] == 2
    status, stats, err = backfill(
        tmp_path, f"warc={warc}"
    )  # the same backfill again: nothing to do, no failure
    assert status == 0 and stats["news/ccnews/files_read_before"] == 1, err


def test_a_file_with_no_warc_record_fails_the_run_and_is_not_recorded(tmp_path: Path) -> None:
    empty, good = tmp_path / "empty.warc.gz", tmp_path / "good.warc.gz"
    empty.write_bytes(b"")
    build_warc(good, pages("yna/article-1.html"), extra=False)
    status, _, err = backfill(tmp_path, f"warc={empty},{good}")
    assert status == 3 and "holds no WARC response record" in err and "check=archive" in err
    with sqlite3.connect(tmp_path / "news.sqlite3") as connection:
        names = [n for (n,) in connection.execute("select name from archive_files")]
    assert len(names) == 1 and names[0].startswith(f"{good} hosts=")
