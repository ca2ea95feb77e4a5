"""Scrapyd deployment: the egg `scrapyd-deploy --build-egg` makes from a clean copy of the project holds
everything a run needs (checked by building it, not by running a server)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_scrapyd_egg_has_the_settings_entry_point_and_the_migrations(tmp_path: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    copy = tmp_path / "project"
    for name in files:
        if name.startswith("tests/fixtures/"):
            continue
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, copy / name)
    deploy = Path(sys.executable).with_name("scrapyd-deploy")
    egg = tmp_path / "crawler.egg"
    done = subprocess.run(
        [str(deploy), "--build-egg", str(egg)], cwd=copy, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]\nsettings = crawler.settings" in entry_points
    assert {
        "crawler/settings.py",
        "crawler/spiders/naver_it.py",
        "pipelines/dedup.py",
        "exports/sql.py",
        "exports/alembic.ini",
        "exports/migrations/env.py",
        "exports/migrations/versions/0001_initial_schema.py",
        "exports/migrations/versions/0002_article_signatures.py",
    } <= names
