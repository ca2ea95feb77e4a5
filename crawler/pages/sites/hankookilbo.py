from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any

import lxml.html

from crawler.korean.text import clean_text
from crawler.pages.generic import ArticlePage

# The 2026 pages are a Next.js shell; the article travels in React Query's dehydrated state.
_STATE_RE = re.compile(r'window\["__RQ_R_\w+"\]\.push\((\{.*?\})\);?\s*</script>', re.S)


class HankookIlboPage(ArticlePage):
    """Hankook Ilbo: the 2025 server-rendered layout, and the 2026 Next.js one whose content is JSON."""

    url_patterns = (r"^https?://(?:www\.|m\.)?hankookilbo\.com/(?:News/Read|news/article)/",)
    source = "hankookilbo"
    body_selector = "[itemprop=articleBody]"
    source_name_default = "한국일보"
    subtitle_selector = "[itemprop=articleBody] .sub-tit-ll"
    drop_selectors = (
        ".writer",
        ".btn-area",
        ".more-news",
        ".edit-subscribe",
        ".newspaper-subscribe",
        ".more-articles",
        ".end-ad-container",
        ".module-quote",
        ".article-bottom-banner",
        ".img-zoomin",
    )
    byline_selectors = ("div.writer span.name",)

    @cached_property
    def detail(self) -> dict[str, Any]:
        """The article record of the Next.js page, or {} on the server-rendered layout."""
        for script in self.tree.iter("script"):
            text = script.text or ""
            if "contentHtml" not in text:
                continue
            match = _STATE_RE.search(f"{text}</script>")
            if not match:
                continue
            try:
                state = json.loads(match.group(1))
            except ValueError:
                continue
            for query in state.get("queries", []):
                data = query.get("state", {}).get("data") or {}
                detail = (data.get("data") or {}).get("detail") if isinstance(data, dict) else None
                if isinstance(detail, dict) and detail.get("contentHtml"):
                    return detail
        return {}

    def is_article(self) -> bool:
        return bool(self.detail) or super().is_article()

    def headline(self) -> str | None:
        return clean_text(self.detail.get("title")) or super().headline()

    def subtitle(self) -> str | None:
        deck = self.detail.get("subTitle")
        if deck:
            return "\n".join(clean_text(line) for line in re.split(r"<br\s*/?>", deck) if clean_text(line))
        return super().subtitle()

    def body_element(self) -> lxml.html.HtmlElement | None:
        content = self.detail.get("contentHtml")
        if content:
            return lxml.html.fragment_fromstring(content.replace("$$ARTICLEAD$$", ""), create_parent="div")
        return super().body_element()

    def bylines(self) -> list[str]:
        people = [
            " ".join(filter(None, (b.get("writerName"), b.get("writerJobName"), b.get("writerEmail"))))
            for b in self.detail.get("byLines") or []
        ]
        return [p for p in people if p] or super().bylines()

    def date_candidates(self) -> Iterator[tuple[str, str]]:
        if self.detail.get("deployDt"):
            yield "site", self.detail["deployDt"]
        yield from super().date_candidates()

    def date_modified_raw(self) -> str | None:
        return self.detail.get("reDeployDt") or super().date_modified_raw()

    def section(self) -> str | None:
        return self.detail.get("sectionName") or super().section()

    def tags(self) -> list[str]:
        tags = [t.get("tag") for t in self.detail.get("tags") or [] if t.get("tag")]
        return tags or super().tags()
