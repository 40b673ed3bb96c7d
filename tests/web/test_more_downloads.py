"""The downloads that were missing (issue 18.6): the capacity heat map as SVG and PNG, readiness by dimension,
the conversations waiting longest, an upload's summary and its rejected rows as CSV — the same CSV dialect as
the other tables, the page's column labels as headers, and no customer's words or handles in them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.drill_env import DrillEnv, build_drill
from tests.web.env import WebEnv


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrillEnv]:
    from strategyfirst.appdb import dispose

    env = build_drill(tmp_path_factory.mktemp("downloads"))
    yield env
    dispose(env.state.db.url)


def test_readiness_by_dimension_downloads_as_csv(fresh_web: WebEnv) -> None:
    viewer = fresh_web.login("viewer@acme.org")
    assert 'href="/w/acme/readiness.csv"' in viewer.get("/w/acme/readiness").text
    got = viewer.get("/w/acme/readiness.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert 'filename="acme-readiness.csv"' in got.headers["content-disposition"]
    assert got.text.splitlines()[0] == "Dimension,Score,Status,What to do"
    rows = {r["Dimension"]: r for r in read_csv(got.text)}
    assert len(rows) == 8
    # acme's answers (tests/web/env.py), by hand: owner named and 10 h ≥ 8 h → 1; response 0.25 + 0.5 + 0.25 × 5/7
    assert (rows["Ownership"]["Score"], rows["Ownership"]["Status"], rows["Ownership"]["What to do"]) == \
        ("1.0", "ready", "")
    assert float(rows["Response capacity"]["Score"]) == round(0.75 + 0.25 * 5 / 7, 3)
    assert "Saturday, Sunday" in rows["Response capacity"]["What to do"]
    lead = rows["Leadership support"]
    assert (lead["Score"], lead["Status"]) == ("0.0", "not ready")
    assert len(lead["What to do"].splitlines()) == 2 and "sponsor" in lead["What to do"]


def test_capacity_heat_map_downloads_as_svg_and_png(web_sqlite: WebEnv) -> None:
    viewer = web_sqlite.login("viewer@acme.org")
    page = viewer.get("/w/acme/readiness").text
    assert 'href="/w/acme/charts/capacity/shortfall.svg"' in page
    assert 'href="/w/acme/charts/capacity/shortfall.png"' in page
    svg = viewer.get("/w/acme/charts/capacity/shortfall.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.startswith("<svg") and "People short" in svg.text
    png = viewer.get("/w/acme/charts/capacity/shortfall.png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    # the link keeps the form's own figures, and the file is drawn for them
    custom = viewer.get("/w/acme/readiness?service_level=0.8&target_minutes=30").text
    assert 'href="/w/acme/charts/capacity/shortfall.svg?service_level=0.8&amp;target_minutes=30"' in custom
    assert viewer.get("/w/acme/charts/capacity/shortfall.svg?service_level=0.8&target_minutes=30").status_code == 200
    # globex has no data: nothing to draw; a format other than SVG or PNG is not a chart
    assert web_sqlite.login("outsider@globex.org").get("/w/globex/charts/capacity/shortfall.svg").status_code == 404
    assert viewer.get("/w/acme/charts/capacity/shortfall.gif").status_code == 404


def test_waiting_longest_downloads_without_the_customers_words(drill: DrillEnv) -> None:
    viewer = drill.login()
    query = "range=custom&since=2026-01-12&until=2026-01-12"
    page = viewer.get(f"/w/drill/dialogue?{query}").text
    assert f'href="/w/drill/dialogue-waiting.csv?{query.replace("&", "&amp;")}"' in page
    got = viewer.get(f"/w/drill/dialogue-waiting.csv?{query}")
    assert got.text.splitlines()[0] == "Received (UTC),Platform,Account,Waited (minutes),Answered"
    rows = sorted((r["Received (UTC)"], r["Platform"], r["Account"], float(r["Waited (minutes)"]), r["Answered"])
                  for r in read_csv(got.text))
    # by hand (tests/web/drill_env.py): on 12 January, x:1009 and x:1029 wrote to deska at 10:00, x:3 to drillco
    # and x:2009, x:2029 to deskb at 11:00, x:4 to drillco at 12:00; none answered, so each waits until the
    # window's end, 13 January 00:00: 840, 780 and 720 minutes
    assert rows == sorted([
        ("2026-01-12 10:00:00", "x", "deska", 840.0, "no"), ("2026-01-12 10:00:00", "x", "deska", 840.0, "no"),
        ("2026-01-12 11:00:00", "x", "deskb", 780.0, "no"), ("2026-01-12 11:00:00", "x", "deskb", 780.0, "no"),
        ("2026-01-12 11:00:00", "x", "drillco", 780.0, "no"), ("2026-01-12 12:00:00", "x", "drillco", 720.0, "no")])
    assert not re.search(r"help please|nice|cool|user\d|fan", got.text)


POSTS = """\
message_id,platform,account,owned,created_at,kind,text,in_reply_to,url,campaign,impressions,reach,engagements
x:1,x,drillco,true,2026-01-05 10:00:00,post,Hello,,https://x.com/drillco/status/1,,1000,800,30
x:2,x,drillco,true,yesterday,post,Write to jane@example.org,,https://x.com/drillco/status/2,,1000,800,30
"""


def upload(client: TestClient, name: str, body: bytes) -> str:
    r = client.post("/w/acme/imports", files=[("files", (name, body, "text/csv"))])
    assert r.status_code == 200, r.text
    return r.text


def test_an_uploads_summary_and_its_rejects_download(fresh_web: WebEnv, shared_data: Path) -> None:
    editor = fresh_web.login("editor@acme.org")
    sample = (shared_data / "twcs" / "sample.csv").read_bytes()
    records = sum(1 for _ in csv.reader(io.StringIO(sample.decode("utf-8")))) - 1   # the sample's rows, by csv
    page = upload(editor, "sample.csv", sample)
    link = re.search(r'href="(/w/acme/imports/summary\.csv\?[^"]+)"', page)
    assert link is not None
    got = editor.get(link.group(1).replace("&amp;", "&"))
    assert got.text.splitlines()[0] == "File,Source,Read,New,Updated,Duplicate,Rejected,Outcome"
    [row] = read_csv(got.text)
    assert (row["File"], row["Source"], row["Outcome"]) == ("sample.csv", "twcs", "imported")
    assert int(row["Read"]) == records
    assert sum(int(row[k]) for k in ("New", "Updated", "Duplicate", "Rejected")) == records

    # the same file again: already imported, every row a duplicate of itself (as the summary says)
    again = upload(editor, "sample.csv", sample)
    link = re.search(r'href="(/w/acme/imports/summary\.csv\?[^"]+)"', again)
    assert link is not None and "already=" in link.group(1)
    [row2] = read_csv(editor.get(link.group(1).replace("&amp;", "&")).text)
    assert row2["Outcome"].startswith("already imported as #")
    assert (row2["New"], int(row2["Duplicate"])) == ("0", records - int(row["Rejected"]))

    # a file with a bad row: its rejects download as line and reason, not the row (an address is in it)
    page = upload(editor, "posts.csv", POSTS.encode())
    found = re.search(r'href="/w/acme/imports/(\d+)/rejects\.csv"', page)
    assert found is not None
    rejects = editor.get(f"/w/acme/imports/{found.group(1)}/rejects.csv")
    assert rejects.text.splitlines()[0] == "Line,Reason"
    reason = "created_at is not a timestamp (YYYY-MM-DD HH:MM:SS, UTC)"
    assert read_csv(rejects.text) == [{"Line": "3", "Reason": reason}]
    assert "jane@example.org" not in rejects.text
    assert editor.get("/w/acme/imports/999/rejects.csv").status_code == 404


def test_the_permission_asset_downloads_as_csv(tmp_path: Path) -> None:
    from strategyfirst.appdb import connect, dispose
    from strategyfirst.web import Settings, create_app
    from strategyfirst.web.state import open_state
    from strategyfirst.workspace import Workspace
    from tests.cli.test_funnel_cli import PLAN, audience
    from tests.metrics.helpers import msg, warehouse
    from tests.web.env import login

    root = tmp_path / "asset"
    (root / "strategy.yaml").parent.mkdir()
    (root / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    ws = Workspace(root).ensure()
    warehouse(ws.warehouse_path.parent, [msg("1", "Acme", True, "2026-02-10 10:00", platform="facebook", reach=10,
                                             engagements=1)], audience=[
        audience("2026-01-15", "facebook", "Acme", "followers", 100, 10),
        audience("2026-02-15", "facebook", "Acme", "followers", 60, 5),
        audience("2026-02-15", "email", "Members", "subscribers", 50, 0),
        audience("2026-02-16", "email", "Members", "subscribers_cleaned", 0, 2)]).close()
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    state = open_state(Settings(workspaces=[root], db_url=url))
    try:
        connect(url).add_user("v@asset.example", "correct horse battery", "viewer", "asset")
        client = login(TestClient(create_app(state.settings, state)), state, "v@asset.example")
        page = client.get("/w/asset/dashboard").text
        assert 'href="/w/asset/asset.csv"' in page
        # The dashboard's asset table has the month before's net as the CLI's and the report's have: facebook
        # January 100 gained, 10 lost, by hand 90.
        assert '<th scope="col" class="num">net, month before</th>' in page
        assert '<td class="num" data-label="net, month before">90</td>' in page
        got = client.get("/w/asset/asset.csv")
        assert got.text.splitlines()[0] == "Month,Platform,Account or list,Gained,Lost (churn),Net"
        rows = {(r["Platform"], r["Account or list"]): r for r in read_csv(got.text)}
        # February 2026, by hand: facebook 60 gained, 5 lost; the list 50 subscribed, 2 cleaned
        assert {k: (r["Month"], float(r["Gained"]), float(r["Lost (churn)"]), float(r["Net"]))
                for k, r in rows.items()} == {("facebook", "Acme"): ("2026-02", 60, 5, 55),
                                              ("email", "Members"): ("2026-02", 50, 2, 48)}
    finally:
        dispose(url)
