"""Charts kept by the sha256 of their spec (report/charts.py `svg_cache`): drawn once, the same SVG again,
anything that is not a whole SVG ignored, nothing kept where no folder is set; the same inputs read back
without Altair or vl-convert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from strategyfirst.report import charts
from strategyfirst.report.model import Bucket

BARS = [Bucket("< 1 hour", 12), Bucket("1-4 hours", 5), Bucket("unanswered", 2)]


@pytest.fixture()
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The specs vl-convert is asked to draw."""
    import vl_convert

    calls: list[dict[str, Any]] = []
    real = vl_convert.vegalite_to_svg

    def counting(spec: dict[str, Any], *args: Any, **kwargs: Any) -> str:
        calls.append(spec)
        return str(real(spec, *args, **kwargs))

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", counting)
    return calls


def _ids_unprefixed(svg: str) -> str:
    """The SVG without the per-document id prefix (`c<N>-`) each chart of a page gets."""
    import re

    return re.sub(r"\bc\d+-", "", svg)


def test_a_chart_is_drawn_once_and_kept(tmp_path: Path, drawn: list[dict[str, Any]]) -> None:
    token = charts.svg_cache.set(tmp_path)
    try:
        first = charts.response_time_chart(BARS)
        again = charts.response_time_chart(BARS)
        other = charts.response_time_chart([*BARS[:2], Bucket("unanswered", 3)])  # one count changed
    finally:
        charts.svg_cache.reset(token)
    assert len(drawn) == 2  # the first and the changed chart; the repeat came from the folder
    assert _ids_unprefixed(again) == _ids_unprefixed(first)  # (ids, where a chart has some, get their own prefix)
    assert _ids_unprefixed(other) != _ids_unprefixed(first)
    assert len(list(tmp_path.glob("chart-*.svg"))) == 2
    assert first.startswith("<svg") and "unanswered" in first  # a real drawing, its labels in it


def test_a_damaged_chart_file_is_drawn_again(tmp_path: Path, drawn: list[dict[str, Any]]) -> None:
    token = charts.svg_cache.set(tmp_path)
    try:
        first = charts.response_time_chart(BARS)
        [kept] = tmp_path.glob("chart-*.svg")
        kept.write_text(kept.read_text(encoding="utf-8")[:100], encoding="utf-8")  # cut short
        again = charts.response_time_chart(BARS)
    finally:
        charts.svg_cache.reset(token)
    assert len(drawn) == 2
    assert _ids_unprefixed(again) == _ids_unprefixed(first)
    assert kept.read_text(encoding="utf-8").rstrip().endswith("</svg>")  # replaced whole


def test_without_a_folder_nothing_is_kept(tmp_path: Path, drawn: list[dict[str, Any]]) -> None:
    charts.response_time_chart(BARS)
    charts.response_time_chart(BARS)
    assert len(drawn) == 2


def test_the_same_inputs_are_read_back_without_altair(tmp_path: Path) -> None:
    """In a fresh process: the chart's inputs name the kept spec's SVG; no Altair, no vl-convert imported."""
    import json
    import subprocess
    import sys

    script = ("import json, sys\nfrom pathlib import Path\nfrom strategyfirst.report import charts\n"
              "from strategyfirst.report.model import Bucket, KpiView\n"
              f"charts.svg_cache.set(Path({str(tmp_path)!r}))\n"
              "bars = [Bucket('< 1 hour', int(sys.argv[1])), Bucket('unanswered', 2)]\n"
              "nothing = KpiView('o', 'response_rate', 'ratio', 'no_data', None, None)\n"
              "out = {'svg': charts.response_time_chart(bars), 'none': charts.kpi_chart(nothing),\n"
              "       'heavy': [m for m in ('altair', 'vl_convert') if m in sys.modules]}\n"
              "print(json.dumps(out))")
    env = {"PYTHONPATH": str(Path(charts.__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"}

    def child(count: int) -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-c", script, str(count)], env=env, capture_output=True,
                              text=True, check=True)
        got: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return got

    first, again, other = child(12), child(12), child(13)
    assert "altair" in first["heavy"] and first["none"] is None  # drawn; a KPI with nothing to draw: None
    assert again["heavy"] == [] and again["svg"] == first["svg"] and again["none"] is None
    assert "altair" in other["heavy"] and other["svg"] != first["svg"]  # another count: drawn
    assert len(list(tmp_path.glob("chart-in-*.json"))) == 3  # 12 and 13 bars, the empty KPI
    assert len(list(tmp_path.glob("chart-*.svg"))) == 2
