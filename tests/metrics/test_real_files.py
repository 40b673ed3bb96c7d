"""Metrics on the real export files (../shared/data), checked against values computed here from the raw files
with the csv module alone."""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections import defaultdict
from pathlib import Path

import pytest

from strategyfirst import Workspace
from strategyfirst.errors import MeasureError


def _twcs_by_hand(path: Path) -> dict[str, dict[str, float | int | None]]:
    """Per brand: inbound tweets (reply to it, replied to by it, or @-mention it), answered ones, gaps."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))

    def when(r: dict[str, str]) -> dt.datetime:
        return dt.datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y")

    by_id = {r["tweet_id"]: r for r in rows}
    brands = {r["author_id"] for r in rows if r["inbound"] == "False"}
    pairs: set[tuple[str, str]] = set()
    for r in rows:
        if r["inbound"] != "True":
            continue
        parent = by_id.get(r["in_response_to_tweet_id"])
        if parent is not None and parent["inbound"] == "False":
            pairs.add((r["tweet_id"], parent["author_id"]))
        for other in rows:
            if other["inbound"] == "False" and other["in_response_to_tweet_id"] == r["tweet_id"]:
                pairs.add((r["tweet_id"], other["author_id"]))
        words = r["text"].lower().replace(",", " ").replace(":", " ").replace("!", " ").split()
        for brand in brands:
            if f"@{brand.lower()}" in words:
                pairs.add((r["tweet_id"], brand))
    out: dict[str, dict[str, float | int | None]] = {}
    for brand in sorted(brands):
        mine = [t for t, b in pairs if b == brand]
        gaps = []
        answered = 0
        for tweet in mine:
            replies = [when(o) for o in rows if o["inbound"] == "False" and o["author_id"] == brand
                       and o["in_response_to_tweet_id"] == tweet]
            if replies:
                answered += 1
                gap = (min(replies) - when(by_id[tweet])).total_seconds() / 60
                if gap >= 0:
                    gaps.append(gap)
        out[brand] = {"inbound_messages": len(mine), "answered": answered,
                      "response_rate": answered / len(mine) if mine else None,
                      "first_response_minutes_median": statistics.median(gaps) if gaps else None}
    return out


@pytest.fixture(scope="module")
def twcs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    ws = Workspace(tmp_path_factory.mktemp("twcs"))
    ws.ingest([shared_data / "twcs" / "sample.csv"])
    return ws, shared_data / "twcs" / "sample.csv"


def test_twcs_response_rate_and_median_first_response_per_brand(twcs: tuple[Workspace, Path]) -> None:
    ws, path = twcs
    expected = _twcs_by_hand(path)
    result = ws.measure(by="account", metrics=["inbound_messages", "response_rate",
                                                "first_response_minutes_median"])
    # A brand the hand count gives: AppleSupport has 17 inbound tweets, 13 answered.
    assert (expected["AppleSupport"]["inbound_messages"], expected["AppleSupport"]["answered"]) == (17, 13)
    for brand, values in expected.items():
        for metric in ("inbound_messages", "response_rate", "first_response_minutes_median"):
            got = result.value(metric, brand)
            want = values[metric]
            assert got == (None if want is None else pytest.approx(want)), (brand, metric)
        row = result.row("response_rate", brand)
        assert row is not None and row["numerator"] == values["answered"]


def test_twcs_data_quality(twcs: tuple[Workspace, Path]) -> None:
    ws, path = twcs
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ids = {r["tweet_id"] for r in rows}
    missing = sum(1 for r in rows if r["in_response_to_tweet_id"] and r["in_response_to_tweet_id"] not in ids)
    quality = ws.measure(metrics=["posts"]).data_quality
    assert quality["replies_with_missing_parent"] == missing
    assert quality["messages_without_timestamp"] == 0


def _ropensci(shared_data: Path, tmp_path: Path, files: list[Path]) -> None:
    figures: dict[str, tuple[float, float]] = {}
    for f in files:
        with f.open(newline="", encoding="utf-8-sig") as fh:
            for r in csv.DictReader(fh):
                figures[r["Tweet id"]] = (float(r["engagements"]), float(r["impressions"]))
    engagements = sum(e for e, _ in figures.values())
    impressions = sum(i for _, i in figures.values())
    ws = Workspace(tmp_path)
    ws.ingest(files)
    result = ws.measure(metrics=["engagement_rate", "impressions", "posts"])
    assert result.value("impressions") == impressions
    assert result.value("engagement_rate") == pytest.approx(engagements / impressions)
    assert result.row("engagement_rate")["numerator"] == engagements  # type: ignore[index]


def test_ropensci_engagement_rate_over_unique_tweets_q1_2017(shared_data: Path, tmp_path: Path) -> None:
    """Three of the monthly exports (the whole set is the slow test below)."""
    files = sorted((shared_data / "x-analytics" / "rOpenSci").glob("*_2017*_2017*_en.csv"))[:3]
    assert [f.name[32:40] for f in files] == ["20170101", "20170201", "20170301"]
    _ropensci(shared_data, tmp_path, files)


@pytest.mark.slow
def test_ropensci_engagement_rate_over_unique_tweets_all(shared_data: Path, tmp_path: Path) -> None:
    _ropensci(shared_data, tmp_path, sorted((shared_data / "x-analytics" / "rOpenSci").glob("*.csv")))


def test_uci_engagement_rate_by_reach(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "uci-facebook-metrics" / "dataset_Facebook.csv"
    engaged = reach = 0.0
    by_month: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            e, p = r["Lifetime Engaged Users"], r["Lifetime Post Total Reach"]
            if e and p:
                engaged += float(e)
                reach += float(p)
                by_month[int(r["Post Month"])][0] += float(e)
                by_month[int(r["Post Month"])][1] += float(p)
    ws = Workspace(tmp_path)
    ws.ingest([path], account="Cosmetics")
    result = ws.measure(metrics=["engagement_rate_by_reach"])
    assert result.value("engagement_rate_by_reach") == pytest.approx(engaged / reach)
    monthly = ws.measure(period="month", metrics=["engagement_rate_by_reach"])
    e, p = by_month[7]
    assert monthly.value("engagement_rate_by_reach", period="2014-07") == pytest.approx(e / p)
    with pytest.raises(MeasureError, match="finer than the data's time precision"):
        ws.measure(period="week", metrics=["posts"])


def test_uci_week_refusal_names_the_account_and_source(shared_data: Path, tmp_path: Path) -> None:
    """The UCI file dates its 500 posts by month only: a weekly or daily measurement says whose posts they are,
    from which source, and what to ask for instead (from the shipped SQL and from SQL compiled for dates)."""
    path = shared_data / "uci-facebook-metrics" / "dataset_Facebook.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        posts = sum(1 for _ in csv.DictReader(fh, delimiter=";"))
    ws = Workspace(tmp_path)
    ws.ingest([path], account="Cosmetics")
    for ask in ({"period": "week"}, {"period": "day", "metrics": ["posts"]},
                {"period": "week", "since": "2014-01-01"}):
        with pytest.raises(MeasureError) as got:
            ws.measure(**ask)
        said = str(got.value)
        assert (f"{posts} messages are dated only to the month (Cosmetics on facebook: {posts}, imported as "
                "facebook-metrics-uci); use --period month") in said and "\n" not in said


def _clicks_by_hand(x_files: list[Path], fb_files: list[Path], youtube: Path) -> tuple[float, float, float]:
    """Σ clicks and Σ impressions over the posts giving both (X url clicks, Facebook Lifetime Post Consumptions),
    and YouTube's impressions, which come without clicks."""
    tweets: dict[str, tuple[float, float]] = {}
    for f in x_files:
        with f.open(newline="", encoding="utf-8-sig") as fh:
            for r in csv.DictReader(fh):
                tweets[r["Tweet id"]] = (float(r["url clicks"]), float(r["impressions"]))
    clicks, impressions = sum(c for c, _ in tweets.values()), sum(i for _, i in tweets.values())
    for f in fb_files:
        with f.open(newline="", encoding="utf-8-sig") as fh:
            table = list(csv.reader(fh))
        consumptions = table[0].index("Lifetime Post Consumptions")
        total = table[0].index("Lifetime Post Total Impressions")
        for cells in table[2:]:  # the second row describes the metrics
            if cells[consumptions].strip() and cells[total].strip():
                clicks += float(cells[consumptions])
                impressions += float(cells[total])
    with youtube.open(newline="", encoding="utf-8") as fh:
        shown = sum(float(r["Impressions"]) for r in csv.DictReader(fh) if r["Content"] != "Total")
    return clicks, impressions, shown


