"""Every file under ../shared/data is checked by a truth module, or listed here with why it is not."""

from __future__ import annotations

from pathlib import Path

CHECKED = {
    "twcs/sample.csv": "test_twcs.py",
    "x-analytics/rOpenSci/*.csv": "test_x_analytics.py, test_x_localised.py",
    "facebook-insights/VIC/*.csv": "test_facebook_insights.py",
    "uci-facebook-metrics/dataset_Facebook.csv": "test_uci.py",
    "youtube-studio/priyankapatel05/*.csv": "test_youtube_studio.py",
    "mastodon/dealingwith/outbox.json": "test_mastodon.py",
    "mastodon/dealingwith/likes.json": "test_mastodon.py (refused: not an outbox)",
    "newsletter/tryghost-fixtures/*.csv": "tests/sources/test_members.py (counts per day by stdlib csv, privacy)",
}
NOT_DATA = {
    "PROVENANCE.md": "describes the files",
    "mastodon/dealingwith/actor.json": "the account's profile: no messages or figures",
    "newsletter/tryghost-fixtures/LICENSE": "licence of the fixtures",
}


def test_every_shared_file_is_accounted_for(shared_data: Path) -> None:
    files = {p.relative_to(shared_data).as_posix() for p in shared_data.rglob("*") if p.is_file()}
    patterns = {**CHECKED, **NOT_DATA}
    unaccounted = sorted(f for f in files if not any(Path(f).match(p) for p in patterns))
    assert not unaccounted, f"real files no truth test checks: {unaccounted}"
    assert len([f for f in files if Path(f).match("x-analytics/rOpenSci/*.csv")]) == 60
