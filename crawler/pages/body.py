"""Article bodies as blocks: from a declared element, or from trafilatura's main-content output."""

from __future__ import annotations

import copy
import re
from urllib.parse import urljoin

import lxml.etree
import lxml.html
import trafilatura

from crawler.items import Block, Image
from crawler.korean.boilerplate import split_caption
from crawler.korean.text import clean_text
from crawler.pages.select import Selection, elements

_BLOCK_TAGS = frozenset(
    "p div section article main header footer aside ul ol li dl dt dd blockquote table tr "
    "figure pre center h1 h2 h3 h4 h5 h6 hr address details summary".split()
)
_SKIP_TAGS = frozenset(
    "script style noscript iframe button form input select textarea svg video audio object "
    "embed template nav link meta canvas map".split()
)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_CAPTION_CLASS_RE = re.compile(r"caption|desc|(?:^|[-_ ])cap(?:$|[-_ ])|photo_?txt|img_?txt|figcaption", re.I)
_FURNITURE_RE = re.compile(
    r"(?:^|[/._-])(?:ads?|adserver|banners?|delivery|pixel|tracker|logo|icons?|btn|button|spacer|blank)(?:[/._?-]|$)",
    re.I,
)
# trafilatura deletes these itself before its search, but after copying the page (three times over) and
# handing readability the whole of it: pruned from its first copy (its `prune_xpath`), it walks less for
# the same text (its text is the same on all 154 pages of bench.speed). Not a nav, aside or footer that may
# be the article: with a paragraph, or 1,000 characters (an unclosed <nav> holds the rest of the page, a
# mislabelled <aside> the story; readability and jusText find it there). Taking them all would save 15%,
# and lost such bodies whole. Of the head, what no body is read from (trafilatura reads JSON-LD for
# forum threads and its baseline). Inline SVG icons hold 3% of a page's elements and no prose; but an
# <svg> left unclosed (or `<svg class=icon/>`, whose slash is the value's) holds the rest of the page in
# libxml2's tree, so one holding HTML blocks or 100 characters (no icon's label is longer) stays. Scripts
# and styles last, so an <svg> is measured with its <style> as trafilatura would see it (readability's
# output holding an <svg> sends it to jusText): trafilatura's cleaning, readability, baseline and
# page-length measure delete them first, and its recall retry, which may return its copy from before
# cleaning, returned their code as the story's text. `//nav` is a walk matching a name, `//*[self::nav]`
# evaluates a predicate on every element.
_SMALL = "[string-length(normalize-space()) < 1000][not(.//p[string-length(normalize-space()) > 80])]"
_NEVER_CONTENT = [
    f"//nav{_SMALL} | //aside{_SMALL} | //footer{_SMALL}",
    "/html/head/*[not(self::title or self::script[@type='application/ld+json'])]",
    "//svg[not(.//p or .//div or .//article or .//section or .//table or .//li)]"
    "[string-length(normalize-space()) < 100]",
    "//script[not(@type='application/ld+json')] | //style",
]
_HEADING_MARK = "data-news-heading"
_IMG_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-url", "src")


def blocks_from_element(
    root: lxml.html.HtmlElement,
    base_url: str,
    drop: tuple[str, ...] = (),
    headings: tuple[str, ...] = (),
    max_chars: int | None = None,
) -> list[Block]:
    """Walk a body element into paragraphs, headings, list items, quotes and captioned images, up to
    `max_chars` of text (the walk stops there, so a huge body costs no more than a long one).

    `drop` selectors remove elements first; `headings` mark site-specific subheading elements. Both are
    matched on the body as written (a drop does not change what another selector matches). The page's
    tree is left whole: what must be cut up is copied first.
    """
    if drop or headings:
        root = copy.deepcopy(root)
        root.tail = None
    selection = Selection(root)
    # every selector reads the body as written: all are matched before anything is dropped
    dropped = [e for query in drop for e in elements(selection, query) if e is not root]
    for element in (e for query in headings for e in elements(selection, query)):
        element.set(_HEADING_MARK, "")
    for element in dropped:
        if element.getparent() is not None:  # an element two selectors match is dropped once
            element.drop_tree()
    captions = _captions(root)
    walker = _Walker(base_url, captions, max_chars)
    tail, root.tail = root.tail, None  # the text after the body is not the body's
    try:
        walker.walk(root)
    finally:
        root.tail = tail
    walker.flush()
    return walker.blocks


