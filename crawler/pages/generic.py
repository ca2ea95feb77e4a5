"""The generic article page: structured data first, declared selectors next, trafilatura last.

One method per field (the web-poet shape). A site or CMS subclass declares selectors in parsel's
language (crawler.pages.select) and overrides only the methods the generic reading gets wrong; nothing
here reads settings or does I/O.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar, TypeVar
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from htmldate import find_date

from crawler.items import Block, Image, RawArticle
from crawler.korean.dates import EARLIEST, KST, parse_raw_dates, plausible
from crawler.korean.text import clean_text
from crawler.pages.body import blocks_from_element, blocks_from_trafilatura
from crawler.pages.document import Document, PageError, node_types
from crawler.pages.select import Selection, elements, picks_elements, texts

_SEPARATORS = (
    " | ",
    "|",
    " - ",
    " – ",
    " — ",
    " :: ",
    "::",
    " : ",
    "ㅣ",
    " < ",
    " > ",
    " · ",
    " / ",
    "-",
    ":",
)
_SEPARATOR_CHARS = set("|-–—:：ㅣ<>«»·•/~_")
SECTION_WORDS = frozenset(
    "정치 경제 사회 국제 세계 문화 생활 생활/문화 스포츠 연예 오피니언 IT IT/과학 과학 테크 산업 금융 증권 부동산 전국 사설 칼럼 뉴스 기사 전체기사 기사본문 모바일 "
    "인터넷 게임 보안 반도체 통신 Tech News Business".split()
)
_T = TypeVar("_T")
_PUNCT_RE = re.compile(r"[\W_]+")
_SECTION_KEYS = {_PUNCT_RE.sub("", w).lower() for w in SECTION_WORDS}
# A labelled date and time in the page text, with what follows it (a modified date often does). The time
# matters: footers carry labelled dates too (`등록일 : 2011년 12월 05일`, a newspaper registration).
_LABELED_DATE_RE = re.compile(
    r"(?:기사입력|입력시간|입력|등록일?|승인|송고시간|작성일?|Written|Published|Posted)[\s:：\[]*"
    r"\d{4}\s*[.\-/년]\s*\d{1,2}\s*[.\-/월]\s*\d{1,2}[^\n\]]{0,20}?\d{1,2}\s*[:시]\s*\d{2}[^\n\]]{0,60}"
)
_GENERIC_SUBTITLE = (
    ".subtitle, .sub_title, .sub-title, .article-subtitle, .article_subtitle, .subheading, "
    ".article-head-sub, h2.sub, .media_end_summary"
)
_GENERIC_BYLINE = (
    ".byline, .article-byline, .reporter, .reporter_info, .writer, .journalist, li.info-name, "
    "[itemprop=author] [itemprop=name]"
)
_GENERIC_BODY = "[itemprop=articleBody]"
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "date",
)
_BYLINE_DATE_RE = re.compile(
    r"(?:기자|특파원|에디터)\s*[|│ㅣ·/]?\s*(?P<date>\d{4}[-./]\d{1,2}[-./]\d{1,2}(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?)"
)
# `/2024/05/30/`, `2024-05-30`, and the compact dates many Korean article numbers begin with.
_URL_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})([-/]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])")
# A page's body is at most this long: the longest real articles are a tenth of it, and everything after
# the page layer (cleaning, sentences, the database) then stays bounded whatever a page holds.
MAX_BODY_CHARS = 300_000
# trafilatura's search grows faster than the page: past this many elements the page's own body (or a walk
# of the article's markup) is used without it.
_TRAFILATURA_MAX_ELEMENTS = 20_000
_MIN_BODY_TEXT = 50
_NAME_SUFFIXES = {"", "뉴스", "닷컴", "news", "online", "tv", "com", "kr", "net", "daily", "코리아", "korea"}
_LISTING_PATH_RE = re.compile(
    r"^/?$|^/index\.\w+$|(?:^|/)(?:main|home|index|list|lists|section|sections|category|categories|tag|tags|search"
    r"|archive|archives|author|page)(?:\.\w+)?(?:/[^/]+)?/?$|articleList|section_list|news_list|list\.\w+$",
    re.I,
)
_LIST_NODE_TYPES = {"WebSite", "CollectionPage", "ItemList", "SearchResultsPage"}


# The separators of an HTML token list (ASCII whitespace): a no-break space is part of a token.
_HTML_SPACE_RE = re.compile(r"[ \t\n\f\r]+")


def _key(text: str) -> str:
    return _PUNCT_RE.sub("", text).lower()


def once(method: Callable[[Any], _T]) -> Callable[[Any], _T]:
    """Compute a field method once per page object: other fields read it again (titles, names)."""
    slot = f"_once_{method.__name__}"

    @functools.wraps(method)
    def wrapper(self: Any) -> _T:
        if slot not in self.__dict__:
            self.__dict__[slot] = method(self)
        return self.__dict__[slot]

    return wrapper


class ArticlePage:
    """Reads one article page. Subclasses declare what the generic reading cannot find."""

    url_patterns: ClassVar[tuple[str, ...]] = ()
    source: ClassVar[str | None] = None
    source_name_default: ClassVar[str | None] = None
    headline_selector: ClassVar[str | None] = None
    subtitle_selector: ClassVar[str | None] = None
    body_selector: ClassVar[str | None] = None
    drop_selectors: ClassVar[tuple[str, ...]] = ()
    heading_selectors: ClassVar[tuple[str, ...]] = ()
    byline_selectors: ClassVar[tuple[str, ...]] = ()
    published_selector: ClassVar[str | None] = None
    modified_selector: ClassVar[str | None] = None
    section_selector: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The body, drop and heading selectors pick elements: `::text` there would read nothing, quietly.
        for query in (cls.body_selector, *cls.drop_selectors, *cls.heading_selectors):
            if query and not picks_elements(query):
                raise TypeError(
                    f"{cls.__name__}: {query!r} reads text or an attribute; it must pick elements"
                )

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.tree = doc.tree
        self.selector = Selection(doc.tree)
        nodes = doc.article_nodes()
        self.ld: dict[str, Any] = nodes[0] if nodes else {}

    # -- helpers -------------------------------------------------------------------------------

    def select(self, query: str | None) -> list[str]:
        """What a selector in parsel's language matches, in document order, cleaned, non-empty: each
        element's whole text, or the text nodes (`::text`) or attribute values (`::attr(name)`) read."""
        if not query:
            return []
        found = (clean_text(t) for t in texts(self.selector.select(query)))
        return [t for t in found if t]

    def select_one(self, query: str | None) -> str | None:
        found = self.select(query)
        return found[0] if found else None

    def ld_value(self, key: str) -> Any:
        return self.ld.get(key)

    # -- the fields ----------------------------------------------------------------------------

    def is_article(self) -> bool:
        """Structured signals that this is one article, not a home, section or listing page."""
        if self.doc.article_nodes() or self.doc.meta_first("article:published_time"):
            return True
        og_type = (self.doc.meta_first("og:type") or "").lower()
        if og_type == "article":
            return True
        if self.body_selector:
            # A site that declares its body has no article where that body is missing.
            return self.body_element() is not None
        if self._labeled_date_text():
            return True
        # Without any article markup, only a listing-shaped URL or listing structured data says no:
        # many article pages carry no markup at all (or og:type=website), and validation still checks them.
        if _LISTING_PATH_RE.search(urlsplit(self.doc.url).path):
            return False
        return not any(_LIST_NODE_TYPES & set(node_types(n)) for n in self.doc.jsonld)

    @once
    def source_name(self) -> str | None:
        publisher = self.ld_value("publisher")
        name = publisher.get("name") if isinstance(publisher, dict) else None
        return clean_text(self.doc.meta_first("og:site_name") or name) or self.source_name_default

    def site_names(self) -> set[str]:
        """Names of the site as it decorates titles: og:site_name, publisher, twitter:site, the host."""
        names = {
            self.source_name() or "",
            self.source_name_default or "",
            self.doc.meta_first("application-name") or "",
            (self.doc.meta_first("twitter:site") or "").lstrip("@"),
        }
        host = self.doc.host.removeprefix("www.").removeprefix("m.")
        names |= {host, host.split(".")[0]}
        return {_key(n) for n in names if n and _key(n)}

    def headline(self) -> str | None:
        declared = self.select_one(self.headline_selector)
        structured = clean_text(_first_str(self.ld_value("headline")) or _first_str(self.ld_value("name")))
        titles = [
            clean_text(t)
            for t in (
                self.doc.meta_first("og:title"),
                self.doc.meta_first("title", "headline"),
                self.doc.meta_first("twitter:title"),
                self.tree.findtext(".//title"),
            )
        ]
        titles = [t for t in titles if t]
        primary = declared or structured or (titles[0] if titles else None)
        if not primary:
            return None
        primary = self.strip_decoration(primary)
        h1 = [clean_text(_text(e)) for e in self.tree.iter("h1")]
        wanted = _key(primary)  # a longer candidate replacing the headline has the same key
        for candidate in [c for t in titles for c in _heads(t)] + h1:
            # JSON-LD headlines sometimes lose quotation marks the visible title keeps.
            if len(candidate) > len(primary) and _key(candidate) == wanted:
                primary = candidate
        # The page's own <h1> inside a decorated title ("… : 뉴스 : 동아닷컴"), whatever the separator:
        # the decoration need not be a name we know.
        junk = self._decorations[1]
        for head in h1:
            if _key(head) not in junk and _decorates(primary, head):
                return head
        return primary

    @cached_property
    def _decorations(self) -> tuple[set[str], set[str]]:
        """(site names, every name or section word a title may carry), read once per page."""
        names = self.site_names()
        section = _key(self.section() or "")
        return names, names | _SECTION_KEYS | ({section} if section else set())

    def strip_decoration(self, title: str) -> str:
        """`title` without the site or section name sites add before or after a separator."""
        names, junk = self._decorations
        changed = True
        while changed:
            changed = False
            for sep in _SEPARATORS:
                head, found, tail = title.rpartition(sep)
                if found and head.strip() and _is_decoration(tail, junk, names):
                    title, changed = head.strip(), True
                    break
                head, found, tail = title.partition(sep)
                if found and tail.strip() and _is_decoration(head, junk, names):
                    title, changed = tail.strip(), True
                    break
        return title

    def subtitle(self) -> str | None:
        for found in self.selector.select(self.subtitle_selector or _GENERIC_SUBTITLE):
            lines = [clean_text(found)] if isinstance(found, str) else _lines(found)
            lines = [line for line in lines if line]
            if lines:
                return "\n".join(lines)
        alternative = clean_text(_first_str(self.ld_value("alternativeHeadline")))
        return alternative or None

    def bylines(self) -> list[str]:
        found: list[str] = []
        for spec in self.byline_selectors or (_GENERIC_BYLINE,):
            found += self.select(spec)
        byl = self.doc.meta_first("byl", "dable:author", "dd:author", "author")
        if byl and not byl.startswith("http"):
            found.append(byl)
        return list(dict.fromkeys(found))

    def author_names(self) -> list[str]:
        names: list[str] = []
        authors = self.ld_value("author")
        for author in authors if isinstance(authors, list) else [authors]:
            name = author.get("name") if isinstance(author, dict) else author
            if isinstance(name, str) and clean_text(name):
                names.append(clean_text(name))
        for value in self.doc.meta.get("article:author", []) + self.doc.meta.get("og:article:author", []):
            if value and not value.startswith("http"):
                names.append(clean_text(value))
        return list(dict.fromkeys(names))

    def date_candidates(self) -> Iterator[tuple[str, str]]:
        """Where the page states when it was published, best first, as (source, text): the site's own
        selector, JSON-LD, meta tags, microdata, `<time>`, a labelled date line, a date line by the byline.
        Lazily: the later ones are looked for only when the earlier ones give no usable date."""
        lookups: list[tuple[str, Callable[[], str | None]]] = [
            ("site", lambda: self.select_one(self.published_selector)),
            ("jsonld", lambda: _first_str(self.ld_value("datePublished"))),
            ("meta", lambda: self.doc.meta_first(*_DATE_META)),
            ("microdata", lambda: self._microdata("datePublished")),
            ("time", self._time_element),
            ("text", self._labeled_date_text),
            ("byline", self._byline_date),
        ]
        for source, lookup in lookups:
            value = lookup()
            if value:
                yield source, value

    def date_published(self, fetched_at: datetime) -> tuple[str | None, str | None]:
        """(text, source) of the publication date: the first statement that reads as a date a page can
        have (from 1995 to the fetch); then, on a page marked as an article, htmldate's reading of it, then
        a date in the URL. When none does, the first statement, for validation to say what is wrong."""
        first: tuple[str | None, str | None] = (None, None)
        for source, text in self.date_candidates():
            first = first if first[0] else (text, source)
            if plausible(parse_raw_dates(text, None, fetched_at)[0], fetched_at):
                return text, source
        fallbacks: list[tuple[str, Callable[[], str | None]]] = [
            ("htmldate", lambda: self._htmldate(fetched_at)),
            ("url", lambda: _url_date(self.doc.url)),
        ]
        # Guessing a date is for pages that say they are an article: a listing or home page at an
        # article's address must stay dateless (and be dropped), not become an article.
        for fallback, lookup in fallbacks if self._marked_as_article() else []:
            found = lookup()
            if found and plausible(parse_raw_dates(found, None, fetched_at)[0], fetched_at):
                return found, fallback
        return first

    def date_modified_raw(self) -> str | None:
        return (
            self.select_one(self.modified_selector)
            or _first_str(self.ld_value("dateModified"))
            or self.doc.meta_first(
                "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified"
            )
        )

    def canonical_url(self) -> str | None:
        for link in self.tree.iterfind(".//link[@rel]"):
            if link.get("rel", "").lower() == "canonical" and link.get("href"):
                return urljoin(self.doc.url, link.get("href").strip())
        og_url = self.doc.meta_first("og:url")
        return urljoin(self.doc.url, og_url) if og_url else None

    @once
    def section(self) -> str | None:
        declared = self.select_one(self.section_selector)
        if declared:
            return declared
        section = self.doc.meta_first("article:section") or _first_str(self.ld_value("articleSection"))
        return clean_text(section) or None

    def tags(self) -> list[str]:
        values = self.doc.meta.get("article:tag", []) + self.doc.meta.get("news_keywords", [])
        keywords = self.ld_value("keywords")
        values += keywords if isinstance(keywords, list) else [keywords] if isinstance(keywords, str) else []
        if not values:
            values = self.doc.meta.get("keywords", [])
        tags = [clean_text(t) for value in values for t in str(value).split(",")]
        return list(dict.fromkeys(t for t in tags if t))

    def description(self) -> str | None:
        value = self.doc.meta_first("og:description", "description", "twitter:description") or _first_str(
            self.ld_value("description")
        )
        return clean_text(value) or None

    def body_element(self) -> lxml.html.HtmlElement | None:
        """The element a site declares as its body (`body_selector`), if the page has it: the first in
        document order."""
        found = elements(self.selector, self.body_selector) if self.body_selector else []
        return found[0] if found else None

    def blocks(self) -> list[Block]:
        """A declared body is walked as is; otherwise trafilatura finds the main content, inside the
        microdata `articleBody` when the page marks one (F1 0.980 there, against 0.974 walking it and
        0.952 searching the whole page, on the 28 benchmark pages that have it)."""
        element = self.body_element()
        if element is not None:
            drops = (*self.drop_selectors, *(s for s in (self.subtitle_selector,) if s))
            blocks = blocks_from_element(element, self.doc.url, drops, self.heading_selectors, MAX_BODY_CHARS)
            if sum(len(b.text) for b in blocks) >= _MIN_BODY_TEXT:
                return blocks
        blocks = []
        marked = elements(self.selector, _GENERIC_BODY)
        if marked and _size(marked[0]) > _TRAFILATURA_MAX_ELEMENTS:
            blocks = blocks_from_element(
                marked[0], self.doc.url, self.drop_selectors, self.heading_selectors, MAX_BODY_CHARS
            )
        elif marked:
            blocks = blocks_from_trafilatura(_as_document(marked[0]), self.doc.url)
        if sum(len(b.text) for b in blocks) < _MIN_BODY_TEXT:
            if _size(self.tree) > _TRAFILATURA_MAX_ELEMENTS:
                raise PageError(
                    "page_too_large",
                    f"over {_TRAFILATURA_MAX_ELEMENTS} elements and no article body it declares",
                )
            blocks = blocks_from_trafilatura(self.tree, self.doc.url)
        return blocks

    def main_image(self, blocks: list[Block]) -> Image | None:
        url = self.doc.meta_first("og:image", "twitter:image", "image") or _ld_image(self.ld_value("image"))
        if url:
            url = urljoin(self.doc.url, url)
            for block in blocks:
                if block.image and _same_image(block.image["url"], url):
                    return block.image
            return {"url": url, "caption": None, "credit": None}
        for block in blocks:
            if block.image:
                return block.image
        return None

    def html_lang(self) -> str | None:
        return self.tree.get("lang") or self.doc.meta_first("content-language", "inlanguage", "og:locale")

    def to_raw(self, fetched_at: datetime) -> RawArticle:
        """All fields of the page, or PageError if it is not an article page."""
        if not self.is_article():
            raise PageError("not_an_article", "no article markup (a home, section or listing page?)")
        blocks, cut = self.blocks(), False
        if sum(len(b.text) for b in blocks) > MAX_BODY_CHARS:
            blocks, cut = _cut_blocks(blocks), True
        published_raw, date_source = self.date_published(fetched_at)
        main_image = self.main_image(blocks)
        images = [b.image for b in blocks if b.image]
        if main_image and main_image not in images:
            images.insert(0, main_image)
        return RawArticle(
            url=self.doc.url,
            source=self.source or self.doc.host.removeprefix("www."),
            fetched_at=fetched_at,
            source_name=self.source_name(),
            canonical_url=self.canonical_url(),
            headline=self.headline(),
            subtitle=self.subtitle(),
            bylines=self.bylines(),
            author_names=self.author_names(),
            date_published_raw=published_raw,
            date_source=date_source,
            date_modified_raw=self.date_modified_raw(),
            section=self.section(),
            tags=self.tags(),
            description=self.description(),
            blocks=blocks,
            main_image=main_image,
            images=images,
            html_lang=self.html_lang(),
            cut=cut,
        )

    # -- fallbacks -------------------------------------------------------------------------------

    def _time_element(self) -> str | None:
        for element in self.tree.iterfind(".//time[@datetime]"):
            value = element.get("datetime", "").strip()
            if re.match(r"\d{4}-\d{2}-\d{2}", value):
                return value
        return None

    def _marked_as_article(self) -> bool:
        """The page says it is one article: article markup, a body it declares, or its headline in an
        <h1> (a headline's length: a listing's <h1> is a section's name)."""
        og_type = (self.doc.meta_first("og:type") or "").lower()
        if self.doc.article_nodes() or og_type == "article" or self.body_element() is not None:
            return True
        if elements(self.selector, _GENERIC_BODY):
            return True
        headline = _key(self.headline() or "")
        return len(headline) >= 12 and any(_key(_text(h1)) == headline for h1 in self.tree.iter("h1"))

    def _microdata(self, prop: str) -> str | None:
        """A microdata property's value; `itemprop` may list several (`datePublished dateCreated`). Read
        from the page's `itemprop` values, which its selectors read once."""
        for element in self.selector.holders("itemprop", prop):
            if prop not in _HTML_SPACE_RE.split(element.get("itemprop", "")):
                continue
            value = element.get("content") or element.get("datetime") or _text(element)
            if clean_text(value):
                return clean_text(value)
        return None

    def _byline_date(self) -> str | None:
        """A bare date line by the reporter's name (`이용민 기자 |` then `2020-03-04 16:52:59`), as mobile
        pages and small CMSs print it."""
        match = _BYLINE_DATE_RE.search(self._page_text)
        return match.group("date") if match else None

    def _htmldate(self, fetched_at: datetime) -> str | None:
        # htmldate cleans the tree it is given: a copy (no second parse), and only when all else failed.
        try:
            return find_date(
                copy.deepcopy(self.tree),
                extensive_search=True,
                original_date=True,
                outputformat="%Y-%m-%d %H:%M:%S",
                url=self.doc.url,
                min_date=EARLIEST.replace(tzinfo=None),
                max_date=fetched_at.astimezone(KST).replace(tzinfo=None),
            )
        except (ValueError, TypeError):
            return None

    @cached_property
    def _page_text(self) -> str:
        return self.tree.text_content()

    def _labeled_date_text(self) -> str | None:
        match = _LABELED_DATE_RE.search(self._page_text)
        return clean_text(match.group(0)) if match else None


