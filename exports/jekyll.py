"""Articles as Jekyll posts for the static site (Alembic- or Chirpy-style theme): pure rendering
functions, and the pipeline that writes posts during a crawl.

A post is `_posts/YYYY-MM-DD-<source>-<id>.html`: front matter with the site's keys (`title`, `categories`,
`excerpt`, `feature_text`, `image`, plus `date`, `last_modified_at`, `tags`, `author`, `source`,
`source_url`, `feature_image`, `article_image`), written by PyYAML so it loads back to the same values
whatever the title holds, then the body: the site's banner, a line crediting the source, and the
sanitized article with Liquid neutralized. The id is the article's database key, so re-exporting an
article replaces its file, and an unchanged article leaves it byte for byte as it was.

The posts take the shape of the site's own (../shared/corpus/jekyll-samples) from a site profile
(`PostOptions`, the NEWS_SITE_* settings): the feature_text banner, the site's image, categories, excerpt
length, full body or excerpt, and the theme's author convention.

Scraped text is hostile wherever a theme prints it: raw into HTML, into attributes, Atom feeds, a JSON
search index, or through `markdownify`. Every scraped text value is therefore one line whose markup
characters are character references (`inert`), which display as themselves where printed raw and form
no tag, attribute, entity, Markdown link, image, autolink or kramdown attribute list anywhere; every URL
value is an http(s) URL or a site path, percent-encoded (`safe_url`), or it is left out and counted.
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import nh3
import yaml
from itemadapter import ItemAdapter
from w3lib.url import safe_url_string

from crawler.items import adapt, article_adapter
from crawler.korean.dates import KST
from crawler.urls import url_key

logger = logging.getLogger(__name__)

# The starter site that ships with the project (a checkout or an editable install has it).
STARTER_SITE = Path(__file__).resolve().parents[1] / "site"

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
# Controls, YAML's line breaks (NEL, LS, PS), bidi overrides and marks that reorder what a reader sees,
# the BOM, lone surrogates: none belongs in a one-line value.
_INVISIBLE_RE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ud800-\udfff]"
)
# Characters that make markup, as character references: tags and entities, JSON escapes, kramdown's
# braces (and Liquid's), code spans. They display as themselves where a theme prints the value raw.
_INERT = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "\\": "&#92;",
        "`": "&#96;",
        "{": "&#123;",
        "}": "&#125;",
    }
)
# markdownify and smartify turn some references back into characters, and a second Markdown pass (a
# Markdown page printing a markdownified value) reads what the first left: what would then close an
# attribute (ASCII quotes), or make a link to a script (`](javascript:`, `]: javascript:`, even split by
# emphasis, `]*(*j*avascript:`), a kramdown attribute list (`{:`) or a whole value that is a script URL,
# is written with its typographic or full-width twin, which no parser reads as syntax.
_QUOTE_RE = re.compile(r"[\"']")
_OPENING = {'"': "\u201c", "'": "\u2018"}
_CLOSING = {'"': "\u201d", "'": "\u2019"}
_FMT = r"[*_~\s<]*"  # what a first Markdown pass turns into tags (removed by strip_html) or space
_SCRIPTS = "|".join(r"[*_~]*".join(word) for word in ("javascript", "vbscript"))
_DATA = "|".join(r"[*_~]*".join(word) for word in ("data", "file"))
# A script scheme however spaced; `data:`/`file:` only as a URL has them (`Data: 2024` is a headline).
_SCHEME = rf"(?:(?:{_SCRIPTS})[*_~\s]*:|(?:{_DATA})[*_~]*:(?=[*_~]*\S))"
_LINK_RE = re.compile(rf"\]{_FMT}[(:](?={_FMT}{_SCHEME})", re.I)
_START_SCHEME_RE = re.compile(rf"^{_FMT}{_SCHEME}", re.I)
_IAL_RE = re.compile(r"\{(?=[*_~]*:)")
_BLOCK_START_RE = re.compile(r"^(\d*)([.)](?=\s)|[-+*#|=_]|(?<=\d)[.)]$)")
_TWINS = str.maketrans({"(": "\uff08", ":": "\uff1a"})
TITLE_CHARS = 300  # a headline longer than this is no headline a page can show: cut with …
# What a URL value may hold once encoded: nothing that ends an attribute or a Markdown link.
_URL_RE = re.compile(
    r"(?:https?://[A-Za-z0-9.-]+(?::\d+)?)?/[A-Za-z0-9\-._~:/?#@!$&*+,;=%]*|https?://[A-Za-z0-9.-]+(?::\d+)?"
)
_URL_MORE = str.maketrans({"'": "%27", "(": "%28", ")": "%29", "\\": "%5C", "|": "%7C", "^": "%5E"})
_PATH_SAFE = "/-._~:?#@!$&*+,;=%"
# Posts folder → (post id → file, the folder's mtime when this process last knew it).
_INDEXES: dict[Path, tuple[dict[str, str], int]] = {}
_OUR_POST_RE = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9-]+-[0-9a-f]{12}\.html$")
_SOURCE_URL_RE = re.compile(r"^source_url: ['\"]?(\S+?)['\"]?$", re.M)


def inert(text: str | None) -> str:
    """Scraped text as it may stand in front matter: one line; quotes typographic; what would make a
    script link or a kramdown attribute list after markdownify broken with a full-width twin; markup
    characters as references."""
    line = " ".join(_INVISIBLE_RE.sub(" ", text or "").split())
    line = _QUOTE_RE.sub(_typographic, line)
    line = _LINK_RE.sub(lambda m: m.group(0)[:-1] + m.group(0)[-1].translate(_TWINS), line)
    line = _START_SCHEME_RE.sub(lambda m: m.group(0)[:-1] + "\uff1a", line)
    line = _IAL_RE.sub("\uff5b", line)
    return line.translate(_INERT)


def _markdown_line(text: str) -> str:
    """`text` as a line of a Markdown paragraph (feature_text is Markdown): what would begin a list, a
    heading, a rule, a table or math at its start is escaped (`2024. 3. 15.` stays a date)."""
    text = _BLOCK_START_RE.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return text.replace("$$", "\\$\\$")


def _typographic(match: re.Match[str]) -> str:
    """An opening quote at the start or after a space or punctuation (`·'갤럭시'`), else a closing one."""
    before = match.string[match.start() - 1] if match.start() else ""
    opening = not before or not (before.isalnum() or before in ")]}.!?%\u2019\u201d")
    return (_OPENING if opening else _CLOSING)[match.group(0)]


def safe_url(value: str | None) -> str | None:
    """An http(s) URL or a site path, percent-encoded so it cannot leave an attribute or a Markdown link;
    None for anything else (`javascript:`, `data:`, protocol-relative, malformed)."""
    value = _INVISIBLE_RE.sub("", value or "").strip()
    if not value:
        return None
    if value.startswith("/") and not value.startswith("//"):
        encoded = quote(value, safe=_PATH_SAFE)
    else:
        try:
            parts = urlsplit(value)
        except ValueError:
            return None
        if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
            return None
        encoded = safe_url_string(value).translate(_URL_MORE)
    return encoded if _URL_RE.fullmatch(encoded) else None


@dataclass(frozen=True)
class PostOptions:
    """How posts are written: full bodies or excerpts with a link; images local or remote; and the site
    profile, what the site's own posts look like (defaults: the example post of the brief)."""

    body: str = "full"  # "full", or "excerpt" for sites that may only quote
    image_prefix: str = "/assets/img/news"
    include_duplicates: bool = False
    site_name: str = "뉴스다오"
    # Markdown; {site} and {lead} (the article's deck or excerpt, made inert) are filled in.
    feature_text: str = "## {site} 실시간 뉴스 속보입니다.\n{lead}"
    # The site's own banner as every post's image ("" for the article's own photo).
    banner: str = "/assets/img/newsdao_breakingnews.jpg"
    categories: Mapping[str, str] = field(
        default_factory=dict
    )  # our category or the site's section → the site's
    default_category: str = "News"
    excerpt_chars: int = 0  # cut the excerpt (and the lead) to this many characters, with "…" (0: whole)
    authors: str = "name"  # Alembic takes names; "chirpy": an id from _data/authors.yml (the outlet)


