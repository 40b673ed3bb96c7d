"""The platforms teams post on in 2026: Instagram, TikTok and LinkedIn posts, drawn with NumPy and written as
the exports their analytics pages give (layouts of data.md "Sources to add").

- Instagram: a Meta Business Suite post export (`Mon-DD-YYYY_Mon-DD-YYYY_<id>.csv`, the Instagram column set,
  `Publish time` `MM/DD/YYYY HH:MM`, `Date` `Lifetime`, descriptions with line breaks).
- TikTok Studio: `Content.csv` (one row per video), `Overview.csv` (daily totals) and `FollowerHistory.csv`,
  dates without a year (`September 30`), oldest day first; the export day is the last day of the window.
- LinkedIn: the member "Content" workbook (`.xlsx` with DISCOVERY, ENGAGEMENT, TOP POSTS, FOLLOWERS,
  DEMOGRAPHICS), written with xlsxwriter; the organisation posts fewer than the 50 posts TOP POSTS lists, so
  both of its tables hold every post.

Daily totals put each post's lifetime figures on the day it was published, so files and truth add up exactly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from strategyfirst.simulate import org
from strategyfirst.simulate.csvtext import NEEDS_QUOTE, as_str, header, lines, quote_where, write_lines
from strategyfirst.simulate.posts import PostDesign, post_times

IG_ACCOUNT, IG_ACCOUNT_ID, IG_NAME = "northwind.cycles", "17841400000000001", org.ORGANISATION
TIKTOK_HANDLE = "northwindcycles"
LINKEDIN_ACCOUNT = org.ORGANISATION
TOP_POSTS_MAX = 50

IG_COLUMNS = ("Post ID", "Account ID", "Account username", "Account name", "Description", "Duration (sec)",
              "Publish time", "Permalink", "Post type", "Data comment", "Date", "Views", "Reach", "Likes",
              "Shares", "Comments", "Saves", "Follows")
TIKTOK_CONTENT = ("Time", "Video title", "Video link", "Post time", "Total likes", "Total comments",
                  "Total shares", "Total views")
TIKTOK_OVERVIEW = ("Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares")
TIKTOK_FOLLOWERS = ("Date", "Followers", "Difference in followers from previous day")


@dataclass(frozen=True)
class Platform:
    """One owned account on a 2026 platform: how it posts, how its audience responds, what the parts are."""

    platform: str
    source: str                  # the import source that reads its export
    design: PostDesign
    parts: tuple[str, ...]       # engagements split into these (they add up to engagements)
    shares: tuple[float, ...]
    followers_per_day: float
    followers_before: int
    impressions_stored: bool = True  # TikTok's views import as video views: no impressions, no engagement rate


PLATFORMS: tuple[Platform, ...] = (
    Platform("instagram", "meta-posts", PostDesign(IG_ACCOUNT, "instagram-reels", org.START, org.END, 0.7,
                                                   2200.0, 0.013, 0.0, (
        "Five-minute fixes, part {n}: adjusting your brakes 🔧\nSave this for later! #RideStories",
        "Morning commute along the river 🌅 #RideStories",
        "Behind the scenes at the Northwind workshop.\nWhich bike should we rebuild next? #RideStories",
        "Your photos of the week 📸 Tag us to be featured #RideStories",
    )), ("likes", "comments", "shares", "saves"), (0.72, 0.08, 0.08, 0.12), 3.0, 4100),
    Platform("tiktok", "tiktok-analytics", PostDesign(TIKTOK_HANDLE, "tiktok-clips", org.START, org.END, 0.4,
                                                      3500.0, 0.016, 0.0, (
        "POV: you fixed a flat in under 2 minutes #bikehacks #commute",
        "Rating our customers' commuter bikes (part {n}) #cycling",
        "What 14 km of rain riding actually looks like #biketok",
    )), ("likes", "comments", "shares"), (0.86, 0.06, 0.08), 2.0, 1250, impressions_stored=False),
    Platform("linkedin", "linkedin-content", PostDesign(LINKEDIN_ACCOUNT, "linkedin-updates", org.START, org.END,
                                                        0.15, 900.0, 0.011, 0.0, ("",)),
             ("engagements",), (1.0,), 1.0, 820),
)


@dataclass
class PlatformPosts:
    """Posts of one platform account with lifetime figures, and the account's daily follower gains."""

    spec: Platform
    t: np.ndarray                    # epoch seconds, sorted
    ids: np.ndarray                  # the platform's post ids (int64)
    text: list[str]
    views: np.ndarray                # impressions (Instagram, TikTok: views)
    engagements: np.ndarray
    parts: dict[str, np.ndarray]
    reach: np.ndarray
    follows: np.ndarray              # Instagram: follows from the post
    followers_gained: np.ndarray     # per day of the window (TikTok: net change, may be negative)

    def __len__(self) -> int:
        return len(self.t)


