"""The main image of each article, downloaded into the Jekyll site's assets by Scrapy's images pipeline."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.pipelines.images import ImageException, ImagesPipeline

from crawler.items import article_adapter


class MainImagePipeline(ImagesPipeline):
    """With NEWS_JEKYLL_IMAGES = "download", fetches each article's main image into
    `<NEWS_JEKYLL_SITE>/assets/img/news/` and records its path on the image; a failed download keeps the
    remote URL and is counted (`news/images/failed`). With "remote" (the default) it is off."""

    max_pixels: int = 40_000_000

    @classmethod
    def from_crawler(cls, crawler: Any) -> MainImagePipeline:
        settings = crawler.settings
        if settings.get("NEWS_JEKYLL_IMAGES", "remote") != "download":
            raise NotConfigured  # without a message: Scrapy would warn on every run that does not download
        store = Path(settings.get("NEWS_JEKYLL_SITE") or "output/site") / "assets" / "img" / "news"
        pipeline = cls(str(store.resolve()), crawler=crawler)
        pipeline.max_pixels = settings.getint("NEWS_IMAGE_MAX_PIXELS", 40_000_000)
        return pipeline

    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        article = article_adapter(item)
        image = article.get("main_image") if article is not None else None
        if image and image["url"].startswith(("http://", "https://")):
            # Photos live on other hosts (Naver's on imgnews.pstatic.net): not offsite for the spider (and,
            # from a page, never fetched from the machine's own network: crawler.middlewares).
            return [Request(image["url"], meta={"allow_offsite": True})]
        return []

    def get_images(self, response: Any, request: Any, info: Any, *, item: Any = None) -> Any:
        # The size is in the header: a small file that decodes to billions of pixels is refused unread.
        try:
            width, height = self._Image.open(BytesIO(response.body)).size
        except self._Image.DecompressionBombError as bomb:  # Pillow's own limit, twice ours by default
            self.crawler.stats.inc_value("news/refused/too_many_pixels")
            raise ImageException(str(bomb)) from None
        if width * height > self.max_pixels:
            self.crawler.stats.inc_value("news/refused/too_many_pixels")
            raise ImageException(f"{width}x{height} pixels: over NEWS_IMAGE_MAX_PIXELS ({self.max_pixels})")
        return super().get_images(response, request, info, item=item)

    def item_completed(self, results: list[Any], item: Any, info: Any) -> Any:
        article = article_adapter(item)
        if article is None or not results:
            return item
        ok, result = results[0]
        main = article.get("main_image")
        if ok and main is not None:
            main["path"] = result["path"]
            for image in article.get("images") or []:
                if image["url"] == main["url"]:
                    image["path"] = result["path"]
            self.crawler.stats.inc_value("news/images/downloaded")
        else:
            self.crawler.stats.inc_value("news/images/failed")
        return item