def _captions(root: lxml.html.HtmlElement) -> dict[lxml.html.HtmlElement, lxml.html.HtmlElement]:
    """Map each image to its caption element, searching up to three ancestors around it."""
    found: dict[lxml.html.HtmlElement, lxml.html.HtmlElement] = {}
    used: set[lxml.html.HtmlElement] = set()
    for img in root.iter("img"):
        node = img
        for _ in range(3):
            parent = node.getparent()
            if parent is None or node is root:
                break
            node = parent
            for candidate in node.iter("figcaption", "em", "p", "span", "div", "td", "dd", "strong"):
                if candidate in used or candidate is img:
                    continue
                if candidate.tag == "figcaption" or _CAPTION_CLASS_RE.search(candidate.get("class") or ""):
                    found[img] = candidate
                    used.add(candidate)
                    break
            if img in found:
                break
    return found


class _Walker:
    def __init__(
        self,
        base_url: str,
        captions: dict[lxml.html.HtmlElement, lxml.html.HtmlElement],
        max_chars: int | None = None,
    ) -> None:
        self.base_url = base_url
        self.budget = max_chars if max_chars is not None else float("inf")
        self.captions = captions
        self.skip = set(captions.values())
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.kind = "p"

    def flush(self) -> None:
        text = clean_text("".join(self.buffer))
        if text:
            self.blocks.append(Block(self.kind, text))
            self.budget -= len(text)
        self.buffer = []
        self.kind = "p"

    def walk(self, element: lxml.html.HtmlElement) -> None:
        if self.budget < 0:
            return
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIP_TAGS or element in self.skip or not tag:
            self._tail(element)
            return
        if tag == "br":
            self.flush()
        elif tag == "img":
            self._image(element)
        else:
            block = tag in _BLOCK_TAGS
            if block:
                self.flush()
            if tag in _HEADINGS or element.get(_HEADING_MARK) is not None:
                self.kind = "h"
            elif tag == "li":
                self.kind = "li"
            elif tag == "blockquote":
                self.kind = "quote"
            if element.text:
                self.buffer.append(element.text)
            for child in element:
                self.walk(child)
            if tag in {"td", "th"}:
                self.buffer.append(" ")
            if block:
                self.flush()
        self._tail(element)

    def _tail(self, element: lxml.html.HtmlElement) -> None:
        if element.tail:
            self.buffer.append(element.tail)

    def _image(self, element: lxml.html.HtmlElement) -> None:
        image = image_from(element, self.captions, self.base_url)
        if image is not None:
            self.flush()
            self.blocks.append(Block("img", image=image))


def image_from(
    element: lxml.html.HtmlElement,
    captions: dict[lxml.html.HtmlElement, lxml.html.HtmlElement],
    base_url: str,
) -> Image | None:
    """An <img> as {url, caption, credit}; lazy-loading attributes first, `data:` placeholders skipped."""
    src = next((element.get(a) for a in _IMG_SRC_ATTRS if element.get(a)), None)
    if not src or src.startswith("data:") or _is_furniture(element, src):
        return None
    caption_element = captions.get(element)
    raw_caption = clean_text(caption_element.text_content()) if caption_element is not None else ""
    caption, credit = split_caption(raw_caption or clean_text(element.get("alt")))
    return {"url": urljoin(base_url, src.strip()), "caption": caption or None, "credit": credit}


def _is_furniture(element: lxml.html.HtmlElement, src: str) -> bool:
    """Ad pixels, banners, logos and icons: tiny by their attributes, or named so in their URL."""
    for attr in ("width", "height"):
        value = (element.get(attr) or "").removesuffix("px")
        if value.isdigit() and int(value) < 60:
            return True
    return bool(_FURNITURE_RE.search(src))


def images_around(tree: lxml.html.HtmlElement, blocks: list[Block], base_url: str) -> list[Block]:
    """The photos of the element that holds both the first and the last extracted paragraph."""
    texts = [b.text for b in blocks if b.kind == "p"]
    if not texts:
        return []
    ends = _source_elements(tree, texts[0], texts[-1])
    if ends is None:
        return []
    container = _common_ancestor(*ends)
    if container is None or container.tag in {"html", "body"}:
        return []
    captions = _captions(container)
    images = (image_from(img, captions, base_url) for img in container.iter("img"))
    return [Block("img", image=image) for image in images if image is not None]


