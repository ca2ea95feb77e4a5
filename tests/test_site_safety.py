"""Hostile pages crawled into posts leave nothing live in a built site.

SYNTHETIC PAGES: the hostile article pages below are written here, not captured; each carries one hostile
string in every field a page states (title, og:title, description, JSON-LD headline, author, keywords,
section, image). They are crawled through the public path (`scrapy crawl generic -a url=…` against the
replay server on 127.0.0.1), the posts are built by a real `jekyll build` into a probe site whose layouts
print every front-matter key the ways themes of the family do (raw into HTML, escaped, into an attribute,
through `markdownify`, into an Atom feed and a JSON search index), and every built file is searched for
anything the scraped text made live.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html

from crawler.replay import ReplayServer, Resource
from exports.jekyll import _LINK_RE, _START_SCHEME_RE, inert, safe_url
from tests.crawling import crawl_command

ROOT = Path(__file__).parents[1]
HOST = "https://hostile.example.com"
HOSTILE = [
    '<script>alert("XSS")</script>',
    '<img src=x onerror=alert("XSS")>',
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)' x='",
    "[클릭](javascript:alert(1))",
    "![사진](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<http://evil.example/payload>",
    "[참조][1]\n\n[1]: javascript:alert(1)",
    '{: onclick="alert(1)"}',
    "{::nomarkdown}<script>alert(1)</script>{:/}",
    "{{ site.title }} {% raw %} 리퀴드",
    "---\nlayout: evil\n---",
    "</title><script>alert(1)</script>",
    '\\", "injected": "json',
    "]]></title><script>alert(1)</script><![CDATA[",
    "\u202eevil\u202c 양방향 \u2066제어\u2069 문자\u200f",
    "&lt;script&gt;alert(1)&lt;/script&gt; R&D",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<a href="javascript:alert(1)">링크</a>',
    'x" autofocus onfocus="alert(3)',
    "javascript:alert(1)",
    "1,000",
    "0:30",
    "\ud800 깨진 문자",
    # split by emphasis, which a first Markdown pass removes and a second reads again
    "[클릭*]*(javascript:alert(1))",
    "[참조] [x*]*: javascript:alert(1) [x]",
    "*j*avascript:alert(1)",
    "{*:*.cls #id}",
]
IMAGES = [
    "javascript:alert(1)",
    "data:image/svg+xml;base64,PHN2Zy8+",
    'https://img.example.com/a.jpg" onerror="alert(1)',
    "//evil.example/x.jpg",
    "https://img.example.com/사진 (1).jpg",
]
PARAGRAPHS = [
    "서울시가 인공지능 기반 교통 신호 체계를 도입한다고 2일 밝혔다. 시는 내년까지 주요 교차로에 새 체계를 설치한다.",
    "시 관계자는 출퇴근 시간 정체가 크게 줄어들 것으로 기대한다고 말했다. 시민 의견도 함께 듣기로 했다.",
    "교통 정책의 변화가 시민 생활에 미치는 영향을 살펴보는 토론회도 다음 달 열린다.",
]


def hostile_page(n: int, text: str) -> bytes:
    """A synthetic article whose every stated field is `text` (see the module docstring)."""
    image = IMAGES[n % len(IMAGES)]
    paragraphs = [f"{n}번 기사. {PARAGRAPHS[0]}", f"{PARAGRAPHS[1]} {text}", PARAGRAPHS[2]]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": text,
        "description": text,
        "datePublished": f"2026-11-{1 + n:02d}T10:00:00+09:00",
        "author": [{"@type": "Person", "name": text}],
        "image": image,
        "keywords": [text, "보안"],
        "articleSection": text,
    }
    # A lone surrogate can only stand in JSON-LD's escapes (`\\ud800`), as CMSs that cut by UTF-16 write it.
    e = lambda value: html.escape(re.sub("[\\ud800-\\udfff]", "", value))  # noqa: E731
    body = "".join(f"<p>{e(p)}</p>" for p in paragraphs)
    ld = json.dumps(data).replace("</", "<\\/")
    return f"""<!DOCTYPE html><!-- SYNTHETIC hostile page, tests/test_site_safety.py -->
