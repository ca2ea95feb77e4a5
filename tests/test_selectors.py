"""Page selectors are parsel's language: what a page class declares gives, on the page's one parsed tree,
exactly what `scrapy shell URL` gives for the same string."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from cssselect import SelectorSyntaxError
from hypothesis import given, settings
from hypothesis import strategies as st
from parsel import Selector

from crawler.korean.text import clean_text
from crawler.offline import saved_pages
from crawler.pages import ArticlePage, page_class_for
from crawler.pages import generic as generic_module
from crawler.pages.document import load
from crawler.pages.select import Selection, compile_query, elements, is_xpath
from crawler.pages.sites import SITE_PAGES
from crawler.replaysite import CLOCK, MODELS

FIXTURES = Path(__file__).parent / "fixtures"
GENERIC = [
    getattr(generic_module, name) for name in ("_GENERIC_SUBTITLE", "_GENERIC_BYLINE", "_GENERIC_BODY")
]


def declared(cls: type[ArticlePage]) -> list[str]:
    """Every selector a page class declares: its `*_selector` and `*_selectors` attributes."""
    found: list[str] = []
    for name in dir(cls):
        value = getattr(cls, name)
        if name.endswith("_selector") and value:
            found.append(value)
        elif name.endswith("_selectors"):
            found.extend(value)
    return found


def as_shell_reads(html: str, query: str) -> list[str]:
    """What a developer reads in `scrapy shell` for `query`: parsel's own parse of the page, its
    `.css()` or `.xpath()`, each element's whole text or each text/attribute value."""
    page = Selector(text=html)
    found = page.xpath(query) if is_xpath(query) else page.css(query)
    values = [s.get() if isinstance(s.root, str) else s.xpath("string()").get() for s in found]
    return [v for v in (clean_text(v) for v in values) if v]


PAGES = [(p.url, p.body, p.headers) for p in saved_pages(FIXTURES) if p.url]
# The sites with no real capture (ndsoft's skins, inews24) are read on their models, written from
# SITES-2026 (synthetic pages, crawler.replaysite).
MODEL_PAGES = [
    (story.url, story.resource.body, dict(story.resource.headers))
    for model in MODELS.values()
    for story in model(CLOCK, 2, CLOCK.date()).stories
    if story.resource.status == 200
]


@pytest.mark.parametrize(
    ("url", "body", "headers"), PAGES + MODEL_PAGES, ids=[p[0] for p in PAGES + MODEL_PAGES]
)
def test_declared_selectors_read_what_scrapy_shell_reads(url: str, body: bytes, headers: dict) -> None:
    doc = load(url, body, headers)
    cls = page_class_for(url)
    reader = cls(doc)
    html = body.decode(doc.encoding, errors="replace")
    for query in dict.fromkeys(declared(cls) + GENERIC):
        assert reader.select(query) == as_shell_reads(html, query), query


def test_every_page_override_is_read_on_a_page() -> None:
    read = {page_class_for(url) for url, _, _ in PAGES + MODEL_PAGES}
    assert set(SITE_PAGES) <= read


def test_every_site_declares_selectors_parsel_accepts_and_the_old_at_attr_form_is_refused() -> None:
    empty = Selector(text="<html><body></body></html>")
    queries = [q for cls in SITE_PAGES for q in declared(cls)]
    assert len(queries) > 20
    for query in queries:
        empty.xpath(query) if is_xpath(query) else empty.css(query)
    with pytest.raises(SelectorSyntaxError):
        compile_query("span._ARTICLE_DATE_TIME@data-date-time")


