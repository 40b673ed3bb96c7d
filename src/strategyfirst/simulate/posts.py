"""Owned broadcast posts and their lifetime figures, drawn with NumPy (one row per post, no row loops)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from strategyfirst.simulate import org


@dataclass(frozen=True)
class PostDesign:
    """How an owned account posts and how its audience responds (the truth behind its posts)."""

    account: str
    tactic: str | None
    start: dt.date
    end: dt.date                  # exclusive
    per_day: float
    impressions_median: float
    engagement_prob: float        # engagements per impression
    follows_share: float          # share of engagements that are follows (X)
    texts: tuple[str, ...]
    untagged_share: float = 0.0   # posts without the tactic's hashtag (attributed to no tactic)


X_DESIGNS: tuple[PostDesign, ...] = (
    PostDesign(org.BRAND, "commute-tips", org.START, org.END, 2.0, 1800.0, 0.006, 0.02, (
        "Commute tip: check your tyre pressure every Monday. Takes 2 minutes #CommuteTips {link}",
        "Rain all week? Mudguards keep you (and the rider behind you) dry #CommuteTips {link}",
        "Lights on, even in daylight 🚲💡 #CommuteTips {link}",
        "Three things to carry on every ride:\n1. spare tube\n2. mini pump\n3. a smile #CommuteTips {link}",
        "New: our \"quiet routes\" map for the city centre #CommuteTips {link}",
        "Lock the frame, not just the wheel. More tips, link in bio #CommuteTips",
    )),
    PostDesign(org.CONTEST, "summit-contest", org.CONTEST_START, org.CONTEST_END, 4.0, 2500.0, 0.0004, 0.0, (
        "WIN a weekend at the Northwind Summit! Follow us and RT to enter #NorthwindSummit {link}",
        "Only a few days left to enter the #NorthwindSummit draw. Follow + RT! {link}",
        "Tag a friend who needs a mountain weekend #NorthwindSummit {link}",
        "Prizes, trails and coffee: the #NorthwindSummit contest is open {link}",
    )),
)
FB_DESIGN = PostDesign(org.FB_PAGE, "ride-stories", org.START, org.END, 1.0, 1900.0, 0.009, 0.0, (
    "Meet Ana, who rides 14 km to the hospital every morning, rain or shine. #RideStories {link}",
    "\"I sold the car in March and never looked back.\" Jonas on a year of bike commuting #RideStories",
    "Your stories, your routes: share how you get to work and we'll feature the best ones #RideStories",
    "From our workshop: how Lea rebuilt her grandfather's 1970s tourer #RideStories {link}",
    "Winter riding, the honest version (yes, it's cold) #RideStories {link}",
), untagged_share=0.1)
FB_UNTAGGED = ("Northwind Cycles updated their cover photo.",
               "We're closed on Monday for the public holiday.")
FB_TYPES = np.array(["Photo", "Link", "Video", "Status"])
FB_TYPE_P = np.array([0.55, 0.3, 0.1, 0.05])


@dataclass
class Posts:
    """Posts of one account; counts are lifetime figures."""

    design: PostDesign
    t: np.ndarray            # epoch seconds
    text: list[str]          # small (a few per day): plain list is fine
    impressions: np.ndarray
    engagements: np.ndarray
    parts: dict[str, np.ndarray]
    tagged: np.ndarray       # bool: carries the tactic's hashtag

    def __len__(self) -> int:
        return len(self.t)


def post_times(rng: np.random.Generator, start: dt.date, end: dt.date, per_day: float) -> np.ndarray:
    """Post times in office hours (07-21 UTC), a Poisson number per day, sorted."""
    n_days = (end - start).days
    counts = rng.poisson(per_day, n_days)
    day = np.repeat(np.arange(n_days, dtype=np.int64), counts)
    t = org.epoch_seconds(start) + day * 86400 + rng.integers(7 * 3600, 21 * 3600, len(day))
    return np.sort(t)


def _texts(rng: np.random.Generator, design: PostDesign, n: int) -> tuple[list[str], np.ndarray]:
    which = rng.integers(0, len(design.texts), n)
    tagged = rng.random(n) >= design.untagged_share
    codes = rng.integers(0, 36, (n, 10))
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyz0123456789"))
    links = ["https://t.co/" + "".join(row) for row in alphabet[codes]]
    plain = rng.integers(0, len(FB_UNTAGGED), n)
    out = [design.texts[w].replace("{link}", link) if tag else FB_UNTAGGED[p]
           for w, tag, link, p in zip(which, tagged, links, plain, strict=True)]
    return out, tagged


def draw_posts(rng: np.random.Generator, design: PostDesign, scale: float) -> Posts:
    """Posts with impressions (lognormal) and engagements (binomial), split into the export's parts."""
    t = post_times(rng, design.start, design.end, design.per_day * scale)
    n = len(t)
    text, tagged = _texts(rng, design, n)
    impressions = np.maximum(1, rng.lognormal(np.log(design.impressions_median), 0.5, n)).astype(np.int64)
    engagements = rng.binomial(impressions, design.engagement_prob)
    names = ("retweets", "replies", "likes", "user profile clicks", "url clicks", "hashtag clicks",
             "detail expands", "permalink clicks", "follows")
    share = np.array([0.08, 0.04, 0.35, 0.10, 0.15, 0.03, 0.20, 0.03, 0.0])
    share = share / share.sum() * (1.0 - design.follows_share)
    share[-1] = design.follows_share
    split = rng.multinomial(engagements, share) if n else np.zeros((0, len(names)), dtype=np.int64)
    parts = {name: split[:, i] for i, name in enumerate(names)}
    return Posts(design, t, text, impressions, engagements, parts, tagged)