def post_id(item: Any) -> str:
    """The article's database key, shortened: links that differ only in scheme, host variant or a
    trailing slash are one row, and so one post."""
    return url_key(adapt(item)["canonical_url"])[:12]


def post_filename(item: Any) -> str:
    """`YYYY-MM-DD-<source>-<id>.html`: ASCII, stable for the article, the date in Seoul."""
    article = adapt(item)
    when = article["date_published"] or article["fetched_at"]
    day = when.astimezone(KST).strftime("%Y-%m-%d") if when else "0000-00-00"
    source = _SLUG_RE.sub("-", article["source"].lower()).strip("-") or "news"
    return f"{day}-{source}-{post_id(article)}.html"


def _jekyll_time(value: Any) -> str | None:
    return value.astimezone(KST).strftime("%Y-%m-%d %H:%M:%S %z") if value else None


def image_url(article: ItemAdapter, options: PostOptions) -> str | None:
    image = article["main_image"]
    if not image:
        return None
    path = image.get("path")  # set by the images pipeline when the file was downloaded
    return f"{options.image_prefix}/{path}" if path else image["url"]


def _cut(text: str, chars: int) -> str:
    text = " ".join(text.split())
    return text if not chars or len(text) <= chars else text[:chars].rstrip() + "…"


def site_categories(article: ItemAdapter, options: PostOptions) -> list[str]:
    """The site's categories. Without a mapping in the profile, ours. With one: the site's section or our
    category as it maps them, else the profile's default."""
    if not options.categories:
        mapped = list(article["categories"])
    else:
        keys = [article["section"], *article["categories"]]
        mapped = [options.categories[k] for k in keys if k and k in options.categories]
    return list(dict.fromkeys(inert(c) for c in mapped if inert(c))) or [inert(options.default_category)]


