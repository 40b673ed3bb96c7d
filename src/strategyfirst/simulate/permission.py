"""The newsletter as Mailchimp writes it (members exports and a campaign report) and the site's visits as GA4
writes them (monthly traffic acquisition downloads), consistent with the simulated posts.

- Members: 2,400 subscribers before the data starts, about 24 new a day, about 6 unsubscribes a day and a batch
  of cleaned (bounced) addresses on each Tuesday's send; `subscribed_`, `unsubscribed_` and
  `cleaned_members_export_newsletter.csv` (the list id in the name is the plan's email account). The
  addresses and names are fake (`rider00042@riders.northwind.example`) and must never reach the warehouse.
- Campaigns: one letter every Tuesday to the list as it stands; deliveries = recipients − that day's cleaned
  (hard bounces); unique opens ~42%, unique clicks ~6% of deliveries; unsubscribes = the week's unsubscribes.
- GA4: per month two downloads (by `Session default channel group`, by `Session source / medium`), each with
  its `#` header lines and the chart's `Nth day` series table. Social visits come from the posts' clicks
  (t.co for X, m./l.facebook.com for Facebook), email visits from the letters' clicks; conversions are
  binomial at fixed rates per channel.
- Ads Manager: the ride-stories Facebook boost, one row a week after the account total, written to
  `extra/ads/` (not among the exports: spend.csv holds the same money; importing both would count it twice).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from strategyfirst.simulate import org
from strategyfirst.simulate.exports import month_starts
from strategyfirst.simulate.posts import Posts

LIST = org.NEWSLETTER
PROPERTY = "Northwind Cycles web"
INITIAL, GAINED_PER_DAY, UNSUB_PER_DAY, CLEANED_PER_SEND = 2400, 24.0, 6.0, 3.0
OPEN_RATE, CLICK_RATE = 0.42, 0.06
VISIT_PER_CLICK = 0.6
CONVERSION = {"Organic Social": 0.012, "Email": 0.035, "Direct": 0.025, "Organic Search": 0.02,
              "Referral": 0.015}
OTHER_SESSIONS = {"Direct": 4000, "Organic Search": 6000, "Referral": 500}   # a month, Poisson
BASE = ["Email Address", "First Name", "Last Name", "Company", "Position", "ZIP Code", "MEMBER_RATING",
        "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF",
        "TIMEZONE", "CC", "REGION"]
TAIL = ["LEID", "EUID", "NOTES", "TAGS"]
EXTRA = {"subscribed": ["LAST_CHANGED"],
         "unsubscribed": ["UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON",
                          "UNSUB_REASON_OTHER"],
         "cleaned": ["CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID"]}
CAMPAIGN_COLUMNS = ["Title", "Subject", "List", "Send Date", "Send Weekday", "Total Recipients",
                    "Successful Deliveries", "Soft Bounces", "Hard Bounces", "Total Bounces", "Times Forwarded",
                    "Forwarded Opens", "Unique Opens", "Open Rate", "Total Opens", "Unique Clicks", "Click Rate",
                    "Total Clicks", "Unsubscribes", "Abuse Complaints", "Times Liked on Facebook", "Folder Id",
                    "Unique Id"]


def address(i: int) -> str:
    """The fake address of member `i` (the privacy tests search the warehouse for these)."""
    return f"rider{i:05d}@riders.northwind.example"


def _stamp(t: int) -> str:
    return dt.datetime.fromtimestamp(int(t), dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _members(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """(join time, leave time or -1, status 0 subscribed / 1 unsubscribed / 2 cleaned) per member, and truth."""
    n_days = (org.END - org.START).days
    before = org.epoch_seconds(dt.date(2024, 1, 1))
    joins = [np.sort(rng.integers(before, org.START_S, INITIAL))]
    gained = rng.poisson(GAINED_PER_DAY, n_days)
    for d in range(n_days):   # one step per day (a few hundred): the members themselves are arrays
        day0 = org.START_S + d * 86400
        joins.append(np.sort(day0 + rng.integers(6 * 3600, 23 * 3600, gained[d])))
    join = np.concatenate(joins)
    leave = np.full(len(join), -1, dtype=np.int64)
    status = np.zeros(len(join), dtype=np.int64)
    lost = np.zeros(n_days, dtype=np.int64)
    for d in range(n_days):
        day0 = org.START_S + d * 86400
        active = np.flatnonzero((join < day0) & (leave < 0))
        unsub = min(int(rng.poisson(UNSUB_PER_DAY)), len(active))
        cleaned = min(int(rng.poisson(CLEANED_PER_SEND)), len(active) - unsub) \
            if dt.date.fromordinal(org.START.toordinal() + d).weekday() == 1 else 0
        who = rng.choice(active, unsub + cleaned, replace=False)
        leave[who] = day0 + rng.integers(8 * 3600, 22 * 3600, len(who))
        status[who[:unsub]], status[who[unsub:]] = 1, 2
        lost[d] = len(who)
    value = INITIAL + np.cumsum(gained - lost)
    truth = {"metric": "subscribers", "first_date": org.START.isoformat(), "value_before": INITIAL,
             "first_value": int(value[0]), "last_value": int(value[-1]), "gained": int(gained.sum()),
             "lost": int(lost.sum()), "net_change_sum_of_deltas": int(gained.sum() - lost.sum()),
             "net_change_last_minus_first": int(value[-1] - value[0]),
             "unsubscribed": int((status == 1).sum()), "cleaned": int((status == 2).sum()),
             "source": "mailchimp-members"}
    return join, leave, status, truth


def _csv_cell(text: str) -> str:
    return f'"{text}"' if any(c in text for c in ',"\n') else text


Members = tuple[np.ndarray, np.ndarray, np.ndarray]   # join time, leave time (or -1), status


def write_members(folder: Path, rng: np.random.Generator) -> tuple[list[Path], dict[str, Any], Members]:
    """The three members exports; returns them, the list's truth, and the members."""
    join, leave, status, truth = _members(rng)
    euid = rng.integers(0, 16 ** 10, len(join))
    paths = []
    for code, name in enumerate(("subscribed", "unsubscribed", "cleaned")):
        columns = [*BASE, *EXTRA[name], *TAIL]
        rows = [",".join(columns)]
        for i in np.flatnonzero(status == code):   # a few thousand members
            joined = _stamp(join[i])
            extra = {"subscribed": [joined],
                     "unsubscribed": [_stamp(leave[i]), "", "", "", ""],
                     "cleaned": [_stamp(leave[i]), "", ""]}[name]
            rows.append(",".join([address(int(i)), "Rider", f"No {i}", "", "", "", str(2 + int(i) % 4), joined,
                                  "", joined, "", "", "", "", "", "", "", "", *extra, str(100000 + int(i)),
                                  f"{int(euid[i]):010x}", "", ""]))
        path = folder / f"{name}_members_export_{LIST}.csv"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        paths.append(path)
    return paths, truth, (join, leave, status)


