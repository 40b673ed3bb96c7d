"""Users (argon2 hashes), roles per workspace, server-side sessions, API tokens (hash only), rate limiting."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text, update

from strategyfirst.appdb import AppDB, LoginAttempt, open_appdb, role_at_least
from strategyfirst.errors import UsageError
from tests.appdb.conftest import make_workspace

PASSWORD = "correct horse battery"


def test_passwords_are_stored_as_argon2id_and_wrong_ones_rejected(db: AppDB) -> None:
    user = db.add_user("Ana@Acme.org ", PASSWORD, "owner", db.slug)
    assert user.email == "ana@acme.org"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, PASSWORD)  # argon2-cffi itself accepts it
    ok = db.verify_password("ana@acme.org", PASSWORD)
    assert ok is not None and ok.id == user.id
    assert db.verify_password("ana@acme.org", PASSWORD + "!") is None
    assert db.verify_password("ana@acme.org", "") is None
    assert db.verify_password("nobody@acme.org", PASSWORD) is None


@pytest.mark.parametrize("password", ["", "short", "1234567"])
def test_empty_and_short_passwords_are_refused(db: AppDB, password: str) -> None:
    with pytest.raises(UsageError, match="too short"):
        db.add_user("ana@acme.org", password, "owner", db.slug)
    assert db.get_user("ana@acme.org") is None


def test_bad_roles_and_emails_are_refused(db: AppDB) -> None:
    with pytest.raises(UsageError, match="unknown role 'admin'"):
        db.add_user("ana@acme.org", PASSWORD, "admin", db.slug)
    with pytest.raises(UsageError, match="not an email"):
        db.add_user("ana", PASSWORD, "owner", db.slug)
    with pytest.raises(UsageError, match="password is needed"):
        db.add_user("new@acme.org", None, "owner", db.slug)


def test_an_existing_user_added_to_another_workspace_gains_a_membership(db: AppDB, tmp_path: Path,
                                                                       db_url: str) -> None:
    other = open_appdb(make_workspace(tmp_path / "beta"), db_url)
    first = db.add_user("ana@acme.org", PASSWORD, "owner", db.slug)
    again = other.add_user("ana@acme.org", None, "viewer", "beta")
    assert again.id == first.id and again.password_hash == first.password_hash
    assert db.role_in(first, "acme") == "owner" and db.role_in(first, "beta") == "viewer"
    roles = [(m.workspace.slug, m.role) for m in db.memberships(first)]
    assert roles == [("acme", "owner"), ("beta", "viewer")]
    db.add_user("ana@acme.org", None, "editor", "beta")  # re-adding changes the role
    assert db.role_in(first.id, "beta") == "editor"
    bob = db.add_user("bob@acme.org", PASSWORD, "viewer", db.slug)
    assert db.role_in(bob, "beta") is None and db.role_in(bob, "no-such-workspace") is None
    assert [(m.user.email, m.role) for m in db.members("acme")] == [("ana@acme.org", "owner"),
                                                                    ("bob@acme.org", "viewer")]


def test_role_order() -> None:
    assert role_at_least("owner", "editor") and role_at_least("editor", "editor")
    assert not role_at_least("viewer", "editor") and not role_at_least(None, "viewer")


def test_sessions_live_until_deleted_or_expired(db: AppDB) -> None:
    user = db.add_user("ana@acme.org", PASSWORD, "owner", db.slug)
    s = db.create_session(user)
    assert len(s.token) >= 40 and len(s.csrf) >= 40 and s.token != s.csrf
    found = db.session_user(s.token)
    assert found is not None and found.email == "ana@acme.org"
    info = db.session_info(s.token)
    assert info is not None and info.csrf_secret == s.csrf
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM sessions")).scalars().all()
    assert stored == [hashlib.sha256(s.token.encode()).hexdigest()]
    db.delete_session(s.token)
    assert db.session_user(s.token) is None
    expired = db.create_session(user, lifetime=dt.timedelta(seconds=-1))
    assert db.session_user(expired.token) is None
    assert db.session_user("made-up") is None


def test_api_tokens_are_stored_only_as_sha256_and_revocable(db: AppDB) -> None:
    db.add_user("ana@acme.org", PASSWORD, "editor", db.slug)
    token = db.create_api_token("ana@acme.org", "ci")
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM api_tokens")).mappings().all()
    assert len(rows) == 1
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in rows[0].values())
    user = db.token_user(token)
    assert user is not None and user.email == "ana@acme.org"
    assert db.api_tokens("ana@acme.org")[0].last_used_at is not None
    assert db.token_user(token + "x") is None
    assert db.revoke_token("ana@acme.org", name="other") == 0
    assert db.revoke_token("ana@acme.org", name="ci") == 1
    assert db.token_user(token) is None
    assert db.revoke_token("ana@acme.org", name="ci") == 0  # already revoked
    assert db.api_tokens("ana@acme.org")[0].revoked


def test_revoking_by_id_leaves_the_others(db: AppDB) -> None:
    db.add_user("ana@acme.org", PASSWORD, "editor", db.slug)
    t1, t2 = db.create_api_token("ana@acme.org", "a"), db.create_api_token("ana@acme.org", "b")
    first = db.api_tokens("ana@acme.org")[0]
    assert db.revoke_token("ana@acme.org", token_id=first.id) == 1
    assert db.token_user(t1) is None and db.token_user(t2) is not None
    with pytest.raises(UsageError, match="no user"):
        db.create_api_token("nobody@acme.org", "x")


def test_failed_logins_are_counted_per_email_and_reset_by_success(db: AppDB) -> None:
    for _ in range(4):
        db.record_login_attempt("ana@acme.org", "10.0.0.1", success=False)
    assert not db.too_many_attempts("ana@acme.org", "10.0.0.1")  # 4 < 5
    db.record_login_attempt("ana@acme.org", "10.0.0.2", success=False)
    assert db.too_many_attempts("ANA@acme.org", "10.0.0.9")  # 5 failures for this email, from anywhere
    assert not db.too_many_attempts("bob@acme.org", "10.0.0.1")  # another email, an IP with 4 failures
    db.record_login_attempt("ana@acme.org", "10.0.0.1", success=True)
    assert not db.too_many_attempts("ana@acme.org", "10.0.0.1")
    assert db.too_many_attempts("bob@acme.org", "10.0.0.1", ip_limit=4)  # the IP's 4 failures count


def test_old_failures_fall_out_of_the_window(db: AppDB) -> None:
    for _ in range(5):
        db.record_login_attempt("ana@acme.org", "10.0.0.1", success=False)
    assert db.too_many_attempts("ana@acme.org", "10.0.0.1")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)
    with db.session() as s:
        s.execute(update(LoginAttempt).values(at=old))
        assert len(s.scalars(select(LoginAttempt)).all()) == 5
    assert not db.too_many_attempts("ana@acme.org", "10.0.0.1")  # 15-minute window
    assert db.too_many_attempts("ana@acme.org", "10.0.0.1", window=dt.timedelta(minutes=20))
    db.prune(older_than=dt.timedelta(minutes=10))
    with db.session() as s:
        assert s.scalars(select(LoginAttempt)).all() == []


def test_removing_a_member_and_changing_a_password(db: AppDB) -> None:
    user = db.add_user("ana@acme.org", PASSWORD, "editor", db.slug)
    session = db.create_session(user)
    db.set_password("ana@acme.org", "another long secret")
    assert db.session_user(session.token) is None  # sessions end with the old password
    assert db.verify_password("ana@acme.org", PASSWORD) is None
    assert db.verify_password("ana@acme.org", "another long secret") is not None
    assert db.remove_member("ana@acme.org", db.slug) is True
    assert db.role_in(user, db.slug) is None
    assert db.remove_member("ana@acme.org", db.slug) is False
    assert db.get_user("ana@acme.org") is not None  # the account stays; only the role went