_TEXTS = lxml.etree.XPath("//body//text()", smart_strings=False)
_TEXT_AT = lxml.etree.XPath("(//body//text())[$position]")


def _source_elements(
    tree: lxml.html.HtmlElement, first: str, last: str
) -> tuple[lxml.html.HtmlElement, lxml.html.HtmlElement] | None:
    """The elements holding the first text node with the longest word of `first`, and of `last`. The text
    nodes are searched as plain strings: libxml2's `contains()` copies every node's text to test it."""
    texts = _TEXTS(tree)
    found = []
    for text in (first, last):
        word = max(text.split(), key=len)
        position = next((i for i, node in enumerate(texts, 1) if word in node), None)
        if position is None:
            return None
        found.append(_TEXT_AT(tree, position=position)[0].getparent())
    return found[0], found[1]


def _common_ancestor(a: lxml.html.HtmlElement, b: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    ancestors = {id(x) for x in a.iterancestors()} | {id(a)}
    for node in (b, *b.iterancestors()):
        if id(node) in ancestors:
            return node
    return None


_TRAFILATURA_KIND = {
    "head": "h",
    "quote": "quote",
    "h1": "h",
    "h2": "h",
    "h3": "h",
    "h4": "h",
    "blockquote": "quote",
}
_OUTPUT_BLOCKS = {
    "p",
    "div",
    "head",
    "list",
    "table",
    "quote",
    "section",
    "article",
    "h1",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
}


def blocks_from_trafilatura(tree: lxml.html.HtmlElement, url: str) -> list[Block]:
    """The main content found by trafilatura (the best-measured extractor) in `tree` less its navigation,
    sidebars and footers, as blocks, after the photos around it in `tree` (`images_around`).

    Images are not asked of trafilatura: with them it keeps more page furniture (F1 0.918 against 0.953
    on the benchmark).
    """
    # trafilatura works on a copy of its own: the pruning happens there, the page stays whole
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        prune_xpath=_NEVER_CONTENT,
    )
    body = getattr(document, "body", None)  # a Document unless as_dict is asked for
    if body is None:
        return []
    blocks: list[Block] = []
    _add_text(blocks, "p", body.text)
    _walk_output(body, blocks)
    return images_around(tree, blocks, url) + blocks


def _walk_output(parent: lxml.etree._Element, blocks: list[Block], kind: str = "p") -> None:
    """trafilatura's XML (p, head, list/item, quote, table/row/cell, hi, ref, lb) in document order."""
    for child in parent:
        tag = child.tag
        if tag == "list":
            for item in child.iter("item"):
                _add_text(blocks, "li", " ".join(t for t in item.xpath("text()|*[not(self::list)]//text()")))
        elif tag == "table":
            for row in child.iter("row"):
                _add_text(blocks, kind, " | ".join(clean_text(cell.xpath("string()")) for cell in row))
        elif tag == "quote" and any(c.tag in {"p", "list", "head"} for c in child):
            _add_text(blocks, "quote", child.text)
            _walk_output(child, blocks, "quote")
        elif any(c.tag in _OUTPUT_BLOCKS for c in child):
            # trafilatura's fallback extractors return plain HTML containers (div > p)
            _add_text(blocks, kind, child.text)
            _walk_output(child, blocks, kind)
        elif tag != "lb":
            for line in _lines_of(child):
                _add_text(blocks, _TRAFILATURA_KIND.get(tag, kind), line)
        _add_text(blocks, kind, child.tail)


def _lines_of(element: lxml.etree._Element) -> list[str]:
    """The text of an output element, split where trafilatura kept a line break (<lb/>)."""
    lines, current = [], [element.text or ""]
    for node in element.iterdescendants():
        if node.tag == "lb":
            lines.append(" ".join(current))
            current = []
        else:
            current.append(node.text or "")
        current.append(node.tail or "")
    lines.append(" ".join(current))
    return lines


def _add_text(blocks: list[Block], kind: str, text: str | None) -> None:
    text = clean_text(text)
    if text:
        blocks.append(Block(kind, text))
