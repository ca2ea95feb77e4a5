"""Article bodies as blocks: from a declared element, or from trafilatura's main-content output."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin

import lxml.html
import trafilatura
from lxml.cssselect import CSSSelector

from crawler.items import Block, Image
from crawler.korean.boilerplate import split_caption
from crawler.korean.text import clean_text

_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "table",
    "tr",
    "figure",
    "pre",
    "center",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "address",
    "details",
    "summary",
}
_SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "iframe",
    "button",
    "form",
    "input",
    "select",
    "textarea",
    "svg",
    "video",
    "audio",
    "object",
    "embed",
    "template",
    "nav",
    "link",
    "meta",
    "canvas",
    "map",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_CAPTION_CLASS_RE = re.compile(r"caption|desc|(?:^|[-_ ])cap(?:$|[-_ ])|photo_?txt|img_?txt|figcaption", re.I)
_HEADING_MARK = "data-news-heading"
_IMG_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-url", "src")


@lru_cache(maxsize=512)
def css(selector: str) -> CSSSelector:
    return CSSSelector(selector)


def blocks_from_element(
    root: lxml.html.HtmlElement,
    base_url: str,
    drop: tuple[str, ...] = (),
    headings: tuple[str, ...] = (),
) -> list[Block]:
    """Walk a body element into paragraphs, headings, list items, quotes and captioned images.

    `drop` selectors remove elements first; `headings` mark site-specific subheading elements.
    """
    for selector in drop:
        for element in css(selector)(root):
            if element is not root:
                element.drop_tree()
    for selector in headings:
        for element in css(selector)(root):
            element.set(_HEADING_MARK, "")
    captions = _captions(root)
    walker = _Walker(base_url, captions)
    walker.walk(root)
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
    def __init__(self, base_url: str, captions: dict[lxml.html.HtmlElement, lxml.html.HtmlElement]) -> None:
        self.base_url = base_url
        self.captions = captions
        self.skip = set(captions.values())
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.kind = "p"

    def flush(self) -> None:
        text = clean_text("".join(self.buffer))
        if text:
            self.blocks.append(Block(self.kind, text))
        self.buffer = []
        self.kind = "p"

    def walk(self, element: lxml.html.HtmlElement) -> None:
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
        src = next((element.get(a) for a in _IMG_SRC_ATTRS if element.get(a)), None)
        if not src or src.startswith("data:"):
            return
        caption_element = self.captions.get(element)
        raw_caption = clean_text(caption_element.text_content()) if caption_element is not None else ""
        caption, credit = split_caption(raw_caption or clean_text(element.get("alt")))
        self.flush()
        image: Image = {
            "url": urljoin(self.base_url, src.strip()),
            "caption": caption or None,
            "credit": credit,
        }
        self.blocks.append(Block("img", image=image))


_TRAFILATURA_KIND = {"head": "h", "item": "li", "quote": "quote"}


def blocks_from_trafilatura(tree: lxml.html.HtmlElement, url: str) -> list[Block]:
    """The main content found by trafilatura (the best-measured extractor), as blocks."""
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=False, include_comments=False, include_images=True, include_tables=True
    )
    body = getattr(document, "body", None)  # a Document unless as_dict is asked for
    if body is None:
        return []
    blocks: list[Block] = []
    for element in body.iter("p", "head", "item", "quote", "graphic", "row"):
        if element.tag == "graphic":
            src = element.get("src")
            if src:
                caption, credit = split_caption(clean_text(element.get("title") or element.get("alt")))
                image: Image = {"url": urljoin(url, src), "caption": caption or None, "credit": credit}
                blocks.append(Block("img", image=image))
            continue
        if element.tag == "quote" and len(element):
            continue
        if element.tag == "row":
            text = " | ".join(clean_text(cell.xpath("string()")) for cell in element)
        else:
            if (
                element.getparent() is not None
                and element.getparent().tag in {"item", "cell"}
                and element.tag == "p"
            ):
                continue
            text = clean_text(" ".join(element.itertext()))
        if text:
            blocks.append(Block(_TRAFILATURA_KIND.get(element.tag, "p"), text))
    return blocks
