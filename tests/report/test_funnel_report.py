"""The report's permission funnel section (issue 15): the numbers of `measure --funnel` on the small workspace
of tests/cli/test_funnel_cli.py (worked out by hand there), and a note where there is no funnel data."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.report.gather import gather_report_data
from strategyfirst.report.render import render_html
from strategyfirst.workspace import Workspace
from tests.cli.test_funnel_cli import ws  # noqa: F401  (fixture)


def _section(html: str) -> str:
    start = html.index('<section id="funnel"')
    return html[start:html.index("</section>", start)]


def test_report_shows_each_tactics_chain_and_the_asset(ws: Path) -> None:  # noqa: F811
    data = gather_report_data(Workspace(ws))
    assert data.funnel is not None and data.funnel["period"] == "2026-02"
    html = " ".join(_section(render_html(data)).split())
    assert 'data-scope="fb"' in html and 'data-scope="letter"' in html and 'data-scope="overall"' in html
    # fb in February: 10,000 reached, 600 engagements (6.0% of reach, 5.0% in January), 240 visits
    assert "<td class=\"num\">10,000</td>" in html and "6.0%" in html and "5.0%" in html
    assert "fb: the chain breaks at new followers (engagements -&gt; new followers / subscribers fell from " \
           "20.0% to 10.0%" in html
    assert "letter: no step fell against the month before" in html
    # The last column is the conversion the month before, and says so (it read "month before", as a value would).
    assert "<th class=\"num long\">of the step before, month before</th>" in html
    assert "<td>email</td><td>Members</td><td class=\"num\">50</td> <td class=\"num\">2</td>" in html


def test_report_without_funnel_data_says_what_to_import(tmp_path: Path) -> None:
    (tmp_path / "strategy.yaml").write_text("version: 1\n", encoding="utf-8")
    data = gather_report_data(Workspace(tmp_path))
    assert data.funnel is None and "GA4" in data.note("funnel")


def test_a_warm_report_loads_no_heavy_library(ws: Path) -> None:  # noqa: F811
    """Run twice in fresh processes on an unchanged workspace: the second reads the kept diagnosis, charts,
    measurements, funnel and growth SQL, and the decisions through sqlite3, so it imports none of Ibis,
    pandas, numpy, Altair or SQLAlchemy, and writes the same page (but for the time it was made)."""
    import json
    import re
    import subprocess
    import sys

    workspace = Workspace(ws)
    workspace.measure(metrics=["reach"])  # builds the derived tables, as an import does: diagnosing writes nothing
    db = workspace.history_db()
    db.record_decision(db.slug, "Keep the letter monthly", tactic="letter")
    script = ("import json, sys\nfrom strategyfirst.workspace import Workspace\n"
              f"path = Workspace({str(ws)!r}).report()\n"
              "heavy = [m for m in ('ibis', 'pandas', 'numpy', 'altair', 'vl_convert', 'sqlalchemy', 'scipy')"
              " if m in sys.modules]\n"
              "print(json.dumps({'heavy': heavy, 'html': path.read_text(encoding='utf-8')}))")
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"), "PATH": "/usr/bin:/bin"}

    def child() -> dict[str, object]:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        got: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
        return got

    cold, warm = child(), child()
    assert "ibis" in cold["heavy"] and warm["heavy"] == []

    def page(run: dict[str, object]) -> str:
        return re.sub(r"generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", "", str(run["html"]))

    assert page(warm) == page(cold) and "Keep the letter monthly" in page(warm)


def test_reach_from_impressions_has_the_clis_label(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """X analytics gives impressions and no reach: the funnel's reach is the impressions (2,000 in February),
    and the report names the step as `measure --funnel` does."""
    from tests.cli.support import run
    from tests.metrics.helpers import msg, warehouse

    (tmp_path / "strategy.yaml").write_text(
        "version: 1\naccounts: {x: ['@acme']}\nobjectives: [{id: o, kpis: [{metric: impressions, target: 1}]}]\n"
        "tactics: [{id: tw, serves: [o], match: {accounts: ['@acme']}}]\n", encoding="utf-8")
    workspace = Workspace(tmp_path).ensure()
    warehouse(workspace.warehouse_path.parent, [
        msg("1", "acme", True, "2026-01-10 10:00", impressions=1000, engagements=20),
        msg("2", "acme", True, "2026-02-10 10:00", impressions=2000, engagements=30)]).close()
    code, out, _ = run(["measure", "--funnel", "-w", str(tmp_path)], monkeypatch, capsys)
    assert code == 0 and "Reach (impressions): 2,000 (+100% on the same days of the month before)" in out
    html = " ".join(_section(render_html(gather_report_data(workspace))).split())
    assert html.count("<td>Reach (impressions)</td> <td class=\"num\">2,000</td>") == 2  # overall and tw
    assert "<td>Reach</td>" not in html
