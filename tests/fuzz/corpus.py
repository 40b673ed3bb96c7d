"""The files the fuzzer mutates: a real export per source where ../shared/data has one (a small sample in
the real layout otherwise), each with an oracle — the original file's rows, read independently with the
standard library (tests/truth/reference.py) — that stored rows are checked against."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fuzz.mutations import Shape
from tests.truth import reference as ref

ACCOUNT = "FuzzAccount"


@dataclass(frozen=True)
class Oracle:
    """The original rows of one table: by key, or (no key) as a list of value tuples to match."""

    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    rows: dict[tuple[Any, ...], dict[str, Any]] | list[dict[str, Any]]
    derived: tuple[str, ...] = ()   # worked out from other rows (may be null when those rows are cut away)


@dataclass(frozen=True)
class Subject:
    name: str                                    # the source (and variant) it exercises
    file_name: str                               # the name the mutated copy gets (some sources read it)
    shape: Shape
    path: str | None = None                      # under ../shared/data; None = `text` below
    text: str | None = None
    account: str | None = None                   # --account, for files that do not name theirs
    oracles: Callable[[Path], list[Oracle]] = field(default=lambda _p: [])

    def data(self, shared: Path) -> bytes:
        return (shared / self.path).read_bytes() if self.path else (self.text or "").encode("utf-8")


FIGS = ("impressions", "reach", "engagements", "likes", "comments", "shares", "clicks", "follows", "video_views",
        "watch_minutes")


def _messages(records: list[ref.Record], *, text: bool = True, reply: bool = False) -> Oracle:
    cols = ("created_at", *(("text",) if text else ()), *(("in_reply_to",) if reply else ()), *FIGS)
    rows = {}
    for r in records:
        values: dict[str, Any] = {"created_at": r.created, "text": r.text, "in_reply_to": r.in_reply_to}
        values.update({f: r.fig(f) for f in FIGS})
        rows[(r.message_id,)] = values
    # twcs links a reply to its parent also from the parent's response_tweet_id: a cut file loses that link
    return Oracle("messages", ("message_id",), cols, rows, derived=("in_reply_to",) if reply else ())


def _uci(path: Path) -> list[Oracle]:
    records, _ = ref.uci(path, ACCOUNT)
    rows = [{"created_at": r.created, **{f: r.fig(f) for f in FIGS}} for r in records]
    return [Oracle("messages", (), ("created_at", *FIGS), rows)]


def _fb_page(path: Path) -> list[Oracle]:
    rows = {(s.date,): {"value": s.value, "gained": s.gained, "lost": s.lost} for s in ref.facebook_page(path)}
    return [Oracle("audience", ("date",), ("value", "gained", "lost"), rows)]


def _yt_chart(path: Path) -> list[Oracle]:
    daily = {k: {"video_views": v} for k, v in ref.youtube_chart(path).items()}
    videos = {(r.message_id,): {"created_at": r.created, "text": r.text}
              for r in ref.youtube_chart_videos(path, ACCOUNT)}
    return [Oracle("video_daily", ("message_id", "date"), ("video_views",), daily),
            Oracle("messages", ("message_id",), ("created_at", "text"), videos)]


def _yt_totals(path: Path) -> list[Oracle]:
    rows = {(d,): {"video_views": v} for d, v in ref.youtube_totals(path).items()}
    return [Oracle("account_daily", ("date",), ("video_views",), rows)]


FB = "facebook-insights/VIC/Facebook Insights Data Export"
YT = "youtube-studio/priyankapatel05/"
X_FILE = "x-analytics/rOpenSci/tweet_activity_metrics_rOpenSci_20190101_20190201_en.csv"

SUBJECTS: tuple[Subject, ...] = (
    Subject("twcs", "sample.csv", Shape(), "twcs/sample.csv",
            oracles=lambda p: [_messages(ref.twcs(p), reply=True)]),
    Subject("x-analytics", Path(X_FILE).name, Shape(), X_FILE,
            oracles=lambda p: [_messages(ref.x_analytics([p]))]),
    Subject("facebook-insights-posts", Path(FB + " (Post Level) - Visualization Studio VIC - 2014-02-28 - "
                                                 "2014-08-23.csv").name,
            Shape("utf-8-sig"), FB + " (Post Level) - Visualization Studio VIC - 2014-02-28 - 2014-08-23.csv",
            oracles=lambda p: [_messages(ref.facebook_posts([p]))]),
    Subject("facebook-insights-page", Path(FB + " - Visualization Studio VIC - 2014-01-01 - 2014-02-27.csv").name,
            Shape("cp1252"), FB + " - Visualization Studio VIC - 2014-01-01 - 2014-02-27.csv", oracles=_fb_page),
    Subject("facebook-metrics-uci", "dataset_Facebook.csv", Shape(delimiter=";"),
            "uci-facebook-metrics/dataset_Facebook.csv", account=ACCOUNT, oracles=_uci),
    Subject("youtube-studio table", "Table data.csv", Shape(), YT + "Table data.csv", account=ACCOUNT,
            oracles=lambda p: [_messages(ref.youtube_table(p, ACCOUNT))]),
    Subject("youtube-studio chart", "Chart data.csv", Shape(), YT + "Chart data.csv", account=ACCOUNT,
            oracles=_yt_chart),
    Subject("youtube-studio totals", "Totals.csv", Shape(), YT + "Totals.csv", account=ACCOUNT,
            oracles=_yt_totals),
    Subject("mastodon-outbox", "outbox.json", Shape(json=True), "mastodon/dealingwith/outbox.json",
            oracles=lambda p: [_messages(ref.mastodon_outbox(p), text=False, reply=True)]),
    # Sources without a real file in ../shared/data: a few rows in their documented layout, no oracle.
    Subject("x-analytics-daily", "daily_tweet_activity_metrics_acme_20200101_20200201_en.csv", Shape(),
            text='"Date","Tweets published","impressions","engagements","likes","follows"\n'
                 '"2020-01-01","2","100.0","5.0","3.0","1"\n"2020-01-02","0","40.0","1.0","0.0","0"\n'
                 '"2020-01-03","1","1,234.0","7.0","2.0","-"\n'),
    Subject("canonical-csv", "messages.csv", Shape(),
            text="message_id,platform,account,created_at,text,in_reply_to,impressions,likes\n"
                 "x:901,x,acme,2020-01-01 10:00:00,hello,,100,3\nx:902,x,bob,2020-01-01 11:00:00,\"re, re\",x:901,,\n"
                 "x:903,x,acme,2020-01-02 09:30:00,\"two\nlines\",x:902,250,12\n"),
    Subject("audience-csv", "audience.csv", Shape(),
            text="date,platform,account,metric,value,gained,lost\n2020-01-01,x,acme,followers,100,5,1\n"
                 "2020-01-02,x,acme,followers,104,,\n2020-01-03,x,acme,followers,110,7,1\n"),
    Subject("spend-csv", "spend.csv", Shape(),
            text="date,platform,tactic,amount,currency\n2020-01-01,x,contest,100.50,EUR\n"
                 '2020-01-02,facebook,ads,"1,200.00",EUR\n2020-01-03,x,contest,12,EUR\n'),
    Subject("mailchimp-campaigns", "campaigns.csv", Shape(),
            text="Title,Subject,List,Send Date,Send Weekday,Total Recipients,Successful Deliveries,Unique Opens,"
                 "Open Rate,Unique Clicks,Click Rate,Unsubscribes,Unique Id\n"
                 '"Oct, letter",Hi,Members,"Oct 26, 2018 02:56 pm",Friday,10,9,4,44.44%,2,22.22%,1,a1b2c3\n'
                 'Nov,"Two\nlines",Members,"Nov 2, 2018 09:05 am",Friday,12,12,"1,2",10.00%,0,0.00%,0,d4e5f6\n'
                 'Dec,Hi,Members,"Dec 7, 2018 11:30 am",Friday,15,14,6,42.86%,3,21.43%,0,0a9b8c\n'),
    Subject("meta-ads", "Acme-Campaigns-Mar-1-2024-Mar-31-2024.csv", Shape(),
            text='"Reporting starts","Reporting ends","Campaign name","Results","Result indicator","Impressions",'
                 '"Amount spent (EUR)"\n"2024-03-01","2024-03-31","","","","1800","61.50"\n'
                 '"2024-03-01","2024-03-31","Summit, contest","12","actions:link_click","600","24.00"\n'
                 '"2024-03-01","2024-03-31","Drive","3","reach","300","6.50"\n'
                 '"2024-03-01","2024-03-31","Clubs","9","actions:link_click","900","31.00"\n'),
)

# What the template workspace holds before every case (ids no subject uses): a failed import must leave it
# exactly so.
SEED_FILES = {
    "seed-messages.csv": "message_id,platform,account,created_at,text,impressions,likes\n"
                         "x:1,x,seedacct,2019-05-01 10:00:00,seed one,10,1\n"
                         "x:2,x,someone,2019-05-01 11:00:00,@seedacct hi,,\n",
    "seed-audience.csv": "date,platform,account,metric,value,gained,lost\n2019-05-01,x,seedacct,followers,50,2,0\n",
}
EPOCH = dt.datetime(1970, 1, 1)
