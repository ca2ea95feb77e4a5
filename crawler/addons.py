"""Add-ons: settings that follow from other settings, applied after the command line's."""

from __future__ import annotations

from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES

USER_AGENT_TEMPLATE = "korean-tech-news-crawler/0.1 (+{contact})"


class ContactAddon:
    """An honest User-Agent naming where to reach the operator (NEWS_CONTACT_URL), unless USER_AGENT
    was set outright."""

    def update_settings(self, settings: Any) -> None:
        if settings.getpriority("USER_AGENT") <= SETTINGS_PRIORITIES["default"]:
            user_agent = USER_AGENT_TEMPLATE.format(contact=settings.get("NEWS_CONTACT_URL"))
            settings.set("USER_AGENT", user_agent, priority="addon")


class ResumableJobAddon:
    """Crawls kept in a JOBDIR use crawler.scheduler.Scheduler, which recovers from killed runs;
    distributed runs keep their state in Redis instead."""

    def update_settings(self, settings: Any) -> None:
        if settings.get("JOBDIR") and not settings.get("NEWS_REDIS_URL"):
            settings.set("SCHEDULER", "crawler.scheduler.Scheduler", priority="addon")
