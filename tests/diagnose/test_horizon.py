"""KPIs are measured inside the plan's horizon (issue 13.2, metrics.md): data outside it moves neither the KPI's
actual nor the default as-of. On real rOpenSci X analytics exports, expected values from the csv module."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from strategyfirst import Workspace
from strategyfirst.report.gather import gather_report_data

PLAN = """version: 1
horizon: {start: 2020-01-01, end: 2020-12-31}
review: {cadence: monthly}
accounts: {x: ["@rOpenSci"]}
objectives:
  - id: awareness
    kpis: [{metric: impressions, target: 5000000}]
tactics:
  - {id: tweets, serves: [awareness], match: {accounts: ["@rOpenSci"]}}
"""


def _files(shared_data: Path, months: tuple[str, ...]) -> list[Path]:
    folder = shared_data / "x-analytics" / "rOpenSci"
    return [next(folder.glob(f"*_{m}01_*_en.csv")) for m in months]


def _tweets(files: list[Path]) -> dict[str, tuple[dt.date, float]]:
    out: dict[str, tuple[dt.date, float]] = {}
    for f in files:
        with f.open(newline="", encoding="utf-8-sig") as fh:
            for r in csv.DictReader(fh):
                out[r["Tweet id"]] = (dt.date.fromisoformat(r["time"][:10]), float(r["impressions"]))
    return out


@pytest.fixture(scope="module")
def ws(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, list[Path]]:
    w = Workspace(tmp_path_factory.mktemp("horizon"))
    w.ensure()
    w.plan_path.write_text(PLAN, encoding="utf-8")
    inside = _files(shared_data, ("202011", "202012"))
    w.ingest(inside)
    return w, inside


def test_later_data_moves_neither_the_as_of_nor_the_actual(ws: tuple[Workspace, list[Path]],
                                                           shared_data: Path) -> None:
    w, inside = ws
    tweets = _tweets(inside)
    in_2020 = {t: v for t, v in tweets.items() if v[0].year == 2020}
    as_of = max(d for d, _ in in_2020.values())
    impressions = sum(i for _, i in in_2020.values())
    before = w.diagnose()
    assert before.as_of == as_of
    assert before.kpis[0].actual == pytest.approx(impressions)

    w.ingest(_files(shared_data, ("202101", "202102")))  # unrelated later data, outside the horizon
    after = w.diagnose()
    assert after.as_of == as_of
    assert after.kpis[0].actual == pytest.approx(impressions)
    assert after.kpis[0].status != "deadline_passed"
    # An as-of past the horizon's end still counts only the horizon's data.
    late = w.diagnose(dt.date(2021, 3, 1))
    assert late.kpis[0].actual == pytest.approx(impressions)
    # The report takes the same default as-of, and `measure` itself is not limited to the horizon.
    assert gather_report_data(w).as_of == as_of
    everything = _tweets(_files(shared_data, ("202011", "202012", "202101", "202102")))
    got = w.measure(metrics=["impressions"]).value("impressions")
    assert got == pytest.approx(sum(i for _, i in everything.values()))


def test_without_data_inside_the_horizon_the_as_of_is_its_start(shared_data: Path, tmp_path: Path) -> None:
    w = Workspace(tmp_path)
    w.ensure()
    w.plan_path.write_text(PLAN.replace("2020-01-01", "2019-01-01").replace("2020-12-31", "2019-06-30"),
                           encoding="utf-8")
    w.ingest(_files(shared_data, ("202101",)))
    d = w.diagnose()
    assert d.as_of == dt.date(2019, 1, 1)
    assert d.kpis[0].actual in (None, 0)
    # QA: the tactic's data exist, only outside the horizon: the verdict says so rather than "no data". Its
    # posts (tweets not opening with an @handle: replies in X analytics) and impressions, by the csv module.
    with _files(shared_data, ("202101",))[0].open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    posts = sum(1 for r in rows if not r["Tweet text"].startswith("@"))
    impressions = sum(float(r["impressions"]) for r in rows)
    [v] = d.verdicts
    assert v.kind == "not_enough_data" and v.tactic == "tweets"
    assert v.evidence.startswith(
        "no attributed data for tweets inside the horizon 2019-01-01..2019-06-30 (up to 2019-01-01), where its "
        f"KPIs are measured; outside it or after 2019-01-01: posts {posts:,}, impressions {impressions:,.0f} (")
    # Judged at the horizon's end, the same data lie outside the horizon alone.
    [v] = w.diagnose(dt.date(2019, 6, 30)).verdicts
    assert f"KPIs are measured; outside it: posts {posts:,}, impressions {impressions:,.0f} (" in v.evidence


def test_posts_inside_the_horizon_are_not_said_to_lie_outside_it(shared_data: Path, tmp_path: Path) -> None:
    """A care desk judged on its response rate, whose account's X analytics export holds posts but no message
    inbound to it: its verdict has no data, and says the posts are inside the horizon (counted there), not
    outside it."""
    w = Workspace(tmp_path)
    w.ensure()
    w.plan_path.write_text(PLAN.replace("impressions, target: 5000000", "response_rate, target: 0.9"),
                           encoding="utf-8")
    files = _files(shared_data, ("202011", "202012"))
    w.ingest(files)
    # Posts in 2020 (tweets not opening with an @handle: replies in X analytics), by the csv module.
    posts = 0
    for f in files:
        with f.open(newline="", encoding="utf-8-sig") as fh:
            posts += sum(1 for r in csv.DictReader(fh) if r["time"].startswith("2020")
                         and not r["Tweet text"].startswith("@"))
    assert posts > 0
    [v] = w.diagnose().verdicts
    assert v.kind == "not_enough_data" and v.tactic == "tweets"
    # QA: the tactic has data, only none of what its KPI counts: said so, not "no attributed data".
    assert v.evidence.startswith("no response rate attributed to tweets: inside the horizon 2020-01-01..")
    assert (f"where its KPIs are measured, it has posts {posts:,}, but its data give no message inbound to it, "
            "a reply to or mention of its accounts (import the conversations") in v.evidence
    assert "outside it" not in v.evidence and "no attributed data" not in v.evidence


def test_a_tactic_with_posts_but_no_follower_counts_is_told_what_to_import(shared_data: Path,
                                                                          tmp_path: Path) -> None:
    """QA on @rOpenSci: a tactic judged on impressions (it has them) and, for another objective, on audience
    growth, which X analytics' tweet exports never give: that verdict says it has posts but no follower counts,
    and what to import, rather than "no attributed data for tweets" as if it had none at all."""
    w = Workspace(tmp_path)
    w.ensure()
    w.plan_path.write_text(PLAN.replace("tactics:", """  - id: audience
    kpis: [{metric: audience_growth, baseline: 0, target: 1000}]
tactics:""").replace("serves: [awareness]", "serves: [awareness, audience]"), encoding="utf-8")
    files = _files(shared_data, ("202011", "202012"))
    w.ingest(files)
    posts = 0  # posts in 2020 (tweets not opening with an @handle: replies in X analytics), by the csv module
    for f in files:
        with f.open(newline="", encoding="utf-8-sig") as fh:
            posts += sum(1 for r in csv.DictReader(fh) if r["time"].startswith("2020")
                         and not r["Tweet text"].startswith("@"))
    d = w.diagnose()
    [v] = [v for v in d.verdicts if v.objective == "audience"]
    assert v.kind == "not_enough_data" and v.tactic == "tweets"
    assert v.evidence.startswith("no audience growth attributed to tweets: inside the horizon 2020-01-01..")
    assert (f"it has posts {posts:,}, but its data give no follower or subscriber counts (import follower "
            "exports, such as X analytics' daily account export") in v.evidence
    assert "no attributed data" not in v.evidence
    # Its other objective's verdict weighs the impressions it has.
    [other] = [v for v in d.verdicts if v.objective == "awareness"]
    assert other.evidence.startswith("tweets: impressions ")