def _heads(title: str) -> list[str]:
    """`title` and each part of it before a separator: where a cleaner headline may stand undecorated."""
    heads = [title]
    for sep in _SEPARATORS:
        position = title.find(sep)
        while position > 0:
            heads.append(title[:position].strip())
            position = title.find(sep, position + 1)
    return heads


def _decorates(title: str, head: str) -> bool:
    """`title` is `head` with a shorter decoration joined by a separator, before or after it."""
    if len(head) < 6 or title == head:
        return False
    if title.startswith(head):
        rest = title[len(head) :].strip()
        return bool(rest) and rest[0] in _SEPARATOR_CHARS and len(rest) < len(head)
    if title.endswith(head):
        rest = title[: -len(head)].strip()
        return bool(rest) and rest[-1] in _SEPARATOR_CHARS and len(rest) < len(head)
    return False


def _is_decoration(part: str, junk: set[str], names: set[str]) -> bool:
    """A site or section name, or the two together ("매일경제 IT", "네이버 뉴스"), not a headline's words."""
    key = _key(part)
    if not key:
        return False
    if key in junk:
        return True
    for name in names:
        if name and name in key:
            rest = key.replace(name, "", 1)
            if rest in _NAME_SUFFIXES or rest in junk:
                return True
    return False


def _text(element: lxml.html.HtmlElement) -> str:
    return element.text_content() if hasattr(element, "text_content") else str(element)


