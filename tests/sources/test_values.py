"""Every value right (issue 12.1, 12.6 source side, 12.7): decimal marks decided per column from the values,
localised X analytics columns mapped, files without an account refused, stable ids, likes / comments / shares /
video figures kept and measured. Expected figures are worked out by hand or with the standard library's csv."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from pathlib import Path

import duckdb
import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.sources import sqlfuncs
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, scalar, snapshot

pytestmark = pytest.mark.usefixtures("no_derive")

X_FIGURES = {"impressions": "impressions", "engagements": "engagements", "shares": "retweets",
             "comments": "replies", "likes": "likes", "clicks": "url clicks", "follows": "follows"}
# The header of a real Portuguese export (tweet_activity_metrics_<handle>_..._pt.csv), column for column with
# the English one; the promoted columns are "<column> promovido(a)(s)".
PT = ["id do Tweet", "link permanente do Tweet", "texto do Tweet", "horário", "impressões", "engajamentos",
      "taxa de engajamento", "retweets", "respostas", "favoritos", "cliques no perfil do usuário:", "cliques no URL",
      "cliques em hashtags:", "expansões de detalhes:", "cliques no link permanente", "aberturas de aplicativos",
      "instalações de aplicativo:", "seguiram", "Tweet enviado por e-mail", "número de telefone discado",
      "visualizações da mídia", "engajamentos com mídia"]
PT_HEADER = PT + [f"{c} promovido(a)(s)" for c in PT[4:]]
UCI = "uci-facebook-metrics/dataset_Facebook.csv"
YT = "youtube-studio/priyankapatel05/"
VIC = "facebook-insights/VIC/"


# ---- decimal marks -------------------------------------------------------------------------------------------

def test_decimal_mark_is_decided_per_column_from_its_values() -> None:
    con = duckdb.connect()
    sqlfuncs.install(con)
    con.execute("CREATE TABLE t (a VARCHAR, b VARCHAR, c VARCHAR, d VARCHAR, e VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [
        # a: "91.0" shows points    b: "0,5" shows commas     c: only 1,234 / 1.234   d: both marks  e: ints
        ("91.0", "1.234", "1,234", "1,5", "7"),
        ("2.0", "0,5", "1.234", "2.5", "-"),
        ("1,234.5", "1.234.567,25", "12", "1 000", "1"),
    ])
    nums = sqlfuncs.Numbers(con, "t", ["a", "b", "c", "d", "e"])
    # c shows no mark and the file shows both: its 1,234 and 1.234 are thousands. d shows both: value by value.
    assert nums.marks == {"a": ".", "b": ",", "c": "", "d": None, "e": ""}
    got = con.execute(f"SELECT {', '.join(nums.num(x) for x in 'abcde')} FROM t").fetchall()
    assert got == [(91.0, 1234.0, 1234.0, 1.5, 7.0), (2.0, 0.5, 1234.0, 2.5, None),
                   (1234.5, 1234567.25, 12.0, 1000.0, 1.0)]


def test_a_column_without_evidence_takes_the_files_mark() -> None:
    con = duckdb.connect()
    sqlfuncs.install(con)
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('1,234', '0,25'), ('2', '1,5')) v(n, rate)")
    nums = sqlfuncs.Numbers(con, "t", ["n", "rate"])
    assert nums.marks == {"n": ",", "rate": ","}  # the file writes decimal commas: 1,234 is 1.234
    assert con.execute(f"SELECT {nums.num('n')} FROM t").fetchall() == [(1.234,), (2.0,)]
    # a value that fits no reading of its column is not a number (a reject), never a guess
    con.execute("CREATE TABLE u AS SELECT * FROM (VALUES ('1.5'), ('2,5'), ('1,2,3')) v(x)")
    mixed = sqlfuncs.Numbers(con, "u", ["x"])
    assert con.execute(f"SELECT {mixed.bad('x')} FROM u").fetchall() == [(False,), (False,), (True,)]


# ---- localised X analytics -----------------------------------------------------------------------------------

def _english(shared_data: Path) -> list[Path]:
    files = sorted((shared_data / "x-analytics/rOpenSci").glob("*_en.csv"))
    return [files[1], files[3]]  # 2017-01 and 2017-03: no tweet in both


def _sums(paths: list[Path]) -> dict[str, float]:
    out = dict.fromkeys(X_FIGURES, 0.0)
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for figure, column in X_FIGURES.items():
                    if row[column] not in ("", "-"):
                        out[figure] += float(row[column])
    return out


def _comma(value: str) -> str:
    """"4715.0" as a decimal-comma locale writes it: "4.715,0"."""
    if not re.fullmatch(r"\d+(\.\d+)?", value):
        return value
    whole, _, frac = value.partition(".")
    return f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")


def _localise(path: Path, folder: Path, style: str) -> Path:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    out = folder / path.name.replace("_en.csv", f"_pt_{style}.csv")
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
        writer.writerow(PT_HEADER)
        for row in rows[1:]:
            writer.writerow(row[:4] + [_comma(v) if style == "comma" else v for v in row[4:]])
    return out


@pytest.mark.parametrize("style", ["point", "comma"])
def test_portuguese_export_sums_equal_the_english_files(shared_data: Path, tmp_path: Path, style: str) -> None:
    """"91.0" in a Portuguese export is 91 (it was read as 910); "4.715,0" is 4715; favoritos and seguiram
    are likes and follows."""
    english = _english(shared_data)
    want = _sums(english)
    copies = [_localise(p, tmp_path, style) for p in english]
    if style == "point":
        assert re.search(r'"[1-9][0-9]+\.0"', copies[0].read_text(encoding="utf-8"))  # read x10 before
    else:
        assert re.search(r'"\d\.\d{3},0"', copies[0].read_text(encoding="utf-8"))
    ws = Workspace(tmp_path / "ws")
    result = ingest(ws, copies)
    assert [(f["source"], f["rows_rejected"]) for f in result.files] == [("x-analytics", 0)] * 2
    got = query(ws, "SELECT " + ", ".join(f"sum({f})" for f in X_FIGURES) + " FROM messages")[0]
    assert dict(zip(X_FIGURES, got, strict=True)) == pytest.approx(want, abs=1e-9)
    assert want["likes"] > 0 and want["follows"] > 0


def test_portuguese_header_maps_every_column_with_an_english_counterpart() -> None:
    from strategyfirst.sources.x_headers import canonical_header

    english = canonical_header(["Tweet id", "Tweet permalink", "Tweet text", "time", "impressions",
                                "engagements", "engagement rate", "retweets", "replies", "likes",
                                "user profile clicks", "url clicks", "hashtag clicks", "detail expands",
                                "permalink clicks", "app opens", "app installs", "follows", "email tweet",
                                "dial phone", "media views", "media engagements"])
    assert canonical_header(PT) == english
    assert canonical_header(["seguiram promovido(a)(s)", "favoritos promovido(a)(s)"]) == [
        "promoted_follows", "promoted_likes"]


# ---- files without an account; stable ids --------------------------------------------------------------------

@pytest.mark.parametrize("name", [UCI, YT + "Table data.csv", YT + "Totals.csv", YT + "Chart data.csv"])
def test_a_file_without_an_account_is_refused_asking_for_one(shared_data: Path, tmp_path: Path, name: str) -> None:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [shared_data / "twcs/sample.csv"])
    before = snapshot(ws)
    with pytest.raises(ImportFileError, match=r"pass --account NAME$") as err:
        ingest(ws, [shared_data / name])
    assert "\n" not in str(err.value)
    assert snapshot(ws) == before


def test_uci_ids_depend_on_the_post_not_on_the_account(shared_data: Path, tmp_path: Path) -> None:
    ids = []
    for account in ("first", "second"):
        ws = Workspace(tmp_path / account)
        assert one(ingest(ws, [shared_data / UCI], account=account))["rows_new"] == 500
        ids.append({r[0] for r in query(ws, "SELECT message_id FROM messages")})
        assert scalar(ws, "SELECT count(DISTINCT account) FROM messages") == 1
    assert ids[0] == ids[1] and len(ids[0]) == 500
    # line 2: 139441;Photo;2;12;4;3;0;... -> what the row says of the post as published, hashed; first of its kind
    key = "|".join(["139441", "photo", "2", "12", "4", "3", "0"])
    assert f"facebook:uci-{hashlib.md5(key.encode()).hexdigest()[:12]}-1" in ids[0]
    # importing the same file under another account (and year) adds no post
    ws = Workspace(tmp_path / "first")
    ws_result = one(ingest(ws, [shared_data / UCI], account="second"))
    assert ws_result["rows_new"] == 0
    assert scalar(ws, "SELECT count(*) FROM messages") == 500


def test_uci_identical_rows_get_distinct_ids(tmp_path: Path) -> None:
    header = ("Page total likes;Type;Category;Post Month;Post Weekday;Post Hour;Paid;Lifetime Post Total Reach;"
              "Lifetime Post Total Impressions;Lifetime Engaged Users;Lifetime Post Consumers;"
              "Lifetime Post Consumptions;comment;like;share;Total Interactions\n")
    row = "100;Photo;1;3;6;15;0;{};10;1;1;1;0;1;0;1\n"
    path = tmp_path / "dataset_Facebook.csv"
    path.write_text(header + row.format(5) + row.format(7), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    assert one(ingest(ws, [path], account="Page"))["rows_new"] == 2
    digest = hashlib.md5(b"100|photo|1|3|6|15|0").hexdigest()[:12]
    assert query(ws, "SELECT message_id, reach FROM messages ORDER BY message_id") == [
        (f"facebook:uci-{digest}-1", 5.0), (f"facebook:uci-{digest}-2", 7.0)]


# ---- likes, comments, shares, video figures ------------------------------------------------------------------

YT_TABLE = ("Content,Video title,Video publish time,Duration,Likes,Dislikes,Comments added,Shares,Views,"
            "Watch time (hours),Subscribers gained,Subscribers lost,Subscribers,Thumbnail impressions\n"
            "Total,,,,40,2,6,3,1500,12.5,9,2,7,5000\n"
            'abc,"One, two","Aug 28, 2025",60,30,1,4,2,1000,10.25,6,1,5,3000\n'
            'def,Three,"Sep 1, 2025",45,10,1,2,1,500,2.25,3,1,2,2000\n')


def test_youtube_likes_comments_shares_are_kept_and_give_engagements(tmp_path: Path) -> None:
    path = tmp_path / "Table data.csv"
    path.write_text(YT_TABLE, encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    assert one(ingest(ws, [path], account="Channel"))["rows_new"] == 2
    assert query(ws, "SELECT message_id, account, likes, comments, shares, video_views, watch_minutes, follows, "
                     "impressions FROM messages ORDER BY message_id") == [
        ("youtube:abc", "Channel", 30.0, 4.0, 2.0, 1000.0, 10.25 * 60, 6.0, 3000.0),
        ("youtube:def", "Channel", 10.0, 2.0, 1.0, 500.0, 2.25 * 60, 3.0, 2000.0)]


def test_youtube_metrics_from_likes_and_video_figures(tmp_path: Path) -> None:
    path = tmp_path / "Table data.csv"
    path.write_text(YT_TABLE, encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    ws.ingest([path], account="Channel")
    result = ws.measure(metrics=["likes", "comments", "shares", "saves", "video_views", "watch_minutes",
                                 "engagements"])
    # two videos: likes 30 + 10, comments 4 + 2, shares 2 + 1; no clicks and no total engagements in the export
    assert result.value("likes") == 40 and result.value("comments") == 6 and result.value("shares") == 3
    assert result.value("engagements") == 40 + 6 + 3
    assert result.value("video_views") == 1500 and result.value("watch_minutes") == pytest.approx(12.5 * 60)
    assert result.value("saves") is None  # not given is not 0


def test_youtube_real_export_video_views_and_watch_minutes(shared_data: Path, tmp_path: Path) -> None:
    views = hours = 0.0
    with (shared_data / YT / "Table data.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["Content"] != "Total":
                views += float(row["Views"])
                hours += float(row["Watch time (hours)"])
    ws = Workspace(tmp_path / "ws")
    ws.ingest([shared_data / YT / "Table data.csv"], account="priyankapatel05")
    result = ws.measure(metrics=["video_views", "watch_minutes", "likes"])
    assert result.value("video_views") == pytest.approx(views, abs=1e-9)
    assert result.value("watch_minutes") == pytest.approx(hours * 60, abs=1e-6)
    assert result.value("likes") is None  # this channel's export has no Likes column


def test_facebook_real_exports_video_views(shared_data: Path, tmp_path: Path) -> None:
    """Lifetime Organic / Paid Video Views come in pairs (Total Count, then Unique Users): the total counts."""
    files = sorted((shared_data / VIC).glob("*(Post Level)*.csv"))
    views = likes = 0.0
    for path in files:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
        header = rows[0]
        cols = [header.index("Lifetime Organic Video Views"), header.index("Lifetime Paid Video Views")]
        like = header.index("Lifetime Post Stories by action type - like")
        for row in rows[2:]:
            views += sum(float(row[i]) for i in cols if row[i].strip())
            likes += float(row[like]) if row[like].strip() else 0.0
    assert views == 81 + 163 + 115 + 180 + 129 + 30 + 94 + 65
    ws = Workspace(tmp_path / "ws")
    ws.ingest(files)
    result = ws.measure(metrics=["video_views", "likes"])
    assert result.value("video_views") == views and result.value("likes") == likes


def test_facebook_video_posts_export_keeps_views_and_watch_time(tmp_path: Path) -> None:
    path = tmp_path / "Facebook Insights Data Export (Video Posts) - Acme Page - 2018-07-13.csv"
    path.write_text(
        '"Post ID",Permalink,"Post Message",Type,Posted,"Lifetime Post Total Reach",'
        '"Lifetime Post Total Impressions","Lifetime Total Video Views","Lifetime Total Video View Time (in MS)"\n'
        ',,,,,"Lifetime: reach","Lifetime: impressions","Lifetime: 3-second views","Lifetime: ms viewed"\n'
        '1_2,https://www.facebook.com/acme/videos/2,"Clip",Video,"07/01/2018 10:00:00 AM",900,1200,640,"1,800,000"\n'
        '1_3,https://www.facebook.com/acme/videos/3,"Clip 2",Video,"07/02/2018 10:00:00 AM",90,120,64,90000\n',
        encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    assert one(ingest(ws, [path]))["rows_new"] == 2
    assert query(ws, "SELECT account, kind, video_views, watch_minutes FROM messages ORDER BY message_id") == [
        ("Acme Page", "video", 640.0, 30.0), ("Acme Page", "video", 64.0, 1.5)]


def test_youtube_totals_and_chart_keep_watch_time_and_likes(tmp_path: Path) -> None:
    totals = tmp_path / "Totals.csv"
    totals.write_text("Date,Views,Watch time (hours),Likes\n2025-06-13,1224,3.5,12\n2025-06-14,147,0.25,\n",
                      encoding="utf-8")
    chart = tmp_path / "Chart data.csv"
    chart.write_text("Date,Content,Video title,Video publish time,Duration,Views,Watch time (hours)\n"
                     '2025-09-28,abc,One,"Sep 1, 2025",60,1380,2.5\n', encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [totals, chart], account="Channel")
    assert query(ws, "SELECT account, date, video_views, watch_minutes, likes FROM account_daily ORDER BY date") \
        == [("Channel", dt.date(2025, 6, 13), 1224.0, 3.5 * 60, 12.0),
            ("Channel", dt.date(2025, 6, 14), 147.0, 0.25 * 60, None)]
    assert query(ws, "SELECT message_id, video_views, watch_minutes FROM video_daily") == [
        ("youtube:abc", 1380.0, 2.5 * 60)]
