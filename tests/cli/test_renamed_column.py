"""A real export with one column renamed by hand is refused naming the column as the export writes it and the
renamed cell first among the unexpected ones, and without advice that cannot help.

Before: the rOpenSci file with "Tweet permalink" renamed "Tweet link" read "the file lacks its columns permalink
and has columns it does not expect (app_installs, app_opens, detail_expands, dial_phone, email_tweet,
engagement_rate)": the alias table's internal keys, six columns every X export has, and not the renamed cell
(sorted after them); then "pass --source NAME if the columns were renamed", whose refusal ("not a x-analytics
file: missing column(s) permalink; check --source (or use --source auto)") sent the user back to auto."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_ingest_cli import invoke, run

X_FILE = "x-analytics/rOpenSci/tweet_activity_metrics_rOpenSci_20161201_20170101_en.csv"
FB_PAGE = ("facebook-insights/VIC/Facebook Insights Data Export - Visualization Studio VIC - 2014-01-01 - "
           "2014-02-27.csv")


def renamed(src: Path, dst: Path, old: bytes, new: bytes) -> Path:
    """`src` with the first header cell `old` renamed `new`, every other byte kept."""
    data = src.read_bytes()
    head, sep, rest = data.partition(b"\n")
    assert old in head
    dst.write_bytes(head.replace(old, new, 1) + sep + rest)
    return dst


def test_a_renamed_x_analytics_column_is_named_as_the_export_writes_it(shared_data: Path, tmp_path: Path) -> None:
    bad = renamed(shared_data / X_FILE, tmp_path / "x.csv", b'"Tweet permalink"', b'"Tweet link"')
    ws = tmp_path / "ws"
    result = run("ingest", "-w", str(ws), str(bad))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    line = result.stderr
    assert "closest source is 'x-analytics', but the file lacks its column Tweet permalink and has columns it " \
           "does not expect (Tweet link);" in line
    # the export's other columns (read or not) are no surprise, and the internal keys never show
    assert "app_opens" not in line and "engagement_rate" not in line and "app opens" not in line
    assert "--source" not in line and "give it back the name the export writes" in line
    # --source does not map a renamed column: its refusal names it as the export does too
    named = run("ingest", "-w", str(ws), "--source", "x-analytics", str(bad))
    assert named.returncode == 2
    assert "missing column(s) Tweet permalink;" in named.stderr and "(s) permalink" not in named.stderr
    log = invoke("imports", "-w", str(ws), "-f", "json")
    assert log.exit_code == 0 and json.loads(log.stdout)["imports"] == []  # nothing imported


def test_the_renamed_cell_comes_first_among_hundreds_not_read(shared_data: Path, tmp_path: Path) -> None:
    """The page-level export has 644 columns, 6 of them read: the renamed "Daily New Likes" was not among the
    first six listed (alphabetical: '28 days auto-played 30-second views', ...)."""
    bad = renamed(shared_data / FB_PAGE, tmp_path / "page.csv", b"Daily New Likes", b"Daily Likes")
    result = run("ingest", "-w", str(tmp_path / "ws"), str(bad))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "but the file lacks its column daily new likes and has columns it does not expect (Daily Likes, " \
           in result.stderr
    # the other cells not read are counted rather than listed: 644 cells, 6 shown
    assert " more);" in result.stderr and "28 days auto-played" not in result.stderr


def test_sources_lists_x_analytics_columns_as_its_header_writes_them() -> None:
    listed = {s["name"]: s["columns"] for s in json.loads(invoke("sources", "-f", "json").stdout)["sources"]}
    # the header of the rOpenSci files: "Tweet id","Tweet permalink","Tweet text","time","impressions",...
    assert listed["x-analytics"][:5] == ["Tweet id", "Tweet permalink", "Tweet text", "time", "impressions"]
    assert "url clicks" in listed["x-analytics"] and "url_clicks" not in listed["x-analytics"]
    assert listed["x-analytics-daily"][:2] == ["Date", "Tweets published"]
    assert listed["twcs"][0] == "tweet_id"  # a source whose columns are its header's, unchanged
