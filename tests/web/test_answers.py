"""Every cached JSON route answers from bytes kept with the result, with an ETag, and 304 Not Modified (no
body) when the client already holds that version (issue 17.4); a new plan or new data is a new ETag."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.web.env import WebEnv, copy_sample

BASE = "/api/v1/workspaces/acme"
ROUTES = ("/lint", "/measure", "/measure?by=account&period=month", "/diagnose", "/funnel", "/capacity",
          "/readiness", "/imports")


def content_tag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


@pytest.mark.parametrize("route", ROUTES)
def test_a_cached_route_has_an_etag_of_its_bytes_and_answers_304_to_it(web: WebEnv, route: str) -> None:
    client = web.bearer("viewer@acme.org")
    first = client.get(BASE + route)
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    assert first.headers["etag"] == content_tag(first.content)
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get(BASE + route, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    other = client.get(BASE + route, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_the_plan_etag_is_its_version_and_answers_304(web: WebEnv) -> None:
    client = web.bearer("viewer@acme.org")
    first = client.get(f"{BASE}/plan")
    text = web.acme.plan_path.read_text(encoding="utf-8")
    assert first.headers["etag"] == '"' + hashlib.sha256(text.encode("utf-8")).hexdigest() + '"'
    assert first.json()["text"] == text
    again = client.get(f"{BASE}/plan", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_new_plan_version_is_a_new_answer(fresh_web: WebEnv) -> None:
    client, editor = fresh_web.bearer("viewer@acme.org"), fresh_web.bearer("editor@acme.org")
    plan = client.get(f"{BASE}/plan")
    text = plan.json()["text"].replace("organisation: Acme Outdoor", "organisation: Acme Indoor")
    saved = editor.put(f"{BASE}/plan", json={"text": text}, headers={"If-Match": plan.headers["etag"]})
    assert saved.status_code == 200, saved.text
    after = client.get(f"{BASE}/plan", headers={"If-None-Match": plan.headers["etag"]})
    assert after.status_code == 200 and "organisation: Acme Indoor" in after.json()["text"]
    assert after.headers["etag"] == saved.headers["etag"] != plan.headers["etag"]
    assert client.get("/api/v1/workspaces").json()[0]["organisation"] == "Acme Indoor"


def test_new_data_is_a_new_answer(fresh_web: WebEnv, tmp_path: Path, shared_data: Path) -> None:
    client = fresh_web.bearer("viewer@acme.org")
    before = client.get(f"{BASE}/imports")
    assert before.json()["imports"] == []
    with copy_sample(shared_data, tmp_path).open("rb") as fh:
        r = fresh_web.bearer("editor@acme.org").post(f"{BASE}/imports", files=[("files", ("sample.csv", fh,
                                                                                           "text/csv"))])
    assert r.status_code == 200, r.text
    after = client.get(f"{BASE}/imports", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert [row["rows_new"] for row in after.json()["imports"]] == [93]  # PROVENANCE.md: 93 tweets
