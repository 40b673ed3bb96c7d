"""Gathering the report from a real workspace: sections whose inputs are missing say so; none fails."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from strategyfirst.cli import app
from strategyfirst.demo import example_plan_text
from strategyfirst.report.gather import gather_report_data as gather
from strategyfirst.report.gather import response_buckets
from strategyfirst.warehouse.engine import open_duckdb
from strategyfirst.workspace import Workspace

# (minutes to first reply, created day): hand-placed so that each bar's count is known
GAPS: list[tuple[float | None, int]] = [
    (5, 1), (14.9, 1),        # < 15 min: 2
    (15, 2), (59, 2),         # 15–60 min: 2 (15 is the lower edge of this bar)
    (61, 3),                  # 1–4 h: 1
    (300, 3),                 # 4–24 h: 1
    (2000, 4),                # 1–3 days: 1
    (5000, 5),                # > 3 days: 1
    (-3, 5),                  # negative gap: a data error, left out
    (None, 6), (None, 20),    # unanswered: 2 (one of them after 2026-03-10)
]


def _workspace_with_inbound(tmp_path: Path, unaddressed: Sequence[tuple[float, int]] = ()) -> Workspace:
    """`inbound` holding the pairs of GAPS, and pairs inbound only by their reply (rule (b)) of `unaddressed`."""
    ws = Workspace(tmp_path / "acme").ensure()
    con = open_duckdb(ws.warehouse_path)
    rows = [(gap, day, True) for gap, day in GAPS] + [(gap, day, False) for gap, day in unaddressed]
    for i, (gap, day, addressed) in enumerate(rows):
        created = dt.datetime(2026, 3, day, 12, 0)
        reply_at = created + dt.timedelta(minutes=gap) if gap is not None else None
        con.execute("INSERT INTO inbound (message_id, platform, account, created_at, first_reply_id, "
                    "first_reply_at, first_reply_minutes, addressed) VALUES (?, 'x', 'acmehelp', ?, ?, ?, ?, ?)",
                    [f"x:{i}", created, f"x:r{i}" if gap is not None else None, reply_at, gap, addressed])
    con.close()
    return ws


def test_response_buckets_count_by_hand(tmp_path: Path) -> None:
    ws = _workspace_with_inbound(tmp_path)
    got = {b.label: b.count for b in response_buckets(ws, None)}
    assert got == {"< 15 min": 2, "15–60 min": 2, "1–4 h": 1, "4–24 h": 1, "1–3 days": 1, "> 3 days": 1,
                   "unanswered": 2}
    until_10th = {b.label: b.count for b in response_buckets(ws, dt.date(2026, 3, 10))}
    assert until_10th["unanswered"] == 1 and until_10th["< 15 min"] == 2
    # As of the 4th the reply 2,000 minutes after a message of the 4th (12:00 + 33 h 20 min: the 5th) had not
    # come: that message was unanswered then; the 5th's and later messages had not come either.
    as_of_4th = {b.label: b.count for b in response_buckets(ws, dt.date(2026, 3, 4))}
    assert as_of_4th == {"< 15 min": 2, "15–60 min": 2, "1–4 h": 1, "4–24 h": 1, "1–3 days": 0, "> 3 days": 0,
                         "unanswered": 1}


def test_response_buckets_as_of_a_day_leave_out_a_message_inbound_only_by_a_later_reply(tmp_path: Path) -> None:
    # Two messages of the 4th that named no account, each inbound only by the reply it got: after 600 minutes
    # (22:00 on the 4th) and after 2,000 (the 5th). As of the 4th the first was answered and the second was no
    # inbound message yet (not "unanswered"); with all the data both count.
    ws = _workspace_with_inbound(tmp_path, unaddressed=[(600, 4), (2000, 4)])
    as_of_4th = {b.label: b.count for b in response_buckets(ws, dt.date(2026, 3, 4))}
    assert as_of_4th == {"< 15 min": 2, "15–60 min": 2, "1–4 h": 1, "4–24 h": 2, "1–3 days": 0, "> 3 days": 0,
                         "unanswered": 1}
    every = {b.label: b.count for b in response_buckets(ws, None)}
    assert every["4–24 h"] == 2 and every["1–3 days"] == 2 and every["unanswered"] == 2


def test_report_for_plan_without_data(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "acme").ensure()
    ws.plan_path.write_text(example_plan_text(), encoding="utf-8")
    path = ws.report()
    assert path == ws.root / "report.html"
    html = path.read_text(encoding="utf-8")
    assert "Acme Outdoor: strategy report" in html
    assert "Build a permission asset so we can grow our influence" in html
    for section in ("response_times", "response_rate", "sentiment_lift", "audience", "data_quality"):
        assert f'data-missing="{section}">no data yet: ingest' in html
    assert 'data-missing="plan"' not in html


# Three customers write to @AcmeHelp: one answered after 10 minutes, one after 100, one (a mention) never.
CONVERSATIONS = """message_id,platform,account,owned,created_at,text,in_reply_to
c1,x,cust1,false,2026-03-02 09:00:00,my order is late,
r1,x,AcmeHelp,true,2026-03-02 09:10:00,sorry! sending a new one,c1
c2,x,cust2,false,2026-03-03 09:00:00,where is my refund,
r2,x,AcmeHelp,true,2026-03-03 10:40:00,refund sent today,c2
c3,x,cust3,false,2026-04-01 12:00:00,@AcmeHelp <script>alert(1)</script> hello?,
"""


def test_report_for_data_without_plan(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "acme").ensure()
    export = tmp_path / "conversations.csv"
    export.write_text(CONVERSATIONS, encoding="utf-8")
    ws.ingest([export], source="canonical-csv")
    data = gather(ws)
    assert data.plan is None and data.note("plan").startswith("no plan yet")
    assert data.note("kpis").startswith("no plan yet") and data.note("capacity").startswith("no plan yet")
    assert {b.label: b.count for b in data.response_times if b.count} == {"< 15 min": 1, "1–4 h": 1,
                                                                          "unanswered": 1}
    # March: 2 of 2 answered; April: 0 of 1
    assert [(v.period, v.value, v.n) for v in data.response_rate] == [
        (dt.date(2026, 3, 1), 1.0, 2), (dt.date(2026, 4, 1), 0.0, 1)]
    html = Path(ws.report(tmp_path / "r.html")).read_text(encoding="utf-8")
    assert 'data-chart="response-times"' in html and 'data-chart="response-rate"' in html
    assert 'data-missing="plan">no plan yet' in html and "<script" not in html


class _FakeLayers(Workspace):
    """A workspace whose diagnose and measure return the cli.md JSON shapes, written out by hand."""

    def diagnose(self, as_of: dt.date | None = None, **_: Any) -> Any:
        doc = {"as_of": "2026-06-30",
               "kpis": [{"objective": "dialogue", "metric": "response_rate", "actual": 0.71, "target": 0.9,
                         "expected_now": 0.9, "forecast_at_deadline": 0.74, "forecast_interval": [0.7, 0.78],
                         "status": "off_track", "by": "2026-12-31",
                         "series": [{"period": "2026-05-01", "value": 0.7}, {"period": "2026-06-01",
                                                                             "value": 0.72}]}],
               "verdicts": [{"kind": "tactic_failing", "objective": "permission", "tactic": "summit-contest",
                             "evidence": "3 subscribers for 4000 EUR", "probability": 0.93}],
               "budget": [{"from": "summit-contest", "to": "newsletter", "amount": 2000, "why": "cheaper"}]}
        return SimpleNamespace(to_json=lambda: doc)

    def measure(self, by: str = "none", period: str = "all", metrics: list[str] | None = None,
                **_: Any) -> Any:
        rows = [{"metric": "response_rate", "by": by, "key": "acmehelp" if by == "account" else None,
                 "period": "2026-06-01" if period == "month" else "all", "value": 0.72, "n": 50,
                 "unit": "ratio", "version": 1},
                {"metric": "sentiment_lift", "by": by, "key": "acmehelp", "period": "2026-06-01",
                 "value": None, "n": 0, "unit": "score", "version": 2}]
        return SimpleNamespace(rows=rows, data_quality={"rows_rejected": 3})


def test_gather_reads_the_json_contracts(tmp_path: Path) -> None:
    ws = _FakeLayers(tmp_path / "acme").ensure()
    ws.plan_path.write_text(example_plan_text(), encoding="utf-8")
    open_duckdb(ws.warehouse_path).close()
    data = gather(ws)
    assert data.as_of == dt.date(2026, 6, 30)
    (kpi,) = data.kpis
    assert (kpi.actual, kpi.forecast_low, kpi.forecast_high, kpi.deadline) == (0.71, 0.7, 0.78,
                                                                               dt.date(2026, 12, 31))
    assert [p.value for p in kpi.series] == [0.7, 0.72]
    assert data.verdicts[0].kind == "tactic_failing" and data.budget[0].amount == 2000
    assert [(v.key, v.value, v.n) for v in data.response_rate] == [("acmehelp", 0.72, 50)]
    assert data.sentiment_lift == [] and data.note("sentiment_lift").startswith("no data yet")
    assert data.data_quality == {"rows_rejected": 3}
    versions = {m.metric: m for m in data.metric_versions}
    assert versions["sentiment_lift"].mixed and not versions["response_rate"].mixed


class _BrokenDiagnose(Workspace):
    def diagnose(self, as_of: dt.date | None = None, **_: Any) -> Any:
        raise RuntimeError("boom")


def test_a_broken_layer_is_noted_not_fatal(tmp_path: Path) -> None:
    ws = _BrokenDiagnose(tmp_path / "acme").ensure()
    ws.plan_path.write_text(example_plan_text(), encoding="utf-8")
    data = gather(ws)
    assert data.note("kpis") == "not available: could not diagnose (RuntimeError: boom)"
    assert data.plan is not None


def test_unreadable_plan_lists_its_problems(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "acme").ensure()
    ws.plan_path.write_text("version: 1\nobjectives:\n  - id: x\n    colour: red\n", encoding="utf-8")
    data = gather(ws)
    assert data.plan is None and data.note("plan").startswith("the plan cannot be read")
    assert any(":4:" in p for p in data.plan_problems)


def test_cli_report_writes_the_file_and_prints_its_path(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "acme").ensure()
    ws.plan_path.write_text(example_plan_text(), encoding="utf-8")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", "-w", str(ws.root), "-o", str(out), "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    assert "as of 2026-06-30" in out.read_text(encoding="utf-8")


def test_period_buckets_read_as_their_first_day() -> None:
    from strategyfirst.report.adapt import as_date

    assert as_date("2026-03") == dt.date(2026, 3, 1)
    assert as_date("2026-W09") == dt.date(2026, 2, 23)      # ISO week 9 of 2026 starts on Monday 23 Feb
    assert as_date("2026-03-04T10:00:00") == dt.date(2026, 3, 4)
    assert as_date("all") is None and as_date("2026-13") is None


def test_cli_report_on_a_missing_workspace_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from strategyfirst.cli import main

    missing = tmp_path / "nowhere"
    monkeypatch.setattr(sys, "argv", ["strategyfirst", "report", "-w", str(missing)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    assert not missing.exists()


def test_one_name_on_two_platforms_is_two_accounts_in_the_report() -> None:
    from strategyfirst.report.adapt import keyed_values

    rows = [{"metric": "audience_size", "key": "Acme", "platform": "facebook", "period": "2026-02", "value": 10,
             "n": 1},
            {"metric": "audience_size", "key": "Acme", "platform": "linkedin", "period": "2026-02", "value": 20,
             "n": 1},
            {"metric": "audience_size", "key": "AcmeHelp", "platform": "x", "period": "2026-02", "value": 5,
             "n": 1},
            {"metric": "posts", "key": "Acme", "platform": "x", "period": "2026-02", "value": 3, "n": 3}]
    got = {(v.key, v.value) for v in keyed_values(rows, "audience_size")}
    assert got == {("Acme on facebook", 10.0), ("Acme on linkedin", 20.0), ("AcmeHelp", 5.0)}