def outlet_id(article: ItemAdapter) -> str:
    """The outlet as a Chirpy author id (a key of `_data/authors.yml`)."""
    return inert(article["source_name"] or article["source"])


def front_matter(item: Any, options: PostOptions, dropped: list[str] | None = None) -> dict[str, Any]:
    """The post's front matter, in the theme's key order; empty values left out. A URL value that is not
    an http(s) URL or a site path is left out, and its key named in `dropped`."""
    article = adapt(item)
    urls = {
        "own": image_url(article, options),
        "banner": options.banner,
        "source_url": article["canonical_url"],
    }
    safe = {key: safe_url(value) for key, value in urls.items()}
    for key, value in urls.items():
        if value and safe[key] is None and dropped is not None:
            dropped.append("image" if key == "own" else key)
    image = safe["banner"] or safe["own"]
    lead = _markdown_line(inert(_cut(article["feature_text"] or article["excerpt"], options.excerpt_chars)))
    names = inert(", ".join(a["name"] for a in article["authors"] if a["name"]))
    chirpy = options.authors == "chirpy"
    matter: dict[str, Any] = {
        "title": inert(_cut(article["headline"], TITLE_CHARS)),
        "categories": site_categories(article, options),
        "excerpt": inert(_cut(article["excerpt"], options.excerpt_chars)),
        "feature_text": options.feature_text.replace("{site}", inert(options.site_name)).replace(
            "{lead}", lead
        ),
        "image": image,
        "date": _jekyll_time(article["date_published"]),
        "last_modified_at": _jekyll_time(article["date_modified"]),
        "tags": [t for t in map(inert, article["tags"]) if t],
        "author": outlet_id(article) if chirpy else names,
        "byline": names if chirpy else None,
        "source": inert(article["source_name"]),
        "source_url": safe["source_url"],
        "feature_image": image,
        "article_image": safe["own"] if safe["banner"] else None,
    }
    return {key: value for key, value in matter.items() if value not in (None, "", [])}


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


def post_body(item: Any, options: PostOptions) -> str:
    """As the site's posts begin: its banner, then a line crediting the source (the original headline,
    linked, and the outlet), then the article or its excerpt."""
    article = adapt(item)
    source = html.escape(article["source_name"] or article["source"])
    link = html.escape(safe_url(article["canonical_url"]) or "", quote=True)
    headline = html.escape(article["headline"])
    banner = safe_url(options.banner)
    parts = (
        [f'<p class="banner"><img src="{banner}" alt="{html.escape(options.site_name)} 속보"></p>']
        if banner
        else []
    )
    parts.append(f'<p class="source">출처: <a href="{link}">{headline}</a> | {source}</p>')
    if options.body == "excerpt":
        parts.append(f'<p>{html.escape(article["excerpt"])}</p>\n<p><a href="{link}">기사 원문 보기</a></p>')
    else:
        parts.append(article["body_html"])
    return sanitize("\n".join(parts))


class _Folded(str):
    """A value the site's posts write as a folded block (`excerpt: >`)."""


class _PostDumper(_DUMPER):  # type: ignore[misc,valid-type]
    pass