def _mixed_click_through(shared_data: Path, tmp_path: Path, x_files: list[Path]) -> tuple[float, float]:
    fb_files = sorted((shared_data / "facebook-insights" / "VIC").glob("*(Post Level)*.csv"))
    youtube = shared_data / "youtube-studio" / "priyankapatel05" / "Table data.csv"
    clicks, impressions, shown = _clicks_by_hand(x_files, fb_files, youtube)
    ws = Workspace(tmp_path)
    ws.ingest([*x_files, *fb_files])
    ws.ingest([youtube], account="priyankapatel05")
    result = ws.measure(metrics=["click_through_rate", "impressions"])
    # YouTube Studio gives impressions and no clicks: its impressions are in Σ impressions, not in the rate
    assert result.value("impressions") == impressions + shown
    row = result.row("click_through_rate")
    assert row is not None and (row["numerator"], row["denominator"]) == (clicks, impressions)
    assert row["value"] == pytest.approx(clicks / impressions)
    return clicks, impressions


def test_click_through_rate_leaves_out_youtube_impressions(shared_data: Path, tmp_path: Path) -> None:
    """X (three months), Facebook and YouTube Studio exports together (all of X is the slow test below)."""
    files = sorted((shared_data / "x-analytics" / "rOpenSci").glob("*_2017*_2017*_en.csv"))[:3]
    _mixed_click_through(shared_data, tmp_path, files)


