"""The report's permission-asset section keeps to the plan's horizon up to as-of (the window of its KPIs), says
why it is empty when all the audience data lies outside it, and labels each month of its time axis once.

Plan horizon 2026. Acme Page (facebook) page likes, snapshots only: Dec 20 2025 100, Dec 31 2025 104 (before
the horizon), Jan 5 2026 110, Jan 31 120, Feb 20 130. The email list news: Mar 3 2025 +5 and size 5 (before it).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from strategyfirst.report import charts, render_report
from strategyfirst.report.gather import gather_report_data
from strategyfirst.report.model import KeyedValue
from strategyfirst.workspace import Workspace
from tests.metrics.helpers import warehouse

PLAN = """version: 1
horizon: {start: 2026-01-01, end: 2026-12-31}
accounts:
  facebook: ["Acme Page"]
  email: [news]
objectives:
  - id: grow
    kpis: [{metric: audience_growth, target: 100}]
tactics:
  - {id: page, serves: [grow], match: {accounts: ["Acme Page", news]}}
"""
AS_OF = dt.date(2026, 2, 28)


def _row(day: str, platform: str, account: str, metric: str, value: float | None,
         gained: float | None = None) -> dict[str, Any]:
    return {"date": dt.date.fromisoformat(day), "platform": platform, "account": account, "metric": metric,
            "value": value, "gained": gained, "lost": None if gained is None else 0.0, "import_id": 1}


PAGE = [_row(d, "facebook", "Acme Page", "page_likes", v)
        for d, v in (("2025-12-20", 100), ("2025-12-31", 104), ("2026-01-05", 110), ("2026-01-31", 120),
                     ("2026-02-20", 130))]
NEWS = [_row("2025-03-03", "email", "news", "subscribers", 5, 5)]


def _workspace(root: Path, audience: list[dict[str, Any]]) -> Workspace:
    (root / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    ws = Workspace(root).ensure()
    warehouse(ws.warehouse_path.parent, [], audience=audience).close()
    return ws


def _section(html: str) -> str:
    start = html.index('<section id="audience"')
    return html[start:html.index("</section>", start)]


def _labels(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>(\w{3} \d{4})</text>", svg)


def test_the_section_keeps_to_the_horizon(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, [*PAGE, *NEWS])
    data = gather_report_data(ws, as_of=AS_OF)
    # The chart: January's last snapshot 120, February's 130; December 2025 is before the horizon.
    assert [(v.key, v.period, v.value) for v in data.audience] == [
        ("Acme Page", dt.date(2026, 1, 1), 120), ("Acme Page", dt.date(2026, 2, 1), 130)]
    # The table: from the last snapshot before the horizon (104 on Dec 31) to 130: +26. news has no data in it.
    assert [(g.key, g.first_period, g.first, g.last_period, g.last, g.growth) for g in data.audience_growth] == [
        ("Acme Page", dt.date(2025, 12, 31), 104, dt.date(2026, 2, 20), 130, 26)]
    section = _section(render_report(ws, as_of=AS_OF))
    assert "<td>Acme Page</td>" in section and "<td>news</td>" not in section
    assert _labels(section) == ["Jan 2026", "Feb 2026"]


def test_an_empty_section_says_why(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, [*PAGE[:2], *NEWS])
    section = _section(render_report(ws, as_of=AS_OF))
    assert "<table>" not in section and "<svg" not in section
    note = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", section)).replace("&#39;", "'")
    assert ("no audience data inside the plan's horizon up to as-of (2026-01-01 to 2026-02-28): the audience "
            "data of Acme Page, news runs from 2025-03-03 to 2025-12-31") in note


def test_a_month_axis_names_each_month_once() -> None:
    """Vega ticks two monthly points at days inside the first month, each labelled with the month."""
    two = [KeyedValue("a", dt.date(2014, 1, 1), 1.0, 1), KeyedValue("a", dt.date(2014, 2, 1), 2.0, 1)]
    assert _labels(charts.by_account_chart(two, title="t", y_title="y")) == ["Jan 2014", "Feb 2014"]
    # Three years of months: a label every 6 months (the fewest months giving under 8 ticks: 36 / 6).
    years = [KeyedValue("a", dt.date(2020 + m // 12, m % 12 + 1, 1), float(m), 1) for m in range(37)]
    labels = _labels(charts.by_account_chart(years, title="t", y_title="y"))
    assert labels == ["Jan 2020", "Jul 2020", "Jan 2021", "Jul 2021", "Jan 2022", "Jul 2022", "Jan 2023"]
