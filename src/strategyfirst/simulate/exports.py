"""Write owned posts as real platform exports: X analytics monthly files and Facebook post-level files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from strategyfirst.simulate import org
from strategyfirst.simulate.csvtext import (
    NEEDS_QUOTE_OR_SPACE,
    as_str,
    header,
    lines,
    quote_all,
    quote_where,
    write_lines,
)
from strategyfirst.simulate.formats import FB_POST_COLUMNS, X_ANALYTICS_COLUMNS
from strategyfirst.simulate.posts import FB_TYPES, Posts

TWITTER_EPOCH_MS = 1288834974657
_FLOAT_COUNTS = ("retweets", "replies", "likes", "user profile clicks", "url clicks", "hashtag clicks",
                 "detail expands", "permalink clicks")


def snowflake_ids(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """Tweet ids that encode their time, as X's do (milliseconds since the Twitter epoch << 22)."""
    ms = t * 1000 + rng.integers(0, 1000, len(t)) - TWITTER_EPOCH_MS
    return (ms << 22) + rng.integers(0, 1 << 22, len(t))


def _timestamps(t: np.ndarray) -> pa.Array:
    return pa.array(t.astype("datetime64[s]"))


def _float_text(values: np.ndarray) -> pa.Array:
    """Counts written as floats, `1938.0`, as analytics.twitter.com does."""
    return pc.binary_join_element_wise(as_str(values), ".0", "")


def _rate_text(num: np.ndarray, den: np.ndarray) -> pa.Array:
    """A ratio as Python's repr writes it (`0.0097...`, `0.0`)."""
    rate = np.where(den > 0, num / np.maximum(den, 1), 0.0)
    text = as_str(pa.array(rate, type=pa.float64()))
    whole = pa.array(rate == np.floor(rate))
    return pc.if_else(whole, pc.binary_join_element_wise(as_str(rate.astype(np.int64)), ".0", ""), text)


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    out, day = [], start.replace(day=1)
    while day < end:
        out.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def write_x_analytics(folder: Path, posts: Posts, ids: np.ndarray) -> list[Path]:
    """One `tweet_activity_metrics_<handle>_<from>_<to>_en.csv` per month with posts, newest first."""
    handle = posts.design.account
    n = len(posts)
    zero, dash = pa.array(["0"] * n), pa.array(["-"] * n)
    cols: list[pa.Array] = [
        as_str(ids), pc.binary_join_element_wise(f"https://twitter.com/{handle}/status/", as_str(ids), ""),
        pa.array(posts.text, type=pa.string()),
        pc.strftime(_timestamps(posts.t), format="%Y-%m-%d %H:%M +0000"),
        _float_text(posts.impressions), _float_text(posts.engagements),
        _rate_text(posts.engagements, posts.impressions),
        *(_float_text(posts.parts[name]) for name in _FLOAT_COUNTS),
        zero, zero, as_str(posts.parts["follows"]), zero, zero, zero, zero,
        *([dash] * 18),
    ]
    assert len(cols) == len(X_ANALYTICS_COLUMNS)
    text = lines([quote_all(c) for c in cols])
    head = header(X_ANALYTICS_COLUMNS, style="all") + "\n"
    written = []
    for month in month_starts(posts.design.start, posts.design.end):
        nxt = month_starts(month + dt.timedelta(days=31), month + dt.timedelta(days=32))[0]
        sel = np.flatnonzero((posts.t >= org.epoch_seconds(month)) & (posts.t < org.epoch_seconds(nxt)))
        if len(sel) == 0:
            continue
        path = folder / f"tweet_activity_metrics_{handle}_{month:%Y%m%d}_{nxt:%Y%m%d}_en.csv"
        with path.open("wb") as fh:
            fh.write(head.encode())
            write_lines(fh, pc.take(text, pa.array(sel[::-1])))
        written.append(path)
    return written


def _blank_zero(values: np.ndarray) -> pa.Array:
    """Facebook leaves breakdown cells empty where the count is zero."""
    return pc.if_else(pa.array(values > 0), as_str(values), "")


