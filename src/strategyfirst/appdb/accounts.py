"""Users, workspace roles, browser sessions, API tokens and login attempts.

Passwords are argon2id hashes (argon2-cffi); session cookies and API tokens are random and only their sha256
is stored, so a copy of the database lets nobody log in.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from strategyfirst.appdb.base import DBCore
from strategyfirst.appdb.models import (
    ACCESS,
    ROLES,
    ApiToken,
    Invitation,
    LoginAttempt,
    Membership,
    User,
    UserSession,
    WorkspaceRow,
    utcnow,
)
from strategyfirst.errors import UsageError

MIN_PASSWORD = 8
SESSION_LIFETIME = dt.timedelta(days=7)
TOKEN_PREFIX = "sf_"
TOKEN_NAME_MAX = 100
EMAIL_MAX = 320  # characters of an email address (RFC 3696), as the tables store it
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against for unknown emails (same timing); hashed on first use, not at import (~0.15 s)."""
    return _hasher.hash("not a real password")


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > EMAIL_MAX:  # said before it is quoted: a pasted page is not sent back
        raise UsageError(f"an email address is at most {EMAIL_MAX} characters (this one has {len(email):,})")
    if "@" not in email or email.startswith("@") or email.endswith("@") or any(c.isspace() for c in email):
        raise UsageError(f"{email!r} is not an email address")
    return email


def check_password(password: str) -> None:
    """Refuse empty and short passwords (there is no default password)."""
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is too short: use at least {MIN_PASSWORD} characters")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; use one of owner, editor, viewer")
    return role


def check_token_name(name: str) -> str:
    """A token's label, trimmed: 1 to 100 characters (it is how the token is known and revoked)."""
    name = name.strip()
    if not name or len(name) > TOKEN_NAME_MAX:
        raise UsageError(f"name: give the token a name of 1 to {TOKEN_NAME_MAX} characters (e.g. 'weekly-export')")
    return name


def role_at_least(role: str | None, needed: str) -> bool:
    """True when `role` grants what `needed` grants (owner > editor > viewer)."""
    return role is not None and ROLES.index(role) >= ROLES.index(check_role(needed))


def _keep_an_owner(s: Session, workspace_id: int, leaving: int, why: str) -> None:
    """Refuse a change that would leave the workspace without an owner (nobody could manage its members)."""
    others = s.scalar(select(func.count()).select_from(Membership).where(
        Membership.workspace_id == workspace_id, Membership.role == "owner", Membership.id != leaving))
    if not others:
        raise UsageError(f"{why}: make someone else owner first (a workspace always keeps one)")


@dataclass(frozen=True)
class NewSession:
    """A just-created browser session: `token` goes in the cookie (shown once), `csrf` in forms."""

    token: str
    csrf: str
    expires_at: dt.datetime
    user: User

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # how exactly a token's last use is recorded


