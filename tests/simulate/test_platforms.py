"""The 2026 platform exports of the simulator (Instagram, TikTok Studio, LinkedIn), re-read with csv and
python-calamine and checked against the simulator's ground truth (truth.json `platforms`)."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from strategyfirst.simulate import SimulationSummary

IG_COLUMNS = ["Post ID", "Account ID", "Account username", "Account name", "Description", "Duration (sec)",
              "Publish time", "Permalink", "Post type", "Data comment", "Date", "Views", "Reach", "Likes",
              "Shares", "Comments", "Saves", "Follows"]
YEARLESS = re.compile(r"(January|February|March|April|May|June|July|August|September|October|November|December)"
                      r" [1-9][0-9]?")
MDY = re.compile(r"[1-9][0-9]?/[1-9][0-9]?/2026")


def _dicts(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_instagram_is_a_meta_business_suite_post_export(sim: SimulationSummary) -> None:
    (path,) = sim.files["meta-posts"]
    assert re.fullmatch(r"Jan-01-2026_Sep-30-2026_\d+\.csv", path.name)
    with path.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == IG_COLUMNS
    rows = _dicts(path)
    want = sim.truth["platforms"]["instagram"]
    assert len(rows) == want["posts"] > 0
    assert sum(int(r["Views"]) for r in rows) == want["impressions"]
    assert sum(int(r["Likes"]) + int(r["Comments"]) + int(r["Shares"]) + int(r["Saves"]) for r in rows) == (
        want["engagements"])
    assert sum(int(r["Saves"]) for r in rows) == want["saves"]
    assert {r["Account username"] for r in rows} == {"northwind.cycles"}
    assert {r["Date"] for r in rows} == {"Lifetime"} and {r["Data comment"] for r in rows} == {""}
    times = [dt.datetime.strptime(r["Publish time"], "%m/%d/%Y %H:%M") for r in rows]
    assert times == sorted(times, reverse=True) and times[-1] >= dt.datetime(2026, 1, 1)
    assert all(int(r["Reach"]) <= int(r["Views"]) for r in rows)
    assert any("\n" in r["Description"] for r in rows)  # text fields hold line breaks, as real exports do
    for r in rows:
        reel = r["Post type"] == "IG reel"
        assert r["Permalink"].startswith("https://www.instagram.com/reel/" if reel else "https://www.instagram.com/p/")
        assert (int(r["Duration (sec)"]) > 0) == reel
    assert len({r["Post ID"] for r in rows}) == len(rows)


def test_tiktok_studio_files_add_up(sim: SimulationSummary) -> None:
    files = {p.name: p for p in sim.files["tiktok-analytics"]}
    assert sorted(files) == ["Content.csv", "FollowerHistory.csv", "Overview.csv"]
    want = sim.truth["platforms"]["tiktok"]
    content = _dicts(files["Content.csv"])
    assert list(content[0]) == ["Time", "Video title", "Video link", "Post time", "Total likes", "Total comments",
                                "Total shares", "Total views"]
    assert len(content) == want["posts"] > 0
    views = sum(int(r["Total views"]) for r in content)
    likes, comments, shares = (sum(int(r[f"Total {k}"]) for r in content) for k in ("likes", "comments", "shares"))
    assert (views, likes + comments + shares) == (want["impressions"], want["engagements"])
    assert {r["Time"] for r in content} == {"September 30"}  # the export day, without a year
    assert all(YEARLESS.fullmatch(r["Post time"]) for r in content)
    assert all(re.fullmatch(r"https://www\.tiktok\.com/@northwindcycles/video/\d{19}", r["Video link"])
               for r in content)
    overview = _dicts(files["Overview.csv"])
    assert list(overview[0]) == ["Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares"]
    assert [r["Date"] for r in overview[:2]] + [overview[-1]["Date"]] == ["January 1", "January 2", "September 30"]
    assert len(overview) == 273 and all(YEARLESS.fullmatch(r["Date"]) for r in overview)
    # the daily totals are the videos' figures on the day each was posted
    assert sum(int(r["Video Views"]) for r in overview) == views
    assert (sum(int(r["Likes"]) for r in overview), sum(int(r["Shares"]) for r in overview)) == (likes, shares)
    by_day: dict[str, int] = {}
    for r in content:
        by_day[r["Post time"]] = by_day.get(r["Post time"], 0) + int(r["Total views"])
    assert all(int(r["Video Views"]) == by_day.get(r["Date"], 0) for r in overview)
    history = _dicts(files["FollowerHistory.csv"])
    assert list(history[0]) == ["Date", "Followers", "Difference in followers from previous day"]
    assert int(history[0]["Followers"]) == want["followers_before"] + int(history[0][
        "Difference in followers from previous day"])
    for prev, cur in itertools.pairwise(history):
        assert int(cur["Followers"]) == int(prev["Followers"]) + int(cur["Difference in followers from previous day"])
    assert int(history[-1]["Followers"]) == want["followers_last"]


def _sheets(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_linkedin_content_workbook_reads_back(sim: SimulationSummary) -> None:
    (path,) = sim.files["linkedin-content"]
    assert path.suffix == ".xlsx"
    sheets = _sheets(path)
    assert list(sheets) == ["DISCOVERY", "ENGAGEMENT", "TOP POSTS", "FOLLOWERS", "DEMOGRAPHICS"]
    want = sim.truth["platforms"]["linkedin"]
    discovery = sheets["DISCOVERY"]
    assert discovery[0] == ["Overall Performance", "1/1/2026 - 9/30/2026"]
    assert discovery[1] == ["Impressions", want["impressions"]]
    assert discovery[2][0] == "Members reached" and discovery[2][1] <= want["impressions"]
    engagement = sheets["ENGAGEMENT"]
    assert engagement[0] == ["Date", "Impressions", "Engagements"]
    assert all(MDY.fullmatch(r[0]) for r in engagement[1:]) and len(engagement) == 1 + 273
    assert (sum(r[1] for r in engagement[1:]), sum(r[2] for r in engagement[1:])) == (
        want["impressions"], want["engagements"])
    top = sheets["TOP POSTS"]
    assert top[0][0] == "Maximum of 50 posts available to include in this list"
    assert all(c == "" for c in top[1])
    assert top[2] == ["Post URL", "Post publish date", "Engagements", "", "Post URL", "Post publish date",
                      "Impressions"]
    posts = top[3:]
    assert len(posts) == want["posts"] <= 50  # fewer than LinkedIn lists: both tables hold every post
    left = {r[0]: (r[1], r[2]) for r in posts}
    right = {r[4]: (r[5], r[6]) for r in posts}
    assert left.keys() == right.keys()
    assert all(re.fullmatch(r"https://www\.linkedin\.com/feed/update/urn:li:activity:\d{19}", u) for u in left)
    assert all(left[u][0] == right[u][0] and MDY.fullmatch(left[u][0]) for u in left)
    assert [r[2] for r in posts] == sorted((r[2] for r in posts), reverse=True)
    assert [r[6] for r in posts] == sorted((r[6] for r in posts), reverse=True)
    assert (sum(v for _, v in left.values()), sum(v for _, v in right.values())) == (
        want["engagements"], want["impressions"])
    followers = sheets["FOLLOWERS"]
    assert followers[0] == ["Total followers on 9/30/2026:", want["followers_last"]]
    assert followers[2] == ["Date", "New followers"]
    assert sum(r[1] for r in followers[3:]) == want["followers_gained"]
    assert want["followers_last"] == want["followers_before"] + want["followers_gained"]
    assert sheets["DEMOGRAPHICS"][0] == ["Top Demographics", "Value", "Percentage"]


def test_plan_and_truth_name_a_tactic_per_platform(sim: SimulationSummary) -> None:
    truth = sim.truth
    awareness = truth["objectives"]["awareness"]
    plan_text = sim.plan.read_text(encoding="utf-8")
    assert sorted(truth["platforms"]) == ["instagram", "linkedin", "tiktok"]
    for platform, row in truth["platforms"].items():
        tactic = row["tactic"]
        assert f"id: {tactic}\n    channel: {platform}" in plan_text
        assert f"match: {{platform: [{platform}]}}" in plan_text
        assert row["engagement_rate"] < 0.02  # far below the 4% target, like the other awareness tactics
        if platform == "tiktok":  # its views import as video views: no impressions to rate engagements by
            assert tactic in awareness["undecided_tactics"]
            assert truth["tactics"][tactic]["expected_verdict"] == "not_enough_data"
        else:
            assert tactic in awareness["failing_tactics"]
            assert truth["tactics"][tactic]["expected_verdict"] == "strategy_failing"
    imp = sum(r["realised"]["impressions"] for t, r in truth["tactics"].items()
              if t in awareness["failing_tactics"] and t not in ("commute-tips", "ride-stories"))
    imp += truth["posts"]["NorthwindCycles"]["impressions"] + truth["posts"]["Northwind Cycles"]["tagged"][
        "impressions"]
    assert awareness["realised"]["impressions"] == imp
