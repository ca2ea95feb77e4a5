"""The status report (`scrapy report`): one static HTML file read from the database, with its charts as
inline SVG and no script, font or image from anywhere, so it opens offline and can sit in the Jekyll
site as a static file.

It shows the articles per outlet per day; each site's last runs, with the article links found and the
share of articles with each field, and the monitor's thresholds (crawler.monitor) drawn in as dashed
lines; the failed checks of the last runs; and the biggest clusters of near-duplicates. Every string
from the database is escaped: headlines and outlet names are scraped text.

The charts are a few bars and polylines drawn here: a charting library would bring a script or a
stylesheet from the web (pygal's tooltips) or a browser runtime, for shapes this small.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from crawler.korean.dates import KST
from crawler.monitor import (
    FAILED_STAT,
    FIELDS,
    HISTORY,
    Limits,
    coverage_floor,
    item_count_floor,
    measures_the_site,
)
from exports.sql import NEAR, RUNS, A

FIELD_NAMES = {
    "headline": "title",
    "body_text": "body",
    "date_published": "date",
    "authors": "author",
    "main_image": "image",
}


@dataclass
class Run:
    id: int
    started_at: datetime
    finish_reason: str | None
    articles: int | None
    discovered: int | None
    coverage: dict[str, float | None]
    failed_checks: list[str]
    judged: bool  # counts as history for the next runs' checks
    item_floor: float | None = None
    coverage_floors: dict[str, float | None] = field(default_factory=dict)


@dataclass
class Report:
    generated_at: datetime
    database: str
    days: list[date]
    per_day: dict[str, dict[date, int]]  # outlet -> day -> articles published

    def periods(self) -> list[tuple[str, list[date]]]:
        """The window in days, or in weeks or months where days would make too many bars to read."""
        if len(self.days) <= 92:
            return [(d.isoformat(), [d]) for d in self.days]
        if len(self.days) <= 730:
            group = lambda d: f"{d:%G-W%V}"  # noqa: E731
        elif len(self.days) <= 3660:
            group = lambda d: f"{d:%Y-%m}"  # noqa: E731
        else:
            group = lambda d: f"{d:%Y}"  # noqa: E731
        grouped: dict[str, list[date]] = {}
        for day in self.days:
            grouped.setdefault(group(day), []).append(day)
        return list(grouped.items())

    runs: dict[str, list[Run]]  # spider -> its last runs, oldest first
    clusters: list[tuple[str, str, int, list[str]]]  # headline, outlet, copies, outlets of the copies


def gather(
    engine: Engine,
    database: str,
    days: int = 30,
    last_runs: int = 20,
    limits: Callable[[str], Limits] | None = None,
) -> Report:
    """What the report shows, read from the database; `limits` gives each spider's monitor limits."""
    now = datetime.now(UTC)
    per_day: dict[str, dict[date, int]] = defaultdict(dict)
    with engine.connect() as connection:
        # The days up to the newest article (today at most): a backfill's database shows its own period.
        newest = connection.scalar(select(func.max(A.c.date_published)).where(A.c.date_published <= now))
        last = (newest or now).astimezone(KST).date()
        window = [last - timedelta(days=n) for n in range(days - 1, -1, -1)]
        start = datetime.combine(window[0], datetime.min.time(), tzinfo=KST)
        # Grouped here, not in SQL: the day is Seoul's, which SQLite, PostgreSQL and MariaDB each say differently.
        published = connection.execute(
            select(func.coalesce(A.c.source_name, A.c.source), A.c.date_published).where(
                A.c.date_published >= start
            )
        )
        for outlet, moment in published:
            day = moment.astimezone(KST).date()
            per_day[outlet][day] = per_day[outlet].get(day, 0) + 1
        judged = and_(*measures_the_site(RUNS)).label("judged")
        rows = connection.execute(
            select(
                RUNS.c.id,
                RUNS.c.spider,
                RUNS.c.kind,
                RUNS.c.started_at,
                RUNS.c.finish_reason,
                RUNS.c.articles,
                RUNS.c.discovered,
                RUNS.c.coverage,
                RUNS.c.stats,
                judged,
            ).order_by(RUNS.c.id)
        ).all()
        clusters = _clusters(connection)
    runs: dict[str, list[Run]] = defaultdict(list)
    history: dict[tuple[str, str | None], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        run = Run(
            row.id,
            row.started_at,
            row.finish_reason,
            row.articles,
            row.discovered,
            row.coverage or {},
            list((row.stats or {}).get(FAILED_STAT) or []),
            bool(row.judged),
        )
        # The thresholds this run was held to: from the runs before it, as the monitor read them.
        past = history[(row.spider, row.kind)][-HISTORY:][::-1]
        spider_limits = limits(row.spider) if limits else Limits()
        run.item_floor = item_count_floor(past, spider_limits)
        for name in FIELDS:
            floor = coverage_floor(name, past, spider_limits)
            run.coverage_floors[name] = floor[0] if floor else None
        if run.judged:
            history[(row.spider, row.kind)].append(
                {"articles": row.articles, "discovered": row.discovered, "coverage": row.coverage or {}}
            )
        runs[row.spider].append(run)
    return Report(
        generated_at=now,
        database=database,
        days=window,
        per_day=dict(per_day),
        runs={spider: spider_runs[-last_runs:] for spider, spider_runs in sorted(runs.items())},
        clusters=clusters,
    )


def _clusters(connection: Any, top: int = 10) -> list[tuple[str, str, int, list[str]]]:
    copies = connection.execute(
        select(NEAR.c.duplicate_of_id, func.count().label("copies"))
        .group_by(NEAR.c.duplicate_of_id)
        .order_by(func.count().desc(), NEAR.c.duplicate_of_id)
        .limit(top)
    ).all()
    clusters = []
    for original_id, count in copies:
        headline, outlet = connection.execute(
            select(A.c.headline, func.coalesce(A.c.source_name, A.c.source)).where(A.c.id == original_id)
        ).one()
        outlets = connection.scalars(
            select(func.coalesce(A.c.source_name, A.c.source))
            .join(NEAR, NEAR.c.article_id == A.c.id)
            .where(NEAR.c.duplicate_of_id == original_id)
            .order_by(A.c.id)
        ).all()
        clusters.append((headline, outlet, count, list(outlets)))
    return clusters


# -- drawing ---------------------------------------------------------------------------------------------

e = html.escape


def bars(values: list[int], labels: list[str], width: int = 300, height: int = 40) -> str:
    """A bar per value, each with its label and value as a tooltip."""
    top = max(values, default=0) or 1
    step = width / max(len(values), 1)
    shapes = []
    for n, (value, label) in enumerate(zip(values, labels, strict=True)):
        if not value:
            continue
        h = round(value / top * (height - 2), 1)
        shapes.append(
            f'<rect x="{n * step + 0.5:.1f}" y="{height - h:.1f}" width="{max(step - 1, 1):.1f}" height="{h}" '
            f'class="bar"><title>{e(label)}: {value}</title></rect>'
        )
    return (
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
        f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" class="axis"/>{"".join(shapes)}</svg>'
    )


def trend(
    values: list[float | None],
    floors: list[float | None],
    top: float,
    label: str,
    fmt: Callable[[float], str],
    width: int = 140,
    height: int = 34,
) -> str:
    """A line of one measure over runs, the check's threshold at each run as a dashed line, a dot on the
    last run, and a red dot on each run under its threshold."""
    top = top or 1
    step = width / max(len(values) - 1, 1)

    def at(n: int, value: float) -> str:
        return f"{n * step:.1f},{height - 3 - min(value, top) / top * (height - 6):.1f}"

    measured = [(n, v, f) for n, (v, f) in enumerate(zip(values, floors, strict=True)) if v is not None]
    line = " ".join(at(n, v) for n, v, _ in measured)
    limit = " ".join(at(n, f) for n, f in enumerate(floors) if f is not None)
    dots = []
    for n, v, f in measured:
        under = f is not None and v < f
        if under or n == measured[-1][0]:
            x, y = at(n, v).split(",")
            threshold = f" (threshold {fmt(f)})" if f is not None else ""
            dots.append(
                f'<circle cx="{x}" cy="{y}" r="2.5" class="{"under" if under else "dot"}">'
                f"<title>{e(label)}, run {n + 1}: {e(fmt(v))}{e(threshold)}</title></circle>"
            )
    return (
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{e(label)}"><polyline points="{line}" class="line"/>'
        + (f'<polyline points="{limit}" class="limit"/>' if limit else "")
        + "".join(dots)
        + "</svg>"
    )


def render(report: Report) -> str:
    days = report.days
    periods = report.periods()
    outlets = sorted(report.per_day.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    outlet_rows = "".join(
        f"<tr><th>{e(outlet)}</th><td class=num>{sum(counts.get(d, 0) for d in days)}</td>"
        f"<td>{bars([sum(counts.get(d, 0) for d in part) for _, part in periods], [p for p, _ in periods])}</td></tr>"
        for outlet, counts in outlets
    )
    unit = {10: "day", 8: "week", 7: "month", 4: "year"}[len(periods[0][0])]
    site_rows = "".join(_site_row(spider, runs) for spider, runs in report.runs.items())
    failures = [
        (run.started_at, spider, line)
        for spider, runs in report.runs.items()
        for run in runs
        for line in run.failed_checks
    ]
    failure_rows = "".join(
        f"<tr><td>{when.astimezone(KST):%Y-%m-%d %H:%M}</td><td>{e(spider)}</td><td><code>{e(line)}</code></td></tr>"
        for when, spider, line in sorted(failures, reverse=True)
    )
    cluster_rows = "".join(
        f"<tr><td class=num>{copies + 1}</td><td>{e(headline)}</td><td>{e(outlet)}</td>"
        f"<td>{e(', '.join(sorted(set(others))))}</td></tr>"
        for headline, outlet, copies, others in report.clusters
    )
    period = f"{days[0]:%Y-%m-%d} – {days[-1]:%Y-%m-%d}" if days else ""
    return f"""<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Crawl report</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Crawl report</h1>
<p class=meta>{report.generated_at.astimezone(KST):%Y-%m-%d %H:%M} KST · {e(report.database)}</p>

<section id=per-day>
<h2>Articles per outlet per day</h2>
<p class=meta>By publication date, Seoul time, {period}; a bar per {unit}.</p>
{f"<table><tr><th>outlet</th><th>articles</th><th>per {unit}</th></tr>{outlet_rows}</table>" if outlet_rows else "<p>No article published in these days.</p>"}
</section>

<section id=runs>
<h2>Sites and their last runs</h2>
<p class=meta>Oldest run left, last run right. Dashed: the threshold the monitor held each run to (none
until a site has enough history). A red dot: a run under its threshold.</p>
{f"<table><tr><th>spider</th><th>last run</th><th>article links</th>{''.join(f'<th>{FIELD_NAMES[n]}</th>' for n in FIELDS)}</tr>{site_rows}</table>" if site_rows else "<p>No run recorded.</p>"}
</section>

<section id=failures>
<h2>Failed checks</h2>
{f"<table><tr><th>run started</th><th>spider</th><th>check</th></tr>{failure_rows}</table>" if failure_rows else "<p>No check failed in these runs.</p>"}
</section>

<section id=clusters>
<h2>Biggest near-duplicate clusters</h2>
{f"<table><tr><th>articles</th><th>first seen</th><th>outlet</th><th>copied by</th></tr>{cluster_rows}</table>" if cluster_rows else "<p>No near-duplicates stored.</p>"}
</section>
</body>
</html>
"""


def _site_row(spider: str, runs: list[Run]) -> str:
    last = runs[-1]
    status = "FAILED" if last.failed_checks else (last.finish_reason or "running")
    found = [float(r.discovered) if r.discovered is not None else None for r in runs]
    links = trend(
        found,
        [r.item_floor for r in runs],
        max([v for v in found if v is not None] + [f for r in runs if (f := r.item_floor)], default=1),
        f"{spider}: article links",
        lambda v: f"{v:.3g}",
    )
    cells = "".join(
        "<td>"
        + trend(
            [r.coverage.get(name) for r in runs],
            [r.coverage_floors.get(name) for r in runs],
            1.0,
            f"{spider}: {FIELD_NAMES[name]}",
            lambda v: f"{v:.0%}",
        )
        + f"<span class=num>{_share(last.coverage.get(name))}</span></td>"
        for name in FIELDS
    )
    return (
        f"<tr><th>{e(spider)}</th><td><span class={'bad' if last.failed_checks else 'ok'}>{e(status)}</span><br>"
        f"{last.started_at.astimezone(KST):%m-%d %H:%M}, {last.articles or 0} articles</td>"
        f"<td>{links}<span class=num>{last.discovered or 0}</span></td>{cells}</tr>"
    )


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


STYLE = """
body { font-family: "Noto Sans KR", "NanumGothic", "Apple SD Gothic Neo", sans-serif; margin: 2rem; color: #222; }
h1 { margin-bottom: 0; } .meta { color: #666; font-size: .9rem; }
table { border-collapse: collapse; margin: .5rem 0 2rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .6rem; text-align: left; vertical-align: middle; }
.num { font-variant-numeric: tabular-nums; text-align: right; padding-left: .4rem; }
.chart { display: inline-block; vertical-align: middle; }
.bar { fill: #3b6ea5; } .axis { stroke: #999; stroke-width: 1; }
.line { fill: none; stroke: #3b6ea5; stroke-width: 1.5; }
.limit { fill: none; stroke: #c0392b; stroke-width: 1; stroke-dasharray: 3 2; }
.dot { fill: #3b6ea5; } .under { fill: #c0392b; }
.ok { color: #1e7b34; } .bad { color: #c0392b; font-weight: bold; }
code { font-size: .85rem; white-space: pre-wrap; }
"""


def limits_for(settings: Any, spiders: Mapping[str, Any]) -> Callable[[str], Limits]:
    """Each spider's monitor limits: the project's settings with the spider's own custom_settings."""
    cache: dict[str, Limits] = {}

    def limits(name: str) -> Limits:
        if name not in cache:
            merged = settings.copy()
            spider = spiders.get(name)
            if spider is not None:
                merged.setdict(spider.custom_settings or {}, priority="spider")
            cache[name] = Limits.from_settings(merged)
        return cache[name]

    return limits