class AccountsMixin(DBCore):
    # --- users and memberships ----------------------------------------------------------------------------
    def get_user(self, email: str) -> User | None:
        with self.session() as s:
            return s.scalar(select(User).where(User.email == normalise_email(email)))

    def add_user(self, email: str, password: str | None, role: str, workspace_slug: str) -> User:
        """Create the user (password required) or, if the email exists, keep its password and add/change its
        membership of `workspace_slug` with `role`."""
        email, role = normalise_email(email), check_role(role)
        for _attempt in range(3):
            try:
                with self.session() as s:
                    wid = self.workspace_row(s, workspace_slug).id
                    user = s.scalar(select(User).where(User.email == email))
                    if user is None:
                        if password is None:
                            raise UsageError(f"{email} is a new user: a password is needed")
                        check_password(password)
                        user = User(email=email, password_hash=_hasher.hash(password), created_at=utcnow())
                        s.add(user)
                        s.flush()
                    member = s.scalar(select(Membership).where(Membership.user_id == user.id,
                                                               Membership.workspace_id == wid))
                    if member is None:
                        s.add(Membership(user_id=user.id, workspace_id=wid, role=role, created_at=utcnow()))
                    else:
                        member.role = role
                return user
            except IntegrityError:
                continue  # the same user added concurrently: the next pass finds it
        raise UsageError(f"could not add {email} (concurrent changes); try again")

    def set_admin(self, email: str, admin: bool = True) -> User:
        """Make the user an admin (may create workspaces from the web) or take that away."""
        with self.session() as s:
            user = s.scalar(select(User).where(User.email == normalise_email(email)))
            if user is None:
                raise UsageError(f"no user {email}; add one with `strategyfirst users add`")
            user.is_admin = admin
            return user

    def may_scope_all(self, user: User | int) -> bool:
        """True for an admin, or a user who owns every workspace they are a member of (and has one): only
        they may make an all-workspaces token from the web, since it reaches beyond any one owner's view."""
        uid = user if isinstance(user, int) else user.id
        with self.reading() as s:
            if s.scalar(select(User.is_admin).where(User.id == uid)):
                return True
            roles = set(s.scalars(select(Membership.role).where(Membership.user_id == uid)))
        return roles == {"owner"}

    def set_password(self, email: str, password: str) -> None:
        """Change the password and end the user's browser sessions."""
        check_password(password)
        with self.session() as s:
            uid = s.scalar(select(User.id).where(User.email == normalise_email(email)))
            if uid is None:
                raise UsageError(f"no user {email}")
            s.execute(update(User).where(User.id == uid).values(password_hash=_hasher.hash(password)))
            s.execute(delete(UserSession).where(UserSession.user_id == uid))

    def remove_member(self, email: str, slug: str) -> bool:
        """Take the user's role in the workspace away; False when they had none."""
        with self.session() as s:
            wid = self.workspace_row(s, slug).id
            uid = s.scalar(select(User.id).where(User.email == normalise_email(email)))
            if uid is None:
                return False
            member = s.scalar(select(Membership).where(Membership.user_id == uid, Membership.workspace_id == wid))
            if member is not None and member.role == "owner":
                _keep_an_owner(s, wid, member.id, f"{normalise_email(email)} is the last owner of {slug!r}")
            gone = s.execute(delete(Membership).where(Membership.user_id == uid,
                                                      Membership.workspace_id == wid))
            return bool(gone.rowcount)  # type: ignore[attr-defined]

    def verify_password(self, email: str, password: str) -> User | None:
        """The user if `password` is theirs, else None (unknown emails take as long as wrong passwords)."""
        with self.reading() as s:  # the hash is checked outside any transaction: logins do not queue requests
            user = s.scalar(select(User).where(User.email == email.strip().lower()))
        try:
            _hasher.verify(user.password_hash if user else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            rehashed = _hasher.hash(password)
            with self.session() as s:
                s.execute(update(User).where(User.id == user.id).values(password_hash=rehashed))
            user.password_hash = rehashed
        return user

    def role_in(self, user: User | int, slug: str) -> str | None:
        """The user's role in the workspace, or None when not a member (or no such workspace)."""
        uid = user if isinstance(user, int) else user.id
        with self.reading() as s:
            return s.scalar(select(Membership.role).join(WorkspaceRow).where(
                Membership.user_id == uid, WorkspaceRow.slug == slug))

    def memberships(self, user: User | int) -> list[Membership]:
        """The user's memberships (with `.workspace` and `.role`), by workspace slug."""
        uid = user if isinstance(user, int) else user.id
        with self.session() as s:
            rows = s.scalars(select(Membership).where(Membership.user_id == uid))
            return sorted(rows, key=lambda m: m.workspace.slug)

    def members(self, slug: str) -> list[Membership]:
        """The members of a workspace (with `.user` and `.role`), by email."""
        with self.session() as s:
            wid = self.workspace_row(s, slug).id
            rows = s.scalars(select(Membership).where(Membership.workspace_id == wid))
            return sorted(rows, key=lambda m: m.user.email)

    # --- invitations --------------------------------------------------------------------------------------
    def invite(self, email: str, role: str, slug: str, invited_by: str | None = None) -> bool:
        """Offer `role` in the workspace to `email`: a member's role changes at once (True); anyone else —
        a user of another workspace or an email with no account — gets a pending invitation (False), taken up
        at their next login, so the answer never tells whether an account exists."""
        email, role = normalise_email(email), check_role(role)
        with self.session() as s:
            wid = self.workspace_row(s, slug).id
            member = s.scalar(select(Membership).join(User).where(User.email == email,
                                                                  Membership.workspace_id == wid))
            if member is not None:
                if member.role == "owner" and role != "owner":
                    _keep_an_owner(s, wid, member.id, f"{email} is the last owner of {slug!r}")
                member.role = role
                return True
            found = s.scalar(select(Invitation).where(Invitation.workspace_id == wid, Invitation.email == email))
            if found is None:
                s.add(Invitation(workspace_id=wid, email=email, role=role, invited_by=invited_by,
                                 created_at=utcnow()))
            else:
                found.role, found.invited_by, found.created_at = role, invited_by, utcnow()
            return False

    def invitations(self, slug: str) -> list[Invitation]:
        """The workspace's pending invitations, by email."""
        with self.session() as s:
            wid = self.workspace_row(s, slug).id
            return list(s.scalars(select(Invitation).where(Invitation.workspace_id == wid)
                                  .order_by(Invitation.email)))

    def cancel_invitation(self, email: str, slug: str) -> bool:
        """Withdraw a pending invitation; False when there was none."""
        with self.session() as s:
            wid = self.workspace_row(s, slug).id
            gone = s.execute(delete(Invitation).where(Invitation.workspace_id == wid,
                                                      Invitation.email == normalise_email(email)))
            return bool(gone.rowcount)  # type: ignore[attr-defined]

    def take_up_invitations(self, user: User | int) -> list[str]:
        """The user's pending invitations become memberships (an existing membership keeps its role); returns
        the slugs joined."""
        uid = user if isinstance(user, int) else user.id
        joined = []
        with self.session() as s:
            email = s.scalar(select(User.email).where(User.id == uid))
            for inv in s.scalars(select(Invitation).where(Invitation.email == email)):
                if s.scalar(select(Membership.id).where(Membership.user_id == uid,
                                                        Membership.workspace_id == inv.workspace_id)) is None:
                    s.add(Membership(user_id=uid, workspace_id=inv.workspace_id, role=inv.role, created_at=utcnow()))
                    joined.append(inv.workspace.slug)
                s.delete(inv)
        return joined

    # --- browser sessions ---------------------------------------------------------------------------------
    def create_session(self, user: User | int, lifetime: dt.timedelta = SESSION_LIFETIME) -> NewSession:
        uid = user if isinstance(user, int) else user.id
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.session() as s:
            row = UserSession(token_hash=sha256(token), user_id=uid, csrf_secret=csrf, created_at=utcnow(),
                              expires_at=utcnow() + lifetime)
            s.add(row)
            s.flush()
            s.refresh(row)
            return NewSession(token, csrf, row.expires_at, row.user)

    def session_info(self, token: str) -> UserSession | None:
        """The live session of a cookie value (with `.user` and `.csrf_secret`); expired ones are deleted."""
        with self.reading() as s:
            row = s.scalar(select(UserSession).where(UserSession.token_hash == sha256(token)))
        if row is None:
            return None
        if row.expires_at <= utcnow():
            with self.session() as s:
                s.execute(delete(UserSession).where(UserSession.id == row.id))
            return None
        return row

    def session_user(self, token: str) -> User | None:
        info = self.session_info(token)
        return info.user if info else None

    def delete_session(self, token: str) -> None:
        with self.session() as s:
            s.execute(delete(UserSession).where(UserSession.token_hash == sha256(token)))

    # --- API tokens ---------------------------------------------------------------------------------------
    def create_api_token(self, email: str, name: str = "default", workspace: str | None = None,
                         access: str = "write", *, strict: bool = False) -> str:
        """A new token for the user, for `workspace` (a slug the user is a member of) or all of the user's
        workspaces (None), with `access` read or write: returned in plaintext this once; only its sha256 is
        stored. `strict` (the web) refuses an all-workspaces token to anyone `may_scope_all` refuses, and a
        name the user already has a live token by (a resubmitted form makes no second secret); the CLI's
        operator can already read the whole database and is not held to it."""
        if access not in ACCESS:
            raise UsageError(f"unknown access {access!r}; use read or write")
        name = check_token_name(name)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.session() as s:
            user = s.scalar(select(User).where(User.email == normalise_email(email)))
            if user is None:
                raise UsageError(f"no user {email}; add one with `strategyfirst users add`")
            wid = None
            if workspace is not None:
                wid = self.workspace_row(s, workspace).id
                if s.scalar(select(Membership.id).where(Membership.user_id == user.id,
                                                        Membership.workspace_id == wid)) is None:
                    raise UsageError(f"{user.email} is not a member of {workspace!r}: a token for it could do "
                                     f"nothing (add the role with `strategyfirst users add`)")
            elif strict and not self.may_scope_all(user.id):
                raise UsageError("scope: only an admin or a user who owns every one of their workspaces may "
                                 "create an all-workspaces token; choose one workspace")
            if strict and s.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.name == name,
                                                             ApiToken.revoked_at.is_(None))) is not None:
                raise UsageError(f"name: you already have a live token named {name!r}; choose another name (or "
                                 "revoke that one first)")
            s.add(ApiToken(user_id=user.id, name=name, token_hash=sha256(token), created_at=utcnow(),
                           workspace_id=wid, access=access))
        return token

    def api_tokens(self, email: str) -> list[ApiToken]:
        """The user's tokens (hashes, names, scopes, dates; revoked ones too), oldest first."""
        with self.session() as s:
            return list(s.scalars(select(ApiToken).join(User).where(User.email == normalise_email(email))
                                  .order_by(ApiToken.id)))

    def workspace_tokens(self, slug: str) -> list[ApiToken]:
        """The tokens that reach the workspace, revoked ones too, oldest first: those scoped to it and the
        all-workspaces tokens of its members (what an owner must see to know who can call its API)."""
        with self.session() as s:
            wid = self.workspace_row(s, slug).id
            members = select(Membership.user_id).where(Membership.workspace_id == wid)
            return list(s.scalars(select(ApiToken).where(
                (ApiToken.workspace_id == wid)
                | (ApiToken.workspace_id.is_(None) & ApiToken.user_id.in_(members))).order_by(ApiToken.id)))

    def may_revoke(self, token: ApiToken, slug: str, by: User) -> bool:
        """An owner of `slug` may revoke the tokens scoped to it (anyone's: a script must be stoppable) and
        their own; an admin any token reaching it. Another member's all-workspaces token also reaches
        workspaces this owner does not own: removing the member is this owner's lever for it."""
        if by.is_admin or token.user_id == by.id:
            return True
        return token.workspace is not None and token.workspace.slug == slug

    def revoke_workspace_token(self, slug: str, token_id: int, by: User) -> ApiToken:
        """Revoke one token reaching `slug` on behalf of `by` (an owner there): the row as revoked. A token
        that does not reach the workspace is 'no such token', whoever asks."""
        found = next((t for t in self.workspace_tokens(slug) if t.id == token_id), None)
        if found is None:
            raise UsageError(f"no token #{token_id} reaches workspace {slug!r}")
        if not self.may_revoke(found, slug, by):
            raise UsageError(f"token {found.name!r} is {found.user.email}'s for all their workspaces: they or "
                             "an admin revoke it (or remove them from this workspace)")
        if not found.revoked:
            self.revoke_token(found.user.email, token_id=found.id)
        return next(t for t in self.workspace_tokens(slug) if t.id == token_id)

    def token_info(self, token: str) -> ApiToken | None:
        """The live (not revoked) token row (with `.user`, `.workspace` and `.access`), noting when it was
        used; None otherwise."""
        with self.reading() as s:
            row = s.scalar(select(ApiToken).where(ApiToken.token_hash == sha256(token),
                                                  ApiToken.revoked_at.is_(None)))
        if row is None:
            return None
        now = utcnow()
        # To the minute: a write (and on SQLite a file sync) on every API request would cost more than the
        # request itself under load and serialise every request on the database's write lock.
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            with self.session() as s:
                s.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
            row.last_used_at = now
        return row

    def token_user(self, token: str) -> User | None:
        """The user of a live (not revoked) token, noting when it was used; None otherwise."""
        row = self.token_info(token)
        return row.user if row else None

    def revoke_token(self, email: str, name: str | None = None, token_id: int | None = None,
                     token: str | None = None) -> int:
        """Revoke the user's live tokens matching `name`, `token_id` or the plaintext `token` (all of them
        when none is given); returns how many were revoked."""
        with self.session() as s:
            uid = s.scalar(select(User.id).where(User.email == normalise_email(email)))
            if uid is None:
                raise UsageError(f"no user {email}")
            query = update(ApiToken).where(ApiToken.user_id == uid, ApiToken.revoked_at.is_(None))
            if name is not None:
                query = query.where(ApiToken.name == name)
            if token_id is not None:
                query = query.where(ApiToken.id == token_id)
            if token is not None:
                query = query.where(ApiToken.token_hash == sha256(token))
            return int(s.execute(query.values(revoked_at=utcnow())).rowcount or 0)  # type: ignore[attr-defined]

    # --- login rate limiting ------------------------------------------------------------------------------
    def record_login_attempt(self, email: str, ip: str, success: bool) -> None:
        with self.session() as s:
            s.add(LoginAttempt(email=email.strip().lower(), ip=ip, success=success, at=utcnow()))

    def too_many_attempts(self, email: str, ip: str, limit: int = 5,
                          window: dt.timedelta = dt.timedelta(minutes=15), ip_limit: int = 50) -> bool:
        """True when, within `window` and since its last successful login, `email` has had `limit` failed
        logins (from anywhere), or `ip` has had `ip_limit` failed logins (any email) within `window`."""
        email = email.strip().lower()
        since = utcnow() - window
        failed = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.success.is_(False))
        with self.session() as s:
            last_ok = s.scalar(select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email,
                                                                       LoginAttempt.success.is_(True)))
            by_email = s.scalar(failed.where(LoginAttempt.email == email,
                                             LoginAttempt.at >= max(since, last_ok or since))) or 0
            by_ip = s.scalar(failed.where(LoginAttempt.ip == ip, LoginAttempt.at >= since)) or 0
        return by_email >= limit or by_ip >= ip_limit

    def prune(self, older_than: dt.timedelta = dt.timedelta(days=30)) -> None:
        """Delete expired sessions and old login attempts."""
        with self.session() as s:
            s.execute(delete(UserSession).where(UserSession.expires_at <= utcnow()))
            s.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - older_than))