def draw_platform(rng: np.random.Generator, spec: Platform, scale: float, first_id: int) -> PlatformPosts:
    """Post times, figures and ids (increasing with time, as the platforms' are), no row loops."""
    d = spec.design
    t = post_times(rng, d.start, d.end, d.per_day * scale)
    n = len(t)
    if spec.platform == "linkedin":
        t, n = t[:TOP_POSTS_MAX], min(n, TOP_POSTS_MAX)
    views = np.maximum(1, rng.lognormal(np.log(d.impressions_median), 0.6, n)).astype(np.int64)
    engagements = rng.binomial(views, d.engagement_prob)
    split = rng.multinomial(engagements, np.array(spec.shares)) if n else np.zeros((0, len(spec.parts)), np.int64)
    parts = {name: split[:, i] for i, name in enumerate(spec.parts)}
    reach = np.minimum(views, (views / rng.uniform(1.1, 1.6, n)).astype(np.int64))
    follows = rng.binomial(engagements, 0.02)
    ids = first_id + np.cumsum(rng.integers(10_000_000, 90_000_000, n))
    which = rng.integers(0, len(d.texts), n)
    text = [d.texts[w].replace("{n}", str(i + 1)) for i, w in enumerate(which)]
    days = (org.END - org.START).days
    gained = rng.poisson(spec.followers_per_day * max(scale, 0.2), days)
    if spec.platform == "tiktok":
        gained = gained - rng.poisson(0.3, days)  # FollowerHistory gives the net change: some days lose
    return PlatformPosts(spec, t, ids, text, views, engagements, parts, reach, follows, gained)


def figures(p: PlatformPosts) -> dict[str, Any]:
    """The platform's figures for truth.json (what the files hold, added up)."""
    imp, eng = int(p.views.sum()), int(p.engagements.sum())
    gained = int(p.followers_gained.sum())
    return {"platform": p.spec.platform, "tactic": p.spec.design.tactic, "posts": len(p), "impressions": imp,
            "engagements": eng, "engagement_rate": round(eng / imp, 6) if imp else None,
            **{k: int(v.sum()) for k, v in p.parts.items() if k != "engagements"},
            "followers_before": p.spec.followers_before, "followers_gained": gained,
            "followers_last": p.spec.followers_before + gained}


