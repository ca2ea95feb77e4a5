"""Selectors in parsel's language, evaluated by parsel over the page's one parsed tree.

A selector is parsel's CSS (`h1.heading`, `span.date::text`, `img::attr(title)`) or, where CSS cannot
say it, XPath (any query beginning with `/`, `./` or `(`), exactly as it is tried in `scrapy shell URL`.
A selector that matches elements reads each element's whole text; `::text` reads text nodes and
`::attr(name)` an attribute, as in parsel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import lxml.html
from cssselect import parse
from parsel import Selector, SelectorList
from parsel.csstranslator import HTMLTranslator

_TRANSLATOR = HTMLTranslator()
_ANY = "descendant-or-self::*"
# What parsel's pseudo-elements add to an element's XPath: `::text` and `::attr(name)`.
_PSEUDO_RE = re.compile(r"/(?:text\(\)|@[\w:-]+)$")
_ID_STEP_RE = re.compile(r"^descendant-or-self::\*\[@id = '([^']+)'\]")


def is_xpath(query: str) -> bool:
    return query.lstrip().startswith(("/", "./", "("))


@lru_cache(maxsize=1024)
def to_xpath(query: str, whole_document: bool = False) -> str:
    """The XPath parsel would run for `query`, made cheap on 300 KB pages: alternatives that each test
    one element (and read the same pseudo-element) become a single walk, and, for queries of a whole
    parsed page, `#id` steps use the parser's id index (which knows nothing of detached copies, hence
    the flag)."""
    if is_xpath(query):
        return query
    branches = [_TRANSLATOR.selector_to_xpath(s, translate_pseudo_elements=True) for s in parse(query)]
    suffixes = {m.group(0) if (m := _PSEUDO_RE.search(b)) else "" for b in branches}
    if len(branches) > 1 and len(suffixes) == 1:
        suffix = suffixes.pop()
        tests = [b[len(_ANY) + 1 : len(b) - len(suffix) - 1] for b in branches]
        if all(
            b.startswith(f"{_ANY}[") and b.endswith(f"]{suffix}") and "/" not in t
            for b, t in zip(branches, tests, strict=True)
        ):
            return f"{_ANY}[{' or '.join(f'({t})' for t in tests)}]{suffix}"
    if whole_document:
        branches = [_ID_STEP_RE.sub(r"id('\1')", b) for b in branches]
    return " | ".join(branches)


def selector(root: lxml.html.HtmlElement) -> Selector:
    """parsel's Selector over an already parsed tree (or a detached part of one): no second parse."""
    return Selector(root=root, type="html")


def select(sel: Selector, query: str, whole_document: bool = False) -> SelectorList[Selector]:
    return sel.xpath(to_xpath(query, whole_document))


def elements(sel: Selector, query: str, whole_document: bool = False) -> list[lxml.html.HtmlElement]:
    """The elements a selector matches (text or attribute matches are left out)."""
    return [s.root for s in select(sel, query, whole_document) if not isinstance(s.root, str)]


def texts(found: SelectorList[Selector]) -> Iterator[str]:
    """Each match's text: an element's whole text, a text node's or attribute's value."""
    for s in found:
        root = s.root
        yield root if isinstance(root, str) else root.text_content()
