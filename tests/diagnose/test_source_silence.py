"""An accumulating KPI fed by several accounts judges silence account by account (status.py `split_sources`,
inputs.py `kpi_sources`): a source silent for 4 whole months or more is held at what it added, the forecast runs
at the other sources' rate, and the reason names the silent account and the months to import.

Before, on the real files (the VIC page's export of 2014-01/02 and the real Mailchimp list, one objective), as of
2019-06-30: "no data since 2018-07 ... import the exports since 2018-07" (the list, whose 2023 exports cover it,
was named; the silent page was not), and as of 2020-06-30 a forecast of 95.3 carrying the page's 2014 rate.
Figures are worked out with the csv module and datetime, or by hand in the comments.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from strategyfirst.diagnose.diagnosis import Diagnosis, KpiStatus
from strategyfirst.diagnose.engine import diagnose
from strategyfirst.diagnose.inputs import DiagnoseInputs, Observation, Source
from strategyfirst.diagnose.status import kpi_status
from strategyfirst.workspace import Workspace

PAGE = "facebook-insights/VIC/Facebook Insights Data Export - Visualization Studio VIC - 2014-01-01 - 2014-02-27.csv"
LIST = "newsletter/tryghost-fixtures"
MAILCHIMP = ("subscribed.csv", "unsubscribed.csv", "cleaned.csv")

PLAN = """version: 1
organisation: Test Org
owner: Tester <t@example.org>
horizon: {start: 2014-01-01, end: 2025-12-31}
budget: {total: 10000, currency: EUR}
review: {cadence: monthly}
accounts:
  facebook: ["VIC"]
  email: ["newsletter"]
strategy:
  statement: Build a permission asset so we can grow our influence with our best customers over time.
  audiences: [repeat customers]
objectives:
  - id: permission
    statement: Grow the opted-in audience among repeat customers
    kpis:
      - {metric: audience_growth, baseline: 0, target: 1000}
tactics:
  - id: page
    channel: facebook
    serves: [permission]
    owner: Tester
    budget: 3000
    match: {accounts: [VIC]}
  - id: newsletter
    channel: email
    serves: [permission]
    owner: Tester
    budget: 3000
    match: {accounts: [newsletter]}
