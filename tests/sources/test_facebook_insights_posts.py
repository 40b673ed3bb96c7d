"""facebook-insights-posts on a hand-made post-level export: blank breakdown cells, a missing column, blank
totals (the real exports are checked in tests/truth/test_facebook_insights.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query

NAME = "Facebook Insights Data Export (Post Level) - Acme Page - 2015-01-01 - 2015-02-01.csv"
# As the real exports: no 0 in a "by action type" column (blank is none), totals write 0 and are blank only for
# a post Facebook gives no figures for (1_5, as VIC's "was mentioned in a post" rows: every figure blank). No
# "- comment" column, as the 2014 VIC export.
EXPORT = (
    '\ufeffPost ID,Permalink,Post Message,Type,Posted,Lifetime Post Total Reach,Lifetime Post Total Impressions,'
    'Lifetime Engaged Users,Lifetime Post Stories by action type - like,'
    'Lifetime Post Stories by action type - share,Lifetime Post Consumptions\n'
    ',,,,,"Lifetime: reach","Lifetime: impressions","Lifetime: engaged","Lifetime: stories, by action type.",'
    ',"Lifetime: clicks"\n'
    '1_1,https://www.facebook.com/acme/posts/1,Ride,Photo,01/05/2015 10:00:00 AM,100,150,10,4,,6\n'
    '1_2,https://www.facebook.com/acme/posts/2,Quiet,Status,01/06/2015 10:00:00 AM,0,0,0,,,0\n'
    '1_3,https://www.facebook.com/acme/posts/3,Mention,,01/07/2015 10:00:00 AM,,,,,2,\n'
    '1_4,https://www.facebook.com/acme/posts/4,Shop,Link,01/08/2015 10:00:00 AM,50,80,5,1,1,\n'
    '1_5,https://www.facebook.com/acme/posts/5,Acme Page was mentioned in a post.,,01/09/2015 10:00:00 AM,,,,,,\n'
)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / NAME
    path.write_text(EXPORT, encoding="utf-8")
    return path


@pytest.mark.usefixtures("no_derive")
def test_blank_breakdown_cells_are_zero_missing_columns_and_blank_totals_null(export: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [export]))
    assert (f["source"], f["rows_new"], f["rows_rejected"]) == ("facebook-insights-posts", 5, 0)
    rows = query(ws, "SELECT message_id, reach, impressions, engagements, likes, shares, comments, clicks "
                     "FROM messages ORDER BY message_id")
    assert rows == [
        ("facebook:1_1", 100.0, 150.0, 10.0, 4.0, 0.0, None, 6.0),     # share blank: none
        ("facebook:1_2", 0.0, 0.0, 0.0, 0.0, 0.0, None, 0.0),           # totals written 0 stay 0
        ("facebook:1_3", None, None, None, None, 2.0, None, None),      # blank totals: no figures but share
        ("facebook:1_4", 50.0, 80.0, 5.0, 1.0, 1.0, None, None),        # blank Lifetime Post Consumptions
        ("facebook:1_5", None, None, None, None, None, None, None),     # every figure blank: none given
    ]


def test_rates_and_sums_over_the_export(export: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.ingest([export])
    result = ws.measure(metrics=["likes", "shares", "comments", "amplification_rate", "click_through_rate"])
    # shares 0 + 0 + 2 + 1 over the four posts with totals or a share (1_5 gives no figure); likes 4 + 0 + 1 over
    # the three with totals; no post gives comments (the export has no such column)
    assert (result.value("shares"), result.row("shares")["n"]) == (3, 4)  # type: ignore[index]
    assert (result.value("likes"), result.row("likes")["n"]) == (5, 3)  # type: ignore[index]
    comments = result.row("comments")
    assert comments is not None and (comments["value"], comments["n"]) == (None, 0)
    # over the posts giving both: shares 0 + 0 + 1 over 150 + 0 + 80 impressions (1_3 gives no impressions);
    # clicks 6 + 0 over 150 + 0 (1_4 gives no clicks)
    share = result.row("amplification_rate")
    assert share is not None and (share["numerator"], share["denominator"]) == (1, 230)
    ctr = result.row("click_through_rate")
    assert ctr is not None and (ctr["numerator"], ctr["denominator"]) == (6, 150)


@pytest.mark.parametrize("cut_at", ["description", "first_post"])
def test_a_file_cut_inside_its_row_of_descriptions_is_refused(tmp_path: Path, cut_at: str) -> None:
    """The export cut short inside its second row (metric descriptions) read as an export of no posts: 0 rows,
    exit 0. It is refused with the line and nothing imported; cut after that row (inside the first post), the
    post is the truncated last row it is for any CSV, and the file imports without it."""
    from strategyfirst.errors import ImportFileError

    lines = EXPORT.split("\n")
    text = (lines[0] + "\n" + lines[1][:40] if cut_at == "description"
            else "\n".join(lines[:2]) + "\n" + lines[2][:30])
    path = tmp_path / NAME
    path.write_text(text, encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    if cut_at == "description":
        with pytest.raises(ImportFileError) as refused:
            ws.ingest(path, strict=False)
        message = str(refused.value)
        assert ":2:1: the file ends inside its row of metric descriptions (line 2 has " in message
        assert "of the header's 11 columns): it was cut short" in message
        assert not ws.warehouse_path.exists() or query(ws, "SELECT count(*) FROM imports") == [(0,)]
    else:
        result = ws.ingest(path, strict=False)
        assert result.files[0]["status"] == "imported" and result.files[0]["rows_new"] == 0