<html lang="ko"><head><meta charset="utf-8"><title>{e(text)}</title>
<meta property="og:type" content="article"><meta property="og:title" content="{e(text)}">
<meta property="og:image" content="{e(image)}"><meta name="description" content="{e(text)}">
<meta property="og:site_name" content="{e(text)}"><meta property="article:section" content="{e(text)}">
<script type="application/ld+json">{ld}</script></head>
<body><article><h1>{e(text)}</h1><p class="byline">{e(text)} 기자</p>
<div itemprop="articleBody">{body}</div></article></body></html>""".encode()


KEYS = ["title", "excerpt", "feature_text", "author", "byline", "source", "categories", "tags"]
URL_KEYS = ["image", "feature_image", "article_image", "source_url"]
# Every key the ways themes print it; data-k marks our own elements, so anything else is the post's.
POST_LAYOUT = (
    """<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>{{ page.title }}</title>
<meta property="og:title" content="{{ page.title }}"><meta name="description" content='{{ page.excerpt }}'>
<meta property="og:image" content="{{ page.image }}"></head><body>
<img data-k="image" src="{{ page.image }}" alt="{{ page.title }}">
<img data-k="feature_image" src={{ page.feature_image }}>
<img data-k="article_image" src='{{ page.article_image }}'>
<a data-k="source_url" href="{{ page.source_url }}">{{ page.source }}</a>
"""
    + "".join(
        f'<div data-k="{k}-raw">{{{{ page.{k} }}}}</div><div data-k="{k}-escaped">{{{{ page.{k} | escape }}}}</div>'
        f'<span data-k="{k}-attr" title="{{{{ page.{k} }}}}" data-single=\'{{{{ page.{k} }}}}\'></span>'
        f'<div data-k="{k}-md">{{{{ page.{k} | markdownify }}}}</div>'
        # what Minimal Mistakes prints into its pagination links, and a smartified attribute
        f'<span data-k="{k}-mdattr" title="{{{{ page.{k} | markdownify | strip_html }}}}"'
        f' data-smart="{{{{ page.{k} | smartify }}}}"></span>'
        for k in KEYS
    )
    + """<a data-k="title-href" href="{{ page.title }}">제목 링크</a>
