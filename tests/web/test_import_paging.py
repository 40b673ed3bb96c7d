"""The import log a page at a time (QA: 74 imports made a 30,000 px page at 360 px): the Imports page shows 50,
newest first, with previous and next links; the API's list takes `limit` and `offset` and says the `total`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from strategyfirst.appdb import dispose
from tests.web.env import WebEnv, build
from tests.web.test_import_log import log_rows

IMPORTS = "/api/v1/workspaces/acme/imports"
MADE = 74  # the QA pass's log


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    """acme with 74 imports: one small posts file each, #1 to #74 in the order given."""
    root = tmp_path_factory.mktemp("paging")
    env = build(root, f"sqlite:///{root / 'app.sqlite'}", None)
    exports = root / "exports"
    exports.mkdir()
    files = []
    for n in range(1, MADE + 1):
        f = exports / f"posts-{n:02d}.csv"
        f.write_text(f"message_id,platform,account,created_at,text\nx:{9000 + n},x,Tesco,2017-10-05 10:00:00,"
                     f"post {n}\n", encoding="utf-8")
        files.append(f)
    env.acme.ingest(files)  # one call: each file its own import, one refresh
    yield env
    dispose(env.db_url)


def numbers(html: str) -> list[int]:
    return [int(row.split()[0]) for row in log_rows(html)]


def links(html: str) -> dict[str, str]:
    nav = html[html.index('<nav class="pager"'):]
    nav = nav[:nav.index("</nav>")]
    return {text: href for href, text in re.findall(r'<a (?:rel="\w+" )?href="([^"]+)">([^<]+)</a>', nav)}


def test_the_imports_page_shows_fifty_a_page_newest_first(busy: WebEnv) -> None:
    viewer = busy.login("viewer@acme.org")
    first = viewer.get("/w/acme/imports").text
    assert numbers(first) == list(range(74, 24, -1))  # #74 down to #25: 50 rows
    assert "74 imports, newest first: 1 to 50 shown, page 1 of 2" in first
    assert links(first) == {"Next (older)": "/w/acme/imports?page=2", "Last": "/w/acme/imports?page=2"}
    second = viewer.get("/w/acme/imports?page=2").text
    assert numbers(second) == list(range(24, 0, -1))  # the other 24: #24 down to #1
    assert "51 to 74 shown, page 2 of 2" in second
    assert links(second) == {"First": "/w/acme/imports?page=1", "Previous (newer)": "/w/acme/imports?page=1"}
    # past the last page (the log shrank since the link was made): the last page, not an empty one
    assert numbers(viewer.get("/w/acme/imports?page=9").text) == list(range(24, 0, -1))
    assert viewer.get("/w/acme/imports?page=0").status_code == 422
    # the CSV is every import, whatever page is shown
    assert viewer.get("/w/acme/imports.csv").text.count("posts-") == 74


def test_the_api_list_takes_limit_and_offset(busy: WebEnv) -> None:
    viewer = busy.bearer("viewer@acme.org")
    whole = viewer.get(IMPORTS).json()
    assert (whole["total"], whole["limit"], whole["offset"]) == (74, None, 0)
    assert [r["import_id"] for r in whole["imports"]] == list(range(74, 0, -1))  # without limit: every import
    page = viewer.get(IMPORTS, params={"limit": 10, "offset": 20}).json()
    # newest first, skipping #74..#55 (20 of them): #54 down to #45
    assert [r["import_id"] for r in page["imports"]] == list(range(54, 44, -1))
    assert (page["total"], page["limit"], page["offset"]) == (74, 10, 20)
    tail = viewer.get(IMPORTS, params={"limit": 10, "offset": 70}).json()["imports"]
    assert [r["import_id"] for r in tail] == [4, 3, 2, 1]
    assert viewer.get(IMPORTS, params={"offset": 74}).json()["imports"] == []
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
        assert viewer.get(IMPORTS, params=bad).status_code == 422, bad


def test_one_page_of_imports_has_no_pager(fresh_web: WebEnv, shared_data: Path) -> None:
    fresh_web.acme.ingest([shared_data / "twcs" / "sample.csv"])
    page = fresh_web.login("viewer@acme.org").get("/w/acme/imports").text
    assert numbers(page) == [1] and "1 import, newest first" in page and '<nav class="pager"' not in page