def draw_facebook(rng: np.random.Generator, scale: float) -> Posts:
    """Page posts with reach, impressions, engaged users and the post-level breakdowns."""
    design = FB_DESIGN
    t = post_times(rng, design.start, design.end, design.per_day * scale)
    n = len(t)
    text, tagged = _texts(rng, design, n)
    reach = np.maximum(1, rng.lognormal(np.log(design.impressions_median / 1.8), 0.6, n)).astype(np.int64)
    boosted = rng.random(n) < 0.25
    paid_reach = np.where(boosted, (reach * rng.uniform(0.3, 0.6, n)).astype(np.int64), 0)
    impressions = (reach * rng.uniform(1.5, 2.2, n)).astype(np.int64)
    paid_impr = np.where(boosted, (impressions * paid_reach / reach).astype(np.int64), 0)
    engaged = rng.binomial(impressions, design.engagement_prob)
    like_people = rng.binomial(engaged, 0.5)
    comment_people = rng.binomial(engaged, 0.06)
    share_people = rng.binomial(engaged, 0.04)
    consumers = rng.binomial(engaged, 0.8)
    consumptions = consumers + rng.poisson(consumers * 0.3)
    kinds = rng.choice(len(FB_TYPES), n, p=FB_TYPE_P)
    parts = {
        "reach": reach, "paid_reach": paid_reach, "paid_impressions": paid_impr,
        "like_people": like_people, "comment_people": comment_people, "share_people": share_people,
        "likes": like_people + rng.binomial(like_people, 0.05),
        "comments": comment_people + rng.binomial(comment_people, 0.3),
        "shares": share_people, "consumers": consumers, "consumptions": consumptions,
        "negative": rng.poisson(0.2, n), "fan_engaged": rng.binomial(engaged, 0.6),
        "fan_impressions": (impressions * rng.uniform(0.4, 0.7, n)).astype(np.int64),
        "type": kinds, "post_id": 1_020_000_000_000_000 + np.cumsum(rng.integers(1_000, 90_000, n)),
    }
    parts["fan_reach"] = (parts["fan_impressions"] / rng.uniform(1.5, 2.2, n)).astype(np.int64)
    return Posts(design, t, text, impressions, engaged, parts, tagged)
