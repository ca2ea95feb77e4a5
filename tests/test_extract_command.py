"""`scrapy extract` as a user runs it: a real `scrapy` process in the project folder."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def lines(result: subprocess.CompletedProcess[str]) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_several_pages_one_json_line_each_url_from_metadata() -> None:
    result = scrapy(
        "extract",
        "tests/fixtures/naver/article-1.html",
        "tests/fixtures/mk/article-1.html.gz",
        "tests/fixtures/etnews/home-2018.html",
    )
    assert result.returncode == 0, result.stderr
    naver, mk, etnews = lines(result)
    assert naver["headline"] == "소 배설물 아닌가요? 평소와 다른 곱창 속 ‘곱’ 정체"
    assert naver["source_name"] == "서울신문"
    assert mk["date_published"] == "2025-06-04T02:37:08+09:00"
    assert etnews == {
        "file": "tests/fixtures/etnews/home-2018.html",
        "url": "http://etnews.com/",
        "dropped": "not_an_article",
        "detail": etnews["detail"],
    }


def test_url_option_and_a_gzip_file_without_metadata(tmp_path: Path) -> None:
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress((FIXTURES / "yna" / "article-1.html").read_bytes()))
    result = scrapy("extract", str(page), "--url", "https://www.yna.co.kr/view/AKR20220907138351061")
    assert result.returncode == 0, result.stderr
    (article,) = lines(result)
    assert article["headline"] == "검찰, 쌍방울 그룹 비리 의혹 관련 경기도청 압수수색(종합2보)"
    assert article["source"] == "yna"


def test_missing_url_and_missing_file_fail_clearly(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(b"<html></html>")
    result = scrapy("extract", str(page), str(tmp_path / "nowhere.html"))
    assert result.returncode == 1
    assert "no URL" in result.stderr and "nowhere.html" in result.stderr
    assert result.stdout == ""


def test_extract_is_listed_among_the_commands() -> None:
    result = scrapy("-h")
    assert "extract" in result.stdout