"""


def _time(text: str | None) -> dt.datetime | None:
    text = (text or "").strip()
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S") if text else None


@pytest.fixture(scope="module")
def ws(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("mix") / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    ws.ingest([shared_data / PAGE], account="VIC")
    for name in MAILCHIMP:
        ws.ingest([shared_data / LIST / name], account="newsletter")
    return ws


def _page_growth(shared_data: Path) -> tuple[int, list[str]]:
    """By hand from the page file: Σ Daily New Likes − Σ Daily Unlikes (the file gives deltas), and the months
    with a like (its second row is the metrics' descriptions)."""
    with (shared_data / PAGE).open(encoding="latin-1", newline="") as fh:
        rows = list(csv.DictReader(fh))[1:]
    grown, months = 0, set()
    for r in rows:
        step = int(r["Daily New Likes"] or 0) - int(r["Daily Unlikes"] or 0)
        if step:
            grown += step
            months.add(dt.datetime.strptime(r["Date"], "%m/%d/%Y").strftime("%Y-%m"))
    return grown, sorted(months)


def _list_events(shared_data: Path, until: dt.date) -> tuple[int, dt.date, dt.date]:
    """By hand from the member exports: joins less leaves up to `until`, the first join and the last event."""
    grown, first, last = 0, dt.date.max, dt.date.min
    for name in MAILCHIMP:
        with (shared_data / LIST / name).open(newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                joined = _time(r["CONFIRM_TIME"]) or _time(r["OPTIN_TIME"])
                left = _time(r.get("UNSUB_TIME") or r.get("CLEAN_TIME"))
                for when, step in ((joined, 1), (left, -1)):
                    if when is None:
                        continue
                    first = min(first, when.date()) if step == 1 else first
                    last = max(last, when.date())
                    grown += step if when.date() <= until else 0
    return grown, first, last


def test_a_silent_page_is_held_beside_a_live_list(ws: Workspace, shared_data: Path) -> None:
    as_of, deadline = dt.date(2019, 6, 30), dt.date(2025, 12, 31)
    page, months = _page_growth(shared_data)
    assert (page, months) == (21, ["2014-02"])
    grown, first, _ = _list_events(shared_data, as_of)
    assert (grown, first) == (11, dt.date(2018, 2, 5))
    # The list's exports (2023) cover it to the as-of date: its rate is its 11 over its days from its first month,
    # 2018-02-01..2019-06-30 = 334 + 181 = 515; the page, silent since 2014-02 (March 2014 to June 2019: 10 + 4 ×
    # 12 + 6 = 64 whole months), is held at its 21. Days left 2019-07-01..2025-12-31: 184 + 366 + 3 × 365 + 366 +
    # 365 = 2,376. Forecast 32 + 2,376 × 11 / 515 = 82.75 (carried at the page's 2014 rate too it would be far
    # more; before, no forecast at all and "import the exports since 2018-07").
    days, left = (as_of - dt.date(2018, 2, 1)).days + 1, (deadline - as_of).days
    assert (days, left) == (515, 2376)
    found = diagnose(ws, as_of)
    kpi = found.kpis[0]
    assert kpi.actual == pytest.approx(page + grown) == 32
    assert kpi.forecast_at_deadline == pytest.approx(32 + left * grown / days)
    assert "at the rate of the email list 'newsletter' alone" in kpi.reason
    assert ("the facebook account 'VIC' has had no data since 2014-02 (none in the 64 whole months up to "
            "2019-06-30): held at the 21 it added so far") in kpi.reason
    assert "import its exports since 2014-02" in kpi.reason
    assert "since 2018-07" not in kpi.reason
    # The list's tactic is counted from its own first month too, not from the page's 2014 months: 11 in 515 days
    # (before: 11 in 2,007, 2014-01-01..2019-06-30).
    verdict = _verdict(found, "newsletter")
    assert f"{grown} in {days} days" in verdict


def test_every_source_silent_names_each_one_to_import(ws: Workspace, shared_data: Path) -> None:
    # As of 2024-06-30 the list's exports (the subscribed one's day 2023-04-21; a leave on 2023-06-06 is its last
    # event) cover it no longer: silent since 2023-06 (July 2023 to June 2024: 12 whole months), the page since
    # 2014-02. The KPI is not forecast, and the words name both sources with their months.
    as_of = dt.date(2024, 6, 30)
    grown, _, last = _list_events(shared_data, as_of)
    assert last == dt.date(2023, 6, 6)
    kpi = diagnose(ws, as_of).kpis[0]
    assert kpi.status == "not_enough_data" and kpi.forecast_at_deadline is None
    assert kpi.actual == pytest.approx(21 + grown)
    assert "no data since 2023-06 (none in the 12 whole months up to 2024-06-30)" in kpi.reason
    assert ("import the exports of the email list 'newsletter' since 2023-06 and of the facebook account 'VIC' "
            "since 2014-02 to judge it") in kpi.reason


def _verdict(found: Diagnosis, tactic: str) -> str:
    return next(v.evidence for v in found.verdicts if tactic in v.tactics)


def _status(sources: list[Source] | None, series: list[Observation], as_of: dt.date = dt.date(2025, 6, 30)
            ) -> KpiStatus:
    return kpi_status(objective="o", metric="audience_growth", target=100, baseline=0,
                      horizon_start=dt.date(2025, 1, 1), deadline=dt.date(2025, 12, 31), as_of=as_of,
                      period="month", actual=Observation(sum(o.value or 0 for o in series), len(series)),
                      series=series, sources=sources)


def test_by_hand_a_silent_source_is_held_and_a_single_source_is_as_before() -> None:
    # A page with 5 and 3 in January and February 2025 (silent since: March to June, 4 whole months, as of
    # 2025-06-30), a second page with 2 a month January to June. The KPI's series adds them: 7, 5, 2, 2, 2, 2.
    months = [dt.date(2025, m, 1) for m in range(1, 7)]
    a = [Observation(5.0, 1, period=months[0]), Observation(3.0, 1, period=months[1])]
    b = [Observation(2.0, 1, period=m) for m in months]
    both = [Observation(v, 1, period=m) for v, m in zip((7, 5, 2, 2, 2, 2), months, strict=True)]
    sources = [Source("facebook", "A", a), Source("facebook", "B", b)]
    k = _status(sources, both)
    # Page B alone: 12 over January to June (181 days), carried over the 184 days of July to December; page A's
    # 8 held: 20 + 184 × 12 / 181 = 32.2 (at the rate of both, 20 + 184 × 20 / 181 = 40.3).
    assert k.forecast_at_deadline == pytest.approx(20 + 184 * 12 / 181)
    assert "the facebook account 'A' has had no data since 2025-02 (none in the 4 whole months" in k.reason
    assert "held at the 8 it added so far" in k.reason and "import its exports since 2025-02" in k.reason
    # One source, or several none of which is silent, is judged as without sources.
    plain = _status(None, both)
    assert _status([Source("facebook", "B", both)], both) == plain
    # (The added series, 7, 5, 2, 2, 2, 2, draws a falling trend of its own: not the page B rate the sources give.)
    assert "clear trend" in plain.reason and "clear trend" not in k.reason
    early = dt.date(2025, 3, 31)  # as of March page A is silent for 1 month only
    assert _status(sources, both, early) == _status(None, both, early)


# One tactic whose match covers both accounts: its verdict judges silence account by account too (verdicts.py
# `_split`). Before, as of 2019-06-30: "no data since 2018-07 ...; import the exports since 2018-07" (the
# combined series; the page not named, the list, whose exports cover it to 2023, said silent), and as of
# 2020-06-30 "29 in 240 days", the page's 21 of February 2014 carried in its rate.
BOTH = PLAN.split("tactics:\n")[0] + """tactics:
  - id: both
    channel: email
    serves: [permission]
    owner: Tester
    budget: 3000
    match: {accounts: [VIC, newsletter]}
"""


@pytest.fixture(scope="module")
def both(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("both") / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(BOTH, encoding="utf-8")
    ws.ingest([shared_data / PAGE], account="VIC")
    for name in MAILCHIMP:
        ws.ingest([shared_data / LIST / name], account="newsletter")
    return ws


@pytest.mark.parametrize(("as_of", "first"), [(dt.date(2019, 6, 30), dt.date(2018, 2, 1)),
                                              (dt.date(2020, 6, 30), dt.date(2018, 2, 1))])
def test_a_tactic_over_a_silent_page_and_a_live_list_is_paced_on_the_list(
        both: Workspace, shared_data: Path, as_of: dt.date, first: dt.date) -> None:
    # The list's joins less leaves up to as-of over its days from its first month (its exports cover it to
    # as-of): 2019-06-30: 11 in 2018-02-01..2019-06-30 = 515 days; 2020-06-30: 8 (leaves came) in 515 + 366 = 881.
    # The page (silent since 2014-02: 64 and 76 whole months) is left out of the pace and named.
    grown, _, _ = _list_events(shared_data, as_of)
    days = (as_of - first).days + 1
    assert (grown, days) == {dt.date(2019, 6, 30): (11, 515), dt.date(2020, 6, 30): (8, 881)}[as_of]
    months = (as_of.year - 2014) * 12 + as_of.month - 2  # March 2014 to as-of's month, which as-of ends
    found = diagnose(both, as_of)
    [v] = found.verdicts
    [e] = v.details
    assert e.value == pytest.approx(grown / days)
    assert f"{grown} in {days} days of the email list 'newsletter' alone" in v.evidence
    assert (f"the facebook account 'VIC' has had no data since 2014-02 (none in the {months} whole months up to "
            f"{as_of.isoformat()}): the 21 it added are left out of the pace") in v.evidence
    assert "import its exports since 2014-02" in v.evidence
    assert "since 2018-07" not in v.evidence
    # The KPI's forecast runs at the list's rate alike (the test above): verdict and status tell one story.
    assert "at the rate of the email list 'newsletter' alone" in found.kpis[0].reason


def test_a_tactic_with_every_account_silent_names_each_one(both: Workspace) -> None:
    # As of 2024-06-30 both are silent (the list since 2023-06, 12 whole months; the page since 2014-02).
    [v] = diagnose(both, dt.date(2024, 6, 30)).verdicts
    assert v.kind == "not_enough_data"
    assert ("no data since 2023-06 (none in the 12 whole months up to 2024-06-30), so its pace cannot be judged; "
            "import the exports of the email list 'newsletter' since 2023-06 and of the facebook account 'VIC' "
            "since 2014-02") in v.evidence


# A page 'VIC' and a list 'VIC': one name on two platforms is two accounts. Before, the silence pre-check keyed
# them by name alone: their months merged (the list's kept the name live) and they counted as one account, so
# nothing was judged per account.
SAME_NAME = PLAN.replace('email: ["newsletter"]', 'email: ["VIC"]').replace(
    "match: {accounts: [newsletter]}", "match: {platform: [email], accounts: [VIC]}").replace(
    "match: {accounts: [VIC]}", "match: {platform: [facebook], accounts: [VIC]}")


def test_one_name_on_two_platforms_is_two_accounts(shared_data: Path, tmp_path: Path) -> None:
    assert SAME_NAME.count("VIC") == 4  # two accounts, two tactics
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(SAME_NAME, encoding="utf-8")
    ws.ingest([shared_data / PAGE], account="VIC")
    for name in MAILCHIMP:
        ws.ingest([shared_data / LIST / name], account="VIC")
    as_of, left = dt.date(2019, 6, 30), 2376
    kpi = diagnose(ws, as_of).kpis[0]
    # As in the first test: 21 held + 11, forecast 32 + 2,376 × 11 / 515.
    assert kpi.actual == pytest.approx(32)
    assert kpi.forecast_at_deadline == pytest.approx(32 + left * 11 / 515)
    assert "the facebook account 'VIC' has had no data since 2014-02" in kpi.reason
    assert "at the rate of the email list 'VIC' alone" in kpi.reason


PACED = """version: 1
owner: Ann
horizon: {start: 2025-01-01, end: 2025-12-31}
review: {cadence: monthly}
accounts: {facebook: [A, B]}
strategy: {statement: Grow}
objectives:
  - id: o
    kpis: [{metric: audience_growth, baseline: 0, target: 100}]
tactics:
  - {id: t, channel: facebook, serves: [o], owner: Bo, match: {accounts: [A, B]}}
"""


def _tactic_inputs(sources: list[Source] | None, parts: list[list[Observation]], as_of: dt.date
                   ) -> DiagnoseInputs:
    """A tactic and its objective with the same series, `parts` added up period by period."""
    from strategyfirst.plan import loads

    added: dict[dt.date, float] = {}
    for part in parts:
        for o in part:
            assert o.period is not None and o.value is not None
            added[o.period] = added.get(o.period, 0.0) + o.value
    series = [Observation(v, 1, period=p) for p, v in sorted(added.items())]
    total = Observation(sum(added.values()), len(series))
    inputs = DiagnoseInputs(plan=loads(PACED).plan, as_of=as_of)
    key = ("audience_growth",)
    inputs.objective_actual[("o", *key)] = inputs.tactic_actual[("t", *key)] = total
    inputs.objective_series[("o", *key)] = inputs.tactic_series[("t", *key)] = series
    if sources is not None:
        inputs.objective_sources[("o", *key)] = inputs.tactic_sources[("t", *key)] = sources
    return inputs


def test_by_hand_a_tactic_is_paced_on_its_live_account() -> None:
    from strategyfirst.diagnose.engine import diagnose as judge

    # Page A: 5 and 3 in January and February 2025, then silent (March to June: 4 whole months as of
    # 2025-06-30); page B: 2 a month January to June. The tactic's pace: B's 12 over January to June (181 days),
    # 12 / 181 = 0.0663 a day (on both, 20 / 181 = 0.110). Its share of the pace: 100 / 365 = 0.274 a day.
    months = [dt.date(2025, m, 1) for m in range(1, 7)]
    a = [Observation(5.0, 1, period=months[0]), Observation(3.0, 1, period=months[1])]
    b = [Observation(2.0, 1, period=m) for m in months]
    as_of = dt.date(2025, 6, 30)
    [v] = judge(_tactic_inputs([Source("facebook", "A", a), Source("facebook", "B", b)], [a, b], as_of)).verdicts
    [e] = v.details
    assert e.value == pytest.approx(12 / 181)
    assert e.target == pytest.approx(100 / 365)
    assert e.note.startswith("12 in 181 days of the facebook account 'B' alone")
    assert ("the facebook account 'A' has had no data since 2025-02 (none in the 4 whole months up to 2025-06-30): "
            "the 8 it added are left out of the pace rather than its old rate carried on; import its exports since "
            "2025-02") in e.note
    [plain] = judge(_tactic_inputs(None, [a, b], as_of)).verdicts
    assert plain.details[0].value == pytest.approx(20 / 181) and "alone" not in plain.evidence


def test_by_hand_a_tactic_of_one_account_or_none_silent_is_judged_as_before() -> None:
    from strategyfirst.diagnose.engine import diagnose as judge

    months = [dt.date(2025, m, 1) for m in range(1, 7)]
    a = [Observation(5.0, 1, period=months[0]), Observation(3.0, 1, period=months[1])]
    b = [Observation(2.0, 1, period=m) for m in months]
    as_of = dt.date(2025, 6, 30)
    added = [Observation(v, 1, period=m) for v, m in zip((7, 5, 2, 2, 2, 2), months, strict=True)]
    plain = judge(_tactic_inputs(None, [a, b], as_of))
    one = judge(_tactic_inputs([Source("facebook", "A", added)], [a, b], as_of))
    assert one.verdicts == plain.verdicts and one.kpis == plain.kpis
    # As of March page A is silent for 1 whole month only: two sources, none silent, judged as the sum.
    early = dt.date(2025, 3, 31)
    sources = [Source("facebook", "A", a), Source("facebook", "B", b)]
    assert judge(_tactic_inputs(sources, [a, b], early)).verdicts == judge(_tactic_inputs(None, [a, b], early)).verdicts


def test_by_hand_a_live_list_counts_from_its_own_start_not_a_held_ones() -> None:
    # Two member lists under one objective (horizon 2025-01-01, deadline 2026-06-30), as of 2025-12-31. List A,
    # begun in 2020, joins 3 and 2 in January and February 2025, its exports covering it to 2025-02-28 only:
    # silent March to December (10 whole months), held at its 5. List B began on 2025-07-01 and had one join a
    # month July to December, its exports covering it to 2025-12-31: its rate runs over its own days, July to
    # December (31 + 31 + 30 + 31 + 30 + 31 = 184), carried over the 181 days of January to June 2026:
    # 5 + 6 + 181 × 6 / 184 = 16.902. Before, the objective's start (A's, 2020, so the horizon's) moved B's days
    # back to 2025-01-01, six months before B existed, read as none: a clear rising trend, forecast 20.7.
    months = [dt.date(2025, m, 1) for m in range(1, 13)]
    a = [Observation(3.0, 1, period=months[0]), Observation(2.0, 1, period=months[1])]
    b = [Observation(1.0, 1, period=m) for m in months[6:]]
    both = [*a, *b]
    sources = [Source("email", "A", a, dt.date(2025, 2, 28), dt.date(2020, 3, 1)),
               Source("email", "B", b, dt.date(2025, 12, 31), dt.date(2025, 7, 1))]
    k = kpi_status(objective="o", metric="audience_growth", target=100, baseline=0,
                   horizon_start=dt.date(2025, 1, 1), deadline=dt.date(2026, 6, 30), as_of=dt.date(2025, 12, 31),
                   period="month", actual=Observation(11.0, 8), series=both, covered_to=dt.date(2025, 2, 28),
                   covered_from=dt.date(2020, 3, 1), sources=sources)
    assert k.actual == 11
    assert k.forecast_at_deadline == pytest.approx(5 + 6 + 181 * 6 / 184)
    assert "at the rate of the email list 'B' alone" in k.reason
    assert "the email list 'A' has had no data since 2025-02 (none in the 10 whole months" in k.reason


def test_a_held_page_beside_a_list_keeps_the_lists_bound(shared_data: Path, tmp_path: Path) -> None:
    # The real page and list on a weekly plan, as of 2019-06-30. The list alone (11 members, none at the horizon's
    # start 2014-01-01: its first join is 2018-02-05) is forecast along a clear falling weekly trend, bounded
    # below at 0: it cannot lose members it never had (test_member_coverage.py, `listed_start`). Beside it the
    # page is held at its 21, so the KPI's forecast is bounded at 21 + 0 = 21, interval alike. Before: -288,
    # "not bounded below: the audience's size at the horizon's start is not in the data".
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(PLAN.replace("cadence: monthly", "cadence: weekly"), encoding="utf-8")
    ws.ingest([shared_data / PAGE], account="VIC")
    for name in MAILCHIMP:
        ws.ingest([shared_data / LIST / name], account="newsletter")
    page, _ = _page_growth(shared_data)
    grown, first, _ = _list_events(shared_data, dt.date(2019, 6, 30))
    assert (page, grown, first) == (21, 11, dt.date(2018, 2, 5))
    kpi = diagnose(ws, dt.date(2019, 6, 30)).kpis[0]
    assert kpi.actual == page + grown
    assert kpi.forecast_at_deadline == pytest.approx(page)
    assert kpi.forecast_low == pytest.approx(page) and kpi.forecast_floor == pytest.approx(page)
    assert all(p.value >= page - 1e-9 and (p.low is None or p.low >= page - 1e-9) for p in kpi.forecast)
    assert ("bounded below at 21: the email list 'newsletter' had no members at the horizon's start, the facebook "
            "account 'VIC' held at its 21") in kpi.reason
    assert "not bounded below" not in kpi.reason
