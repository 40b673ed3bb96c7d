"""A member export lists every member up to its export day, so a list's months without a join or a leave up to
that day are months of none, not a silence (diagnose/inputs.py `member_coverage`, status.py `covered_to`).

Before: the real Mailchimp exports (joins in 2018-02, one leave in 2018-07, the rest from 2020 on) judged as of
2019-06-30 read "no data since 2018-07 ... import the exports since 2018-07", though the 2023 exports cover
those months. Figures are worked out with the csv module and datetime, or by hand in the comments.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from strategyfirst.diagnose.diagnosis import Diagnosis, KpiStatus, Verdict
from strategyfirst.diagnose.engine import diagnose
from strategyfirst.diagnose.inputs import Observation
from strategyfirst.diagnose.status import counted_days, kpi_status, silence
from strategyfirst.workspace import Workspace

FIXTURES = "newsletter/tryghost-fixtures"
MAILCHIMP = ("subscribed.csv", "unsubscribed.csv", "cleaned.csv")
TIMES = ("OPTIN_TIME", "CONFIRM_TIME", "LAST_CHANGED", "UNSUB_TIME", "CLEAN_TIME")

PLAN_2018 = """version: 1
organisation: Test Org
owner: Tester <t@example.org>
horizon: {start: 2018-01-01, end: 2019-12-31}
budget: {total: 10000, currency: EUR}
review: {cadence: monthly}
accounts:
  email: ["newsletter"]
strategy:
  statement: Build a permission asset so we can grow our influence with our best customers over time.
  audiences: [repeat customers]
objectives:
  - id: permission
    statement: Grow the opted-in audience among repeat customers
    kpis:
      - {metric: audience_growth, baseline: 0, target: 20, by: 2019-12-31}
tactics:
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


