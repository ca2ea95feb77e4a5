"""Every fetched response kept as WARC, and `scrapy reextract` reading it again: real crawls of the replay
site in their own processes, and real WARC/ARC files other tools wrote (malformed ones included)."""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.archive import WarcArchive, read_record, responses, stream_responses
from crawler.replaysite import CLOCK, MODELS

ROOT = Path(__file__).parents[1]
CORPUS_WARC = ROOT.parent / "shared" / "corpus" / "warc"
FIXTURES = ROOT / "tests" / "fixtures"


def replay(out: Path, *args: str, patch: str = "") -> subprocess.CompletedProcess[str]:
    """`scrapy replay` into `out`; `patch`, Python run first in the same process, changes a rule."""
    code = f"{patch}\nfrom scrapy.cmdline import execute\nexecute()"
    return subprocess.run(
        [sys.executable, "-c", code, "replay", *args, "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def reextract(out: Path, *args: str) -> tuple[int, dict, str]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "reextract",
            *args,
            "-s",
            f"DATABASE_URL=sqlite:///{out / 'news.sqlite3'}",
            "-s",
            f"NEWS_WARC_DIR={out / 'warc'}",
            "-s",
            f"NEWS_JEKYLL_SITE={out / 'site'}",
            "-L",
            "WARNING",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else {}
    return result.returncode, report, result.stderr


def rows(out: Path, query: str) -> list[tuple]:
    with sqlite3.connect(out / "news.sqlite3") as connection:
        return connection.execute(query).fetchall()


def test_a_crawl_archives_every_response_exactly_and_each_article_points_at_its_record(
    tmp_path: Path,
) -> None:
    result = replay(tmp_path, "aitimes", "yna")
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert [f.name.split("-")[0] for f in files] == ["aitimes", "yna"]
    served = {
        story.url: story.resource.body
        for name in ("aitimes", "yna")
        for story in MODELS[name](CLOCK, 6, CLOCK.date()).stories
    }
    kinds: dict[str, int] = {}
    pairs: dict[str, set[str]] = {"request": set(), "response": set()}
    for path in files:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                kinds[record.rec_type] = kinds.get(record.rec_type, 0) + 1
                if record.rec_type == "request":
                    pairs["request"].add(record.rec_headers.get_header("WARC-Concurrent-To"))
                    assert record.http_headers.get_header("User-Agent")
                elif record.rec_type == "response":
                    pairs["response"].add(record.rec_headers.get_header("WARC-Record-ID"))
    # a request record beside each response: robots.txt, feeds, lists and articles all kept
    assert kinds["response"] == kinds["request"] >= 13 and kinds["warcinfo"] == 2
    assert pairs["request"] == pairs["response"]
    articles = rows(tmp_path, "select url, warc_file, warc_offset, fetched_at from articles")
    assert len(articles) == 13
    for url, name, offset, fetched_at in articles:
        archived = read_record(tmp_path / "warc" / name, offset)
        assert archived.url == url and archived.status == 200
        assert archived.body == served[url]  # the bytes the site sent
        # the article's fetch time is its record's, to the microsecond
        assert archived.fetched_at == datetime.fromisoformat(fetched_at).replace(tzinfo=UTC)
    # other WARC tools read the files as the README says: warcio's own index, check and extract
    warcio = Path(sys.executable).parent / "warcio"
    for path in files:
        assert subprocess.run([warcio, "check", path], capture_output=True, timeout=60).returncode == 0
    url, name, offset, _ = articles[0]
    extracted = subprocess.run(
        [warcio, "extract", "--payload", tmp_path / "warc" / name, str(offset)],
        capture_output=True,
        timeout=60,
    ).stdout
    assert extracted == served[url]


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_each_gzip_level_writes_standard_members_that_every_reader_opens(tmp_path: Path, level: int) -> None:
    from scrapy import Request
    from scrapy.http import HtmlResponse

    pages = [(FIXTURES / name).read_bytes() for name in ("yna/article-1.html", "naver/article-2.html")]
    archive = WarcArchive(tmp_path / str(level), "test", 1 << 30, level)
    now = datetime(2026, 12, 2, 1, 2, 3, 456789, tzinfo=UTC)
    places = [
        archive.write(
            Request(f"https://e.example/{n}"), HtmlResponse(f"https://e.example/{n}", body=body), now
        )
        for n, body in enumerate(pages)
    ]
    archive.close()
    (path,) = (tmp_path / str(level)).glob("*.warc.gz")
    for n, (name, offset) in enumerate(places):
        assert name == path.name and read_record(path, offset).body == pages[n]
    # gzip's own tool, and Python's, read the file as one gzip stream of members
    assert subprocess.run(["gzip", "-t", path], capture_output=True, timeout=60).returncode == 0
    assert gzip.decompress(path.read_bytes()).count(b"WARC/1.1\r\n") == 5  # warcinfo, 2 x (response, request)
    warcio = Path(sys.executable).parent / "warcio"
    assert subprocess.run([warcio, "check", path], capture_output=True, timeout=60).returncode == 0
    assert archive.written < sum(map(len, pages)) / 3  # deflated: Korean HTML packs to about a fifth


def test_archives_rotate_at_their_size_and_can_be_turned_off(tmp_path: Path) -> None:
    small = tmp_path / "small"
    assert replay(small, "yna", "-s", "NEWS_WARC_MAX_MB=0.01").returncode == 0
    files = sorted((small / "warc").glob("yna-*.warc.gz"))
    assert len(files) >= 3
    assert all(f.stat().st_size < 0.01 * 1024 * 1024 + 40_000 for f in files)  # one fetch past the limit
    for url, name, offset in rows(small, "select url, warc_file, warc_offset from articles"):
        assert read_record(small / "warc" / name, offset).url == url
    off = tmp_path / "off"
    assert replay(off, "yna", "-s", "NEWS_WARC_DIR=").returncode == 0
    assert not (off / "warc").exists()
    assert rows(off, "select count(*), count(warc_file) from articles") == [(7, 0)]


def test_real_warc_and_arc_files_of_other_tools_are_read_and_their_faults_reported() -> None:
    read: dict[str, int] = {}
    faults: dict[str, list[str]] = {}
    for path in sorted(CORPUS_WARC.iterdir()):
        if path.name == "PROVENANCE.tsv":
            continue
        problems: list[str] = []
        read[path.name] = sum(1 for _ in responses(path, problems))
        faults[path.name] = problems
    assert read["example.warc.gz"] == read["example.warc"] >= 1
    assert read["example.arc"] == read["example.arc.gz"] >= 1  # ARC read as WARC
    assert read["example-iana.org-chunked.warc"] >= 1  # chunked transfer undone
    # malformed files: what comes before the fault is kept, the fault is named, nothing is raised
    for bad in ("example-bad-non-chunked.warc.gz", "example-wrong-chunks.warc.gz"):
        assert faults[bad], bad
    assert not faults["example.warc.gz"]
    first = next(responses(CORPUS_WARC / "example.warc.gz"))
    assert first.url.startswith("http") and first.status == 200 and first.body.lstrip()[:1] == b"<"
    assert "Content-Encoding" not in first.headers  # the body comes decoded


class _Download:
    """A stream that cannot seek or tell, as an HTTP download is read."""

    def __init__(self, data: bytes) -> None:
        self.data = BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self.data.read(size)


def _member(url: str, body: bytes) -> bytes:
    writer = WARCWriter(None, warc_version="1.1")
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http)
    out = BytesIO()
    WARCWriter(out, gzip=True).write_record(record)
    return out.getvalue()


@pytest.mark.parametrize("where", ["file", "download"])
def test_a_damaged_record_is_skipped_and_the_records_after_it_are_read(
    tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One gzip member per record: a member whose compressed bytes are overwritten costs only its record,
    from a file or from a stream that cannot seek back; the skipped record is named with its offset, and
    nothing is printed (warcio alone prints the zlib error for every block to the end of the file)."""
    page = (FIXTURES / "yna" / "article-1.html").read_bytes()
    members = [_member(f"https://www.yna.co.kr/view/AKR{n}", page) for n in range(4)]
    broken = bytearray(members[1])
    broken[len(broken) // 2 : len(broken) // 2 + 64] = bytes(64)
    members[1] = bytes(broken)
    data = b"".join(members)
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(data)
    problems: list[str] = []
    damaged: list[str] = []
    if where == "file":
        with open(path, "rb") as stream:
            got = list(stream_responses(stream, problems, damaged=damaged))
    else:
        got = list(stream_responses(_Download(data), problems, damaged=damaged))
    assert [r.url[-4:] for r in got] == ["AKR0", "AKR2", "AKR3"]
    assert all(r.body == page for r in got)
    assert [r.offset for r in got] == [0, len(members[0]) + len(members[1]), data.rindex(members[3])]
    assert not problems and len(damaged) == 1 and f"offset {len(members[0])} skipped" in damaged[0]
    assert damaged[0].isascii() and damaged[0].isprintable() and capsys.readouterr().err == ""
    # each record read back where its offset says
    assert [read_record(path, r.offset).url for r in got] == [r.url for r in got]
    # without a list for them, damaged records are problems of the reading, which still goes on
    assert len(list(responses(path, problems))) == 3 and len(problems) == 1


def test_a_run_of_zeros_between_records_is_skipped_without_holding_it(tmp_path: Path) -> None:
    """8 MB of zeros where a gzip member should begin (a disk fault): skipped as damage, the records
    after it read, and the zeros never held (warcio alone reads them as one endless line of text)."""
    page = (FIXTURES / "yna" / "article-1.html").read_bytes()
    members = [_member(f"https://www.yna.co.kr/view/AKR{n}", page) for n in range(3)]
    path = tmp_path / "zeros.warc.gz"
    path.write_bytes(members[0] + bytes(8 << 20) + members[1] + members[2])
    damaged: list[str] = []
    tracemalloc.start()
    try:
        with open(path, "rb") as stream:
            got = list(stream_responses(stream, [], damaged=damaged))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r.url[-4:] for r in got] == ["AKR0", "AKR1", "AKR2"] and len(damaged) == 1
    assert peak < 4 << 20


BROKEN = """
from crawler.pages.generic import ArticlePage
ArticlePage.section = lambda self: None  # a rule that misses the section
"""


def test_reextract_repairs_what_a_rule_missed_and_changes_nothing_else(tmp_path: Path) -> None:
    assert replay(tmp_path, "aitimes", "yna", patch=BROKEN).returncode == 0
    before = rows(tmp_path, "select url, headline, body_text, version, fetched_at, warc_file from articles")
    posts = {p.name: p.read_bytes() for p in (tmp_path / "site" / "_posts").iterdir()}
    assert rows(tmp_path, "select count(section) from articles") == [(0,)]
    status, report, err = reextract(tmp_path)
    assert status == 0 and err.count("\n") == 3, err  # the table only: a healthy run warns of nothing
    # the real Yonhap page names its section; the synthetic ones do not
    assert report["records"] == report["read"] == report["articles"] == 13
    assert (report["updated"], report["unchanged"], report["fields_found"]) == (1, 12, {"section": 1})
    assert report["fields_lost"] == {} and report["drops_resolved"] == 0
    after = rows(tmp_path, "select url, headline, body_text, version, fetched_at, warc_file from articles")
    changed = [a for a, b in zip(sorted(after), sorted(before), strict=True) if a != b]
    assert [(c[0], c[3]) for c in changed] == [("https://www.yna.co.kr/view/AKR20220907138351061", 2)]
    assert rows(tmp_path, "select section from articles where section is not null") == [("사건사고",)]
    assert rows(tmp_path, "select count(*) from article_versions") == [(1,)]
    assert {p.name: p.read_bytes() for p in (tmp_path / "site" / "_posts").iterdir()}.keys() == posts.keys()
    # read again: nothing left to repair
    status, again, _ = reextract(tmp_path)
    assert status == 0 and again["updated"] == 0 and again["unchanged"] == 13


def test_reextract_of_warc_files_resolves_drops_and_counts_what_is_no_article(tmp_path: Path) -> None:
    dropping = "from crawler.pages.sites.yna import YonhapPage\nYonhapPage.is_article = lambda self: False\n"
    result = replay(tmp_path, "aitimes", "yna", patch=dropping)
    assert result.returncode == 3  # every Yonhap page dropped: its extraction check fails the run
    assert rows(tmp_path, "select source, count(*) from articles group by source") == [("aitimes", 6)]
    files = [str(p) for p in sorted((tmp_path / "warc").glob("*.warc.gz"))]
    status, report, err = reextract(tmp_path, "--source", "yna", "--warc", *files)
    assert status == 0, err
    assert report["drops_resolved"] == 7 and report["articles"] == 7
    assert report["not_read"]["other_source"] == 6  # aitimes' articles, left alone
    assert report["not_read"]["not_an_article_url"] >= 3  # robots.txt, the feed, the lists
    assert rows(tmp_path, "select count(*) from articles") == [(13,)]
    # files of the archive folder keep the names the crawl gave them, so the folder can move
    for url, name, offset in rows(
        tmp_path, "select url, warc_file, warc_offset from articles where source = 'yna'"
    ):
        assert "/" not in name and read_record(tmp_path / "warc" / name, offset).url == url


def test_reextract_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    status, _, err = reextract(tmp_path, "--warc", str(tmp_path / "missing.warc.gz"))
    assert status == 2 and err.startswith("error: --warc") and "Traceback" not in err
    status, _, err = reextract(tmp_path, "--source", "nosuch")
    assert status == 2 and "no such spider" in err
    status, _, err = reextract(tmp_path, "--since", "yesterday")
    assert status == 2 and "since" in err


@pytest.mark.parametrize(
    ("name", "status", "faults"), [("example-trunc.warc", 0, 0), ("example-bad-non-chunked.warc.gz", 3, 1)]
)
def test_reextract_reads_a_damaged_file_up_to_its_fault(
    tmp_path: Path, name: str, status: int, faults: int
) -> None:
    done, report, err = reextract(tmp_path, "--warc", str(CORPUS_WARC / name))
    # read up to the fault, which is named in the log and fails the run; never a traceback
    assert done == status and "Traceback" not in err, err
    assert (
        report["not_read"].get("unreadable_files", 0) == faults and err.count("read up to a fault") == faults
    )
    # example.com pages are no spider's articles: read, counted, nothing stored
    assert report["articles"] == 0 and sum(report["not_read"].values()) >= 1


def test_reextract_fails_loudly_on_a_record_it_cannot_read(tmp_path: Path) -> None:
    assert replay(tmp_path, "yna").returncode == 0
    with sqlite3.connect(tmp_path / "news.sqlite3") as connection:
        connection.execute("update articles set warc_offset = warc_offset + 7 where id = 1")
    status, report, err = reextract(tmp_path)
    assert status == 3 and report["unreadable"] == 1 and report["read"] == 6
    assert "Archived response yna-" in err and "not read" in err


def test_reextract_never_reads_another_pages_record_into_an_article(tmp_path: Path) -> None:
    """A pointer that opens a whole record of another page (rows copied between databases, a file
    replaced) is refused, not read into the article."""
    assert replay(tmp_path, "yna").returncode == 0
    with sqlite3.connect(tmp_path / "news.sqlite3") as connection:
        (first, second) = connection.execute(
            "select id, url, warc_offset from articles order by id limit 2"
        ).fetchall()
        connection.execute("update articles set warc_offset = ? where id = ?", (second[2], first[0]))
    status, report, err = reextract(tmp_path)
    assert status == 3 and report["unreadable"] == 1 and report["updated"] == 0
    assert f"it holds {second[1]}, not {first[1]}" in err
    assert rows(tmp_path, f"select url, version from articles where id = {first[0]}") == [(first[1], 1)]
