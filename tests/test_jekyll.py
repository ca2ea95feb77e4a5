"""Jekyll posts: front matter that loads back, stable file names, byte-identical re-exports, bodies that
cannot inject, and a real `jekyll build` of posts made from the real pages."""

from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import Article
from crawler.korean.dates import KST
from crawler.offline import article_of, saved_pages
from exports.jekyll import (
    TITLE_CHARS,
    PostOptions,
    PostWriter,
    front_matter,
    inert,
    post_filename,
    render_post,
    safe_url,
    sanitize,
)
from tests.test_site_safety import shows

FIXTURES = Path(__file__).parent / "fixtures"
NASTY_TITLES = [
    'AI: 다음 10년 "전망" #1 --- 끝',
    "* 별표로 시작하는 제목",
    "! 느낌표로 시작",
    "'작은따옴표' 제목 & 기호 % @ `백틱`",
    "{{ site.title }} 와 {% include x.html %}",
    "이모지 🚀📱 제목",
    "---",
    "- 목록처럼 시작",
    "yes",
    "null",
    "2024-05-23",
    "줄\n바꿈이 있는\t제목",
    "?: 물음표 콜론",
]


def real_articles() -> list[Article]:
    return [o.article for o in map(article_of, saved_pages(FIXTURES)) if o.article]


ARTICLES = real_articles()
NAVER = next(a for a in ARTICLES if a.source == "naver" and a.subtitle and "갤럭시" in a.headline)


def matter_of(post: str) -> dict:
    assert post.startswith("---\n")
    return yaml.safe_load(post.split("\n---\n", 1)[0].removeprefix("---\n"))


@pytest.mark.parametrize("title", NASTY_TITLES)
def test_front_matter_loads_back_to_the_same_values(title: str) -> None:
    article = dataclasses.replace(
        NAVER, headline=title, excerpt=title, feature_text=title, tags=[title, "5G"]
    )
    assert matter_of(render_post(article)) == front_matter(article, PostOptions())


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_any_title_loads_back(title: str) -> None:
    article = dataclasses.replace(NAVER, headline=title)
    written = front_matter(article, PostOptions()).get("title", "")
    assert matter_of(render_post(article)).get("title", "") == written
    # What a reader sees is the title, on one line, less the controls YAML cannot carry and the marks
    # that reorder text, its quotes typographic and link syntax broken (tests/test_site_safety.py).
    visible = re.sub(
        r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]", " ", title
    )
    assert shows(html.unescape(written), " ".join(visible.split()))


def test_front_matter_keys_and_meanings() -> None:
    matter = matter_of(render_post(NAVER))
    assert list(matter) == [
        "title",
        "categories",
        "excerpt",
        "feature_text",
        "image",
        "date",
        "last_modified_at",
        "author",
        "source",
        "source_url",
        "feature_image",
        "article_image",
    ]
    assert matter["title"] == inert(NAVER.headline) and matter["categories"] == NAVER.categories
    assert matter["excerpt"] == inert(NAVER.excerpt)
    # As the site's own posts: a banner heading with the site's name, then the lead.
    assert matter["feature_text"] == f"## 뉴스다오 실시간 뉴스 속보입니다.\n{inert(NAVER.feature_text)}"
    assert matter["date"] == "2024-05-30 11:40:08 +0900"
    # The site's banner is every post's image; the article's photo stays available.
    assert matter["image"] == matter["feature_image"] == "/assets/img/newsdao_breakingnews.jpg"
    assert matter["article_image"] == safe_url(NAVER.main_image["url"])
    assert matter["source"] == "뉴시스" and matter["source_url"] == NAVER.canonical_url
    assert matter["author"] == "이현주"


def test_downloaded_image_is_served_from_the_site() -> None:
    image = {**NAVER.main_image, "path": "full/abc.jpg"}
    matter = front_matter(dataclasses.replace(NAVER, main_image=image), PostOptions())
    assert matter["article_image"] == "/assets/img/news/full/abc.jpg"
    own = front_matter(dataclasses.replace(NAVER, main_image=image), PostOptions(banner=""))
    assert (
        own["image"] == own["feature_image"] == "/assets/img/news/full/abc.jpg" and "article_image" not in own
    )


