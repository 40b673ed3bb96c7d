"""The dashboard's permission funnel (issue 15): a GA4 export imported through the web app shows up as the
overall chain's site visits and conversions, figures by hand; before any import the page says what to import."""

from __future__ import annotations

from pathlib import Path

from tests.web.env import WebEnv

GA4 = """\
# ----------------------------------------
# Traffic acquisition: Session default channel group
# Property: Acme web
# ----------------------------------------
# Start date: 20171001
# End date: 20171031
Session default channel group,Sessions,Engaged sessions,Key events,Total revenue
Organic Social,120,80,6,300
Email,30,20,3,90
Direct,900,400,40,2000

Device category,Sessions
desktop,1050
"""


def test_dashboard_funnel_after_a_ga4_upload(fresh_web: WebEnv, tmp_path: Path) -> None:
    owner = fresh_web.login("owner@acme.org")
    assert "No funnel data yet" in owner.get("/w/acme/dashboard").text
    r = owner.post("/w/acme/imports", files={"files": ("Traffic_acquisition.csv", GA4.encode(), "text/csv")},
                   data={"csrf_token": owner.headers["X-CSRF-Token"]}, follow_redirects=True)
    assert r.status_code == 200, r.text[:300]
    page = " ".join(owner.get("/w/acme/dashboard").text.split())
    start = page.index('data-scope="overall"')
    overall = page[start:page.index("</table>", start)]
    # October 2017: site sessions = Organic Social 120 + Email 30 (Direct is neither), conversions 6 + 3 = 9,
    # 6.0% of the sessions; nothing reached or engaged was imported: the chain breaks at its first step.
    assert '<th scope="row">Site sessions</th> <td class="num" data-label="2017-10">150</td>' in overall
    assert '<th scope="row">Conversions</th> <td class="num" data-label="2017-10">9</td>' in overall
    assert "6.0%" in overall
    assert "the chain breaks at reach" in overall
    # the API gives the same numbers (the JSON of `measure --funnel`)
    doc = owner.get("/api/v1/workspaces/acme/funnel").json()
    steps = {s["step"]: s["value"] for s in doc["funnels"][0]["steps"]}
    assert doc["period"] == "2017-10" and (steps["site_sessions"], steps["conversions"]) == (150, 9)


def test_the_api_funnel_takes_until_as_measure_funnel_does(fresh_web: WebEnv) -> None:
    """`/funnel?until=D` is `measure --funnel --until D` (docs/funnel.md): the latest month with data up to the
    month of D. Two months imported: September's figures as of a day in September, October's without `until`."""
    owner = fresh_web.login("owner@acme.org")
    september = (GA4.replace("20171001", "20170901").replace("20171031", "20170930")
                 .replace("Organic Social,120,80,6,300", "Organic Social,70,50,2,100"))
    for name, text in (("Traffic_acquisition_sep.csv", september), ("Traffic_acquisition_oct.csv", GA4)):
        r = owner.post("/w/acme/imports", files={"files": (name, text.encode(), "text/csv")},
                       data={"csrf_token": owner.headers["X-CSRF-Token"]}, follow_redirects=True)
        assert r.status_code == 200, r.text[:300]

    def overall(query: str) -> tuple[object, tuple[object, object]]:
        doc = owner.get(f"/api/v1/workspaces/acme/funnel{query}").json()
        steps = {s["step"]: s["value"] for s in doc["funnels"][0]["steps"]}
        return doc["period"], (steps["site_sessions"], steps["conversions"])

    # September: Organic Social 70 + Email 30 sessions, 2 + 3 conversions; October as in the test above.
    assert overall("?until=2017-09-20") == ("2017-09", (100, 5))
    assert overall("") == overall("?until=2017-10-31") == ("2017-10", (150, 9))
    assert owner.get("/api/v1/workspaces/acme/funnel?until=20/09/2017").status_code == 422
