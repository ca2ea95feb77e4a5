"""Reading discovery documents: RSS/Atom feeds, sitemaps (with Google News fields) and listing pages.

Pure functions over bytes, so they are tested without the engine. Scrapy's own sitemap parser keeps only
the direct children of `<url>`, which loses `news:publication_date` and `news:title`; these keep them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from scrapy.utils.gz import gunzip

from crawler.korean.dates import KST, parse_date
from crawler.pages.document import PageError, parse_html

# Sitemaps can be large; refuse entity tricks, allow big trees.
_XML_PARSER = lxml.etree.XMLParser(resolve_entities=False, recover=True, huge_tree=True, no_network=True)
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_LISTING_DATE_RE = re.compile(
    r"(\d{4})\s*[.\-/년]\s*(\d{1,2})\s*[.\-/월]\s*(\d{1,2})\s*일?\.?"
    r"(?:\s*(?:\([월화수목금토일]\))?\s*(AM|PM|오전|오후)?\s*(\d{1,2}):(\d{2}))?",
    re.IGNORECASE,
)
# Lists that print recent items without a year (ndsoft's altlist skin, Yonhap): `MM-DD HH:MM`.
_YEARLESS_RE = re.compile(r"(?<![\d\-/])(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2})(?![\d:])")
_AFTERNOON = {"pm", "오후"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One article a discovery document points at, with what it says about it."""

    url: str
    published: datetime | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A sitemap index (`sitemaps`) or a URL set (`entries`)."""

    sitemaps: list[Entry]
    entries: list[Entry]


def _local(tag: object) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def _root(body: bytes) -> lxml.etree._Element | None:
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
    try:
        return lxml.etree.fromstring(body.strip(), parser=_XML_PARSER)
    except lxml.etree.XMLSyntaxError:
        return None


def feed_date(text: str | None) -> datetime | None:
    """A feed's or an API's date: RFC 822, ISO 8601, or a Korean form; a date without a zone is Seoul's."""
    if not text or not text.strip():
        return None
    text = text.strip()
    try:
        value = parsedate_to_datetime(text)  # RFC 822, as RSS writes it
    except (TypeError, ValueError, IndexError):
        return parse_date(text, reject_future=False)
    return value if value.tzinfo else value.replace(tzinfo=KST)


def _child(element: lxml.etree._Element, *names: str) -> lxml.etree._Element | None:
    for child in element:
        if _local(child.tag) in names:
            return child
    return None


def _text(element: lxml.etree._Element, *names: str) -> str | None:
    child = _child(element, *names)
    return child.text.strip() if child is not None and child.text else None


def parse_feed(body: bytes, base_url: str) -> list[Entry]:
    """The items of an RSS 2.0, RSS 1.0 or Atom feed, newest information first as the feed lists them."""
    root = _root(body)
    if root is None:
        return []
    entries = []
    for item in root.iter():
        name = _local(item.tag)
        if name == "item":
            link = _text(item, "link") or _text(item, "guid")
            published = _text(item, "pubDate", "date", "published", "updated")
        elif name == "entry":
            link = _atom_link(item)
            published = _text(item, "published", "updated", "issued")
        else:
            continue
        if link:
            entries.append(Entry(urljoin(base_url, link.strip()), feed_date(published), _text(item, "title")))
    return entries


def _atom_link(entry: lxml.etree._Element) -> str | None:
    links = [c for c in entry if _local(c.tag) == "link" and c.get("href")]
    for link in links:
        if link.get("rel", "alternate") == "alternate":
            return link.get("href")
    return links[0].get("href") if links else None


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    """A sitemap (plain or gzip): its child sitemaps, or its URLs with lastmod and Google News fields."""
    root = _root(body)
    if root is None:
        return Sitemap([], [])
    sitemaps, entries = [], []
    for node in root:
        name = _local(node.tag)
        loc = _text(node, "loc")
        if not loc:
            continue
        url = urljoin(base_url, loc)
        if name == "sitemap":
            sitemaps.append(Entry(url, feed_date(_text(node, "lastmod"))))
        elif name == "url":
            news = _child(node, "news")
            published = feed_date(_text(news, "publication_date")) if news is not None else None
            title = _text(news, "title") if news is not None else None
            entries.append(Entry(url, published or feed_date(_text(node, "lastmod")), title))
    return Sitemap(sitemaps, entries)


