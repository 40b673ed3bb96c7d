"""Server-rendered pages on the real app: each view renders, text with HTML in it is escaped, forms carry
the CSRF token, lint updates for a draft, a plan that does not parse is a located 422."""

from __future__ import annotations

import html

import pytest

from tests.web.env import WebEnv


@pytest.fixture(scope="module")
def web(web_sqlite: WebEnv) -> WebEnv:
    """These checks do not depend on the database: SQLite only (the API tests run on both)."""
    return web_sqlite


SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_decision_text_with_html_is_shown_escaped(web: WebEnv) -> None:
    editor = web.login("editor@acme.org")
    r = editor.post("/w/acme/decisions", data={"text": SCRIPT}, follow_redirects=True)
    assert r.status_code == 200
    for page in (r.text, editor.get("/w/acme/history").text):
        assert SCRIPT not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_every_view_renders_with_the_csrf_token_in_its_forms(web: WebEnv) -> None:
    owner = web.login("owner@acme.org")
    csrf = owner.headers["X-CSRF-Token"]
    for path, marker in (("/workspaces", "acme"), ("/w/acme", "Build a permission asset"),
                         ("/w/acme/dashboard", "KPI dashboard"), ("/w/acme/dialogue", "Inbound vs answered"),
                         ("/w/acme/imports", "Import log"), ("/w/acme/plan", "Plan editor"),
                         ("/w/acme/verdicts", "Budget proposals"), ("/w/acme/history", "History")):
        page = owner.get(path)
        assert page.status_code == 200, path
        assert marker in page.text, path
        assert f'value="{csrf}"' in page.text, path  # the logout form at least


def test_dashboard_embeds_vega_lite_specs_served_locally(web: WebEnv) -> None:
    page = web.login("viewer@acme.org").get("/w/acme/dashboard").text
    assert 'src="/static/vendor/vega-embed.min.js"' in page and "data-vega-spec" in page
    assert "cdn" not in page.lower()
    assert web.client().get("/static/vendor/vega-embed.min.js").status_code == 200


def test_lint_fragment_for_a_draft(web: WebEnv) -> None:
    viewer = web.login("viewer@acme.org")
    text = web.acme.plan_path.read_text(encoding="utf-8")
    no_strategy = text.replace("  statement: Build a permission asset", "  statement_x: Build a permission asset")
    r = viewer.post("/w/acme/plan/lint", data={"text": no_strategy})
    assert r.status_code == 200 and "does not parse" in r.text and "statement_x" in r.text
    r = viewer.post("/w/acme/plan/lint", data={"text": text.replace("    owner: Sam\n", "", 1)})
    assert "no-owner" in r.text


def test_saving_a_broken_plan_on_the_page_is_a_422_with_the_text_kept(web: WebEnv) -> None:
    editor = web.login("editor@acme.org")
    broken = "version: 1\nobjectives: [\n"
    r = editor.post("/w/acme/plan", data={"text": broken, "why": "oops"})
    assert r.status_code == 422 and "strategy.yaml:" in r.text and "objectives: [" in r.text
    assert web.acme.plan_path.read_text(encoding="utf-8") != broken


def test_report_downloads_as_an_attachment(web: WebEnv) -> None:
    r = web.login("viewer@acme.org").get("/w/acme/report.html")
    assert r.status_code == 200 and 'filename="acme-report.html"' in r.headers["content-disposition"]


