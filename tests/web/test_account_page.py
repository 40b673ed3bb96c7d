"""The account page on the real twcs sample: a handle with capitals finds its account whatever case the URL
writes it in ('@' optional), and an account or platform the workspace does not own is a 404."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from tests.web.env import WebEnv


@pytest.fixture(scope="module")
def viewer(web_sqlite: WebEnv) -> TestClient:
    return web_sqlite.login("viewer@acme.org")


def figure(html: str, metric: str) -> str:
    """The value cell of one metric's row of the page's figures table."""
    found = re.search(rf'title="{metric}">[^<]*</th><td class="num">([^<]*)</td>', " ".join(html.split()))
    assert found, metric
    return found.group(1)


# `strategyfirst measure --by account` on the sample: AppleSupport received 17 inbound messages and answered
# 13 of them (76.5%); SpotifyCares 8 of 8; none of the three brands posts (their tweets are all replies).
@pytest.mark.parametrize("handle", ["AppleSupport", "applesupport", "APPLESUPPORT", "%40AppleSupport"])
def test_a_handle_with_capitals_shows_its_figures_in_any_case(viewer: TestClient, handle: str) -> None:
    response = viewer.get(f"/w/acme/accounts/x/{handle}")
    assert response.status_code == 200
    assert figure(response.text, "inbound_messages") == "17"
    assert figure(response.text, "response_rate") == "76.5%"
    assert "<h1>AppleSupport <small>on x</small></h1>" in response.text  # the plan's spelling


def test_the_figures_csv_of_a_handle_with_capitals(viewer: TestClient) -> None:
    response = viewer.get("/w/acme/accounts/X/spotifycares/figures.csv")
    assert response.status_code == 200
    rows = {r["metric"]: r for r in csv.DictReader(io.StringIO(response.text))}
    assert rows["inbound_messages"]["value"] == "8"
    assert (rows["response_rate"]["numerator"], rows["response_rate"]["denominator"]) == ("8", "8")


@pytest.mark.parametrize("path", ["/w/acme/accounts/x/nope", "/w/acme/accounts/zz/AppleSupport",
                                  "/w/acme/accounts/x/nope/figures.csv", "/w/acme/accounts/zz/Tesco/figures.csv"])
def test_an_account_the_workspace_does_not_own_is_a_404(viewer: TestClient, path: str) -> None:
    response = viewer.get(path)
    assert response.status_code == 404
