"""Selectors in parsel's language, evaluated by parsel over the page's one parsed tree.

A selector is parsel's CSS (`h1.heading`, `span.date::text`, `img::attr(title)`) or, where CSS cannot
say it, XPath (any query beginning with `/`, `./` or `(`), exactly as it is tried in `scrapy shell URL`.
A selector that matches elements reads each element's whole text; `::text` reads text nodes and
`::attr(name)` an attribute, as in parsel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple

import lxml.etree
import lxml.html
from cssselect import parse
from cssselect.parser import Attrib, Class, Hash
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

_TRANSLATOR = HTMLTranslator()
# The first step of a translated CSS alternative: the elements of the page its leftmost part tests.
_LEAD_RE = re.compile(r"^descendant-or-self::(?P<tag>\*|[\w-]+)(?=[\[/]|$)")
# What an attribute test implies about the attribute's value: it holds the tested value (`!=` does not).
_HOLDS = {"exists", "=", "~=", "|=", "^=", "$=", "*="}
_NAME_RE = re.compile(r"^[A-Za-z_][\w-]*$")
# The EXSLT prefixes parsel declares for every query
_EXSLT = tuple(Selector._default_namespaces)


def is_xpath(query: str) -> bool:
    return query.lstrip().startswith(("/", "./", "("))


class Compiled(NamedTuple):
    """A query as XPath, whose `$h0`, `$h1`… are the elements holding `hints[0]`, `hints[1]`…"""

    xpath: str
    hints: tuple[tuple[str, str], ...]

    @property
    def evaluator(self) -> lxml.etree.XPath | None:
        """The XPath compiled as parsel compiles it, or None where parsel's own evaluation is kept: an
        EXSLT function (parsel compiles those afresh at each call) or an XPath error (parsel words it)."""
        return _evaluator(self.xpath)


@lru_cache(maxsize=1024)
def compile_query(query: str) -> Compiled:
    """The XPath parsel runs for `query`, made cheap on 300 KB pages: an alternative whose leftmost part
    names a class, an id or an attribute (`.reporter`, `#dic_area`, `[itemprop=articleBody] p`) starts from
    the elements holding that attribute value, read once per tree (`Selection`), instead of testing every
    element of the page; its own tests then run as parsel's. Alternatives stay one union, so matches come
    in document order. libxml2's `id()` index is not used for `#id`: it holds `<a name>` anchors too, and
    one element per id."""
    if is_xpath(query):
        return Compiled(query, ())
    branches: list[str] = []
    hints: list[tuple[str, str]] = []
    for one in parse(query):
        xpath = _TRANSLATOR.selector_to_xpath(one, translate_pseudo_elements=True)
        lead, hint = _LEAD_RE.match(xpath), _hint(one.parsed_tree)
        # `:scope` is the node the query starts from: a holder is not
        if lead is None or hint is None or ":scope" in one.canonical():
            branches.append(xpath)
            continue
        tag = "" if lead["tag"] == "*" else f"[self::{lead['tag']}]"
        branches.append(f"$h{len(hints)}{tag}{xpath[lead.end() :]}")
        hints.append(hint)
    return Compiled(" | ".join(branches), tuple(hints))


@lru_cache(maxsize=1024)
def _evaluator(xpath: str) -> lxml.etree.XPath | None:
    if any(f"{prefix}:" in xpath for prefix in _EXSLT):
        return None
    try:
        return lxml.etree.XPath(xpath, smart_strings=False)
    except lxml.etree.XPathError:
        return None


def _hint(tree: Any) -> tuple[str, str] | None:
    """(attribute, a substring of its value) that every element the leftmost part of a selector matches
    has: its class, its id, or an attribute it tests; None when it tests none of them."""
    while tree is not None:
        if isinstance(tree, Class):
            return ("class", tree.class_name)
        if isinstance(tree, Hash):
            return ("id", tree.id)
        # (an `i` test ignores case: its value is no substring to search for)
        if (
            isinstance(tree, Attrib)
            and tree.operator in _HOLDS
            and _NAME_RE.match(tree.attrib)
            and getattr(tree, "flag", None) is None
        ):
            return (tree.attrib.lower(), str(tree.value.value) if tree.value is not None else "")
        tree = getattr(tree, "selector", None)
    return None


class Selection:
    """A parsed tree, or a detached part of one, to run selectors in parsel's language on: parsel's
    Selector over it (no second parse), and the values of the attributes its queries name, read once.

    Holders are found once per (attribute, value): an element removed from the tree later is still offered
    to the queries, so drop elements only after selecting them all (as blocks_from_element does)."""

    def __init__(self, root: lxml.html.HtmlElement) -> None:
        self.root = root
        self.parsel = Selector(root=root, type="html")
        self._values: dict[str, _Values] = {}
        self._holders: dict[tuple[str, str], list[lxml.html.HtmlElement]] = {}

    def select(self, query: str) -> list[Any]:
        """What `query` matches, in document order: elements, or the strings `::text`/`::attr()` read;
        parsel's results without a Selector made around each."""
        compiled = compile_query(query)
        holders = {f"h{i}": self.holders(*hint) for i, hint in enumerate(compiled.hints)}
        evaluator = compiled.evaluator
        if evaluator is None:
            return [s.root for s in self.parsel.xpath(compiled.xpath, None, **holders)]
        try:
            found = evaluator(self.root, **holders)
        except lxml.etree.XPathError as exc:  # worded as parsel words it
            raise ValueError(f"XPath error: {exc} in {compiled.xpath}") from exc
        return found if isinstance(found, list) else [found]

    def holders(self, attribute: str, value: str) -> list[lxml.html.HtmlElement]:
        """The elements whose `attribute` holds `value` as a substring: a superset of those a class, id
        or attribute test accepts, found in one list of the tree's values (libxml2 tests an attribute of
        every element in a quarter of a microsecond; a 300 KB page has 2,500)."""
        found = self._holders.get((attribute, value))
        if found is None:
            values = self._values.get(attribute)
            if values is None:
                values = self._values[attribute] = _Values(_values_of(attribute)(self.root))
            found = self._holders[(attribute, value)] = values.holding(value)
        return found


