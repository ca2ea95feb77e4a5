"""Raw page fields to the one normalized Article: text, dates, authors, body, excerpt, categories."""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter

from crawler.items import Article, Author, Block, RawArticle, article_adapter, unheld_fields
from crawler.korean.boilerplate import clean_blocks
from crawler.korean.bylines import merge_authors, parse_byline
from crawler.korean.dates import KST, parse_raw_dates
from crawler.korean.sentences import make_excerpt
from crawler.korean.text import clean_text
from crawler.urls import clean_url, same_site

# Our taxonomy: a site section (Korean or English) to the static site's category.
TAXONOMY = (
    (
        re.compile(
            r"\bIT\b|\bAI\b|과학|테크|모바일|인터넷|통신|뉴미디어|보안|해킹|컴퓨터|게임|반도체|인공지능|소프트웨어"
            r"|(?i:\btech|\bscience|\bsoftware|\bsecurity)"
        ),
        "IT",
    ),
)
DEFAULT_CATEGORY = "News"
_HASH_STRIP_RE = re.compile(r"[\W_]+")


def normalize(raw: RawArticle, removed: Counter[str] | None = None) -> Article:
    """The Article for one page's raw fields. `removed` collects boilerplate counts by kind."""
    subtitle_lines = [clean_text(x) for x in (raw.subtitle or "").split("\n") if clean_text(x)]
    headline = clean_text(raw.headline)
    blocks = [b for b in raw.blocks if not _repeats(b, headline, subtitle_lines)]
    cleaned = clean_blocks(blocks)
    if removed is not None:
        removed.update(cleaned.removed)
        removed["subtitle_or_headline"] += len(raw.blocks) - len(blocks)
    paragraphs = [b.text for b in cleaned.blocks if b.kind != "img"]
    published, modified = parse_raw_dates(raw.date_published_raw, raw.date_modified_raw, raw.fetched_at)
    description = clean_text(html.unescape(raw.description or "")) or None
    excerpt = _excerpt(description, [b.text for b in cleaned.blocks if b.kind == "p"])
    body_text = "\n\n".join(paragraphs)
    return Article(
        url=raw.url,
        canonical_url=trusted_canonical(raw.url, raw.canonical_url),
        source=raw.source,
        source_name=clean_text(raw.source_name) or None,
        headline=headline,
        subtitle="\n".join(subtitle_lines) or None,
        authors=_authors(raw, cleaned.bylines),
        date_published=published,
        date_modified=modified,
        date_published_raw=raw.date_published_raw,
        date_modified_raw=raw.date_modified_raw,
        date_source=raw.date_source if published else None,
        section=clean_text(raw.section) or None,
        categories=raw.categories or [categorize(raw.section)],
        tags=raw.tags,
        body_html=render_html(cleaned.blocks),
        body_text=body_text,
        main_image=raw.main_image,
        images=raw.images,
        description=description,
        excerpt=excerpt,
        feature_text=" ".join(subtitle_lines) or excerpt,
        language=None,
        content_hash=content_hash(body_text) if body_text else None,
        warc_file=raw.warc_file,
        warc_offset=raw.warc_offset,
        fetched_at=raw.fetched_at.astimezone(KST),  # Seoul time, as the dates: one offset in every output
    )


def _repeats(block: Block, headline: str, subtitle_lines: list[str]) -> bool:
    if block.kind == "img":
        return False
    return (
        block.text == headline
        or block.text in subtitle_lines
        or (len(subtitle_lines) > 1 and block.text == " ".join(subtitle_lines))
    )


def _authors(raw: RawArticle, body_bylines: list[str]) -> list[Author]:
    """People from the page's byline fields and the body's byline lines, merged by name.

    An email stated alone (Yonhap ends with `you@yna.co.kr`) belongs to the last person named
    without one.
    """
    people: list[Author] = []
    for line in [*raw.bylines, *body_bylines]:
        for person in parse_byline(line):
            same = next((p for p in people if person["name"] and p["name"] == person["name"]), None)
            if same is not None:
                same["email"] = same["email"] or person["email"]
                same["role"] = same["role"] or person["role"]
            elif person["name"]:
                people.append(person)
            elif person["email"]:
                owner = next((p for p in reversed(people) if not p["email"]), None)
                if owner is not None:
                    owner["email"] = person["email"]
                else:
                    people.append(person)
    return merge_authors(people, raw.author_names)