def _day_index(t: np.ndarray) -> np.ndarray:
    return ((t - org.START_S) // 86400).astype(np.int64)


def _per_day(p: PlatformPosts, values: np.ndarray) -> np.ndarray:
    return np.bincount(_day_index(p.t), weights=values, minlength=(org.END - org.START).days).astype(np.int64)


def _days() -> list[dt.date]:
    return [org.START + dt.timedelta(days=i) for i in range((org.END - org.START).days)]


def _yearless(days: list[dt.date]) -> list[str]:
    return [f"{d:%B} {d.day}" for d in days]


def write_instagram(folder: Path, p: PlatformPosts) -> list[Path]:
    """The Meta Business Suite post export of the Instagram account, newest post first."""
    n = len(p)
    reel = np.arange(n) % 3 == 0
    kind = np.where(reel, "IG reel", np.where(np.arange(n) % 3 == 1, "IG image", "IG carousel"))
    code = pc.utf8_slice_codeunits(pc.binary_join_element_wise("C", as_str(p.ids), ""), 0, 11)
    where = pc.if_else(pa.array(reel), "https://www.instagram.com/reel/", "https://www.instagram.com/p/")
    when = pc.strftime(pa.array(p.t.astype("datetime64[s]")), format="%m/%d/%Y %H:%M")
    fixed = {"Account ID": IG_ACCOUNT_ID, "Account username": IG_ACCOUNT, "Account name": IG_NAME,
             "Data comment": "", "Date": "Lifetime"}
    cols: dict[str, pa.Array] = {
        "Post ID": as_str(p.ids), "Description": pa.array(p.text, type=pa.string()),
        "Duration (sec)": as_str(np.where(reel, 15 + p.ids % 46, 0)), "Publish time": when,
        "Permalink": pc.binary_join_element_wise(where, code, "/", ""), "Post type": pa.array(kind),
        "Views": as_str(p.views), "Reach": as_str(p.reach), "Likes": as_str(p.parts["likes"]),
        "Shares": as_str(p.parts["shares"]), "Comments": as_str(p.parts["comments"]),
        "Saves": as_str(p.parts["saves"]), "Follows": as_str(p.follows),
        **{k: pa.array([v] * n, type=pa.string()) for k, v in fixed.items()}}
    text = lines([quote_where(cols[c], NEEDS_QUOTE) for c in IG_COLUMNS])
    last = org.END - dt.timedelta(days=1)
    path = folder / f"{org.START:%b-%d-%Y}_{last:%b-%d-%Y}_{IG_ACCOUNT_ID}.csv"
    with path.open("wb") as fh:
        fh.write((header(IG_COLUMNS, style="needed") + "\n").encode())
        write_lines(fh, pc.take(text, pa.array(np.arange(n)[::-1])))
    return [path]


def _csv(path: Path, columns: tuple[str, ...], cols: list[pa.Array]) -> Path:
    with path.open("wb") as fh:
        fh.write((header(columns, style="needed") + "\n").encode())
        write_lines(fh, lines([quote_where(c, NEEDS_QUOTE) for c in cols]))
    return path


def write_tiktok(folder: Path, p: PlatformPosts) -> list[Path]:
    """TikTok Studio's Content.csv, Overview.csv and FollowerHistory.csv (dates without a year)."""
    n = len(p)
    days = _days()
    export_day = _yearless(days[-1:])[0]
    post_day = pc.take(pa.array(_yearless(days)), pa.array(_day_index(p.t)))
    link = pc.binary_join_element_wise(f"https://www.tiktok.com/@{TIKTOK_HANDLE}/video/", as_str(p.ids), "")
    content = _csv(folder / "Content.csv", TIKTOK_CONTENT, [
        pa.array([export_day] * n, type=pa.string()), pa.array(p.text, type=pa.string()), link, post_day,
        as_str(p.parts["likes"]), as_str(p.parts["comments"]), as_str(p.parts["shares"]), as_str(p.views)])
    profile_views = _per_day(p, p.follows * 9 + p.engagements // 4)
    overview = _csv(folder / "Overview.csv", TIKTOK_OVERVIEW, [
        pa.array(_yearless(days)), as_str(_per_day(p, p.views)), as_str(profile_views),
        as_str(_per_day(p, p.parts["likes"])), as_str(_per_day(p, p.parts["comments"])),
        as_str(_per_day(p, p.parts["shares"]))])
    followers = p.spec.followers_before + np.cumsum(p.followers_gained)
    history = _csv(folder / "FollowerHistory.csv", TIKTOK_FOLLOWERS, [
        pa.array(_yearless(days)), as_str(followers), as_str(p.followers_gained)])
    return [content, overview, history]


def _mdy(d: dt.date) -> str:
    return f"{d.month}/{d.day}/{d.year}"


def write_linkedin(folder: Path, p: PlatformPosts) -> list[Path]:
    """The member Content workbook: sheets as LinkedIn lays them out (small: a few hundred cells)."""
    import xlsxwriter

    days = _days()
    first, last = days[0], days[-1]
    path = folder / f"Content_{first:%Y-%m-%d}_{last:%Y-%m-%d}_NorthwindCycles.xlsx"
    url = [f"https://www.linkedin.com/feed/update/urn:li:activity:{i}" for i in p.ids.tolist()]
    published = [_mdy(org.START + dt.timedelta(days=int(i))) for i in _day_index(p.t)]
    daily_imp, daily_eng = _per_day(p, p.views), _per_day(p, p.engagements)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": dt.datetime.combine(org.END, dt.time())})  # the same bytes on every run
    sheet = wb.add_worksheet("DISCOVERY")
    for r, row in enumerate([["Overall Performance", f"{_mdy(first)} - {_mdy(last)}"],
                             ["Impressions", int(p.views.sum())], ["Members reached", int(p.reach.sum())]]):
        sheet.write_row(r, 0, row)
    sheet = wb.add_worksheet("ENGAGEMENT")
    sheet.write_row(0, 0, ["Date", "Impressions", "Engagements"])
    for r, (d, imp, eng) in enumerate(zip(days, daily_imp.tolist(), daily_eng.tolist(), strict=True), start=1):
        sheet.write_row(r, 0, [_mdy(d), imp, eng])
    sheet = wb.add_worksheet("TOP POSTS")
    sheet.write(0, 0, f"Maximum of {TOP_POSTS_MAX} posts available to include in this list")
    sheet.write_row(2, 0, ["Post URL", "Post publish date", "Engagements", None, "Post URL", "Post publish date",
                           "Impressions"])
    by_eng = np.argsort(-p.engagements, kind="stable")
    by_imp = np.argsort(-p.views, kind="stable")
    for r, (a, b) in enumerate(zip(by_eng.tolist(), by_imp.tolist(), strict=True), start=3):
        sheet.write_row(r, 0, [url[a], published[a], int(p.engagements[a])])
        sheet.write_row(r, 4, [url[b], published[b], int(p.views[b])])
    sheet = wb.add_worksheet("FOLLOWERS")
    total = p.spec.followers_before + int(p.followers_gained.sum())
    sheet.write_row(0, 0, [f"Total followers on {_mdy(last)}:", total])
    sheet.write_row(2, 0, ["Date", "New followers"])
    for r, (d, g) in enumerate(zip(days, p.followers_gained.tolist(), strict=True), start=3):
        sheet.write_row(r, 0, [_mdy(d), g])
    sheet = wb.add_worksheet("DEMOGRAPHICS")
    for r, row in enumerate([["Top Demographics", "Value", "Percentage"], ["Locations", "Amsterdam", "0.34"],
                             ["Job titles", "Urban Planner", "< 1%"], ["Industries", "Retail", "0.12"]]):
        sheet.write_row(r, 0, row)
    wb.close()
    return [path]


WRITERS = {"instagram": write_instagram, "tiktok": write_tiktok, "linkedin": write_linkedin}
