"""Numbers read alike everywhere (issue 13.10): the same KPI value is the same string in `diagnose`, the HTML
report and the web dashboard, and no text output shows `e+03`, a count with a fraction or a bare 0.xxx ratio.

Workspace: acme of tests/web/env.py, the real twcs sample with a plan whose KPIs are a response rate and a
median first response. Expected strings come from the small reference below, written from the rules people
read (issue 13.10), not from strategyfirst.formatting.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import strategyfirst.cli as cli_module
from tests.cli.support import run
from tests.readable import unreadable, visible_text
from tests.web.env import WebEnv

LABELS = {"response_rate": "Response rate", "first_response_minutes_median": "Median first response"}


def _expected(value: float, unit: str) -> str:
    """Ratios as % with one decimal; minutes as "9.6 min" under 10, "45 min" under two hours, then hours."""
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    assert unit == "minutes"
    if value < 10:
        return f"{value:.1f} min"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"


@pytest.fixture(scope="module")
def surfaces(web_sqlite: WebEnv, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    web = web_sqlite
    diagnosis = web.acme.diagnose().to_json()
    report = web.acme.report(tmp_path_factory.mktemp("report") / "report.html")
    return {"diagnosis": diagnosis, "report": Path(report).read_text(encoding="utf-8"),
            "dashboard": web.login("viewer@acme.org").get("/w/acme/dashboard").text}


def _cli(web: WebEnv, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
         *args: str) -> str:
    monkeypatch.setattr(cli_module.out, "width", 160)
    code, out, err = run([*args, "-w", str(web.acme.root)], monkeypatch, capsys)
    assert code == 0, err
    return out


def test_the_same_kpi_value_reads_the_same_in_cli_report_and_web(
        web_sqlite: WebEnv, surfaces: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    cli_text = _cli(web_sqlite, monkeypatch, capsys, "diagnose")
    kpi_rows = re.findall(r'<tr data-status="[a-z_]+">(.*?)</tr>', surfaces["report"], flags=re.S)
    cards = re.findall(r'<section class="card[^"]*">(.*?)</section>', surfaces["dashboard"], flags=re.S)
    kpis = surfaces["diagnosis"]["kpis"]
    assert {k["metric"] for k in kpis} == set(LABELS) and all(k["actual"] is not None for k in kpis)
    for k in kpis:
        actual, target = _expected(k["actual"], k["unit"]), _expected(k["target"], k["unit"])
        label = LABELS[k["metric"]]
        line = next(line for line in cli_text.splitlines() if label in line)
        assert f" {actual} " in line and f" {target} " in line, line
        row = visible_text(next(r for r in kpi_rows if label in visible_text(r)))
        assert f" {actual} " in f" {row} " and f" {target} " in f" {row} ", row
        card = visible_text(next(c for c in cards if label in visible_text(c)))
        assert f"Actual {actual} · target {target}" in card, card


def test_no_unreadable_number_in_the_text_outputs_and_the_report(
        web_sqlite: WebEnv, surfaces: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outputs = {
        "diagnose": _cli(web_sqlite, monkeypatch, capsys, "diagnose"),
        "measure": _cli(web_sqlite, monkeypatch, capsys, "measure", "--by", "account"),
        "measure --period month": _cli(web_sqlite, monkeypatch, capsys, "measure", "--period", "month"),
        "report": visible_text(surfaces["report"]),
        "dashboard": visible_text(surfaces["dashboard"]),
    }
    for name, text in outputs.items():
        assert unreadable(text) == [], name
    # the checker itself catches what the issue saw
    assert unreadable("summary 4.94e+03 and 5e+03; expected now 2,975,342.5; rate 0.00708") == \
        ["4.94e+03", "5e+03", "2,975,342.5", "0.00708"]
    assert unreadable("84.8% · 9.6 min · 2.5 h · +0.12 · 0.00 · 0.5 min · 1,250 EUR") == []