class _Text(str):
    """A value written quoted: Jekyll's YAML reads plain `1,000`, `0:30` or `2026-1-1` as numbers and dates."""


_PostDumper.add_representer(
    _Folded, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=">")
)
_PostDumper.add_representer(
    _Text, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="'")
)
FOLDED = ("excerpt", "feature_text")
# Jekyll's own times, left plain so that it reads them as times.
TIMES = ("date", "last_modified_at")


def _shaped(key: str, value: Any) -> Any:
    if isinstance(value, list):
        return [_shaped(key, v) for v in value]
    if isinstance(value, dict):
        return {k: _shaped(k, v) for k, v in value.items()}
    if not isinstance(value, str) or key in TIMES:
        return value
    return _Folded(value) if key in FOLDED else _Text(value)


def _dump(matter: dict[str, Any]) -> str:
    shaped = {key: _shaped(key, value) for key, value in matter.items()}
    return yaml.dump(shaped, Dumper=_PostDumper, allow_unicode=True, sort_keys=False, width=2**16)


def render_post(item: Any, options: PostOptions | None = None, dropped: list[str] | None = None) -> str:
    article = adapt(item)
    options = options or PostOptions()
    return f"---\n{_dump(front_matter(article, options, dropped))}---\n\n{post_body(article, options)}\n"


class PostWriter:
    """Writes posts into `site/_posts`, knowing which file holds which article (listed once), so that a
    post whose date was corrected replaces the old file and an unchanged one is left untouched."""

    def __init__(self, site: Path, options: PostOptions | None = None) -> None:
        self.posts = site / "_posts"
        self.authors_file = site / "_data" / "authors.yml"
        self.options = options or PostOptions()
        self._files: dict[str, str] | None = None
        self._authors: dict[str, Any] | None = None
        self.dropped: Counter[str] = Counter()  # URL values left out, by key

    def _index(self) -> dict[str, str]:
        """Post id → file, shared by the writers of one site in this process (`scrapy replay` runs its
        spiders side by side, and two spiders may bring one article) and read again when the folder
        changed behind them (another process, an operator), so an article never gets a second post."""
        folder = self.posts.resolve()
        known = _INDEXES.get(folder)
        if known is not None and self.posts.exists() and self.posts.stat().st_mtime_ns == known[1]:
            self._files = known[0]
        else:
            self._files = None
            self._read_index()
            assert self._files is not None
            _INDEXES[folder] = (self._files, self.posts.stat().st_mtime_ns)
        return self._files

    def _changed(self) -> None:
        """This writer changed the folder: the shared index is still right."""
        if self._files is not None:
            _INDEXES[self.posts.resolve()] = (self._files, self.posts.stat().st_mtime_ns)

    def _read_index(self) -> None:
        """Once per site, posts written before ids were database keys (two links to one article made two
        posts) are read for their `source_url`: one post per article is kept (the newest), and a marker
        says it was done."""
        self.posts.mkdir(parents=True, exist_ok=True)
        marker = self.posts.parent / ".news-post-ids-v2"  # Jekyll skips dotfiles
        # Ours only: the site's own posts (any other name) are never touched.
        paths = sorted(
            (p for p in self.posts.glob("*.html") if _OUR_POST_RE.match(p.name)),
            key=lambda p: p.stat().st_mtime,
        )
        # Two files of one article (two spiders that brought it, each under its own name, in different
        # runs or processes): the newest stays.
        read = (lambda p: p.stem.rsplit("-", 1)[-1]) if marker.exists() else _post_key
        self._files = {}
        for path in paths:
            key = read(path)
            if key in self._files:
                (self.posts / self._files[key]).unlink(missing_ok=True)
            self._files[key] = path.name
        marker.write_text("post ids are database keys (exports/jekyll.py)\n", encoding="utf-8")

    def write(self, item: Any) -> str:
        """ "new", "updated" or "unchanged" (the file is not touched)."""
        article = adapt(item)
        files = self._index()
        key, name = post_id(article), post_filename(article)
        target = self.posts / name
        previous = files.get(key)
        if previous and previous != name:
            (self.posts / previous).unlink(missing_ok=True)
        dropped: list[str] = []
        content = render_post(article, self.options, dropped).encode("utf-8")
        self.dropped.update(dropped)
        if self.options.authors == "chirpy":
            self._chirpy_author(article)
        files[key] = name
        if previous == name and target.exists():
            if target.read_bytes() == content:
                return "unchanged"
            target.write_bytes(content)
            return "updated"
        target.write_bytes(content)
        self._changed()
        return "updated" if previous else "new"

    def _chirpy_author(self, article: ItemAdapter) -> None:
        """Chirpy's `author` is an id of `_data/authors.yml`: the outlet gets its entry there once."""
        if self._authors is None:
            loaded = (
                yaml.safe_load(self.authors_file.read_text(encoding="utf-8"))
                if self.authors_file.exists()
                else {}
            )
            self._authors = loaded if isinstance(loaded, dict) else {}
        key = outlet_id(article)
        if key in self._authors:
            return
        parts = urlsplit(article["canonical_url"])
        home = safe_url(f"{parts.scheme}://{parts.netloc}/") if parts.netloc else None
        entry = {key: {"name": key, **({"url": home} if home else {})}}
        self._authors.update(entry)
        self.authors_file.parent.mkdir(parents=True, exist_ok=True)
        # Appended, so the operator's comments and entries stay as they were.
        existing = self.authors_file.read_text(encoding="utf-8") if self.authors_file.exists() else ""
        separator = "\n" if existing and not existing.endswith("\n") else ""
        self.authors_file.write_text(existing + separator + _dump(entry), encoding="utf-8")


