"""The simulated files are in the real formats: headers compared with the real exports in ../shared/data."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from strategyfirst.simulate import SimulationSummary

FB_REAL = ("facebook-insights/VIC/Facebook Insights Data Export (Post Level) - Visualization Studio VIC - "
           "2015-02-20 - 2015-08-18.csv")
X_REAL = "x-analytics/rOpenSci/tweet_activity_metrics_rOpenSci_20170101_20170201_en.csv"


def _rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def test_twcs_header_and_rows(sim: SimulationSummary, shared_data: Path) -> None:
    real = (shared_data / "twcs/sample.csv").read_bytes().split(b"\r\n", 1)[0]
    raw = sim.files["twcs"][0].read_bytes()
    assert raw.split(b"\r\n", 1)[0] == real
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    rows = _rows(sim.files["twcs"][0])[1:]
    handles = {"NorthwindHelp", "NorthwindRepairs", "NorthwindCycles"}
    multi = 0
    for tweet_id, author, inbound, created, text, responses, parent in rows:
        assert tweet_id.isdigit() and (parent == "" or parent.isdigit())
        assert inbound in ("True", "False")
        assert (inbound == "False") == (author in handles)
        assert author in handles or author.isdigit()
        stamp = dt.datetime.strptime(created, "%a %b %d %H:%M:%S %z %Y")
        assert stamp.utcoffset() == dt.timedelta(0)
        assert text.startswith("@")
        if inbound == "True":
            assert any(f"@{h}" in text for h in handles)
        ids = responses.split(",") if responses else []
        assert all(i.isdigit() for i in ids)
        multi += len(ids) > 1
    assert multi > 0, "some tweets have several replies (response_tweet_id 'a,b')"


def _when(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")


def test_twcs_replies_link_both_ways(sim: SimulationSummary) -> None:
    rows = _rows(sim.files["twcs"][0])[1:]
    by_id = {r[0]: r for r in rows}
    for tweet_id, _, _, created, _, responses, parent in rows:
        if parent:
            assert tweet_id in by_id[parent][5].split(",")
            assert _when(by_id[parent][3]) < _when(created), "a reply comes after its parent"
        for child in filter(None, responses.split(",")):
            assert by_id[child][6] == tweet_id


def test_x_analytics_header_and_values(sim: SimulationSummary, shared_data: Path) -> None:
    real_header = (shared_data / X_REAL).read_bytes().split(b"\n", 1)[0]
    files = sim.files["x-analytics"]
    assert files
    for path in files:
        m = re.fullmatch(r"tweet_activity_metrics_(\w+)_(\d{8})_(\d{8})_en\.csv", path.name)
        assert m, path.name
        handle, start = m.group(1), dt.datetime.strptime(m.group(2), "%Y%m%d")
        raw = path.read_bytes()
        assert raw.split(b"\n", 1)[0] == real_header
        rows = _rows(path)
        header = rows[0]
        for row in rows[1:]:
            rec = dict(zip(header, row, strict=True))
            assert rec["Tweet permalink"] == f"https://twitter.com/{handle}/status/{rec['Tweet id']}"
            when = dt.datetime.strptime(rec["time"], "%Y-%m-%d %H:%M %z")
            assert (when.year, when.month) == (start.year, start.month)
            assert re.fullmatch(r"\d+\.0", rec["impressions"]) and re.fullmatch(r"\d+\.0", rec["engagements"])
            assert rec["follows"].isdigit()
            assert all(rec[c] == "-" for c in header if c.startswith("promoted"))
            parts = ("retweets", "replies", "likes", "user profile clicks", "url clicks", "hashtag clicks",
                     "detail expands", "permalink clicks")
            total = sum(float(rec[c]) for c in parts) + int(rec["follows"])
            assert total == float(rec["engagements"])
            assert abs(float(rec["engagement rate"]) - total / float(rec["impressions"])) < 1e-12
        # every value quoted, as analytics.twitter.com writes them
        assert raw.split(b"\n", 2)[1].startswith(b'"') and b'","' in raw


def test_facebook_post_level_header_and_values(sim: SimulationSummary, shared_data: Path) -> None:
    real = _rows(shared_data / FB_REAL, encoding="utf-8-sig")
    real_raw = (shared_data / FB_REAL).read_bytes()
    files = sim.files["facebook-insights-posts"]
    assert len(files) == 2
    for path in files:
        assert path.name.startswith("Facebook Insights Data Export (Post Level) - Northwind Cycles - ")
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        # the header line is byte-identical; the description row holds the same texts
        assert raw.split(b"\n", 1)[0] == real_raw.split(b"\n", 1)[0]
        rows = _rows(path, encoding="utf-8-sig")
        assert rows[0] == real[0] and rows[1] == real[1]
        for row in rows[2:]:
            rec = dict(zip(rows[0], row, strict=False))
            assert rec["Post ID"].startswith("431870962201455_")
            assert rec["Permalink"].endswith("/posts/" + rec["Post ID"].split("_")[1])
            dt.datetime.strptime(rec["Posted"], "%m/%d/%Y %I:%M:%S %p")
            reach = int(rec["Lifetime Post Total Reach"])
            impressions = int(rec["Lifetime Post Total Impressions"])
            assert 0 < reach <= impressions
            assert int(rec["Lifetime Engaged Users"]) <= impressions
            assert len(row) == len(real[0])


def test_audience_and_spend_headers(sim: SimulationSummary) -> None:
    audience = _rows(sim.files["audience-csv"][0])
    assert audience[0] == ["date", "platform", "account", "metric", "value", "gained", "lost"]
    spend = _rows(sim.files["spend-csv"][0])
    assert spend[0] == ["date", "platform", "tactic", "amount", "currency"]
    for row in audience[1:] + spend[1:]:
        dt.date.fromisoformat(row[0])
    assert {r[4] for r in spend[1:]} == {"EUR"}


def test_text_survives_csv_quoting(sim: SimulationSummary) -> None:
    """Texts with commas, quotes, line breaks and emoji read back intact."""
    texts = [r[2] for p in sim.files["x-analytics"] for r in _rows(p)[1:]]
    assert any("\n" in t for t in texts)
    assert any("🚲" in t for t in texts)
    fb = [r[2] for p in sim.files["facebook-insights-posts"] for r in _rows(p, "utf-8-sig")[2:]]
    assert any(t.startswith('"I sold the car') for t in fb)