SYNTHETIC = """<html><body>
<div class="b" id="x"><span class="a">first <em>one</em></span></div>
<p class="a" title="t1">second</p>
<img class="logo" alt="alt-only"><img class="logo" title="titled" alt="alt2">
<h1 class="heading">Head <b>line</b> tail</h1>
</body></html>"""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # alternatives come in document order, whichever the group names first (one walk)
        (".b, .a", ["first one", "first one", "second"]),
        ("p.a::attr(title), span.a::attr(title)", ["t1"]),
        (".logo::attr(title)", ["titled"]),
        (".logo::attr(alt), .nothing::attr(alt)", ["alt-only", "alt2"]),
        # `::text` is the element's own text nodes, as in parsel; no pseudo-element reads the whole text
        ("h1.heading::text", ["Head", "tail"]),
        ("h1.heading", ["Head line tail"]),
        ("#x span", ["first one"]),
        ("//h1/b/text()", ["line"]),
        ("(//img)[2]/@alt", ["alt2"]),
        ("li:contains('none')", []),
        # EXSLT regular expressions, as parsel declares them; an XPath whose value is a string
        ("//p[re:test(@title, '^t[0-9]$')]/text()", ["second"]),
        ("(string(//h1))", ["Head line tail"]),
    ],
)
def test_queries_read_as_parsel_reads_them(query: str, expected: list[str]) -> None:
    doc = load("https://example.com/a", SYNTHETIC.encode(), None)
    assert ArticlePage(doc).select(query) == expected
    assert as_shell_reads(SYNTHETIC, query) == expected


def test_an_alternative_naming_a_class_id_or_attribute_starts_from_the_elements_holding_it() -> None:
    compiled = compile_query(".a, h2.b::text, #c p, [itemprop=author] [itemprop=name], h1, [x!=y]")
    branches = compiled.xpath.split(" | ")
    assert compiled.hints == (("class", "a"), ("class", "b"), ("id", "c"), ("itemprop", "author"))
    assert branches[0].startswith("$h0[")
    assert branches[1].startswith("$h1[self::h2][") and branches[1].endswith("/text()")
    assert branches[2].startswith("$h2[@id = 'c']/")
    # no attribute value every match holds: the whole page is tested, as parsel does
    assert branches[4:] == ["descendant-or-self::h1", "descendant-or-self::*[not(@x) or @x != 'y']"]
    assert compile_query("//p[@class='a']") == ("//p[@class='a']", ())


@pytest.mark.parametrize(
    ("html", "query"),
    [
        ('<div itemprop="ArticleBody"><p>본문</p></div>', "[itemprop=articlebody i]"),
        ('<p data-x="V">1</p><p data-x="v">2</p>', '[data-x="v" i]'),
        ('<div class="a"><p>y</p></div>', ".a:scope > p"),
        ('<p class="a">x</p>', ".a:scope"),
    ],
)
def test_a_case_blind_or_scope_test_is_not_a_value_to_search(html: str, query: str) -> None:
    doc = load("https://example.com/a", f"<html><body>{html}</body></html>".encode(), None)
    assert compile_query(query).hints == ()
    assert ArticlePage(doc).select(query) == as_shell_reads(f"<html><body>{html}</body></html>", query)


def test_holders_are_a_superset_the_query_narrows() -> None:
    """`sub` is in `subtitle`: the holders of a substring are more than a class test accepts."""
    html = '<html><body><p class="subtitle">x</p><p class="sub">y</p><p class="a sub b">z</p></body></html>'
    doc = load("https://example.com/a", html.encode(), None)
    selection = Selection(doc.tree)
    assert len(selection.holders("class", "sub")) == 3
    assert ArticlePage(doc).select(".sub") == ["y", "z"] == as_shell_reads(html, ".sub")
    assert ArticlePage(doc).select("[class^=sub]") == ["x", "y"] == as_shell_reads(html, "[class^=sub]")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(alphabet="ab -\n", max_size=6)), max_size=8),
    st.text(alphabet="ab -\n\0", max_size=3),
)
def test_holders_are_the_elements_whose_value_holds_the_substring(
    classes: list[str | None], value: str
) -> None:
    """The values are searched joined: a match across two values is none, an element is found once."""
    root = lxml.html.Element("div")
    for name in classes:
        child = lxml.html.Element("p")
        if name is not None:
            child.set("class", name)
        root.append(child)
    expected = [e for e in root.iter() if e.get("class") is not None and value in e.get("class")]
    assert Selection(root).holders("class", value) == expected


