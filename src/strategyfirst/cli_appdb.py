"""The app-database commands (`decide`, `history`, `users`, `tokens`), registered on the main Typer app by
`register`: each parses its options, makes one library call (`strategyfirst.appdb`) and renders the result.
"""

from __future__ import annotations

import getpass
import json
import sys
import warnings
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from strategyfirst.cli_options import HERE, Format, OnceGroup, WsOpt, version_number
from strategyfirst.errors import HistoryWarning, PlanError, UsageError
from strategyfirst.workspace import Workspace

DbOpt = Annotated[str | None, typer.Option(
    "--db", help="App database URL (default: STRATEGYFIRST_DB, else the one the workspace remembers, else "
    "WORKSPACE/.strategyfirst/app.sqlite).", show_default=False)]




def read_password(force_stdin: bool) -> str:
    """The new password: stdin's first line when piped (or --password-stdin), else prompted twice."""
    if force_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def register(app: typer.Typer, out: Console, err: Console) -> None:
    """Add `decide`, `history`, `users …` and `tokens …` to `app`."""

    def list_quickly(ws: Workspace, fmt: Format) -> bool:
        """`history` (the list) through sqlite3 where `appdb.lite` can open the database; False otherwise."""
        import sqlite3

        from strategyfirst import plan_seen
        from strategyfirst.appdb.lite import note_plan, open_lite
        from strategyfirst.appdb.render import history_json, history_text

        lite = open_lite(ws)
        if lite is None:
            return False
        with lite:
            try:
                recorded = note_plan(ws, lite)  # as ws.note_plan() below
                shown = (json.dumps(history_json(lite, lite.slug), indent=2, ensure_ascii=False)
                         if fmt is Format.json else history_text(lite, lite.slug))
            except sqlite3.Error as exc:
                raise lite.failed(exc) from exc
        if recorded:
            plan_seen.remember(ws)
        if fmt is Format.json:
            typer.echo(shown)
        else:
            out.print(escape(shown), end="", highlight=False)
        return True

    @app.command()
    def decide(
        text: Annotated[str, typer.Argument(help="What was decided (and why, briefly).")],
        objective: Annotated[str | None, typer.Option(help="Objective id the decision is about.")] = None,
        tactic: Annotated[str | None, typer.Option(help="Tactic id the decision is about.")] = None,
        author: Annotated[str | None, typer.Option(help="Who decided (default: your login name).")] = None,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
        ws_path: WsOpt = HERE,
        db: DbOpt = None,
    ) -> None:
        """Record a decision with the current plan version and the current verdicts as evidence.

        The evidence is the diagnosis kept by the last `diagnose` or `report` when the data, the plan and the
        code are unchanged since (.strategyfirst/cache/); otherwise the workspace is diagnosed now."""
        from strategyfirst.appdb.decide import decide_quickly as record
        from strategyfirst.appdb.render import decision_json, entry_line
        from strategyfirst.errors import HistoryWarning

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", HistoryWarning)
            decision = record(Workspace(ws_path, db_url=db), text, objective, tactic,
                              author=author or getpass.getuser())
        for w in (w for w in caught if issubclass(w.category, HistoryWarning)):
            err.print(f"[yellow]warning:[/] {escape(str(w.message))}", highlight=False)
        if fmt is Format.json:
            typer.echo(json.dumps(decision_json(decision), indent=2, ensure_ascii=False))
        else:
            out.print(escape(entry_line(decision)), highlight=False)

    @app.command()
    def history(
        diff: Annotated[tuple[str, str] | None, typer.Option(
            "--diff", metavar="A B", help="Show the plan diff from version A to version B (v2 or 2).",
            show_default=False)] = None,
        show: Annotated[str | None, typer.Option(
            metavar="N", help="Print the text of plan version N (v2 or 2).", show_default=False)] = None,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
        ws_path: WsOpt = HERE,
        db: DbOpt = None,
    ) -> None:
        """List plan versions and decisions in time order, or diff two plan versions."""
        from strategyfirst.appdb.decide import check_plan
        from strategyfirst.appdb.render import diff_json, history_json, history_text, plan_changes, plan_diff

        numbers = tuple(version_number(v) for v in diff) if diff is not None else None
        shown = version_number(show) if show is not None else None
        ws = Workspace(ws_path, db_url=db)
        try:
            check_plan(ws)
            broken = False
        except PlanError as exc:
            # A plan that does not load is no version; what was recorded before is still listed, shown and
            # compared (the way back to the last plan that loaded: `history --show N`).
            first = exc.problems[0] if exc.problems else exc
            more = f" (and {len(exc.problems) - 1} more: run `strategyfirst lint`)" if len(exc.problems) > 1 else ""
            warnings.warn(f"plan history not recorded: {first}{more}", HistoryWarning, stacklevel=1)
            broken = True
        if numbers is None and shown is None and list_quickly(ws, fmt):
            return
        appdb = ws.history_db()
        if not broken:
            ws.note_plan()  # an edited strategy.yaml shows up as the newest version (a no-op when recorded)
        if numbers is not None:
            old, new = (appdb.plan_version(appdb.slug, n) for n in numbers)
            if fmt is Format.json:
                typer.echo(json.dumps(diff_json(appdb.slug, old, new), indent=2, ensure_ascii=False))
            else:
                changes = plan_changes(old, new)
                for line in changes.lines() if changes else []:
                    err.print(escape(line), highlight=False)
                sys.stdout.write(plan_diff(old, new) or f"versions {old.number} and {new.number} are equal\n")
        elif shown is not None:
            sys.stdout.write(appdb.plan_version(appdb.slug, shown).text)
        elif fmt is Format.json:
            typer.echo(json.dumps(history_json(appdb, appdb.slug), indent=2, ensure_ascii=False))
        else:
            out.print(escape(history_text(appdb, appdb.slug)), end="", highlight=False)

    users = typer.Typer(help="Accounts of the web app (no default user exists).", no_args_is_help=True,
                        cls=OnceGroup)
    tokens = typer.Typer(help="API tokens for scripts (only their hash is stored).", no_args_is_help=True,
                         cls=OnceGroup)
    app.add_typer(users, name="users")
    app.add_typer(tokens, name="tokens")

    @users.command("add")
    def users_add(
        email: Annotated[str, typer.Argument(help="The user's email (their login).")],
        role: Annotated[str, typer.Option(help="owner, editor or viewer in this workspace.")],
        password_stdin: Annotated[bool, typer.Option(
            "--password-stdin", help="Read the password from stdin (implied when stdin is not a terminal).")]
        = False,
        ws_path: WsOpt = HERE,
        db: DbOpt = None,
    ) -> None:
        """Add a user with a role in the workspace (an existing user keeps their password)."""
        from strategyfirst.appdb.accounts import check_role, normalise_email

        check_role(role)
        appdb = Workspace(ws_path, db_url=db).history_db()
        existing = appdb.get_user(normalise_email(email))
        password = None if existing else read_password(password_stdin)
        user = appdb.add_user(email, password, role, appdb.slug)
        what = "existing user, password unchanged" if existing else "new user"
        err.print(f"{escape(user.email)}: {role} of {escape(appdb.slug)} ({what})", highlight=False)

    @users.command("list")
    def users_list(ws_path: WsOpt = HERE, db: DbOpt = None) -> None:
        """The workspace's members and their roles."""
        appdb = Workspace(ws_path, db_url=db).history_db()
        for m in appdb.members(appdb.slug):
            typer.echo(f"{m.user.email}\t{m.role}")

    @users.command("admin")
    def users_admin(
        email: Annotated[str, typer.Argument(help="An existing user's email.")],
        off: Annotated[bool, typer.Option("--off", help="Take the admin right away instead.")] = False,
        ws_path: WsOpt = HERE,
        db: DbOpt = None,
    ) -> None:
        """Make a user an admin of the app database (or take the right away with --off).

        An admin creates workspaces from the web and may make all-workspaces tokens there; an admin holds no role
        in a workspace until one is given."""
        user = Workspace(ws_path, db_url=db).history_db().set_admin(email, not off)
        err.print(f"{escape(user.email)}: {'no longer an admin' if off else 'admin'}", highlight=False)

    @tokens.command("create")
    def tokens_create(
        email: Annotated[str, typer.Argument(help="The user the token acts as.")],
        name: Annotated[str, typer.Option(help="A label to know (and revoke) the token by.")] = "default",
        access: Annotated[str, typer.Option(help="read (GET only) or write (the user's role).")] = "read",
        all_workspaces: Annotated[bool, typer.Option(
            "--all-workspaces", help="Valid in every workspace of the user, not only this one.")] = False,
        ws_path: WsOpt = HERE,
        db: DbOpt = None,
    ) -> None:
        """Create an API token for this workspace (or --all-workspaces), printed once.

        Read-only unless --access write. The token is the last line printed; only its hash is stored."""
        appdb = Workspace(ws_path, db_url=db).history_db()
        scope = None if all_workspaces else appdb.slug
        token = appdb.create_api_token(email, name, workspace=scope, access=access)
        where = "all workspaces of the user" if scope is None else scope
        err.print(f"token {escape(name)!r} for {escape(email)} ({escape(where)}, {access}) — copy it now, it is "
                  "not shown again:", highlight=False)
        typer.echo(token)

    @tokens.command("list")
    def tokens_list(email: Annotated[str, typer.Argument()], ws_path: WsOpt = HERE, db: DbOpt = None) -> None:
        """The user's tokens: id, name, scope, created, last used, revoked (never the token itself).

        The scope is this workspace or all of the user's, read or write."""
        from strategyfirst.appdb.render import iso

        for t in Workspace(ws_path, db_url=db).history_db().api_tokens(email):
            used = iso(t.last_used_at) if t.last_used_at else "never"
            state = f"revoked {iso(t.revoked_at)}" if t.revoked_at else "live"
            typer.echo(f"{t.id}\t{t.name}\t{t.scope}\tcreated {iso(t.created_at)}\tused {used}\t{state}")

    @tokens.command("revoke")
    def tokens_revoke(
        email: Annotated[str, typer.Argument(help="The token's user.")],
        name: Annotated[str | None, typer.Option(help="Revoke the live tokens with this name.")] = None,
        token_id: Annotated[int | None, typer.Option("--id", help="Revoke the token with this id.")] = None,
        all_tokens: Annotated[bool, typer.Option("--all", help="Revoke all the user's tokens.")] = False,
        ws_path: WsOpt = HERE,
        db: DbOpt = None,
    ) -> None:
        """Revoke tokens of a user (by --name, --id or --all); exit 1 when none matched."""
        if name is None and token_id is None and not all_tokens:
            raise UsageError("say which tokens to revoke: --name NAME, --id N or --all")
        count = Workspace(ws_path, db_url=db).history_db().revoke_token(email, name=name, token_id=token_id)
        err.print(f"revoked {count} token(s) of {escape(email)}", highlight=False)
        if count == 0:
            raise typer.Exit(1)