def listing_entries(
    html: bytes | str, base_url: str, patterns: Iterable[re.Pattern[str]], now: datetime | None = None
) -> list[Entry]:
    """Article links of a listing page, in page order, each with the date printed beside it if any.

    A link's item is the largest box around it that holds no other article's link (an `li`, a `div` of a
    card, a table row: whatever the skin uses). Its date is read where the item says when: a `<time>`, an
    element named for a date, time or info line, and only then anywhere in the item, a date with a time
    before one without (a summary's prose may name other days). A date printed without a year is the
    latest such day not after `now` (the fetch). A link whose item is `hidden` or styled `display:none`
    (a list's template row) is no entry.
    """
    try:
        tree = parse_html(html)
    except PageError:
        return []
    patterns = list(patterns)
    now = (now or datetime.now(KST)).astimezone(KST)
    links: list[tuple[lxml.html.HtmlElement, str]] = []
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(base_url, href.strip())
        if any(p.search(url) for p in patterns):
            links.append((anchor, url))
    owners = _items(links)
    seen: dict[str, Entry] = {}
    for anchor, url in links:
        item = owners[anchor]
        if url in seen or _hidden(anchor):
            continue
        seen[url] = Entry(url, _item_date(item, now), " ".join(anchor.text_content().split()) or None)
    return list(seen.values())


def _items(
    links: list[tuple[lxml.html.HtmlElement, str]],
) -> dict[lxml.html.HtmlElement, lxml.html.HtmlElement]:
    """Each link's item: climbing from the link while the box above holds links to this article only, and
    no higher than its list row (`li`, `tr`, `article`, `dd`) where it has one: a list of one article must
    not take the page's own header for its item."""
    urls_under: dict[lxml.html.HtmlElement, set[str]] = {}
    for anchor, url in links:
        for node in (anchor, *anchor.iterancestors()):
            urls_under.setdefault(node, set()).add(url)
    owners = {}
    for anchor, url in links:
        item = anchor
        for parent in anchor.iterancestors():
            if urls_under[parent] != {url} or parent.tag in ("body", "html"):
                break
            item = parent
            if parent.tag in _ROWS:
                break
        owners[anchor] = item
    return owners


def _hidden(anchor: lxml.html.HtmlElement) -> bool:
    """The link, or its own list row, is hidden: a list's template row. (A hidden tab or carousel hides
    the box around its items, which are real links: those are kept.)"""
    row = next(anchor.iterancestors("li", "article", "tr", "dd"), None)
    for node in (anchor, row) if row is not None else (anchor,):
        style = (node.get("style") or "").replace(" ", "").lower()
        if node.get("hidden") is not None or "display:none" in style:
            return True
    return False


_ROWS = ("li", "tr", "article", "dd")
_DATED_PLACE_RE = re.compile(r"date|time|day|info|byline|writer|meta|stamp", re.I)


def _item_date(item: lxml.html.HtmlElement, now: datetime) -> datetime | None:
    if item.tag == "a":
        return None
    for time in item.iter("time"):
        # A machine-readable date, with its time and zone: read as a feed's date is.
        stated = feed_date(time.get("datetime"))
        if stated:
            return stated
    places = [
        _text_of(e)
        for e in item.iter()
        if isinstance(e.tag, str) and _DATED_PLACE_RE.search(f"{e.get('class', '')} {e.get('id', '')}")
    ]
    for text in [*places, _text_of(item)]:
        found = _date_in(text, now)
        if found:
            return found
    return None


def _text_of(element: lxml.html.HtmlElement) -> str:
    # Apart, so that two table cells (`2024.5.3` and `12:00`) do not run into one date.
    return " ".join(element.itertext())


def _date_in(text: str, now: datetime) -> datetime | None:
    """A date with its time, else a year-less date with its time, else a date alone."""
    full = list(_LISTING_DATE_RE.finditer(text))
    short = _YEARLESS_RE.search(text)
    timed = next((m for m in full if m.group(5) is not None), None)
    try:
        if timed is None and short is not None:
            mm, dd, hh, mi = map(int, short.groups())
            moment = datetime(now.year, mm, dd, hh, mi, tzinfo=KST)
            # December's items read in January belong to the year before.
            return moment if moment <= now + timedelta(days=1) else moment.replace(year=now.year - 1)
        match = timed or (full[0] if full else None)
        if match is None:
            return None
        year, month, day, noon, hour, minute = match.groups()
        hours = int(hour or 0)
        if noon:  # 12 AM is midnight, 12 PM noon
            hours = hours % 12 + (12 if noon.lower() in _AFTERNOON else 0)
        return datetime(int(year), int(month), int(day), hours, int(minute or 0), tzinfo=KST)
    except ValueError:
        return None