class _Values:
    """An attribute's values in a tree, joined into one string to search in C rather than value by value
    in Python (a class name is in a dozen of a page's 2,000 class values)."""

    def __init__(self, values: list[Any]) -> None:
        self.values = values
        self.joined = "\0".join(values)  # no attribute value holds a NUL: XML has no such character

    def holding(self, value: str) -> list[lxml.html.HtmlElement]:
        if not self.values or "\0" in value:  # a NUL would match across two values
            return []
        joined, found, index, counted = self.joined, [], 0, 0
        at = joined.find(value)
        while at >= 0:
            index += joined.count("\0", counted, at)  # the values before the match
            found.append(self.values[index].getparent())
            # on from the next value: an element is found once
            counted = joined.find("\0", at + len(value))
            if counted < 0:
                break
            at = joined.find(value, counted + 1)
        return found


@lru_cache(maxsize=64)
def _values_of(attribute: str) -> lxml.etree.XPath:
    return lxml.etree.XPath(f"descendant-or-self::*/@{attribute}")


def picks_elements(query: str) -> bool:
    """Whether a CSS query picks elements, not text or attributes (XPath is checked on its matches)."""
    return is_xpath(query) or all(s.pseudo_element is None for s in parse(query))


def elements(selection: Selection, query: str) -> list[lxml.html.HtmlElement]:
    """The elements a selector matches; a selector matching text or attributes is a mistake, named."""
    found = selection.select(query)
    if any(isinstance(root, str) for root in found):
        raise ValueError(f"{query!r} reads text or an attribute; it must pick elements")
    return found


def texts(found: Iterable[Any]) -> Iterator[str]:
    """Each match's text: an element's whole text, a text node's or attribute's value."""
    for root in found:
        yield root if isinstance(root, str) else root.text_content()