@pytest.mark.parametrize("query", ["//p[$undeclared]", "//x:p", "ns|p"])
def test_a_selector_failing_when_run_is_refused_as_parsel_refuses_it(query: str) -> None:
    root = lxml.html.fromstring("<html><body><p class='a'>x</p></body></html>")
    with pytest.raises(ValueError, match="XPath error"):
        Selection(root).select(query)
    with pytest.raises(ValueError, match="XPath error"):
        Selector(root=root).xpath(compile_query(query).xpath)


ANCHORS = """<html><body><a name="story">anchor</a><div id="story">body</div>
<p id="twice">one</p><p id="twice">two</p></body></html>"""


@pytest.mark.parametrize(("query", "expected"), [("#story", ["body"]), ("#twice", ["one", "two"])])
def test_an_id_reads_the_elements_that_have_it_not_anchors_of_that_name(
    query: str, expected: list[str]
) -> None:
    """libxml2's id index holds `<a name>` anchors and one element per id; CSS means neither."""
    doc = load("https://example.com/a", ANCHORS.encode(), None)
    assert ArticlePage(doc).select(query) == expected == as_shell_reads(ANCHORS, query)


def test_drop_selectors_work_on_a_detached_copy_without_touching_the_page() -> None:
    doc = load("https://example.com/a", SYNTHETIC.encode(), None)
    body = doc.tree.find(".//body")
    copied = Selection(body.__copy__())
    assert [e.tag for e in elements(copied, "#x, p.a")] == ["div", "p"]
    assert [e.tag for e in elements(Selection(doc.tree), "#x")] == ["div"]


@pytest.mark.parametrize("declared", ["body_selector", "drop_selectors", "heading_selectors"])
def test_an_element_selector_reading_text_is_refused_where_it_is_declared(declared: str) -> None:
    """`::text` or `::attr` in a selector that picks elements would read nothing, quietly: a CSS one is
    refused when the class is defined, an XPath one on the first page it matches."""
    query = "div.story::text"
    value = query if declared == "body_selector" else (query,)
    with pytest.raises(TypeError, match="must pick elements"):
        type("Wrong", (ArticlePage,), {declared: value})
    doc = load("https://example.com/a", SYNTHETIC.encode(), None)
    with pytest.raises(ValueError, match="must pick elements"):
        elements(Selection(doc.tree), "//p/text()")


README = Path(__file__).parents[1] / "README.md"


def _adding_a_site() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("### Adding a site", 1)[1].split("\n**Dates.**", 1)[0]


def test_the_readme_shows_the_site_as_its_code_declares_it() -> None:
    from crawler.pages.sites.yna import YonhapPage
    from crawler.spiders.base import NewsSpider
    from crawler.spiders.yna import YnaSpider

    shown: dict = {"NewsSpider": NewsSpider, "ArticlePage": ArticlePage}
    blocks = re.findall(r"```python\n(.*?)```", _adding_a_site(), re.S)
    assert len(blocks) == 2
    for block in blocks:
        exec(block, shown)  # the README's own example, run to compare it with the code
    for name, real in (("YnaSpider", YnaSpider), ("YonhapPage", YonhapPage)):
        declared_here = {k: v for k, v in vars(shown[name]).items() if not k.startswith("__")}
        assert declared_here and all(getattr(real, k) == v for k, v in declared_here.items()), name


def test_the_readme_shell_command_reads_the_byline_from_the_saved_page() -> None:
    command = re.search(r"(\.venv/bin/scrapy shell (?:[^\n]*\\\n)*[^\n]*)\n# ([^\n]*)\n", _adding_a_site())
    assert command
    args = shlex.split(command.group(1).replace("\\\n", " "))
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", *args[1:]],
        cwd=README.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == command.group(2)
