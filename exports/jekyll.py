"""Articles as Jekyll posts for the static site (Alembic-style theme): pure rendering functions, and the
pipeline that writes posts during a crawl.

A post is `_posts/YYYY-MM-DD-<source>-<id>.html`: front matter with the site's keys (`title`, `categories`,
`excerpt`, `feature_text`, `image`, plus `date`, `last_modified_at`, `tags`, `author`, `source`,
`source_url`, `feature_image`), written by PyYAML so it loads back to the same values whatever the
title holds, then the body: sanitized HTML with Liquid neutralized, and a line crediting the source.
The id is a hash of the canonical URL, so re-exporting an article replaces its file, and an unchanged
article leaves it byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nh3
import yaml

from crawler.items import Article
from crawler.korean.dates import KST
from crawler.urls import url_key

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "figcaption",
    "img",
    "small",
    "a",
    "strong",
    "em",
    "b",
    "i",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
}
ALLOWED_ATTRIBUTES = {"img": {"src", "alt"}, "a": {"href"}, "small": {"class"}, "p": {"class"}}
_SLUG_RE = re.compile(r"[^a-z0-9]+")
# Liquid reads `{{`, `{%` (and their closers) anywhere in a post: as entities they print as themselves.
_LIQUID = {"{{": "&#123;&#123;", "{%": "&#123;%", "}}": "&#125;&#125;", "%}": "%&#125;"}
_LIQUID_RE = re.compile("|".join(re.escape(k) for k in _LIQUID))
# libyaml's emitter when PyYAML has it: the same text, seven times faster.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_CONTROLS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


@dataclass(frozen=True)
class PostOptions:
    """How posts are written: full bodies or excerpts with a link; images local or remote."""

    body: str = "full"  # "full", or "excerpt" for sites that may only quote
    image_prefix: str = "/assets/img/news"
    include_duplicates: bool = False


def post_id(article: Article) -> str:
    """The article's database key, shortened: links that differ only in scheme, host variant or a
    trailing slash are one row, and so one post."""
    return url_key(article.canonical_url)[:12]


def _old_post_id(article: Article) -> str:
    # Posts written before ids followed the database key were named by a hash of the URL's text.
    return hashlib.sha1(article.canonical_url.encode("utf-8")).hexdigest()[:12]


def post_filename(article: Article) -> str:
    """`YYYY-MM-DD-<source>-<id>.html`: ASCII, stable for the article, the date in Seoul."""
    when = article.date_published or article.fetched_at
    day = when.astimezone(KST).strftime("%Y-%m-%d") if when else "0000-00-00"
    source = _SLUG_RE.sub("-", article.source.lower()).strip("-") or "news"
    return f"{day}-{source}-{post_id(article)}.html"


def _jekyll_time(value: Any) -> str | None:
    return value.astimezone(KST).strftime("%Y-%m-%d %H:%M:%S %z") if value else None


def image_url(article: Article, options: PostOptions) -> str | None:
    image = article.main_image
    if not image:
        return None
    path = image.get("path")  # set by the images pipeline when the file was downloaded
    return f"{options.image_prefix}/{path}" if path else image["url"]


def front_matter(article: Article, options: PostOptions) -> dict[str, Any]:
    """The post's front matter, in the theme's key order; empty values left out."""
    image = image_url(article, options)
    names = ", ".join(a["name"] for a in article.authors if a["name"])
    matter: dict[str, Any] = {
        "title": article.headline,
        "categories": article.categories or ["News"],
        "excerpt": article.excerpt,
        "feature_text": article.feature_text,
        "image": image,
        "date": _jekyll_time(article.date_published),
        "last_modified_at": _jekyll_time(article.date_modified),
        "tags": article.tags,
        "author": names,
        "source": article.source_name,
        "source_url": article.canonical_url,
        "feature_image": image,
    }
    return {key: _yaml_text(value) for key, value in matter.items() if value not in (None, "", [])}


def _yaml_text(value: Any) -> Any:
    """Strings without the control characters YAML reads as line breaks (NEL, LS, PS) or refuses."""
    if isinstance(value, str):
        return _CONTROLS_RE.sub(" ", value)
    if isinstance(value, list):
        return [_yaml_text(v) for v in value]
    return value


def sanitize(body_html: str) -> str:
    """Only the tags and attributes a news body needs, only http(s) links, and Liquid made inert."""
    clean = nh3.clean(
        body_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener nofollow",
    )
    return neutralize_liquid(clean)


def neutralize_liquid(text: str) -> str:
    return _LIQUID_RE.sub(lambda m: _LIQUID[m.group(0)], text)


def post_body(article: Article, options: PostOptions) -> str:
    source = html.escape(article.source_name or article.source)
    link = html.escape(article.canonical_url, quote=True)
    credit = f'<p class="source">출처: <a href="{link}">{source}</a></p>'
    if options.body == "excerpt":
        content = f'<p>{html.escape(article.excerpt)}</p>\n<p><a href="{link}">기사 원문 보기</a></p>'
    else:
        content = article.body_html
    return sanitize(f"{credit}\n{content}")


def render_post(article: Article, options: PostOptions | None = None) -> str:
    options = options or PostOptions()
    matter = yaml.dump(
        front_matter(article, options), Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=2**16
    )
    return f"---\n{matter}---\n\n{post_body(article, options)}\n"


class PostWriter:
    """Writes posts into `site/_posts`, knowing which file holds which article (listed once), so that a
    post whose date was corrected replaces the old file and an unchanged one is left untouched."""

    def __init__(self, site: Path, options: PostOptions | None = None) -> None:
        self.posts = site / "_posts"
        self.options = options or PostOptions()
        self._files: dict[str, str] | None = None

    def _index(self) -> dict[str, str]:
        if self._files is None:
            self.posts.mkdir(parents=True, exist_ok=True)
            self._files = {p.stem.rsplit("-", 1)[-1]: p.name for p in self.posts.glob("*.html")}
        return self._files

    def write(self, article: Article) -> str:
        """ "new", "updated" or "unchanged" (the file is not touched)."""
        files = self._index()
        key, name = post_id(article), post_filename(article)
        target = self.posts / name
        old = files.pop(_old_post_id(article), None)
        previous = files.get(key) or old
        if previous and previous != name:
            (self.posts / previous).unlink(missing_ok=True)
        content = render_post(article, self.options).encode("utf-8")
        files[key] = name
        if previous == name and target.exists():
            if target.read_bytes() == content:
                return "unchanged"
            target.write_bytes(content)
            return "updated"
        target.write_bytes(content)
        return "updated" if previous else "new"


def options_from_settings(settings: Any) -> PostOptions:
    return PostOptions(
        body=settings.get("NEWS_JEKYLL_BODY", "full"),
        image_prefix=settings.get("NEWS_JEKYLL_IMAGE_PREFIX", "/assets/img/news"),
        include_duplicates=settings.getbool("NEWS_JEKYLL_INCLUDE_DUPLICATES", False),
    )


class JekyllPipeline:
    """Writes each article's post into NEWS_JEKYLL_SITE while the crawl runs; near-duplicates of an
    article already on the site are left out unless NEWS_JEKYLL_INCLUDE_DUPLICATES is set."""

    def __init__(self, site: Path, options: PostOptions, stats: Any) -> None:
        self.writer = PostWriter(site, options)
        self.options = options
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> JekyllPipeline:
        settings = crawler.settings
        return cls(
            Path(settings.get("NEWS_JEKYLL_SITE") or "output/site"),
            options_from_settings(settings),
            crawler.stats,
        )

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if item.duplicate_of and not self.options.include_duplicates:
            self.stats.inc_value("news/jekyll/skipped_duplicate")
            return item
        outcome = self.writer.write(item)
        self.stats.inc_value(f"news/jekyll/{outcome}")
        return item
