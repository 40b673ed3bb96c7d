"""Adding a member tells nothing about other workspaces (issue 17.12): inviting an email that has an account
elsewhere and one that has none give the same status, redirect, notice and row; only a login takes the
invitation up."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.env import PASSWORD, WebEnv

NEW_PASSWORD = "another long password"


def answer(env: WebEnv, email: str, owner: TestClient | None = None) -> tuple[int, str, str, str]:
    """What the owner sees after inviting `email`: status, redirect, the notice and the member row, with the
    email itself replaced (it is the one thing allowed to differ)."""
    owner = owner or env.login("owner@acme.org")
    r = owner.post("/w/acme/members", data={"email": email, "role": "editor"}, follow_redirects=False)
    page = owner.get(r.headers["location"]).text
    notice = re.search(r'<p class="ok" role="status">(.*?)</p>', page, flags=re.S)
    row = re.search(rf"<tr class=\"invitation\"><td>{re.escape(email)}</td>.*?</tr>", page, flags=re.S)
    assert notice and row, page
    quoted = email.replace("@", "%40")
    return (r.status_code, r.headers["location"].replace(quoted, "EMAIL"),
            notice.group(1).replace(email, "EMAIL"), row.group(0).replace(email, "EMAIL"))


def test_an_existing_and_an_unknown_email_get_the_same_answer(fresh_web: WebEnv) -> None:
    existing = "outsider@globex.org"            # owner of globex: an account exists
    unknown = "nobody-at-all@example.org"       # no account anywhere
    assert fresh_web.state.db.get_user(existing) is not None and fresh_web.state.db.get_user(unknown) is None
    owner = fresh_web.login("owner@acme.org")        # one session: the forms carry the same CSRF token
    a, b = answer(fresh_web, existing, owner), answer(fresh_web, unknown, owner)
    assert a == b
    assert a[0] == 303 and a[1] == "/w/acme/members?invited=EMAIL"
    assert "Invited EMAIL" in a[2]
    # nothing was granted yet: neither can see acme until they log in
    assert fresh_web.state.db.role_in(fresh_web.state.db.get_user(existing).id, "acme") is None  # type: ignore[union-attr]
    assert sorted(i.email for i in fresh_web.state.db.invitations("acme")) == [unknown, existing]


def test_the_invitation_is_taken_up_at_login(fresh_web: WebEnv) -> None:
    db = fresh_web.state.db
    answer(fresh_web, "outsider@globex.org")
    answer(fresh_web, "newcomer@example.org")
    fresh_web.login("outsider@globex.org", PASSWORD)
    assert db.role_in(db.get_user("outsider@globex.org").id, "acme") == "editor"  # type: ignore[union-attr]
    assert db.role_in(db.get_user("outsider@globex.org").id, "globex") == "owner"  # type: ignore[union-attr]
    # someone without an account gets one the usual way (`users add` elsewhere), then logs in
    db.add_user("newcomer@example.org", NEW_PASSWORD, "viewer", "globex")
    assert db.role_in(db.get_user("newcomer@example.org").id, "acme") is None  # type: ignore[union-attr]
    fresh_web.login("newcomer@example.org", NEW_PASSWORD)
    assert db.role_in(db.get_user("newcomer@example.org").id, "acme") == "editor"  # type: ignore[union-attr]
    assert db.invitations("acme") == []


def test_a_member_role_changes_at_once_and_an_invitation_can_be_withdrawn(fresh_web: WebEnv) -> None:
    db = fresh_web.state.db
    owner = fresh_web.login("owner@acme.org")
    r = owner.post("/w/acme/members", data={"email": "viewer@acme.org", "role": "editor"}, follow_redirects=False)
    assert r.headers["location"] == "/w/acme/members?changed=viewer%40acme.org"
    assert db.role_in(db.get_user("viewer@acme.org").id, "acme") == "editor"  # type: ignore[union-attr]
    answer(fresh_web, "outsider@globex.org")
    owner.post("/w/acme/members/remove", data={"email": "outsider@globex.org"})
    assert db.invitations("acme") == []
    fresh_web.login("outsider@globex.org", PASSWORD)
    assert db.role_in(db.get_user("outsider@globex.org").id, "acme") is None  # type: ignore[union-attr]