def write_facebook(folder: Path, posts: Posts, periods: list[tuple[dt.date, dt.date]]) -> list[Path]:
    """Post-level Insights exports (UTF-8 with BOM, description row second), one per period, newest first."""
    p = posts.parts
    n = len(posts)
    zero, empty = pa.array(["0"] * n), pa.array([""] * n)
    video = p["type"] == 2
    post_id = as_str(p["post_id"])
    link_clicks = np.where(p["type"] == 1, p["consumptions"], 0)
    photo_views = np.where(p["type"] == 0, p["consumptions"], 0)
    video_plays = np.where(video, p["consumptions"], 0)
    other = p["consumptions"] - link_clicks - photo_views - video_plays

    def share_c(clicks: np.ndarray) -> np.ndarray:
        return np.minimum(p["consumers"], clicks)  # people clicking never outnumber clicks

    views = np.where(video, (posts.impressions * 0.3).astype(np.int64), 0)
    cols: list[pa.Array] = [
        pc.binary_join_element_wise(f"{org.FB_PAGE_ID}_", post_id, ""),
        pc.binary_join_element_wise(f"https://www.facebook.com/{org.FB_PAGE_SLUG}/posts/", post_id, ""),
        pa.array(posts.text, type=pa.string()), pc.take(pa.array(FB_TYPES), pa.array(p["type"])),
        empty, empty, pc.strftime(_timestamps(posts.t), format="%m/%d/%Y %I:%M:%S %p"), pa.array([" "] * n),
        as_str(p["reach"]), as_str(p["reach"] - p["paid_reach"]), as_str(p["paid_reach"]),
        as_str(posts.impressions), as_str(posts.impressions - p["paid_impressions"]),
        as_str(p["paid_impressions"]), as_str(posts.engagements),
        _blank_zero(p["comment_people"]), _blank_zero(p["like_people"]), empty,
        _blank_zero(p["share_people"]),
        _blank_zero(p["comments"]), _blank_zero(p["likes"]), empty, _blank_zero(p["shares"]),
        as_str(p["consumers"]), as_str(p["consumptions"]),
        _blank_zero(share_c(link_clicks)), _blank_zero(share_c(other)), _blank_zero(share_c(photo_views)),
        _blank_zero(share_c(video_plays)),
        _blank_zero(link_clicks), _blank_zero(other), _blank_zero(photo_views), _blank_zero(video_plays),
        as_str(p["negative"]), as_str(p["negative"]), _blank_zero(p["negative"]), _blank_zero(p["negative"]),
        as_str(p["fan_impressions"]), as_str(p["fan_reach"]), zero, zero, as_str(p["fan_engaged"]),
        as_str(np.where(video, 9_000, 0)), as_str(views // 5), as_str(views // 6), zero, zero,
        as_str(np.where(video, 48_000, 0)),
        *([empty] * 41),
        as_str(views), as_str(views * 4 // 5), zero, zero,
    ]
    assert len(cols) == len(FB_POST_COLUMNS)
    text = lines([quote_where(c, NEEDS_QUOTE_OR_SPACE) for c in cols])
    head = header([name for name, _ in FB_POST_COLUMNS], style="space") + "\n"
    head += header([desc for _, desc in FB_POST_COLUMNS], style="space") + "\n"
    written = []
    for start, end in periods:
        sel = np.flatnonzero((posts.t >= org.epoch_seconds(start)) & (posts.t < org.epoch_seconds(end)))
        last = end - dt.timedelta(days=1)
        path = folder / (f"Facebook Insights Data Export (Post Level) - {org.FB_PAGE} - "
                         f"{start:%Y-%m-%d} - {last:%Y-%m-%d}.csv")
        with path.open("wb") as fh:
            fh.write(b"\xef\xbb\xbf" + head.encode())
            write_lines(fh, pc.take(text, pa.array(sel[::-1])))
        written.append(path)
    return written
