"""Adding a member tells nothing about other workspaces (issue 17.12): inviting an email that has an account
elsewhere and one that has none give the same status, redirect, notice and row; only a login takes the
invitation up."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from strategyfirst.errors import UsageError
from tests.web.env import PASSWORD, WebEnv

NEW_PASSWORD = "another long password"


def answer(env: WebEnv, email: str, owner: TestClient | None = None) -> tuple[int, str, str, str]:
    """What the owner sees after inviting `email`: status, redirect, the notice and the member row, with the
    email itself replaced (it is the one thing allowed to differ)."""
    owner = owner or env.login("owner@acme.org")
    r = owner.post("/w/acme/members", data={"email": email, "role": "editor"}, follow_redirects=False)
    page = owner.get(r.headers["location"]).text
    notice = re.search(r'<p class="ok" role="status">(.*?)</p>', page, flags=re.S)
    row = re.search(rf"<tr class=\"invitation\"><td class=\"name\">{re.escape(email)}</td>.*?</tr>", page, flags=re.S)
    assert notice and row, page
    quoted = email.replace("@", "%40")
    return (r.status_code, r.headers["location"].replace(quoted, "EMAIL"),
            notice.group(1).replace(email, "EMAIL"), row.group(0).replace(email, "EMAIL").replace(quoted, "EMAIL"))


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


def test_removing_asks_first_and_needs_the_csrf_token(fresh_web: WebEnv) -> None:
    db = fresh_web.state.db
    owner = fresh_web.login("owner@acme.org")
    page = owner.get("/w/acme/members").text
    assert 'href="/w/acme/members/remove?email=editor%40acme.org"' in page  # a link to the question, not a POST
    confirm = owner.get("/w/acme/members/remove?email=editor%40acme.org")
    assert confirm.status_code == 200 and "Remove editor@acme.org from acme?" in confirm.text
    assert "They are editor here" in confirm.text and 'action="/w/acme/members/remove"' in confirm.text
    assert 'name="email" value="editor@acme.org"' in confirm.text and "cannot remove yourself" not in confirm.text
    yourself = owner.get("/w/acme/members/remove?email=owner%40acme.org").text
    assert "You cannot remove yourself" in yourself and 'action="/w/acme/members/remove"' not in yourself
    assert db.role_in(db.get_user("editor@acme.org").id, "acme") == "editor"  # type: ignore[union-attr]
    assert owner.get("/w/acme/members/remove?email=nobody%40example.org").status_code == 404
    forged = fresh_web.login("owner@acme.org")
    del forged.headers["X-CSRF-Token"]
    assert forged.post("/w/acme/members/remove", data={"email": "editor@acme.org"}).status_code == 403
    assert db.role_in(db.get_user("editor@acme.org").id, "acme") == "editor"  # type: ignore[union-attr]
    r = owner.post("/w/acme/members/remove", data={"email": "editor@acme.org"}, follow_redirects=False)
    assert r.headers["location"] == "/w/acme/members?removed=editor%40acme.org"
    assert "Removed editor@acme.org from acme." in owner.get(r.headers["location"]).text
    assert db.role_in(db.get_user("editor@acme.org").id, "acme") is None  # type: ignore[union-attr]
    # their all-workspaces token no longer reaches acme
    token = fresh_web.client().get("/api/v1/workspaces/acme/plan", headers={
        "Authorization": f"Bearer {fresh_web.tokens['editor@acme.org']}"})
    assert token.status_code == 404


def test_a_workspace_always_keeps_an_owner(fresh_web: WebEnv) -> None:
    db = fresh_web.state.db
    owner = fresh_web.login("owner@acme.org")
    # nobody changes or removes their own role, so the last owner cannot leave through the page ...
    r = owner.post("/w/acme/members", data={"email": "owner@acme.org", "role": "viewer"})
    assert r.status_code == 422 and "you cannot change your own role: ask another owner" in r.text
    r = owner.post("/w/acme/members/remove", data={"email": "owner@acme.org"})
    assert r.status_code == 422 and "you cannot change your own role" in r.text
    # ... nor through the library every front end uses
    for change in (lambda: db.invite("owner@acme.org", "editor", "acme"),
                   lambda: db.remove_member("owner@acme.org", "acme")):
        with pytest.raises(UsageError, match=r"owner@acme\.org is the last owner of 'acme': make someone else owner"):
            change()
    assert db.role_in(db.get_user("owner@acme.org").id, "acme") == "owner"  # type: ignore[union-attr]
    # with a second owner, one may demote the other; the one left is then the last
    owner.post("/w/acme/members", data={"email": "editor@acme.org", "role": "owner"})
    second = fresh_web.login("editor@acme.org")
    r = second.post("/w/acme/members", data={"email": "owner@acme.org", "role": "viewer"}, follow_redirects=False)
    assert r.status_code == 303
    assert [(m.user.email, m.role) for m in db.members("acme") if m.role == "owner"] == [("editor@acme.org", "owner")]
    with pytest.raises(UsageError, match="last owner"):
        db.remove_member("editor@acme.org", "acme")


def test_a_role_changes_from_its_row(fresh_web: WebEnv) -> None:
    owner = fresh_web.login("owner@acme.org")
    page = owner.get("/w/acme/members").text
    row = re.search(r"<tr><td class=\"name\">viewer@acme.org</td>.*?</tr>", page, flags=re.S)
    assert row and 'aria-label="Role of viewer@acme.org"' in row.group(0)
    assert '<option selected>viewer</option>' in row.group(0)
    # no form for yourself
    assert re.search(r"<tr><td class=\"name\">owner@acme.org</td>\s*<td>owner \(you\)</td>", page)
    owner.post("/w/acme/members", data={"email": "viewer@acme.org", "role": "editor"})
    db = fresh_web.state.db
    assert db.role_in(db.get_user("viewer@acme.org").id, "acme") == "editor"  # type: ignore[union-attr]


def test_the_members_csv_is_for_owners_only(fresh_web: WebEnv) -> None:
    owner = fresh_web.login("owner@acme.org")
    answer(fresh_web, "newcomer@example.org", owner)
    r = owner.get("/w/acme/members.csv")
    assert r.status_code == 200 and 'filename="acme-members.csv"' in r.headers["content-disposition"]
    rows = [line.split(",") for line in r.text.splitlines()]
    assert rows[0] == ["email", "role", "status", "since", "invited_by"]
    assert [(x[0], x[1], x[2], x[4]) for x in rows[1:]] == [
        ("editor@acme.org", "editor", "member", ""), ("owner@acme.org", "owner", "member", ""),
        ("viewer@acme.org", "viewer", "member", ""), ("newcomer@example.org", "editor", "invited", "owner@acme.org")]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", x[3]) for x in rows[1:])
    assert fresh_web.login("editor@acme.org").get("/w/acme/members.csv").status_code == 403
    assert fresh_web.login("viewer@acme.org").get("/w/acme/members.csv").status_code == 403
    assert fresh_web.login("outsider@globex.org").get("/w/acme/members.csv").status_code == 404