def _lines(element: lxml.html.HtmlElement) -> list[str]:
    element = _copy(element)
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in element.iter("p", "div", "li"):
        block.tail = "\n" + (block.tail or "")
    return [line for line in (clean_text(x) for x in element.text_content().split("\n")) if line]


def _copy(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A detached copy to cut up, leaving the page's tree whole for the other fields."""
    copied = copy.deepcopy(element)
    copied.tail = None
    return copied


def _size(element: lxml.html.HtmlElement) -> int:
    # counted by libxml2: iterating in Python makes an object of every element (5x the time)
    return int(element.xpath("count(descendant-or-self::*)"))


def _as_document(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """`element` alone in a document of its own, copied, not parsed again."""
    root = lxml.html.Element("html")
    lxml.etree.SubElement(root, "body").append(copy.deepcopy(element))
    return root


def _cut_blocks(blocks: list[Block]) -> list[Block]:
    kept, length = [], 0
    for block in blocks:
        length += len(block.text)
        if length > MAX_BODY_CHARS:
            break
        kept.append(block)
    return kept


def _url_date(url: str) -> str | None:
    match = _URL_DATE_RE.search(urlsplit(url).path + "?" + urlsplit(url).query)
    return f"{match.group(1)}-{match.group(3)}-{match.group(4)}" if match else None


def _first_str(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id")
    return value if isinstance(value, str) else None


def _ld_image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) else None


def _same_image(a: str, b: str) -> bool:
    return (
        urlsplit(a).path.rsplit("/", 1)[-1].split(".")[0] == urlsplit(b).path.rsplit("/", 1)[-1].split(".")[0]
    )