def seed_site(site: Path, starter: Path = STARTER_SITE) -> bool:
    """Lay the starter site's files into `site` when it is no Jekyll site yet (no `_config.yml`): the
    posts written there then build as they are. An existing site is left alone. Whether it seeded."""
    if (site / "_config.yml").exists() or not (starter / "_config.yml").exists():
        return False
    for source in starter.rglob("*"):
        relative = source.relative_to(starter)
        if source.is_file() and relative.parts[0] not in {"_site", ".jekyll-cache", "_posts"}:
            target = site / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.write_bytes(source.read_bytes())
    return True


def _post_key(path: Path) -> str:
    """The id of the article a post holds, from its front matter's `source_url` (posts of every version
    carry one), else from its file name."""
    with path.open(encoding="utf-8", errors="replace") as post:
        head = post.read(16384).split("\n---\n", 1)[0]
    found = _SOURCE_URL_RE.search(head)
    return url_key(found.group(1))[:12] if found else path.stem.rsplit("-", 1)[-1]


def options_from_settings(settings: Any) -> PostOptions:
    body, authors = settings.get("NEWS_JEKYLL_BODY", "full"), settings.get("NEWS_SITE_AUTHORS", "name")
    if body not in {"full", "excerpt"}:
        raise ValueError(f"NEWS_JEKYLL_BODY={body!r}: use 'full' or 'excerpt'")
    if authors not in {"name", "chirpy"}:
        raise ValueError(f"NEWS_SITE_AUTHORS={authors!r}: use 'name' (Alembic) or 'chirpy'")
    defaults = PostOptions()
    return PostOptions(
        body=body,
        image_prefix=settings.get("NEWS_JEKYLL_IMAGE_PREFIX", defaults.image_prefix),
        include_duplicates=settings.getbool("NEWS_JEKYLL_INCLUDE_DUPLICATES", False),
        site_name=settings.get("NEWS_SITE_NAME", defaults.site_name),
        # A template given with -s carries `\n` as two characters.
        feature_text=settings.get("NEWS_SITE_FEATURE_TEXT", defaults.feature_text).replace("\\n", "\n"),
        banner=settings.get("NEWS_SITE_IMAGE", defaults.banner),
        categories=settings.getdict("NEWS_SITE_CATEGORIES"),
        default_category=settings.get("NEWS_SITE_DEFAULT_CATEGORY", defaults.default_category),
        excerpt_chars=settings.getint("NEWS_SITE_EXCERPT_CHARS", 0),
        authors=authors,
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
        article = article_adapter(item)
        if article is None:
            return item
        if article["duplicate_of"] and not self.options.include_duplicates:
            self.stats.inc_value("news/jekyll/skipped_duplicate")
            return item
        outcome = self.writer.write(article)
        self.stats.inc_value(f"news/jekyll/{outcome}")
        for key, count in self.writer.dropped.items():
            self.stats.inc_value(f"news/jekyll/dropped_url/{key}", count)
            logger.info(
                "Left out of %s's post: its %s is not an http(s) URL or a site path", article["url"], key
            )
        self.writer.dropped.clear()
        return item