def write_campaigns(path: Path, rng: np.random.Generator, members: Members) -> dict[str, Any]:
    """The campaign report: a letter each Tuesday. Returns per month the unique clicks (email visits come
    from them) and the totals."""
    first = org.START + dt.timedelta(days=(1 - org.START.weekday()) % 7)
    rows, clicks_by_month = [",".join(CAMPAIGN_COLUMNS)], dict[str, int]()
    totals = {"campaigns": 0, "deliveries": 0, "unique_opens": 0, "unique_clicks": 0, "unsubscribes": 0}
    join, leave, status = members
    day = first
    while day < org.END:
        send = org.epoch_seconds(day) + 10 * 3600
        recipients = int(((join < send) & ((leave < 0) | (leave >= send))).sum())
        bounced = int(((status == 2) & (leave >= org.epoch_seconds(day)) & (leave < send + 86400)).sum())
        week = (leave >= send) & (leave < send + 7 * 86400) & (status == 1)
        deliveries = recipients - bounced
        opens = int(rng.binomial(deliveries, OPEN_RATE))
        clicks = int(rng.binomial(opens, CLICK_RATE / OPEN_RATE))
        unsubs = int(week.sum())
        title = f"Northwind letter {day:%d %b %Y}"
        rows.append(",".join(_csv_cell(c) for c in [
            title, "This week on two wheels", LIST, f"{day:%b %d, %Y} 10:00 am", day.strftime("%A"),
            str(recipients), str(deliveries), "0", str(bounced), str(bounced), "0", "0", str(opens),
            f"{opens / max(deliveries, 1):.2%}", str(opens + opens // 3), str(clicks),
            f"{clicks / max(deliveries, 1):.2%}", str(clicks + clicks // 4), str(unsubs), "0", "0", "0",
            f"nl{day:%Y%m%d}"]))
        key = f"{day:%Y-%m}"
        clicks_by_month[key] = clicks_by_month.get(key, 0) + clicks
        for k, v in (("campaigns", 1), ("deliveries", deliveries), ("unique_opens", opens),
                     ("unique_clicks", clicks), ("unsubscribes", unsubs)):
            totals[k] += v
        day += dt.timedelta(days=7)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return {**totals, "clicks_by_month": clicks_by_month}


def _month_clicks(posts: list[Posts], month: dt.date, nxt: dt.date) -> int:
    lo, hi = org.epoch_seconds(month), org.epoch_seconds(nxt)
    total = 0
    for p in posts:
        sel = (p.t >= lo) & (p.t < hi)
        clicks = p.parts["url clicks"] if "url clicks" in p.parts else np.where(
            p.parts["type"] == 1, p.parts["consumptions"], 0)
        total += int(clicks[sel].sum())
    return total


def _download(title: str, month: dt.date, last: dt.date, dimension: str, table: list[tuple[str, int, int]],
              series: list[str]) -> str:
    lines = ["# ----------------------------------------", f"# {title}", "# Account: Northwind Cycles",
             f"# Property: {PROPERTY}", "# ----------------------------------------", "#", "# All Users",
             f"# Start date: {month:%Y%m%d}", f"# End date: {last:%Y%m%d}",
             f"{dimension},Sessions,Engaged sessions,Engagement rate,Key events,Total revenue"]
    for value, sessions, conversions in sorted(table, key=lambda r: -r[1]):
        engaged = int(sessions * 0.55)
        lines.append(f"{value},{sessions},{engaged},{engaged / max(sessions, 1):.4f},{conversions},"
                     f"{conversions * 60:.2f}")
    lines += ["", "# ----------------------------------------", "", "Nth day," + ",".join(series)]
    days = (last - month).days + 1
    per_day = {value: sessions // days for value, sessions, _ in table}
    lines += [f"{d:04d}," + ",".join(str(per_day[v]) for v in series) for d in range(days)]
    return "\n".join(lines) + "\n"


def write_ga4(folder: Path, rng: np.random.Generator, x_posts: list[Posts], fb: Posts,
              email_clicks: dict[str, int]) -> tuple[list[Path], dict[str, Any]]:
    """Two GA4 downloads a month (channel groups; source / medium); returns them and the site's truth."""
    paths: list[Path] = []
    truth: dict[str, Any] = {"property": PROPERTY, "months": {}}
    for month in month_starts(org.START, org.END):
        nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        last = nxt - dt.timedelta(days=1)
        x = int(rng.binomial(_month_clicks(x_posts, month, nxt), VISIT_PER_CLICK))
        f = int(rng.binomial(_month_clicks([fb], month, nxt), VISIT_PER_CLICK))
        e = int(rng.binomial(email_clicks.get(f"{month:%Y-%m}", 0), min(1.0, VISIT_PER_CLICK * 1.5)))
        sources = {"t.co / referral": (x, "Organic Social"),
                   "m.facebook.com / referral": (f - f // 3, "Organic Social"),
                   "l.facebook.com / referral": (f // 3, "Organic Social"), f"{LIST} / email": (e, "Email")}
        for channel, mean in OTHER_SESSIONS.items():
            sources[{"Direct": "(direct) / (none)", "Organic Search": "google / organic",
                     "Referral": "cyclingforum.example / referral"}[channel]] = (int(rng.poisson(mean)), channel)
        conv = {s: int(rng.binomial(n, CONVERSION[ch])) for s, (n, ch) in sources.items()}
        channels: dict[str, list[int]] = {}
        for s, (n, ch) in sources.items():
            c = channels.setdefault(ch, [0, 0])
            c[0] += n
            c[1] += conv[s]
        by_channel = [(ch, v[0], v[1]) for ch, v in channels.items()]
        by_source = [(s, n, conv[s]) for s, (n, _) in sources.items()]
        for kind, dimension, table in (("channel_group", "Session default channel group", by_channel),
                                       ("source_medium", "Session source / medium", by_source)):
            path = folder / f"Traffic_acquisition_{kind}_{month:%Y%m}.csv"
            top = [v for v, _, _ in sorted(table, key=lambda r: -r[1])][:5]
            path.write_text(_download(f"Traffic acquisition: {dimension}", month, last, dimension, table, top),
                            encoding="utf-8")
            paths.append(path)
        truth["months"][f"{month:%Y-%m}"] = {
            "social_sessions": x + f, "social_conversions": sum(conv[s] for s, (_, ch) in sources.items()
                                                                  if ch == "Organic Social"),
            "email_sessions": e, "email_conversions": conv[f"{LIST} / email"],
            "x_sessions": x, "facebook_sessions": f}
    months = truth["months"].values()
    for k in ("social_sessions", "social_conversions", "email_sessions", "email_conversions"):
        truth[k] = sum(m[k] for m in months)
    return paths, truth


ADS_COLUMNS = ["Reporting starts", "Reporting ends", "Account name", "Campaign name", "Campaign delivery",
               "Results", "Result indicator", "Reach", "Impressions", "Cost per results",
               f"Amount spent ({org.CURRENCY})"]
ADS_CAMPAIGN = "Ride Stories boost"
COST_PER_CLICK = 0.45


def write_ads(path: Path, rng: np.random.Generator, spend_csv: Path,
              tactic: str = "ride-stories") -> dict[str, Any]:
    """The Facebook boost of a tactic as an Ads Manager export (one row a week, the account total first): the
    same money as the tactic's rows of spend.csv, so it is written beside the exports, not among them (both
    imported would count it twice). Returns the totals."""
    with spend_csv.open(encoding="utf-8") as fh:
        weeks = [line.rstrip("\n").split(",") for line in fh.readlines()[1:]]
    weeks = [w for w in weeks if w[2] == tactic]
    rows, total, results, shown = [], 0.0, 0, 0
    for day, _, _, amount, _ in weeks:
        start = dt.date.fromisoformat(day)
        spent = float(amount)
        clicks = int(rng.poisson(spent / COST_PER_CLICK))
        impressions = int(rng.poisson(spent * 95))
        rows.append([start.isoformat(), (start + dt.timedelta(days=6)).isoformat(), org.FB_PAGE, ADS_CAMPAIGN,
                     "completed", str(clicks), "actions:link_click", str(int(impressions * 0.7)), str(impressions),
                     f"{spent / max(clicks, 1):.2f}", f"{spent:.2f}"])
        total, results, shown = total + spent, results + clicks, shown + impressions
    first = rows[0][0] if rows else org.START.isoformat()
    last = rows[-1][1] if rows else org.END.isoformat()
    head = [first, last, org.FB_PAGE, "", "", "", "", "", str(shown), "", f"{total:.2f}"]   # the account total
    lines = [",".join(f'"{c}"' for c in ADS_COLUMNS)] + [",".join(f'"{c}"' for c in r) for r in (head, *rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"campaign": ADS_CAMPAIGN, "tactic": tactic, "spend": round(total, 2), "results": results,
            "impressions": shown, "file": path.name, "imported_by_demo": False}
