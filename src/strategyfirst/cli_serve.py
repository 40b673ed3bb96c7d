"""The `serve` command, registered on the main Typer app by `register`: builds the web app, runs uvicorn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from strategyfirst.cli_options import require_workspace
from strategyfirst.errors import UsageError

# Seconds an idle keep-alive connection stays open: longer than a load balancer's or a client pool's idle
# timeout (60 s is common), so the server never closes a connection just as the other side sends a request on
# it (uvicorn's 5 s default dropped requests of busy clients under load).
KEEP_ALIVE = 75


def check_listen(host: str, port: int) -> None:
    """UsageError unless a server can listen on `host`:`port` now (uvicorn's own failure came after the
    "serving" line, as `ERROR: [Errno 98] ...` and exit 3)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError) as exc:
        raise UsageError(f"--host {host}: no such address ({getattr(exc, 'strerror', None) or exc}); give an "
                         "interface of this machine, e.g. 127.0.0.1 or 0.0.0.0") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is no obstacle
        try:
            probe.bind(address)
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}): choose another --port, or "
                             "stop what listens there") from None


def register(app: typer.Typer, out: Console, err: Console) -> None:
    """Add `serve` to `app`."""

    @app.command()
    def serve(
        workspaces: Annotated[list[Path] | None, typer.Option(
            "--workspace", "-w", help="Workspace folder to serve (repeatable; default: the current folder, or "
            "with --db and no folder, every workspace registered in that database).", show_default=False)]
        = None,
        db: Annotated[str | None, typer.Option(
            "--db", help="App database URL (default: STRATEGYFIRST_DB, else the one the workspaces remember).",
            show_default=False)] = None,
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
        max_upload_mb: Annotated[int | None, typer.Option(
            min=1, help="Largest import upload, in MB (413 above; default 200, or "
            "STRATEGYFIRST_WEB_MAX_UPLOAD_BYTES).", show_default=False)] = None,
        new_workspaces: Annotated[Path | None, typer.Option(
            "--new-workspaces", help="Folder where admins (`users admin`) create workspaces from the web "
            "(default: STRATEGYFIRST_WEB_NEW_WORKSPACES; creation is off without either).", show_default=False)]
        = None,
        workers: Annotated[int, typer.Option(
            min=1, help="Server processes (they share the app database and each workspace's warehouse "
            "snapshots; see README, Serving).")] = 1,
    ) -> None:
        """Serve the web app: pages, and the JSON API under /api/v1 (docs at /api/v1/docs)."""
        import uvicorn

        from strategyfirst.web import Settings, create_app
        from strategyfirst.web.app import SETTINGS_ENV

        folders = [require_workspace(f) for f in (workspaces or ([] if db else [Path(".")]))]
        check_listen(host, port)  # before "serving ... on" is said: a taken port or unknown host in one line
        # an option given wins over the environment; one not given must not hide STRATEGYFIRST_WEB_* (None)
        settings = Settings.from_env(workspaces=folders, db_url=db,
                                     max_upload_bytes=max_upload_mb << 20 if max_upload_mb else None,
                                     new_workspaces=new_workspaces.resolve() if new_workspaces else None)
        web = create_app(settings, serving=workers == 1)  # with more, each process builds its own
        served = ", ".join(sorted(web.state.sf.workspaces)) or "no workspace"
        many = f" with {workers} processes" if workers > 1 else ""
        err.print(f"serving {escape(served)} on http://{escape(host)}:{port}/{many} (API docs at /api/v1/docs)",
                  highlight=False)
        if workers == 1:
            uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=True,
                        timeout_keep_alive=KEEP_ALIVE)
            return
        # Each process builds the same app from the same settings (the app database and folders checked
        # above, once); uvicorn restarts a process that dies.
        os.environ[SETTINGS_ENV] = settings.model_dump_json()
        uvicorn.run("strategyfirst.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", proxy_headers=True, timeout_keep_alive=KEEP_ALIVE)
