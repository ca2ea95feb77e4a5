"""`scrapy export` as users run it, from a database the SQL writer filled with the real pages."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from crawler.offline import article_of, saved_pages
from exports.sql import SqlWriter, engine_for
from tests.crawling import on_a_terminal

ROOT = Path(__file__).parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def filled(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'news.sqlite3'}"
    articles = [o.article for o in map(article_of, saved_pages(FIXTURES)) if o.article]
    SqlWriter(engine_for(url)).write(articles)
    engine_for(url).dispose()
    return url


def export(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "export", *args], cwd=ROOT, capture_output=True, timeout=120
    )


def test_jsonl_window_and_source(tmp_path: Path) -> None:
    url = filled(tmp_path)
    done = export("jsonl", "--database", url, "--since", "2024-01-01", "--until", "2025-12-31")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [r["source"] for r in rows] == ["naver", "hankookilbo", "mk"]  # oldest first
    assert rows[0]["headline"] == "AI 노트북 3대 중 2대…삼성 '갤럭시 북4 엣지' 뜬다"
    only = export("jsonl", "--database", url, "--source", "yna")
    # en.yna.co.kr (2019) and www.yna.co.kr (2022) are both Yonhap
    assert [json.loads(line)["url"][:18] for line in only.stdout.decode().splitlines()] == [
        "https://en.yna.co.",
        "https://www.yna.co",
    ]


def test_csv_is_utf8_with_json_cells(tmp_path: Path) -> None:
    url = filled(tmp_path)
    out = tmp_path / "articles.csv"
    done = export("csv", "--database", url, "--output", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 10 and "10 articles exported" in done.stderr.decode()
    naver = next(r for r in rows if "갤럭시" in r["headline"])
    assert json.loads(naver["authors"]) == [
        {"name": "이현주", "role": "기자", "email": "lovelypsyche@newsis.com"}
    ]


def test_jekyll_export_reports_and_is_idempotent(tmp_path: Path) -> None:
    url = filled(tmp_path)
    site = tmp_path / "site"
    site.mkdir()  # a site that exists: a --site that does not is refused (tests/test_usage_errors.py)
    first = export("jekyll", "--database", url, "--site", str(site))
    assert first.returncode == 0, first.stderr
    assert "10 new" in first.stderr.decode()
    posts = {p.name: p.read_bytes() for p in (site / "_posts").iterdir()}
    assert len(posts) == 10
    again = export("jekyll", "--database", url, "--site", str(site))
    assert "10 unchanged" in again.stderr.decode()
    assert {p.name: p.read_bytes() for p in (site / "_posts").iterdir()} == posts


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    assert export("xml").returncode == 2
    bad = export("jsonl", "--since", "last week", "--database", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert bad.returncode == 2 and b"--since='last week' is not a date" in bad.stderr


def test_readme_example_queries_run(tmp_path: Path) -> None:
    import re
    import sqlite3

    url = filled(tmp_path)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```sql\n(.*?)```", readme, re.S)
    statements = [s.strip() for s in re.sub(r"--[^\n]*", "", block).split(";") if s.strip()]
    assert len(statements) == 4
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        results = [connection.execute(statement).fetchall() for statement in statements]
    assert ("뉴시스", "2024-05-30", 1) in results[0]


def test_export_and_extract_write_the_same_article_the_same_way(tmp_path: Path) -> None:
    page = FIXTURES / "yna" / "article-1.html"
    extracted = subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", str(page)], cwd=ROOT, capture_output=True, timeout=120
    )
    from_page = json.loads(extracted.stdout)
    url = filled(tmp_path)
    (from_database,) = [
        json.loads(line)
        for line in export("jsonl", "--database", url, "--source", "yna").stdout.decode().splitlines()
        if json.loads(line)["url"] == from_page["url"]
    ]
    for field in ("date_published", "date_modified", "fetched_at"):
        assert from_database[field] == from_page[field] and from_page[field].endswith("+09:00")


def test_csv_for_excel_begins_with_a_byte_order_mark_and_ends_rows_in_crlf(tmp_path: Path) -> None:
    url = filled(tmp_path)
    done = export("csv", "--database", url, "--excel", "--output", str(tmp_path / "q.csv"))
    assert done.returncode == 0, done.stderr
    raw = (tmp_path / "q.csv").read_bytes()
    # What Excel does: a UTF-8 BOM selects UTF-8, rows end at CRLF, quoted cells may hold line breaks.
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") >= 11
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 10 and any("쌍방울" in r["headline"] for r in rows)
    plain = export("csv", "--database", url).stdout
    assert not plain.startswith(b"\xef\xbb\xbf")


def test_parquet_has_typed_columns_that_pandas_and_duckdb_read(tmp_path: Path) -> None:
    import duckdb
    import pandas
    import pyarrow.parquet as pq

    url = filled(tmp_path)
    target = tmp_path / "articles.parquet"
    done = export("parquet", "--database", url, "--output", str(target))
    assert done.returncode == 0 and "10 articles exported" in done.stderr.decode()
    table = pq.read_table(target)
    assert str(table.schema.field("date_published").type) == "timestamp[us, tz=Asia/Seoul]"
    assert str(table.schema.field("tags").type) == "list<element: string>"
    assert table.schema.field("authors").type.value_type.names == ["name", "role", "email"]
    rows = duckdb.sql(
        f"SELECT source, count(*) AS n, min(date_published) AS first FROM '{target}' GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    assert sum(n for _, n, _ in rows) == 10
    names = duckdb.sql(f"SELECT unnest(authors).name FROM '{target}' WHERE source = 'yna'").fetchall()
    assert ("김솔",) in names
    frame = pandas.read_parquet(target)
    assert len(frame) == 10 and str(frame["date_published"].dtype) == "datetime64[us, Asia/Seoul]"
    # Nested records come back as dicts, lists as arrays: no JSON in a cell to parse.
    yna = frame[frame["source"] == "yna"]
    assert "김솔" in {author["name"] for authors in yna["authors"] for author in authors}
    assert all(isinstance(tag, str) for tags in frame["tags"] for tag in tags)
    assert frame["tags"].map(len).sum() == sum(len(t) for t in table.column("tags").to_pylist())
    assert export("parquet", "--database", url).returncode == 2  # a Parquet file is not written to a terminal


def test_the_readmes_duckdb_line_runs_on_an_export(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (line,) = [x for x in readme.splitlines() if x.startswith('python -c "import duckdb')]
    export("parquet", "--database", filled(tmp_path), "--output", str(tmp_path / "articles.parquet"))
    command = line.replace("python", sys.executable, 1)
    done = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "연합뉴스" in done.stdout and "count_star()" in done.stdout


def test_an_export_on_a_terminal_shows_its_progress(tmp_path: Path) -> None:
    url = filled(tmp_path)
    status, shown = on_a_terminal(
        [
            sys.executable,
            "-m",
            "scrapy",
            "export",
            "csv",
            "--database",
            url,
            "--output",
            str(tmp_path / "a.csv"),
        ]
    )
    assert status == 0, shown
    # A count redrawn in place, cleared, then the closing line.
    assert shown.startswith("\r1 articles…\x1b[K") and shown.endswith(
        f"\r\x1b[K10 articles exported to {tmp_path / 'a.csv'}\r\n"
    )
    # Without a terminal (cron), only the closing line.
    assert export("csv", "--database", url, "--output", str(tmp_path / "b.csv")).stderr.decode() == (
        f"10 articles exported to {tmp_path / 'b.csv'}\n"
    )