@pytest.mark.slow
def test_click_through_rate_leaves_out_youtube_impressions_all(shared_data: Path, tmp_path: Path) -> None:
    files = sorted((shared_data / "x-analytics" / "rOpenSci").glob("*.csv"))
    # the Facebook and X posts give 55,668 clicks over 9,799,991 impressions; YouTube's 37,715 impressions
    # without clicks made it 55,668 / 9,837,706 in version 2
    assert _mixed_click_through(shared_data, tmp_path, files) == (55_668, 9_799_991)


PLATFORM_PLAN = """\
version: 1
organisation: VIC
owner: Jo <jo@example.org>
horizon: {start: 2014-01-01, end: 2014-12-31}
strategy: {statement: Grow a permission asset among studio clients.}
objectives:
  - {id: permission, statement: Grow the audience, kpis: [{metric: audience_gained, target: 100}]}
tactics:
  - {id: fb-all, serves: [permission], owner: Jo, match: {platform: [Facebook]}}
  - {id: fb-page, serves: [permission], owner: Jo, match: {accounts: ["Visualization Studio VIC"]}}
  - {id: on-x, serves: [permission], owner: Jo, match: {platform: [x]}}
"""


def test_a_tactic_matched_by_platform_alone_gets_its_audience(shared_data: Path, tmp_path: Path) -> None:
    """A tactic matching `platform: [facebook]` holds every Facebook post of the page, and (as one naming the
    page) its page likes: it had no audience figure at all."""
    vic = shared_data / "facebook-insights" / "VIC"
    page = next(vic.glob("Facebook Insights Data Export - *.csv"))
    with page.open(newline="", encoding="cp1252") as fh:
        rows = list(csv.DictReader(fh))[1:]  # the second row describes the metrics
    gained = sum(float(r["Daily New Likes"]) for r in rows if r["Daily New Likes"].strip())
    last = max(rows, key=lambda r: dt.datetime.strptime(r["Date"], "%m/%d/%Y"))
    (tmp_path / "strategy.yaml").write_text(PLATFORM_PLAN, encoding="utf-8")
    ws = Workspace(tmp_path)
    ws.ingest(sorted(vic.glob("*.csv")))
    got = ws.measure(by="tactic", metrics=["audience_gained", "audience_size", "posts"])
    for tactic in ("fb-all", "fb-page"):
        assert got.value("audience_gained", tactic) == gained == 21, tactic
        assert got.value("audience_size", tactic) == float(last["Lifetime Total Likes"]), tactic
    assert got.value("posts", "fb-all") == got.value("posts", "fb-page") == 20 + 99
    assert got.value("audience_gained", "on-x") is None  # no X account has audience rows
    by_objective = ws.measure(by="objective", metrics=["audience_gained"])
    assert by_objective.value("audience_gained", "permission") == gained  # two tactics, one page: counted once