def test_plan_saved_from_a_browser_form_keeps_lf_line_breaks(web: WebEnv) -> None:
    editor = web.login("editor@acme.org")
    original = web.acme.plan_path.read_text(encoding="utf-8")
    changed = original.replace("review: {cadence: monthly}", "review: {cadence: quarterly}")
    r = editor.post("/w/acme/plan", data={"text": changed.replace("\n", "\r\n"), "why": "from a form"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/w/acme/plan?saved=")
    assert web.acme.plan_path.read_bytes() == changed.encode("utf-8")
    editor.post("/w/acme/plan", data={"text": original, "why": "restore"})


def test_owner_invites_and_removes_members(web: WebEnv) -> None:
    """A user of another workspace is invited, not added at once (issue 17.12): the role is theirs from their
    next login; removing it leaves their other workspace alone."""
    db = web.state.db
    db.add_user("guest@acme.org", "a long password", "viewer", "globex")
    owner = web.login("owner@acme.org")
    assert owner.post("/w/acme/members", data={"email": "guest@acme.org", "role": "editor"},
                      follow_redirects=False).status_code == 303
    assert db.role_in(db.get_user("guest@acme.org").id, "acme") is None  # type: ignore[union-attr]
    assert "guest@acme.org</td><td>editor (invited)" in owner.get("/w/acme/members").text
    web.login("guest@acme.org", "a long password")
    assert db.role_in(db.get_user("guest@acme.org").id, "acme") == "editor"  # type: ignore[union-attr]
    assert db.invitations("acme") == []
    assert owner.post("/w/acme/members/remove", data={"email": "guest@acme.org"},
                      follow_redirects=False).status_code == 303
    assert db.role_in(db.get_user("guest@acme.org").id, "acme") is None  # type: ignore[union-attr]
    assert db.role_in(db.get_user("guest@acme.org").id, "globex") == "viewer"  # type: ignore[union-attr]
    own = owner.post("/w/acme/members", data={"email": "owner@acme.org", "role": "viewer"})
    assert own.status_code == 422
    assert "Members" not in web.login("editor@acme.org").get("/w/acme").text.split("</nav>")[0]


def test_import_page_shows_the_summary_and_the_rejected_rows(web: WebEnv) -> None:
    owner = web.login("outsider@globex.org")
    csv = ("message_id,platform,account,created_at,text\n"
           "x:1,x,GlobexHelp,2026-01-05 10:00:00,hello\n"
           "x:2,x,GlobexHelp,not a date,<script>bad()</script>\n")
    r = owner.post("/w/globex/imports", files=[("files", ("posts.csv", csv.encode(), "text/csv"))],
                   data={"source": "canonical-csv"})
    assert r.status_code == 200
    summary = r.text.split('<div id="summary">')[1].split("</section>")[0]
    cells = summary.split("<tbody>")[1].split("</tr>")[0]
    assert [c.split("</td>")[0] for c in cells.split("<td")[1:]] == [
        ">posts.csv", ">canonical-csv", ' class="num">2', ' class="num">1', ' class="num">0', ' class="num">0',
        ' class="num">1', ">imported"]
    assert "Rejected rows of posts.csv" in summary and "<td>3</td>" in summary  # line 3 of the file
    assert "created_at" in summary and "&lt;script&gt;bad()&lt;/script&gt;" in summary
    fragment = owner.post("/w/globex/imports", headers={"HX-Request": "true"},
                          files=[("files", ("posts.csv", csv.encode(), "text/csv"))])
    assert fragment.text.lstrip().startswith(("<section", "<p")) and "<html" not in fragment.text


def test_import_page_takes_the_year_of_dates_without_one(web: WebEnv) -> None:
    owner = web.login("outsider@globex.org")
    overview = "Date,Video Views,Profile Views,Likes,Comments,Shares\nDecember 31,10,1,2,0,0\nJanuary 1,20,1,3,1,0\n"
    upload = [("files", ("Overview.csv", overview.encode(), "text/csv"))]
    assert 'name="year"' in owner.get("/w/globex/imports").text
    bad = owner.post("/w/globex/imports", files=upload, data={"account": "globex.tiktok", "year": "soon"})
    assert bad.status_code == 422 and "is not a year" in bad.text
    missing = owner.post("/w/globex/imports", files=upload, data={"account": "globex.tiktok", "year": ""})
    assert missing.status_code == 422 and "fill in the Year" in missing.text and "--year" not in missing.text
    ok = owner.post("/w/globex/imports", files=upload, data={"account": "globex.tiktok", "year": "2026"})
    assert ok.status_code == 200 and "tiktok-analytics" in ok.text


def test_an_as_of_day_before_the_dialogue_data_offers_the_range_that_has_them(web: WebEnv) -> None:
    """QA: `dialogue?as_of=1999-01-01` said "No dialogue data yet: import conversations" of a workspace with
    dialogue from 2017-10."""
    viewer = web.login("viewer@acme.org")
    page = " ".join(viewer.get("/w/acme/dialogue?as_of=1999-01-01").text.split())
    assert "No dialogue data yet" not in page
    assert "No dialogue data up to 1999-01-01." in page
    # the link shows the days that have data, without the as-of day before them
    assert ('The workspace has inbound messages from 2017-10-10 to 2017-10-12: <a '
            'href="/w/acme/dialogue?range=custom&amp;since=2017-10-10&amp;until=2017-10-12">show that range</a>'
            in page)
    tesco = " ".join(viewer.get("/w/acme/dialogue?as_of=1999-01-01&account=%40Tesco").text.split())
    assert "No dialogue data up to 1999-01-01 to @Tesco." in tesco and "account=%40Tesco" in tesco


def test_a_dialogue_window_without_inbound_messages_offers_the_range_that_has_them(web: WebEnv) -> None:
    viewer = web.login("viewer@acme.org")
    page = " ".join(viewer.get("/w/acme/dialogue?range=custom&since=2018-01-01&until=2018-01-31").text.split())
    assert "No dialogue data yet" not in page
    assert "No inbound messages from 2018-01-01 to 2018-01-31." in page
    # the sample's inbound tweets were written from 2017-10-10 15:09 to 2017-10-12 12:04 (UTC)
    assert ('The workspace has inbound messages from 2017-10-10 to 2017-10-12: <a '
            'href="/w/acme/dialogue?range=custom&amp;since=2017-10-10&amp;until=2017-10-12">show that range</a>'
            in page)
    filtered = " ".join(viewer.get("/w/acme/dialogue?range=custom&since=2018-01-01&until=2018-01-31"
                                   "&account=%40Tesco").text.split())
    # the 8 inbound tweets to Tesco (mentioning @Tesco or replying to it) were all written on 2017-10-11
    assert ("No inbound messages from 2018-01-01 to 2018-01-31 to @Tesco. The workspace has inbound messages on "
            '2017-10-11: <a href="/w/acme/dialogue?range=custom&amp;since=2017-10-11&amp;until=2017-10-11&amp;'
            'account=%40Tesco">' in filtered)


@pytest.mark.parametrize(("query", "message"), [
    ("/w/acme/posts?page=abc", "page='abc' is not a whole number from 1 to 10,000,000: showing page 1"),
    ("/w/acme/posts?page=-1", "page='-1' is not a whole number from 1 to 10,000,000: showing page 1"),
    ("/w/acme/posts?size=0", "size='0' is not a whole number from 1 to 500: showing 50 posts a page"),
    ("/w/acme/history?a=x", "a='x' is not a plan version: write it as listed below, e.g. v2 (or 2)"),
])
def test_a_bad_number_in_a_page_query_is_said_on_the_page(web: WebEnv, query: str, message: str) -> None:
    r = web.login("viewer@acme.org").get(query)  # the page, saying what it shows instead, with 422 (bad input)
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert f'<p class="error" role="alert">{message}</p>' in html.unescape(r.text)
