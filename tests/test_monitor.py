"""Run checks: what makes a scheduled run fail loudly."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler.monitor import (
    Limits,
    article_page_failures,
    coverage_failures,
    discovery_failures,
    error_failures,
    extraction_failures,
    finish_failures,
    item_count_failures,
    storage_failures,
    summarize,
)

GOOD = {
    "item_scraped_count": 50,
    "news/discovery/articles": 55,
    "news/db/received": 50,
    "news/db/new": 45,
    "news/db/unchanged": 5,
    "downloader/response_count": 60,
    "downloader/response_status_count/200": 58,
    "downloader/response_status_count/404": 2,
    "news/coverage/headline": 50,
    "news/coverage/body_text": 50,
    "news/coverage/date_published": 49,
    "news/coverage/authors": 40,
    "news/coverage/main_image": 45,
    "news/date_source/jsonld": 45,
    "news/date_source/htmldate": 4,
    "elapsed_time_seconds": 61.2,
    "finish_reason": "finished",
    "news/dropped/no_date": 1,
}
HISTORY = [summarize(GOOD) for _ in range(4)]
CHECKS = (
    finish_failures,
    discovery_failures,
    article_page_failures,
    extraction_failures,
    item_count_failures,
    storage_failures,
    coverage_failures,
    error_failures,
)


def check(site: str, summary: dict, history: list[dict], limits: Limits | None = None) -> list[str]:
    """Every check of crawler.monitor.SiteChecks, in its order."""
    return [failure for each in CHECKS for failure in each(site, summary, history, limits or Limits())]


def with_(**changes: object) -> dict:
    return summarize({**GOOD, **{k.replace("__", "/"): v for k, v in changes.items()}})


def test_summary_has_every_figure() -> None:
    summary = summarize(GOOD)
    assert summary["articles"] == 50 and summary["new"] == 45 and summary["unchanged"] == 5
    assert summary["failed"] == {"404": 2} and summary["dropped"] == {"no_date": 1}
    assert summary["coverage"] == {
        "headline": 1.0,
        "body_text": 1.0,
        "date_published": 0.98,
        "authors": 0.8,
        "main_image": 0.9,
        "date_source": {"jsonld": 0.9, "htmldate": 0.08},
    }
    assert summary["seconds"] == 61.2 and summary["finish_reason"] == "finished"


def test_a_normal_run_passes() -> None:
    assert check("aitimes", summarize(GOOD), HISTORY) == []


def test_a_run_that_did_not_finish_fails() -> None:
    (failure,) = check("aitimes", with_(finish_reason="cancelled"), HISTORY)
    assert failure == "MONITOR FAILED site=aitimes check=finish_reason got=cancelled"


def test_a_run_stopped_on_purpose_is_no_failure_even_with_few_articles() -> None:
    stopped = with_(finish_reason="shutdown", item_scraped_count=3, news__discovery__articles=3)
    stopped |= {"stored": 3}
    assert check("aitimes", stopped, HISTORY) == []
    assert check("aitimes", with_(finish_reason="shutdown", news__discovery__articles=0), HISTORY) == []


def test_a_run_that_finds_no_article_link_fails_from_its_first_run() -> None:
    nothing = {k: v for k, v in GOOD.items() if not k.startswith(("news/", "item_"))}
    summary = summarize({**nothing, "robotstxt/forbidden": 3, "downloader/response_count": 1})
    assert check("naver_it", summary, []) == [
        "MONITOR FAILED site=naver_it check=discovery found no article link: robots.txt forbade 3 "
        "requests, pages=1 failed={'404': 2}"
    ]


def test_an_incremental_run_that_stored_nothing_new_passes() -> None:
    quiet = {k: v for k, v in GOOD.items() if not k.startswith(("news/db/", "news/coverage/", "item_"))}
    summary = summarize({**quiet, "news/db/received": 0, "news/skipped/stored": 55})
    assert check("aitimes", summary, HISTORY) == []


def test_articles_the_database_did_not_take_fail_the_run() -> None:
    failures = check("yna", with_(news__db__new=44, news__db__failed=1), HISTORY)
    assert failures == ["MONITOR FAILED site=yna check=storage articles=50 stored=49 not_stored=1"]
    # Copies of one article in a batch are one row: all accounted for.
    assert check("yna", with_(news__db__new=44, news__db__merged=1), HISTORY) == []


def test_extraction_that_broke_fails_even_without_history() -> None:
    summary = with_(item_scraped_count=2, news__dropped__not_an_article=30)
    failures = check("zdnet", summary, [])
    assert any(f.startswith("MONITOR FAILED site=zdnet check=extraction articles=2 of 33") for f in failures)


def test_far_fewer_article_links_than_usual_fails() -> None:
    failures = check("etnews", with_(news__discovery__articles=4), HISTORY)
    assert (
        "MONITOR FAILED site=etnews check=item_count discovered=4 usual=55 (median of the last 4 runs)"
        in failures
    )


def test_a_run_bounded_on_purpose_is_not_judged_by_its_count() -> None:
    bounded = with_(news__discovery__articles=4, news__bounded=True)
    assert item_count_failures("etnews", bounded, HISTORY, Limits()) == []


def test_a_field_that_stopped_coming_fails_and_names_the_field() -> None:
    failures = check("yna", with_(news__coverage__date_published=5), HISTORY)
    assert failures == ["MONITOR FAILED site=yna check=coverage field=date_published got=10% usual=98%"]


def test_many_server_errors_fail() -> None:
    failures = check("dt", with_(downloader__response_status_count__503=20), HISTORY)
    assert failures == ["MONITOR FAILED site=dt check=errors failed=20 of 60 requests"]


def test_few_runs_of_history_judge_nothing_by_history() -> None:
    assert (
        check("new_site", with_(news__discovery__articles=5, news__coverage__date_published=0), HISTORY[:2])
        == []
    )


def test_a_site_sets_its_own_limits() -> None:
    limits = Limits.from_settings(
        Settings({"NEWS_MONITOR_COVERAGE": {"authors": 0.95}, "NEWS_MONITOR_ITEM_RATIO": "0.5"})
    )
    # No history at all: the fixed floor still holds the site to its authors.
    assert check("yna", summarize(GOOD), [], limits) == [
        "MONITOR FAILED site=yna check=coverage field=authors got=80% expected=95%"
    ]
    half = with_(news__discovery__articles=20)
    assert check("etnews", half, HISTORY) == []
    assert check("etnews", half, HISTORY, limits)[0].startswith("MONITOR FAILED site=etnews check=item_count")


def test_a_limit_on_a_field_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="no such field \\['author'\\]"):
        Limits.from_settings(Settings({"NEWS_MONITOR_COVERAGE": {"author": 0.9}}))


def test_requests_not_sent_on_purpose_are_not_errors() -> None:
    skipped = {
        "downloader/exception_count": 52,
        "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest": 50,
        "downloader/exception_type_count/twisted.internet.error.ConnectionRefusedError": 2,
    }
    summary = summarize({**GOOD, **skipped})
    assert summary["failed"] == {"404": 2, "exceptions": 2}
    assert check("aitimes", summary, HISTORY) == []


def test_article_links_that_all_fail_fail_the_run() -> None:
    nothing = {
        k: v
        for k, v in GOOD.items()
        if not k.startswith(("news/db/", "news/coverage/", "item_", "news/dropped"))
    }
    summary = summarize({**nothing, "news/article_failed/http_404": 6, "news/article_failed/refused": 2})
    assert check("thelec", summary, []) == [
        "MONITOR FAILED site=thelec check=article_pages failed={'http_404': 6, 'refused': 2} of 8 article links, "
        "articles=0"
    ]
    # One dead link among many articles is no alarm; most of them is.
    assert article_page_failures("thelec", with_(news__article_failed__http_404=1), [], Limits()) == []
    assert article_page_failures("thelec", with_(news__article_failed__http_404=60), [], Limits())


def test_a_resumed_job_whose_queue_held_only_articles_passes() -> None:
    # A JOBDIR run is partial by design: bounded, not judged by its count of links.
    resumed = {k: v for k, v in GOOD.items() if k != "news/discovery/articles"} | {"news/bounded": True}
    assert check("aitimes", summarize(resumed), HISTORY) == []
    rerun = {"dupefilter/filtered": 3, "finish_reason": "finished"}  # a finished job started again
    assert discovery_failures("aitimes", summarize(rerun), [], Limits()) == []