def _excerpt(description: str | None, paragraphs: list[str]) -> str:
    body_start = _HASH_STRIP_RE.sub("", " ".join(paragraphs[:3]))
    if description:
        # Descriptions repeat the body's first lines, dateline and byline included.
        description = " ".join(b.text for b in clean_blocks([Block("p", description)]).blocks)
    if description and _is_summary(description, body_start):
        return make_excerpt([description])
    return make_excerpt(paragraphs)


def _is_summary(description: str, body_start: str) -> bool:
    """A description written as a summary: complete, and not just the body's first lines cut short."""
    if len(description) < 40 or description.endswith(("...", "…", "..")):
        return False
    if not description.rstrip("\"'”’)").endswith((".", "?", "!", "다")):
        return False
    return _HASH_STRIP_RE.sub("", description)[:40] not in body_start


def categorize(section: str | None) -> str:
    for pattern, category in TAXONOMY:
        if section and pattern.search(section):
            return category
    return DEFAULT_CATEGORY


def content_hash(text: str) -> str:
    """Fingerprint of a body: the same words in the same order, whatever the spacing and punctuation."""
    return hashlib.sha1(_HASH_STRIP_RE.sub("", text).lower().encode()).hexdigest()


def trusted_canonical(url: str, canonical: str | None) -> str:
    """rel=canonical/og:url when it points at an article on the same site (not its home page), else the
    fetched URL; either without tracking parameters, Naver's forms folded (crawler.urls.clean_url)."""
    if canonical:
        parts = urlsplit(canonical)
        if parts.scheme in {"http", "https"} and same_site(canonical, url) and parts.path not in {"", "/"}:
            return clean_url(canonical)
    return clean_url(url)


def render_html(blocks: list[Block]) -> str:
    """Safe HTML for a body: every text escaped, only http(s) image URLs, a fixed set of tags."""
    out: list[str] = []
    in_list = False
    for block in blocks:
        if block.kind == "li" and not in_list:
            out.append("<ul>")
            in_list = True
        elif block.kind != "li" and in_list:
            out.append("</ul>")
            in_list = False
        text = html.escape(block.text)
        if block.kind == "img" and block.image:
            out.append(_figure(block))
        elif block.kind == "h":
            out.append(f"<h3>{text}</h3>")
        elif block.kind == "li":
            out.append(f"<li>{text}</li>")
        elif block.kind == "quote":
            out.append(f"<blockquote><p>{text}</p></blockquote>")
        else:
            out.append(f"<p>{text}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def _figure(block: Block) -> str:
    image = block.image
    assert image is not None
    if urlsplit(image["url"]).scheme not in {"http", "https"}:
        return ""
    caption = html.escape(image["caption"] or "")
    credit = f' <small class="credit">{html.escape(image["credit"])}</small>' if image["credit"] else ""
    figcaption = f"<figcaption>{caption}{credit}</figcaption>" if caption or credit else ""
    return f'<figure><img src="{html.escape(image["url"])}" alt="{caption}">{figcaption}</figure>'


def complete(article: ItemAdapter) -> None:
    """What normalizing derives from the body, for an article another spider built with less: its HTML
    (a paragraph per blank-line-separated block), excerpt, feature text and content hash."""
    paragraphs = [p.strip() for p in (article["body_text"] or "").split("\n\n") if p.strip()]
    if not paragraphs:
        return
    if not article["body_html"]:
        article["body_html"] = render_html([Block("p", text) for text in paragraphs])
    if not article["excerpt"]:
        article["excerpt"] = _excerpt(article["description"], paragraphs)
    if not article["feature_text"]:
        article["feature_text"] = article["subtitle"] or article["excerpt"]
    if not article["content_hash"]:
        article["content_hash"] = content_hash(article["body_text"])


class NormalizePipeline:
    """RawArticle → Article; boilerplate removed is counted under `news/boilerplate/<kind>`."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalizePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        # The page layer's own output is normalized; an article of another type gets what it lacks.
        if not isinstance(item, RawArticle):
            other = article_adapter(item)
            if other is not None and not unheld_fields(other):
                complete(other)
            return item
        removed: Counter[str] = Counter()
        article = normalize(item, removed)
        for kind, count in removed.items():
            self.stats.inc_value(f"news/boilerplate/{kind}", count)
        self.stats.inc_value("news/normalized")
        return article