def test_the_real_mailchimp_exports_cover_their_quiet_months(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / FIXTURES
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(PLAN_2018, encoding="utf-8")
    for name in MAILCHIMP:
        ws.ingest([folder / name], account="newsletter")

    # By hand from the files: a join is CONFIRM_TIME (else OPTIN_TIME) of every row of each status, a leave the
    # UNSUB_TIME / CLEAN_TIME; each export's day is the latest time in it (no --exported-on given).
    start, as_of, deadline = dt.date(2018, 1, 1), dt.date(2019, 6, 30), dt.date(2019, 12, 31)
    grown, export_days, months = 0, [], set()
    for name in MAILCHIMP:
        with (folder / name).open(newline="", encoding="utf-8") as fh:
            members = list(csv.DictReader(fh))
        export_days.append(max(t for r in members for c in TIMES if (t := _time(r.get(c))) is not None).date())
        for r in members:
            joined = (_time(r["CONFIRM_TIME"]) or _time(r["OPTIN_TIME"]))
            left = _time(r.get("UNSUB_TIME") or r.get("CLEAN_TIME"))
            for when, step in ((joined, 1), (left, -1)):
                if when is not None and start <= when.date() <= as_of:
                    grown += step
                    months.add(when.strftime("%Y-%m"))
    # 12 joins in 2018-02 (4 per file) and one unsubscribe on 2018-07-23: 11, nothing else up to 2019-06-30.
    assert (grown, sorted(months)) == (11, ["2018-02", "2018-07"])
    # The list is known up to the earliest export's day, 2023-04-21 (subscribed), after the as-of date: every day
    # from the first month with data on counts (the list had no member before February 2018: its January is no
    # month of none), 2018-02-01..2019-06-30: 334 + 181 = 515, and none after the as-of date.
    covered_to = min(export_days)
    assert covered_to > as_of
    days = (as_of - dt.date(2018, 2, 1)).days + 1
    assert days == 515
    left = (deadline - as_of).days  # 2019-07-01..2019-12-31: 184 days
    assert left == 184

    found = diagnose(ws, as_of)
    kpi = found.kpis[0]
    assert kpi.actual == pytest.approx(grown)
    assert "no data since" not in kpi.reason
    # The daily rate over the covered days, carried over the days left: 11 + 184 × 11 / 515 = 14.930.
    assert kpi.forecast_at_deadline == pytest.approx(grown + left * grown / days)
    verdict = found.verdicts[0]
    assert "no data since" not in verdict.evidence
    assert f"{grown} in {days} days" in verdict.evidence
    assert verdict.details[0].value == pytest.approx(grown / days)  # the tactic's daily rate: 0.0214


# A Mailchimp subscribed export of our own (the header Mailchimp writes, made-up members): one join in each of
# January, February, July and August 2025, none in the 4 months between nor the 4 after; exported on
# 2025-12-31.
HEADER = ("Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,"
          "LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS")
JOINS = ("2025-01-10 09:00:00", "2025-02-10 10:30:00", "2025-07-10 08:15:00", "2025-08-10 17:45:00")
# Its unsubscribed and cleaned exports (Mailchimp's headers), listing no member: nobody left.
LEAVERS = {"unsubscribed.csv": "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,"
                               "CONFIRM_IP,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,"
                               "UNSUB_REASON_OTHER,LEID,EUID,NOTES,TAGS",
           "cleaned.csv": "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,"
                          "CONFIRM_IP,CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID,LEID,EUID,NOTES,TAGS"}

PLAN_2025 = """version: 1
organisation: Test Org
owner: Tester <t@example.org>
horizon: {start: 2025-01-01, end: 2026-06-30}
budget: {total: 10000, currency: EUR}
review: {cadence: monthly}
accounts:
  email: ["news"]
  facebook: ["Acme"]
strategy:
  statement: Build a permission asset so we can grow our influence with our best customers over time.
  audiences: [repeat customers]
objectives:
  - id: list
    statement: Grow the list
    kpis:
      - {metric: audience_growth, baseline: 0, target: 20, by: 2026-06-30}
  - id: page
    statement: Grow the page
    kpis:
      - {metric: audience_growth, baseline: 0, target: 20, by: 2026-06-30}
  - id: both
    statement: Grow both
    kpis:
      - {metric: audience_growth, baseline: 0, target: 40, by: 2026-06-30}
tactics:
  - id: letter
    channel: email
    serves: [list]
    owner: Tester
    budget: 1000
    match: {accounts: [news]}
  - id: posts
    channel: facebook
    serves: [page]
    owner: Tester
    budget: 1000
    match: {accounts: [Acme]}
  - id: everything
    channel: mixed
    serves: [both]
    owner: Tester
    budget: 1000
    match: {accounts: [news, Acme]}
"""


def _list_workspace(root: Path, plan: str, joins: tuple[str, ...] = JOINS, leavers: bool = True) -> Workspace:
    """A workspace of `plan` with a made-up subscribed export (`joins`) imported as `news`, exported 2025-12-31,
    and (`leavers`) its unsubscribed and cleaned exports, listing no member."""
    export = root / "subscribed.csv"
    blanks = "," * (HEADER.count(",") - 7)
    export.write_text(HEADER + "\n" + "".join(f"m{i}@example.invalid,,,2,{t},,{t},{blanks}\n"
                                              for i, t in enumerate(joins)), encoding="utf-8")
    ws = Workspace(root / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(plan, encoding="utf-8")
    ws.ingest([export], account="news", exported_on="2025-12-31")
    for name, header in LEAVERS.items() if leavers else ():
        (root / name).write_text(header + "\n", encoding="utf-8")
        ws.ingest([root / name], account="news", exported_on="2025-12-31")
    return ws


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("members")
    ws = _list_workspace(root, PLAN_2025)
    # A page's follower gains in the same two months only (a platform export: its quiet months are missing).
    page = root / "followers.csv"
    page.write_text("date,platform,account,metric,value,gained,lost\n"
                    "2025-01-15,facebook,Acme,followers,100,5,0\n2025-02-15,facebook,Acme,followers,103,3,0\n",
                    encoding="utf-8")
    ws.ingest([page])
    return ws


def _by(found: Diagnosis, objective: str) -> tuple[KpiStatus, Verdict]:
    kpi = next(k for k in found.kpis if k.objective == objective)
    verdict = next(v for v in found.verdicts if v.objective == objective)
    return kpi, verdict


def test_a_members_list_is_covered_up_to_its_export_day_and_no_further(synthetic: Workspace) -> None:
    # As of the export day 2025-12-31 (joins in January, February, July and August, then 4 months without one:
    # before, "no data since 2025-08"): 4 joins over the 365 days of 2025, every month without a join a month of
    # none; carried over the 181 days left (January to June 2026): 4 + 181 × 4 / 365 = 5.984.
    kpi, verdict = _by(diagnose(synthetic, dt.date(2025, 12, 31)), "list")
    assert kpi.actual == 4
    assert "no data since" not in kpi.reason and "no data since" not in verdict.evidence
    assert "a day so far" in kpi.reason  # the daily rate, no trend
    assert kpi.forecast_at_deadline == pytest.approx(4 + 181 * 4 / 365)
    assert "4 in 365 days" in verdict.evidence
    # As of 2025-08-31 the export, made later, says what the list did up to then: 4 joins over January to August
    # (31 + 28 + 31 + 30 + 31 + 30 + 31 + 31 = 243 days; before, the 4 months March to June without a join were
    # left out as a missing export: 4 over 121 days), none after the as-of date counted; 303 days left (30 + 92
    # + 181): 4 + 303 × 4 / 243 = 8.988.
    kpi, verdict = _by(diagnose(synthetic, dt.date(2025, 8, 31)), "list")
    assert "a day so far" in kpi.reason
    assert kpi.forecast_at_deadline == pytest.approx(4 + 303 * 4 / 243)
    assert "4 in 243 days" in verdict.evidence
    # As of 2026-04-30 the export covers nothing after 2025-12-31: January to April, 4 whole months, are a silence.
    kpi, verdict = _by(diagnose(synthetic, dt.date(2026, 4, 30)), "list")
    assert kpi.status == "not_enough_data"
    assert "no data since 2025-12 (none in the 4 whole months" in kpi.reason
    assert "no data since 2025-12" in verdict.evidence


def test_other_sources_keep_their_silence(synthetic: Workspace) -> None:
    # As of 2025-06-30 the page's gains stop in 2025-02: March to June are 4 months without data, a silence
    # (5 + 3): the page's objective is not forecast.
    found = diagnose(synthetic, dt.date(2025, 6, 30))
    kpi, verdict = _by(found, "page")
    assert kpi.actual == 8
    assert kpi.status == "not_enough_data"
    assert "no data since 2025-02" in kpi.reason
    assert "no data since 2025-02" in verdict.evidence
    # Beside the list's 2 joins the page is the silent source, held at its 8 (test_source_silence.py): the list,
    # covered to the as-of date, goes on as it would alone, its joins a month 1, 1, 0, 0, 0, 0 a clear falling
    # line held at its lowest month's 0 a day: nothing more (its own objective's forecast is its 2), so
    # 8 + 2 = 10 (before: 'no data since 2025-02' for the whole KPI; at the two's rate, 10 + 365 × 10 / 181).
    alone, _ = _by(found, "list")
    assert alone.forecast_at_deadline == pytest.approx(2)
    kpi, verdict = _by(found, "both")
    assert kpi.actual == 10
    assert kpi.forecast_at_deadline == pytest.approx(8 + alone.forecast_at_deadline)
    assert "a clear trend across 6 months" in kpi.reason
    assert "the facebook account 'Acme' has had no data since 2025-02" in kpi.reason
    # The tactic matching both accounts is still judged on its series as a whole (left as it was).
    assert "no data since 2025-02" in verdict.evidence


def test_covered_days_and_silence_by_hand() -> None:
    # Data in January and February 2025, covered to 2025-09-15: January to 15 September, 31 + 28 + 31 + 30 + 31 +
    # 30 + 31 + 31 + 15 = 258 days; without the cover, January and February only: 59.
    starts = [dt.date(2025, 1, 1), dt.date(2025, 2, 1)]
    lo, hi = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    assert counted_days(starts, lo, hi, "month") == 59
    assert counted_days(starts, lo, hi, "month", span=True, through=dt.date(2025, 9, 15)) == 258
    # Silent from February without it, from September with it, and not at all as of the cover's own month.
    assert silence(starts, dt.date(2025, 9, 30), "month") == (dt.date(2025, 2, 1), 7)
    assert silence(starts, dt.date(2025, 9, 30), "month", dt.date(2025, 9, 15)) is None
    assert silence(starts, dt.date(2026, 1, 31), "month", dt.date(2025, 9, 15)) == (dt.date(2025, 9, 1), 4)
    # Joins in January and March, covered to 2025-09-30, as of 2025-07-31: the cover counts up to the as-of date
    # only, January to July: 31 + 28 + 31 + 30 + 31 + 30 + 31 = 212 days; 2 joins over them and the 153 days of
    # August to December left: 2 + 153 × 2 / 212 = 3.443.
    series = [Observation(1.0, 1, period=dt.date(2025, 1, 1)), Observation(1.0, 1, period=dt.date(2025, 3, 1))]

    def status(covered: dt.date | None) -> KpiStatus:
        return kpi_status(objective="o", metric="audience_growth", target=100, baseline=0,
                          horizon_start=dt.date(2025, 1, 1), deadline=dt.date(2025, 12, 31),
                          as_of=dt.date(2025, 7, 31), period="month", actual=Observation(2.0, 2), series=series,
                          covered_to=covered)

    k = status(dt.date(2025, 9, 30))
    assert "no data since" not in k.reason and "a day so far" in k.reason
    assert k.forecast_at_deadline == pytest.approx(2 + 153 * 2 / 212)
    # Without the cover the same series is silent since 2025-03 (April to July: 4 months) and not forecast.
    k = status(None)
    assert k.status == "not_enough_data" and "no data since 2025-03" in k.reason


def _events(folder: Path, names: tuple[str, ...], start: dt.date, as_of: dt.date) -> tuple[int, list[str]]:
    """By hand from the files: net joins less leaves in [start, as_of] and the months holding one."""
    grown, months = 0, set()
    for name in names:
        with (folder / name).open(newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                joined = _time(r["CONFIRM_TIME"]) or _time(r["OPTIN_TIME"])
                left = _time(r.get("UNSUB_TIME") or r.get("CLEAN_TIME"))
                for when, step in ((joined, 1), (left, -1)):
                    if when is not None and start <= when.date() <= as_of:
                        grown += step
                        months.add(when.strftime("%Y-%m"))
    return grown, sorted(months)


def test_undoing_the_subscribed_export_takes_the_cover_back(shared_data: Path, tmp_path: Path) -> None:
    # The subscribed export is the one that lists the current members' joins: without it no export covers them,
    # and the list is not covered at all (before: the cover moved on, to the cleaned export's 2023-05-12, past the
    # 2023-04-21 it had with all three). Undoing the unsubscribed export instead leaves the subscribed one's day.
    from strategyfirst.diagnose.inputs import member_lists

    folder = shared_data / FIXTURES
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(PLAN_2018, encoding="utf-8")
    ids = {name: ws.ingest([folder / name], account="newsletter").files[0]["import_id"] for name in MAILCHIMP}
    # Each export's day is the latest time in it: subscribed 2023-04-21 (s1's join), unsubscribed 2023-06-06,
    # cleaned 2023-05-12 (read off the files).
    days = {}
    for name in MAILCHIMP:
        with (folder / name).open(newline="", encoding="utf-8") as fh:
            days[name] = max(t for r in csv.DictReader(fh) for c in TIMES if (t := _time(r.get(c))) is not None).date()
    assert days == {"subscribed.csv": dt.date(2023, 4, 21), "unsubscribed.csv": dt.date(2023, 6, 6),
                    "cleaned.csv": dt.date(2023, 5, 12)}
    assert member_lists(ws) == {"newsletter": min(days.values())}

    ws.undo_import(ids["subscribed.csv"])
    assert member_lists(ws) == {}
    # Judged as of 2019-06-30 on the unsubscribed and cleaned exports alone, the list's months are data only where
    # they hold a join or a leave: 8 joins in 2018-02 and u1's unsubscribe on 2018-07-23, then nothing until
    # 2020-03: August 2018 to June 2019, 11 whole months, are a silence, as before the cover existed.
    as_of = dt.date(2019, 6, 30)
    grown, months = _events(folder, ("unsubscribed.csv", "cleaned.csv"), dt.date(2018, 1, 1), as_of)
    assert (grown, months) == (7, ["2018-02", "2018-07"])
    found = diagnose(ws, as_of)
    kpi = found.kpis[0]
    assert kpi.actual == pytest.approx(grown)
    assert kpi.status == "not_enough_data"
    assert "no data since 2018-07 (none in the 11 whole months up to 2019-06-30)" in kpi.reason
    assert "no data since 2018-07" in found.verdicts[0].evidence

    ws.ingest([folder / "subscribed.csv"], account="newsletter")
    assert member_lists(ws) == {"newsletter": dt.date(2023, 4, 21)}
    # Without the unsubscribed export its leavers are in no export: not covered either (partial_lists says why).
    ws.undo_import(ids["unsubscribed.csv"])
    assert member_lists(ws) == {}


def test_a_covered_list_is_bounded_by_the_size_it_started_from(shared_data: Path, tmp_path: Path) -> None:
    # The real Mailchimp exports on a weekly plan from 2018-01-01 (deadline 2019-12-31), judged as of 2019-06-30:
    # 2 weeks of joins in 2018-02 then weeks of none but one leave make a clear falling line, carried to the
    # deadline (before: 1.3 with an 80% interval from -9.8, 'not bounded below: the audience's size at the
    # horizon's start is not in the data', for a list of 11; with a deadline of 2024-12-31, -244). The exports
    # list every member: none joined before 2018-02-05, so the list had no members on 2018-01-01 and its growth
    # since cannot go below 0.
    folder = shared_data / FIXTURES
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(PLAN_2018.replace("cadence: monthly", "cadence: weekly"), encoding="utf-8")
    for name in MAILCHIMP:
        ws.ingest([folder / name], account="newsletter")
    first_join = dt.date.max
    for name in MAILCHIMP:
        with (folder / name).open(newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                joined = _time(r["CONFIRM_TIME"]) or _time(r["OPTIN_TIME"])
                assert joined is not None
                first_join = min(first_join, joined.date())
    assert first_join == dt.date(2018, 2, 5)
    as_of = dt.date(2019, 6, 30)
    grown, _ = _events(folder, MAILCHIMP, dt.date(2018, 1, 1), as_of)
    kpi = diagnose(ws, as_of).kpis[0]
    assert kpi.actual == pytest.approx(grown) == 11
    assert "not bounded below" not in kpi.reason
    assert "bounded below at 0: the audience had no members at the horizon's start" in kpi.reason
    assert kpi.forecast_at_deadline is not None and kpi.forecast_at_deadline >= 0
    assert kpi.forecast_low is not None and kpi.forecast_low >= 0
    assert all(p.value >= 0 and (p.low is None or p.low >= 0) for p in kpi.forecast)


def test_a_covered_lists_start_size_is_its_joins_less_its_leaves_before_it(shared_data: Path, tmp_path: Path) -> None:
    # A horizon from 2018-03-01: by hand from the files, 12 joins (4 per file, all in 2018-02) and no leave
    # before it (the first, u1's, is on 2018-07-23): the list started the horizon at 12.
    from strategyfirst.diagnose.inputs import gather

    folder = shared_data / FIXTURES
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(PLAN_2018.replace("start: 2018-01-01", "start: 2018-03-01"),
                                           encoding="utf-8")
    for name in MAILCHIMP:
        ws.ingest([folder / name], account="newsletter")
    before, _ = _events(folder, MAILCHIMP, dt.date(2000, 1, 1), dt.date(2018, 2, 28))
    assert before == 12
    inputs = gather(ws, ws.plan_document().plan, dt.date(2019, 6, 30))
    assert inputs.audience_start == {"permission": float(before)}


def test_a_list_started_inside_the_horizon_is_covered_from_its_first_month(tmp_path: Path) -> None:
    # The same list (first join 2025-01-10) under a horizon from 2022-01-01: before January 2025 it had no member,
    # so its three years before are no months of none. Counted from January 2025 to the export day 2025-12-31:
    # 4 joins in 365 days, 4 + 181 × 4 / 365 = 5.984 at the deadline, as under the 2025 horizon; counted from
    # 2022 they would be 4 in 1,461 days and a run of 36 zero months before the joins.
    ws = _list_workspace(tmp_path, PLAN_2025.replace("start: 2025-01-01", "start: 2022-01-01"))
    kpi, verdict = _by(diagnose(ws, dt.date(2025, 12, 31)), "list")
    assert kpi.actual == 4
    assert "a day so far" in kpi.reason and "trend" not in kpi.reason
    assert kpi.forecast_at_deadline == pytest.approx(4 + 181 * 4 / 365)
    assert "4 in 365 days" in verdict.evidence


def test_a_lists_noise_is_read_from_its_first_month_with_data() -> None:
    # A list begun in April 2025 under a 2022 horizon, 10 joins in each of April to July, covered to 31 July.
    # Its months of none are counted from April, not from 2022 (39 months before it had a member would make
    # 4 equal months look wildly uneven). Pearson's χ² of the 4 counts against 40 / 122 a day: expected
    # 40 × 30 / 122 = 9.836 (April, June) and 40 × 31 / 122 = 10.164 (May, July), so
    # χ² = 2 × 0.164² / 9.836 + 2 × 0.164² / 10.164 = 0.0108, on 3 degrees of freedom.
    from strategyfirst.diagnose.inputs import DiagnoseInputs
    from strategyfirst.diagnose.verdicts import noise
    from strategyfirst.plan import loads

    plan = loads(PLAN_2025.replace("start: 2025-01-01", "start: 2022-01-01")).plan
    series = [Observation(10.0, 10, period=dt.date(2025, m, 1)) for m in (4, 5, 6, 7)]
    inputs = DiagnoseInputs(plan=plan, as_of=dt.date(2025, 7, 31),
                            tactic_series={("letter", "audience_growth"): series},
                            tactic_covered={("letter", "audience_growth"): dt.date(2025, 7, 31)})
    kpi = plan.objectives[0].kpis[0]
    tactic = next(t for t in plan.tactics if t.id == "letter")
    e30, e31 = 40 * 30 / 122, 40 * 31 / 122
    expected = 2 * (10 - e30) ** 2 / e30 + 2 * (10 - e31) ** 2 / e31
    chi2, dof = noise(inputs, kpi, tactic)
    assert (chi2, dof) == (pytest.approx(expected, rel=1e-6), 3)


def test_a_subscribed_export_alone_covers_no_month(shared_data: Path, tmp_path: Path) -> None:
    # Mailchimp's subscribed export lists only the members still subscribed on its day: the joins and leaves of
    # those who left are in the unsubscribed and cleaned exports. Alone, its months without a join are not known
    # to be months of none. Before: the real subscribed.csv alone, as of 2019-06-30, was covered to 2023-04-21
    # and forecast 4 + 184 × 4 / 515 = 5.43 ("4 in 515 days"), with no word of the 8 members who had joined in
    # 2018-02 and left later (the three exports give 11 for the same days).
    from strategyfirst.diagnose.inputs import member_lists, partial_lists

    folder = shared_data / FIXTURES
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(PLAN_2018, encoding="utf-8")
    ws.ingest([folder / "subscribed.csv"], account="newsletter")
    assert member_lists(ws) == {}
    assert partial_lists(ws) == {"newsletter": ["unsubscribed", "cleaned"]}
    as_of = dt.date(2019, 6, 30)
    grown, months = _events(folder, ("subscribed.csv",), dt.date(2018, 1, 1), as_of)
    assert (grown, months) == (4, ["2018-02"])  # s2, s3 on 2018-02-12, s4, s5 on 2018-02-05
    kpi = diagnose(ws, as_of).kpis[0]
    assert kpi.actual == pytest.approx(grown)
    # Its months are data only where they hold a join: March 2018 to June 2019, 16 whole months, a silence.
    assert kpi.status == "not_enough_data" and kpi.forecast_at_deadline is None
    assert "no data since 2018-02 (none in the 16 whole months up to 2019-06-30)" in kpi.reason
    assert ("list 'newsletter' has Mailchimp's subscribed export without its unsubscribed and cleaned exports"
            in kpi.reason)
    assert "import the audience export's unsubscribed and cleaned files" in kpi.reason

    ws.ingest([folder / "unsubscribed.csv"], account="newsletter")
    assert (member_lists(ws), partial_lists(ws)) == ({}, {"newsletter": ["cleaned"]})
    ws.ingest([folder / "cleaned.csv"], account="newsletter")
    assert (member_lists(ws), partial_lists(ws)) == ({"newsletter": dt.date(2023, 4, 21)}, {})
    kpi = diagnose(ws, as_of).kpis[0]
    assert kpi.actual == 11 and "Mailchimp's subscribed export without" not in kpi.reason


def test_a_list_that_existed_before_the_window_is_covered_from_its_start() -> None:
    # Joins in July and August 2025 of a list covered to 2025-12-31. Begun inside the window (its first join in
    # July) it counts from July: 31 + 31 + 30 + 31 + 30 + 31 = 184 days. Begun in June 2024, it existed all of
    # 2025: 365 days; begun on 2025-03-15, from March: 365 - 31 - 28 = 306.
    starts = [dt.date(2025, 7, 1), dt.date(2025, 8, 1)]
    lo, hi, through = dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 12, 31)
    assert counted_days(starts, lo, hi, "month", span=True, through=through) == 184
    assert counted_days(starts, lo, hi, "month", span=True, through=through, began=dt.date(2025, 7, 10)) == 184
    assert counted_days(starts, lo, hi, "month", span=True, through=through, began=dt.date(2024, 6, 10)) == 365
    assert counted_days(starts, lo, hi, "month", span=True, through=through, began=dt.date(2025, 3, 15)) == 306


def test_a_pre_existing_lists_quiet_first_months_are_months_of_none(tmp_path: Path) -> None:
    # A list whose first member joined on 2024-06-10, before the 2025 horizon, then none until July and August
    # 2025; its three exports made on 2025-12-31. Judged as of 2025-12-31: 2 joins in the window over all its 365
    # days; over the 181 days left, 2 + 181 × 2 / 365 = 2.992. Before: counted from July only, "2 in 184 days",
    # and its 6 months from July (1, 1, 0, 0, 0, 0) read as "a clear trend" falling to none, forecast 2.0.
    from strategyfirst.diagnose.inputs import gather

    ws = _list_workspace(tmp_path, PLAN_2025, joins=("2024-06-10 09:00:00", *JOINS[2:]))
    kpi, verdict = _by(diagnose(ws, dt.date(2025, 12, 31)), "list")
    assert kpi.actual == 2
    assert "a day so far" in kpi.reason
    assert kpi.forecast_at_deadline == pytest.approx(2 + 181 * 2 / 365)
    assert "2 in 365 days" in verdict.evidence
    # It started the window with its one member of 2024.
    inputs = gather(ws, ws.plan_document().plan, dt.date(2025, 12, 31))
    assert inputs.objective_began[("list", "audience_growth")] == dt.date(2024, 6, 10)
    assert inputs.audience_start["list"] == 1


def test_a_pre_existing_list_beside_a_silent_page_keeps_its_days(tmp_path: Path) -> None:
    # The list of the test above (first member 2024-06-10, joins on 2025-07-10 and 2025-08-10, exported
    # 2025-12-31) beside a page with 5 and 3 new followers in January and February 2025, under one objective
    # ('both'), as of 2025-12-31. The page is silent since 2025-02 (March to December: 10 whole months) and held
    # at its 8; the forecast runs at the list's own rate, over all its 365 days of 2025 as when alone:
    # 8 + 2 + 181 × 2 / 365 = 10.992. Before (the list counted from July, its first month with data, as the
    # objective is not covered by lists alone): "a clear trend across 6 months" of 1, 1, 0, 0, 0, 0 held at 0 a
    # day, forecast 10.0, while the list's own objective and its tactic read 2 in 365 days.
    ws = _list_workspace(tmp_path, PLAN_2025, joins=("2024-06-10 09:00:00", *JOINS[2:]))
    page = tmp_path / "followers.csv"
    page.write_text("date,platform,account,metric,value,gained,lost\n"
                    "2025-01-15,facebook,Acme,followers,100,5,0\n2025-02-15,facebook,Acme,followers,103,3,0\n",
                    encoding="utf-8")
    ws.ingest([page])
    found = diagnose(ws, dt.date(2025, 12, 31))
    alone, _ = _by(found, "list")
    assert alone.forecast_at_deadline == pytest.approx(2 + 181 * 2 / 365)
    kpi, _ = _by(found, "both")
    assert kpi.actual == 10
    assert kpi.forecast_at_deadline == pytest.approx(8 + 2 + 181 * 2 / 365)
    assert "clear trend" not in kpi.reason
    assert "at the rate of the email list 'news' alone" in kpi.reason
    assert "the facebook account 'Acme' has had no data since 2025-02 (none in the 10 whole months" in kpi.reason


PLAN_TWO_LISTS = PLAN_2018.replace("start: 2018-01-01, end: 2019-12-31", "start: 2023-01-01, end: 2025-12-31").replace(
    'email: ["newsletter"]', 'email: ["newsletter", "bee"]').replace("by: 2019-12-31", "by: 2025-12-31") + """\
  - id: bee
    channel: email
    serves: [permission]
    owner: Tester
    budget: 3000
    match: {accounts: [bee]}
"""


def test_a_newer_lists_tactic_counts_from_its_own_start(shared_data: Path, tmp_path: Path) -> None:
    # The real Mailchimp list (begun 2018) and the real beehiiv list under one objective of a 2023 horizon, each
    # its own tactic, as of 2023-04-30. beehiiv's members joined on 2023-03-24 (4) and 2023-04-11 (5, one of them
    # pending: not counted), so its tactic has 8 joins over its own days, March and April: 31 + 30 = 61 (a rate of
    # 0.131 a day). Before, the objective's start (the Mailchimp list's, so the horizon's) moved them back to
    # 2023-01-01: 8 in 120 days.
    folder = shared_data / FIXTURES
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(PLAN_TWO_LISTS, encoding="utf-8")
    for name in MAILCHIMP:
        ws.ingest([folder / name], account="newsletter")
    ws.ingest([folder / "beehiiv_members.csv"], account="bee")
    with (folder / "beehiiv_members.csv").open(newline="", encoding="utf-8") as fh:
        joined = [r["created_at"][:10] for r in csv.DictReader(fh) if r["status"] != "pending"]
    assert sorted(set(joined)) == ["2023-03-24", "2023-04-11"] and len(joined) == 8
    found = diagnose(ws, dt.date(2023, 4, 30))
    detail = next(d for v in found.verdicts for d in v.details if d.tactic == "bee")
    assert "8 in 61 days" in detail.note
    assert detail.value == pytest.approx(8 / 61)
