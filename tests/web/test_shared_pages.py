"""The dashboard and dialogue pages are rendered once per data and plan version, URL and role, and each caller
gets their own CSRF token and email in them (issue 17.4): never another session's."""

from __future__ import annotations

from typing import Any

import pytest

from strategyfirst.web.pages import dashboard_pages
from strategyfirst.web.templating import CSRF_MARK, EMAIL_MARK
from tests.web.env import WebEnv


def csrf_of(env: WebEnv, client: Any) -> str:
    info = env.state.db.session_info(client.cookies.get("sf_session") or "")
    assert info is not None
    return str(info.csrf_secret)


@pytest.mark.parametrize(("page", "builder"), [("dashboard", "dashboard_context"),
                                                ("dialogue", "dialogue_context")])
def test_a_page_is_rendered_once_and_carries_each_callers_own_token(
        fresh_web: WebEnv, monkeypatch: pytest.MonkeyPatch, page: str, builder: str) -> None:
    calls: list[int] = []
    real = getattr(dashboard_pages, builder)

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(dashboard_pages, builder, counted)
    first, second = fresh_web.login("viewer@acme.org"), fresh_web.login("viewer@acme.org")
    tokens = csrf_of(fresh_web, first), csrf_of(fresh_web, second)
    assert tokens[0] != tokens[1]
    pages = [client.get(f"/w/acme/{page}?range=month") for client in (first, second)]
    assert len(calls) == 1  # the second session got the page rendered for the first, with its own bits
    for response, mine, theirs in ((pages[0], *tokens), (pages[1], *tokens[::-1])):
        html = response.text
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert f'hx-headers=\'{{"X-CSRF-Token": "{mine}"}}\'' in html
        assert f'<input type="hidden" name="csrf_token" value="{mine}">' in html
        assert theirs not in html and CSRF_MARK not in html and EMAIL_MARK not in html
        assert "<span>viewer@acme.org</span>" in html
    # another URL is another page
    fresh_web.login("viewer@acme.org").get(f"/w/acme/{page}?range=quarter")
    assert len(calls) == 2


def test_the_role_is_part_of_the_page(fresh_web: WebEnv) -> None:
    """The owner's dashboard links to the members page; the viewer's (rendered after it) does not."""
    owner = fresh_web.login("owner@acme.org").get("/w/acme/dashboard").text
    viewer = fresh_web.login("viewer@acme.org").get("/w/acme/dashboard").text
    assert 'href="/w/acme/members"' in owner and 'href="/w/acme/members"' not in viewer
    assert "(owner)" in owner and "(viewer)" in viewer
    assert "<span>owner@acme.org</span>" in owner and "<span>viewer@acme.org</span>" in viewer


def test_an_email_is_escaped_in_the_shared_page(fresh_web: WebEnv) -> None:
    fresh_web.state.db.add_user("o'brien&co@acme.org", "correct horse battery", "viewer", "acme")
    html = fresh_web.login("o'brien&co@acme.org").get("/w/acme/dashboard").text
    assert "<span>o&#39;brien&amp;co@acme.org</span>" in html


def test_an_admin_gets_the_admin_navigation_in_the_shared_page(fresh_web: WebEnv) -> None:
    """Rendered first for a plain viewer, the page must not lose an admin's "New workspace" link (or hand it
    to the viewer when rendered first for the admin)."""
    fresh_web.state.db.add_user("admin@acme.org", "correct horse battery", "viewer", "acme")
    fresh_web.state.db.set_admin("admin@acme.org")
    for page in ("dashboard", "dialogue"):
        plain = fresh_web.login("viewer@acme.org").get(f"/w/acme/{page}").text
        admin = fresh_web.login("admin@acme.org").get(f"/w/acme/{page}").text
        again = fresh_web.login("viewer@acme.org").get(f"/w/acme/{page}").text
        link = 'href="/workspaces#new-workspace"'
        assert link in admin and link not in plain and link not in again