def test_file_names_are_ascii_stable_and_unique() -> None:
    names = [post_filename(a) for a in ARTICLES]
    assert len(set(names)) == len(names)
    assert all(name.isascii() and name.endswith(".html") for name in names)
    assert post_filename(NAVER) == post_filename(dataclasses.replace(NAVER, headline="다른 제목"))
    late = dataclasses.replace(NAVER, date_published=datetime(2024, 5, 30, 23, 30, tzinfo=KST))
    assert post_filename(late).startswith("2024-05-30-naver-")


def test_reexport_is_byte_identical_and_replaces_instead_of_adding(tmp_path: Path) -> None:
    assert PostWriter(tmp_path).write(NAVER) == "new"
    (post,) = (tmp_path / "_posts").iterdir()
    before = post.read_bytes(), post.stat().st_mtime_ns
    assert PostWriter(tmp_path).write(NAVER) == "unchanged"
    assert (post.read_bytes(), post.stat().st_mtime_ns) == before
    assert PostWriter(tmp_path).write(dataclasses.replace(NAVER, headline="고친 제목")) == "updated"
    moved = dataclasses.replace(NAVER, date_published=datetime(2024, 6, 2, 9, tzinfo=KST))
    PostWriter(tmp_path).write(moved)
    assert [p.name for p in (tmp_path / "_posts").iterdir()] == [post_filename(moved)]


@pytest.mark.parametrize(
    ("dirty", "gone"),
    [
        ("<p>a</p><script>alert(1)</script>", "<script"),
        ("<style>p{}</style><p>a</p>", "<style"),
        ('<iframe src="https://evil.example"></iframe><p>a</p>', "<iframe"),
        ('<img src="https://x/a.jpg" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<p onclick="x()">a</p>', "onclick"),
        ("<p>{{ site.title }}</p>", "{{"),
        ("<p>{% include secret.html %}</p>", "{%"),
    ],
)
def test_body_is_sanitized_and_liquid_inert(dirty: str, gone: str) -> None:
    assert gone not in sanitize(dirty)


def test_excerpt_mode_links_to_the_original(tmp_path: Path) -> None:
    post = render_post(NAVER, PostOptions(body="excerpt"))
    body = post.split("\n---\n", 1)[1]
    assert NAVER.excerpt[:30] in body and NAVER.body_text.split("\n\n")[-1][:30] not in body
    assert f'href="{NAVER.canonical_url}"' in body


SITE_CONFIG = """title: 테스트 사이트
markdown: kramdown
permalink: /:year/:month/:day/:title/
defaults:
  - scope: {path: "", type: posts}
    values: {layout: post}
"""
LAYOUT = """<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>{{ page.title | escape }}</title></head>
<body><h1 class="title">{{ page.title }}</h1><p class="excerpt">{{ page.excerpt }}</p>
<p class="feature">{{ page.feature_text }}</p><p class="date">{{ page.date | date: "%Y-%m-%d %H:%M" }}</p>
{{ content }}</body></html>
"""