<script data-k="inline">var post = {"title": "{{ page.title }}", "excerpt": "{{ page.excerpt }}"};</script>
<main data-k="content">{{ content }}</main></body></html>
"""
)
INDEX = """---
layout: null
---
<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>목록</title></head><body><ul data-k="list">
{% for post in site.posts %}<li><a href="{{ post.url | relative_url }}">{{ post.title }}</a> {{ post.excerpt }}
<img src="{{ post.image }}" alt="{{ post.title }}"></li>{% endfor %}</ul></body></html>
"""
FEED = """---
layout: null
---
<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>probe</title>
{% for post in site.posts %}<entry><title>{{ post.title }}</title><summary>{{ post.excerpt }}</summary>
<author><name>{{ post.author }}</name></author><link href="{{ post.source_url }}"/>
<category term="{{ post.categories | first }}"/></entry>{% endfor %}</feed>
"""
# A Markdown page: what a theme prints into it is read as Markdown once more.
MARKDOWN_LIST = """---
layout: null
---
{% for post in site.posts %}
- {{ post.title | smartify }} {{ post.feature_text | markdownify | strip_html }}
{% endfor %}
"""
SEARCH = """---
layout: null
---
[{% for post in site.posts %}{"title": "{{ post.title }}", "excerpt": "{{ post.excerpt }}", "author": "{{ post.author }}",
"image": "{{ post.image }}", "url": "{{ post.url }}"}{% unless forloop.last %},{% endunless %}{% endfor %}]
"""
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "background", "xlink:href", "data"}
LIVE_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "base",
    "form",
    "frame",
    "link",
    "meta",
}


def jekyll_or_skip() -> str:
    jekyll = shutil.which("jekyll")
    if jekyll is None:
        if os.environ.get("CI"):
            pytest.fail("jekyll is not installed in CI: .ci/run installs Debian's jekyll package")
        pytest.skip("jekyll is not installed here (apt-get install jekyll)")
    return jekyll


def build(jekyll: str, site: Path, destination: Path) -> str:
    done = subprocess.run(
        [jekyll, "build", "--source", str(site), "--destination", str(destination), "--safe", "--trace"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done.stdout + done.stderr


def live_in(page: Path) -> list[str]:
    """What in a built page the post's text made live: elements, attributes or URLs of its own."""
    found = []
    tree = lxml_html.fromstring(page.read_bytes())
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"<{element.tag} {name}=…> in {page.name}")
            if name.lower() in URL_ATTRIBUTES and re.match(r"\s*(?:javascript|data|vbscript):", value, re.I):
                found.append(f"<{element.tag} {name}={value!r}> in {page.name}")
        ours = element.get("data-k") is not None or element.tag in {"html", "head", "body", "title"}
        if element.tag in LIVE_TAGS and not ours and element.tag != "meta":
            found.append(f"<{element.tag}> in {page.name}")
        if element.tag == "meta" and element.get("http-equiv"):
            found.append(f"<meta http-equiv> in {page.name}")
        key = (element.get("data-k") or "").rsplit("-", 1)
        if len(key) == 2 and key[1] in {"raw", "escaped", "attr"} and len(element):
            found.append(f"markup inside {element.get('data-k')} in {page.name}")
        if len(key) == 2 and key[1] == "md" and any(c.tag in {"a", "img", "script"} for c in element.iter()):
            found.append(f"a link or image made by markdownify in {element.get('data-k')} in {page.name}")
    return found


def crawl_hostile(settings: dict[str, object]) -> subprocess.CompletedProcess[str]:
    """Every hostile page crawled through `scrapy crawl generic`, from a replay server of them."""
    pages = {f"{HOST}/news/{n}": Resource(hostile_page(n, text)) for n, text in enumerate(HOSTILE)}
    with ReplayServer(pages) as server:
        return subprocess.run(
            crawl_command("generic", {**settings, "NEWS_REPLAY_URL": server.url}, [f"url={','.join(pages)}"]),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )


@pytest.fixture(scope="module")
def crawled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    jekyll_or_skip()
    tmp = tmp_path_factory.mktemp("hostile")
    site = tmp / "site"
    settings = {
        "DATABASE_URL": f"sqlite:///{tmp / 'news.sqlite3'}",
        "NEWS_JEKYLL_SITE": site,
        "NEWS_LOCK_DIR": tmp / "locks",
        "NEWS_STATS_FILE": tmp / "stats.json",
        "AUTOTHROTTLE_ENABLED": False,
        "NEWS_JEKYLL_INCLUDE_DUPLICATES": True,  # every hostile post goes onto the site
        "NEWS_SITE_IMAGE": "",  # each post's image is the page's own (hostile) one
        "NEWS_SITE_AUTHORS": "chirpy",
    }
    done = crawl_hostile(settings)
    assert done.returncode == 0, done.stderr[-3000:]
    stats = json.loads((tmp / "stats.json").read_text())
    assert stats["news/jekyll/new"] == len(HOSTILE), stats
    # The pages' own images that are not http(s) URLs were left out and counted.
    import sqlite3

    with sqlite3.connect(tmp / "news.sqlite3") as db:
        mains = [url for (url,) in db.execute("SELECT url FROM images WHERE is_main")]
    assert stats.get("news/jekyll/dropped_url/image", 0) == sum(safe_url(u) is None for u in mains) > 0
    (site / "_layouts").mkdir()
    (site / "_layouts" / "post.html").write_text(POST_LAYOUT, encoding="utf-8")
    (site / "_config.yml").write_text(
        "title: 프로브\ndefaults:\n  - scope: {path: ''}\n    values: {layout: post}\n"
    )
    (site / "index.html").write_text(INDEX, encoding="utf-8")
    (site / "feed.xml").write_text(FEED, encoding="utf-8")
    (site / "search.json").write_text(SEARCH, encoding="utf-8")
    (site / "list.md").write_text(MARKDOWN_LIST, encoding="utf-8")
    build(jekyll_or_skip(), site, tmp / "_site")
    return tmp / "_site"


