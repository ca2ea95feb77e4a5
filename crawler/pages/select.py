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
from typing import Any

import lxml.html
from cssselect import parse
from cssselect.parser import Class, Hash
from parsel import Selector, SelectorList
from parsel.csstranslator import HTMLTranslator

_TRANSLATOR = HTMLTranslator()
_ANY = "descendant-or-self::*"
# An alternative that tests one element: its tag (or any), its one predicate, and what parsel's
# pseudo-elements add (`::text`, `::attr(name)`).
_ONE_ELEMENT_RE = re.compile(
    r"^descendant-or-self::(?P<tag>\*|[\w-]+)(?:\[(?P<test>.*)\])?(?P<suffix>/text\(\)|/@[\w:-]+)?$"
)


def is_xpath(query: str) -> bool:
    return query.lstrip().startswith(("/", "./", "("))


@lru_cache(maxsize=1024)
def to_xpath(query: str) -> str:
    """The XPath parsel would run for `query`, made cheap on 300 KB pages: the alternatives that each test
    one element (`em.byline`, `.reporter`, `h2.sub`), reading the same pseudo-element, become a single
    walk of the page instead of one each; the others stay as they are, in the same union (so matches
    still come in document order). A lone alternative is left alone (`em.x` walks only `em`s). libxml2's
    `id()` index is not used for `#id`: it holds `<a name>` anchors too, and one element per id."""
    if is_xpath(query):
        return query
    parsed = parse(query)
    branches = [_TRANSLATOR.selector_to_xpath(s, translate_pseudo_elements=True) for s in parsed]
    if len(branches) == 1:
        return branches[0]
    walks: dict[str, list[tuple[str, tuple[str, str] | None]]] = {}
    others: list[str] = []
    for branch, one in zip(branches, parsed, strict=True):
        found = _ONE_ELEMENT_RE.match(branch)
        if found is None or "/" in (found["test"] or "") or "][" in (found["test"] or ""):
            others.append(branch)
            continue
        tag, test = found["tag"], found["test"]
        own = f"self::{tag}" if tag != "*" else ""
        walks.setdefault(found["suffix"] or "", []).append(
            (" and ".join(f"({t})" for t in (own, test) if t) or "true()", _hint(one.parsed_tree))
        )
    merged = [
        f"{_ANY}{_sieve([h for _, h in tests])}[{' or '.join(f'({t})' for t, _ in tests)}]{suffix}"
        for suffix, tests in walks.items()
    ]
    return " | ".join(merged + others)


def _sieve(hints: list[tuple[str, str] | None]) -> str:
    """Most elements fail every alternative of a walk: a cheap test each alternative implies turns them
    away before the exact class tests run (a quarter of the time on real pages). A class `subtitle`
    implies the substring `sub` another alternative already asks for, so only the shortest are kept."""
    known = [hint for hint in hints if hint is not None]
    if len(hints) < 2 or len(known) < len(hints):
        return ""
    classes = {value for kind, value in known if kind == "class"}
    kept = sorted(c for c in classes if not any(o != c and o in c for o in classes))
    tests = [f"contains(@class, '{c}')" for c in kept]
    tests += [f"@id = '{value}'" for kind, value in known if kind == "id"]
    only_classes = all(kind == "class" for kind, _ in known)
    return f"[@class][{' or '.join(tests)}]" if only_classes else f"[{' or '.join(tests)}]"


def _hint(tree: Any) -> tuple[str, str] | None:
    """What every element a compound selector matches has, cheap to test: ("class", one of its classes)
    or ("id", its id); None when it names neither."""
    while tree is not None:
        if isinstance(tree, Class) and "'" not in tree.class_name:
            return ("class", tree.class_name)
        if isinstance(tree, Hash) and "'" not in tree.id:
            return ("id", tree.id)
        tree = getattr(tree, "selector", None)
    return None


def picks_elements(query: str) -> bool:
    """Whether a CSS query picks elements, not text or attributes (XPath is checked on its matches)."""
    return is_xpath(query) or all(s.pseudo_element is None for s in parse(query))


def selector(root: lxml.html.HtmlElement) -> Selector:
    """parsel's Selector over an already parsed tree (or a detached part of one): no second parse."""
    return Selector(root=root, type="html")


def select(sel: Selector, query: str) -> SelectorList[Selector]:
    return sel.xpath(to_xpath(query))


def elements(sel: Selector, query: str) -> list[lxml.html.HtmlElement]:
    """The elements a selector matches; a selector matching text or attributes is a mistake, named."""
    found = [s.root for s in select(sel, query)]
    if any(isinstance(root, str) for root in found):
        raise ValueError(f"{query!r} reads text or an attribute; it must pick elements")
    return found


def texts(found: SelectorList[Selector]) -> Iterator[str]:
    """Each match's text: an element's whole text, a text node's or attribute's value."""
    for s in found:
        root = s.root
        yield root if isinstance(root, str) else root.text_content()