def test_posts_build_with_a_real_jekyll(tmp_path: Path) -> None:
    jekyll = shutil.which("jekyll")
    if jekyll is None:
        if os.environ.get("CI"):
            pytest.fail("jekyll is not installed in CI: .ci/run installs Debian's jekyll package")
        pytest.skip("jekyll is not installed here (apt-get install jekyll)")
    site = tmp_path / "site"
    (site / "_layouts").mkdir(parents=True)
    (site / "_config.yml").write_text(SITE_CONFIG, encoding="utf-8")
    (site / "_layouts" / "post.html").write_text(LAYOUT, encoding="utf-8")
    trap = dataclasses.replace(
        NAVER,
        url="https://n.news.naver.com/mnews/article/003/0000000009",
        canonical_url="https://n.news.naver.com/mnews/article/003/0000000009",
        headline=NASTY_TITLES[0],
        excerpt="{{ site.title }} 요약: #1 --- 끝",
        body_html="<p>{{ site.title }} 와 {% include nothing.html %} 그리고 <script>x()</script></p>",
    )
    for article in [*ARTICLES, trap]:
        PostWriter(site).write(article)
    done = subprocess.run(
        [
            jekyll,
            "build",
            "--source",
            str(site),
            "--destination",
            str(tmp_path / "_site"),
            "--safe",
            "--trace",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert "Liquid" not in log and "front matter" not in log.lower() and "warning" not in log.lower()
    pages = {p: p.read_text(encoding="utf-8") for p in (tmp_path / "_site").rglob("index.html")}
    assert len(pages) == len(ARTICLES) + 1
    built = "\n".join(pages.values())
    for article in ARTICLES:
        assert (
            f'<h1 class="title">{article.headline.replace("&", "&amp;").replace(chr(34), "&quot;")}' in built
            or article.headline in built
        )
        assert article.body_text.split("\n\n")[0][:40] in built
    trap_page = next(text for text in pages.values() if "include nothing.html" in text)
    assert "{{ site.title }} 와 {% include nothing.html %}" in trap_page.replace("&#123;", "{").replace(
        "&#125;", "}"
    )
    assert "<script>" not in trap_page
    assert "테스트 사이트 와" not in trap_page  # the Liquid in the body was not run


def test_pipeline_leaves_near_duplicates_out_unless_asked(tmp_path: Path) -> None:
    from scrapy.utils.test import get_crawler

    from exports.jekyll import JekyllPipeline

    copy = dataclasses.replace(
        NAVER,
        url="https://www.newsis.com/view/1",
        canonical_url="https://www.newsis.com/view/1",
        duplicate_of=NAVER.canonical_url,
    )
    for include, expected in ((False, 1), (True, 2)):
        site = tmp_path / str(include)
        crawler = get_crawler(
            settings_dict={"NEWS_JEKYLL_SITE": str(site), "NEWS_JEKYLL_INCLUDE_DUPLICATES": include}
        )
        crawler._apply_settings()
        pipeline = JekyllPipeline.from_crawler(crawler)
        for article in (NAVER, copy):
            pipeline.process_item(article)
        assert len(list((site / "_posts").iterdir())) == expected
        assert crawler.stats.get_value("news/jekyll/skipped_duplicate", 0) == (0 if include else 1)


def test_the_site_profile_comes_from_settings() -> None:
    from scrapy.settings import Settings

    from exports.jekyll import options_from_settings

    options = options_from_settings(
        Settings(
            {
                "NEWS_SITE_NAME": "whereispost",
                "NEWS_SITE_IMAGE": "/assets/img/banner.jpg",
                "NEWS_SITE_CATEGORIES": {"IT": "과학기술", "정치": "정치"},
                "NEWS_SITE_EXCERPT_CHARS": "60",
            }
        )
    )
    matter = front_matter(dataclasses.replace(NAVER, categories=["IT"]), options)
    assert matter["feature_text"].startswith("## whereispost 실시간 뉴스 속보입니다.\n")
    assert matter["image"] == "/assets/img/banner.jpg" and matter["categories"] == ["과학기술"]
    assert len(html.unescape(matter["excerpt"])) == 61 and matter["excerpt"].endswith("…")
    # The site's section maps too (a crawl always gives our category as well); unmapped, the default.
    assert front_matter(dataclasses.replace(NAVER, categories=["News"], section="정치"), options)[
        "categories"
    ] == ["정치"]
    unmapped = dataclasses.replace(NAVER, categories=["News"], section="연예")
    assert front_matter(unmapped, options)["categories"] == ["News"]
    with_default = options_from_settings(
        Settings({"NEWS_SITE_CATEGORIES": {"연예": "엔터"}, "NEWS_SITE_DEFAULT_CATEGORY": "속보"})
    )
    assert front_matter(unmapped, with_default)["categories"] == ["엔터"]
    assert front_matter(dataclasses.replace(unmapped, section="사회"), with_default)["categories"] == ["속보"]
    # A template given with -s carries \\n as two characters.
    typed = options_from_settings(Settings({"NEWS_SITE_FEATURE_TEXT": "## {site}\\n{lead}"}))
    assert front_matter(NAVER, typed)["feature_text"].startswith("## 뉴스다오\n")
    with pytest.raises(ValueError, match="NEWS_SITE_AUTHORS='wordpress'"):
        options_from_settings(Settings({"NEWS_SITE_AUTHORS": "wordpress"}))


def test_chirpy_authors_are_ids_of_the_sites_data_file(tmp_path: Path) -> None:
    options = PostOptions(authors="chirpy")
    writer = PostWriter(tmp_path, options)
    writer.write(NAVER)
    writer.write(dataclasses.replace(NAVER, url=NAVER.url + "9", canonical_url=NAVER.canonical_url + "9"))
    matter = matter_of((tmp_path / "_posts" / post_filename(NAVER)).read_text(encoding="utf-8"))
    assert matter["author"] == "뉴시스" and matter["byline"] == "이현주"
    authors = yaml.safe_load((tmp_path / "_data" / "authors.yml").read_text(encoding="utf-8"))
    assert authors == {"뉴시스": {"name": "뉴시스", "url": "https://n.news.naver.com/"}}


def test_posts_begin_as_the_sites_own_posts_do() -> None:
    body = render_post(NAVER).split("\n---\n", 1)[1]
    banner, credit = body.strip().splitlines()[:2]
    assert (
        banner == '<p class="banner"><img src="/assets/img/newsdao_breakingnews.jpg" alt="뉴스다오 속보"></p>'
    )
    assert credit.startswith(
        f'<p class="source">출처: <a href="{NAVER.canonical_url}" rel="noopener nofollow">'
    )
    assert credit.endswith(" | 뉴시스</p>")


def test_the_readme_shows_what_we_write() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("# ours (tests/fixtures/yna/article-1.html, default profile)\n", 1)[1].split(
        "```", 1
    )[0]
    yna = next(a for a in ARTICLES if a.url == "https://www.yna.co.kr/view/AKR20220907138351061")
    assert render_post(yna).split("\n---\n", 1)[0].removeprefix("---\n") + "\n" == shown


def test_chirpy_authors_file_keeps_what_the_operator_wrote(tmp_path: Path) -> None:
    data = tmp_path / "_data"
    data.mkdir()
    mine = "# The authors of this site (Chirpy)\nme:\n  name: 운영자 # the operator\n"
    (data / "authors.yml").write_text(mine, encoding="utf-8")
    PostWriter(tmp_path, PostOptions(authors="chirpy")).write(NAVER)
    written = (data / "authors.yml").read_text(encoding="utf-8")
    assert written.startswith(mine) and yaml.safe_load(written)["뉴시스"]["name"] == "뉴시스"


def test_a_headline_longer_than_any_page_shows_is_cut() -> None:
    title = front_matter(dataclasses.replace(NAVER, headline="가" * 100_000), PostOptions())["title"]
    assert len(title) == TITLE_CHARS + 1 and title.endswith("…")


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("삼성·'갤럭시' 공개", "삼성·‘갤럭시’ 공개"),
        ('…"AI"·"칩" 경쟁', "…“AI”·“칩” 경쟁"),
        ("[단독][영상] 삼성", "[단독][영상] 삼성"),  # only link syntax toward a script is broken
        ("[속보](종합) 발표", "[속보](종합) 발표"),
        ("Data: 2024년 결산", "Data: 2024년 결산"),
    ],
)
def test_ordinary_headlines_show_as_written(title: str, shown: str) -> None:
    assert (
        html.unescape(front_matter(dataclasses.replace(NAVER, headline=title), PostOptions())["title"])
        == shown
    )


@pytest.mark.parametrize(
    ("lead", "line"),
    [
        ("2024. 3. 15. 서울시가", "2024\\. 3. 15. 서울시가"),
        ("- 목록", "\\- 목록"),
        ("$$x$$ 수식", "\\$\\$x\\$\\$ 수식"),
    ],
)
def test_the_lead_in_feature_text_stays_one_paragraph(lead: str, line: str) -> None:
    matter = front_matter(dataclasses.replace(NAVER, subtitle=None, feature_text=lead), PostOptions())
    assert matter["feature_text"].splitlines()[-1] == line