def test_nothing_hostile_is_live_in_any_built_page(crawled_site: Path) -> None:
    pages = sorted(crawled_site.rglob("*.html"))
    assert len(pages) == len(HOSTILE) + 2  # the posts, the index and the Markdown list
    assert [finding for page in pages for finding in live_in(page)] == []


def test_the_feed_and_the_search_index_stay_well_formed(crawled_site: Path) -> None:
    feed = etree.fromstring((crawled_site / "feed.xml").read_bytes())
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == len(HOSTILE)
    assert all(len(e.find("{http://www.w3.org/2005/Atom}title")) == 0 for e in entries)  # text only
    index = json.loads((crawled_site / "search.json").read_text(encoding="utf-8"))
    assert len(index) == len(HOSTILE) and all(
        set(row) == {"title", "excerpt", "author", "image", "url"} for row in index
    )


def test_readers_see_the_scraped_characters_as_written(crawled_site: Path) -> None:
    """Where the theme prints a title raw, the browser shows the page's own characters (quotes as
    typographic quotes)."""
    shown = set()
    for page in crawled_site.rglob("*.html"):
        tree = lxml_html.fromstring(page.read_bytes())
        shown.update(e.text_content() for e in tree.iter() if e.get("data-k") == "title-raw")
    assert {
        "<script>alert(“XSS”)</script>",
        "“><svg onload=alert(1)>",
        "&lt;script&gt;alert(1)&lt;/script&gt; R&D",
        "1,000",  # Jekyll's YAML would read these as numbers if they were not quoted
        "0:30",
    } <= shown


def test_liquid_and_yaml_in_scraped_text_print_literally(crawled_site: Path) -> None:
    built = "\n".join(p.read_text(encoding="utf-8") for p in crawled_site.rglob("*.html"))
    assert "프로브 &#123;% raw %&#125; 리퀴드" not in built and "프로브 {% raw %}" not in built
    titles = [lxml_html.fromstring(p.read_bytes()).findtext(".//title") for p in crawled_site.rglob("*.html")]
    assert "{{ site.title }} {% raw %} 리퀴드" in titles
    assert "--- layout: evil ---" in titles


@pytest.mark.parametrize("text", HOSTILE)
def test_inert_text_loads_back_from_yaml_and_shows_its_characters(text: str) -> None:
    written = inert(text)
    assert yaml.safe_load(yaml.safe_dump({"t": written}, allow_unicode=True))["t"] == written
    assert not re.search(r"[<>\"'`{}\\\\]", written)
    assert not _LINK_RE.search(written) and not _START_SCHEME_RE.search(written)
    visible = " ".join(re.sub(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]", " ", text).split())
    assert shows(html.unescape(written), visible)


def shows(written: str, original: str) -> bool:
    """`written` is `original` character for character, or the typographic or full-width twin of one."""
    twins = {'"': "“”", "'": "‘’", "(": "（", "[": "［", ":": "：", "{": "｛"}
    return len(written) == len(original) and all(
        w == o or w in twins.get(o, "") for w, o in zip(written, original, strict=True)
    )


@pytest.mark.parametrize("url", IMAGES)
def test_a_url_value_is_http_or_a_site_path_and_cannot_leave_an_attribute(url: str) -> None:
    safe = safe_url(url)
    if url.startswith("https://"):
        assert safe is not None and not re.search(r"[\s\"'<>()`\\\\]", safe)
    else:
        assert safe is None
