"""Bytes to a parsed document: charset decision, HTML parsing, meta tags and JSON-LD, once per page."""

from __future__ import annotations

import codecs
import html
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from extruct.jsonld import JsonLdExtractor
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

logger = logging.getLogger(__name__)

# No id index: no query reads it (`#id` is an attribute test, crawler.pages.select), and building it
# costs 4% of the parse.
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
# The same for UTF-8 bytes: its encoding wins over what the page's <meta> says.
_UTF8_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, encoding="utf-8"
)
# lxml.html picks each element's class in Python, once per element proxy (a tenth of the page layer's time);
# a fixed class is picked in C. Only <form>, <input>, <select>, <textarea> and <label> lose their helpers.
for _parser in (_PARSER, _UTF8_PARSER):
    _parser.set_element_class_lookup(
        lxml.etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"RIFF", b"OggS")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_HTML_MARK_RE = re.compile(r"<\s*(?:html|head|body|div|p|meta|title|article)\b", re.IGNORECASE)
_NON_HTML_TYPES = (
    "image/",
    "audio/",
    "video/",
    "font/",
    "application/pdf",
    "application/zip",
    "application/octet-stream",
    "application/json",
)
_KOREAN_LEGACY = {"cp949", "euc_kr", "euc-kr", "ks_c_5601-1987", "uhc"}
_JSONLD = JsonLdExtractor()
_JSONLD_TYPE = "application/ld+json"
ARTICLE_TYPES = frozenset(
    "NewsArticle Article ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle "
    "BackgroundNewsArticle ReviewNewsArticle BlogPosting TechArticle Report LiveBlogPosting "
    "SatiricalArticle ScholarlyArticle".split()
)


class PageError(Exception):
    """A page that cannot give an article; `reason` is a short stats-friendly word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Document:
    url: str
    encoding: str
    tree: lxml.html.HtmlElement
    meta: dict[str, list[str]] = field(default_factory=dict)
    jsonld: list[dict[str, Any]] = field(default_factory=list)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    def meta_first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value.strip()
        return None

    def article_nodes(self) -> list[dict[str, Any]]:
        return [node for node in self.jsonld if ARTICLE_TYPES & set(node_types(node))]


def load(url: str, body: bytes, headers: Mapping[str, Any] | None = None) -> Document:
    """Decode and parse one response body, or raise PageError with the reason it is not a page."""
    content_type = _header(headers, "Content-Type")
    if not body or not body.strip():
        raise PageError("empty", "no bytes in the response body")
    if content_type and _essence(content_type).startswith(_NON_HTML_TYPES):
        raise PageError("not_html", f"Content-Type {content_type}")
    if body.startswith(_BINARY_MAGIC) or body[:4096].count(b"\x00") > 8:
        raise PageError("not_html", "binary content")
    encoding, text = decode(body, content_type)
    if not _HTML_MARK_RE.search(text[:20000]):
        raise PageError("not_html", "no HTML markup")
    # a replacement character may be one decode put there: those pages are parsed from the text
    tree = parse_html(text, utf8=body if encoding == "utf-8" and "\ufffd" not in text else None)
    return Document(url=url, encoding=encoding, tree=tree, meta=_meta(tree), jsonld=_jsonld(tree))


def parse_html(
    html: str | bytes, content_type: str | None = None, utf8: bytes | None = None
) -> lxml.html.HtmlElement:
    """An HTML tree from text, or from bytes decoded as `decode` decides; PageError if it has none.

    `utf8`: the text's own UTF-8 bytes, parsed as they are when the text needs no repair (libxml2 reads
    UTF-8 bytes in seven eighths of the time it takes for a str it must convert first)."""
    text = decode(html, content_type)[1] if isinstance(html, bytes) else html
    if utf8 is not None and "\x00" not in text and not _XML_DECL_RE.match(text):
        source: str | bytes = utf8.removeprefix(codecs.BOM_UTF8)
        parser = _UTF8_PARSER
    else:
        # lxml refuses text that declares an encoding, and NUL bytes end its parse early.
        source, parser = _XML_DECL_RE.sub("", text.replace("\x00", ""), count=1), _PARSER
    try:
        return lxml.html.document_fromstring(source, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise PageError("unparseable", str(exc)) from exc


def decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    """(encoding, text): the declared charset, unless the bytes prove it wrong.

    Archived Korean pages often declare EUC-KR while the bytes are UTF-8, and servers send
    `charset=utf-8` over CP949 bytes; a strict decode settles it. EUC-KR is read as CP949, its superset.
    """
    # What the page says (BOM, then HTTP header, then <meta>), read without decoding the whole body.
    bom, _ = read_bom(body)
    said = bom or http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    declared = resolve_encoding(said or "utf-8") or "utf-8"
    candidates = [declared]
    if declared in _KOREAN_LEGACY:
        candidates.insert(0, "utf-8")
    candidates += [enc for enc in ("utf-8", "cp949") if enc not in candidates]
    for encoding in candidates:
        try:
            return encoding, body.decode(encoding).removeprefix("\ufeff")
        except (UnicodeDecodeError, LookupError):
            continue
    return declared, body.decode(declared, errors="replace")


def _header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name) or headers.get(name.lower())
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value


def _meta(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key and content is not None:
            meta.setdefault(key.strip().lower(), []).append(html.unescape(content))
    return meta


def _jsonld(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    # by tag in C, the type tested only on scripts: an XPath tests every element of the page
    for script in (s for s in tree.iter("script") if _is_jsonld(s.get("type"))):
        try:
            # extruct's reading of one script (its public call selects scripts by the exact type only);
            # JSON nested past Python's recursion limit is as unreadable as broken JSON
            items = [item for item in _JSONLD._extract_items(script) if item]
        except (ValueError, RecursionError):
            logger.debug("unreadable JSON-LD block skipped")
            continue
        for item in items:
            nodes.extend(_flatten(item))
    return nodes


def _is_jsonld(script_type: str | None) -> bool:
    return _essence(script_type or "") == _JSONLD_TYPE


def _essence(mime_type: str) -> str:
    """A MIME type read case-blind and without its parameters (`application/LD+JSON; charset=utf-8`)."""
    return mime_type.split(";", 1)[0].strip().lower()


def _flatten(item: Any) -> Iterator[dict[str, Any]]:
    if isinstance(item, list):
        for sub in item:
            yield from _flatten(sub)
    elif isinstance(item, dict):
        graph = item.get("@graph")
        if graph is not None:
            yield from _flatten(graph)
        if "@type" in item:
            yield item


def node_types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type", [])
    return [value] if isinstance(value, str) else [str(v) for v in value]
