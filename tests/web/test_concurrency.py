"""The web app under concurrent load (issue 17.1-17.3), over real HTTP against a real uvicorn server:
concurrent readers and an import never get a 5xx or a dropped connection; a writer in another process (the
hard case: it holds the DuckDB file for writing) does not block pages, which say an import is running; an
import from the CLI shows up in the figures without a restart."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import httpx
import pytest
import uvicorn

from strategyfirst.appdb import dispose
from tests.web.env import PASSWORD, WebEnv, build

SRC = Path(__file__).resolve().parents[2] / "src"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """A real uvicorn server over the environment's app, in a thread of this process."""

    def __init__(self, env: WebEnv) -> None:
        self.env = env
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(env.app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)

    def bearer(self, email: str = "owner@acme.org") -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30,
                            headers={"Authorization": f"Bearer {self.env.tokens[email]}"})

    def browser(self, email: str = "viewer@acme.org") -> httpx.Client:
        client = httpx.Client(base_url=self.base, timeout=30)
        client.get("/login")
        response = client.post("/login", data={"email": email, "password": PASSWORD,
                                               "csrf_token": client.cookies.get("sf_login_csrf") or ""})
        assert response.status_code in (200, 303), response.text
        return client


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[Path, Path]:
    """The real twcs sample: its first half, and the whole file (a later export with more conversations)."""
    folder = tmp_path_factory.mktemp("twcs")
    lines = (shared_data / "twcs" / "sample.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    first, whole = folder / "first-half.csv", folder / "whole.csv"
    first.write_text("".join(lines[:50]), encoding="utf-8")
    whole.write_text("".join(lines), encoding="utf-8")
    return first, whole


@pytest.fixture()
def served(tmp_path: Path, halves: tuple[Path, Path]) -> Iterator[Served]:
    """acme with the first half of the sample imported, served for real (a fresh one per test: tests import)."""
    env = build(tmp_path, f"sqlite:///{tmp_path / 'app.sqlite'}", halves[0])
    with Served(env) as server:
        yield server
    dispose(env.db_url)


def test_concurrent_readers_and_an_import_get_no_5xx(served: Served, halves: tuple[Path, Path]) -> None:
    """12 clients read imports, measure (cached and not), diagnose, capacity and the dashboard while an editor
    uploads an import: every answer is a 2xx, no connection is dropped."""
    paths = ["/api/v1/workspaces/acme/imports", "/api/v1/workspaces/acme/measure",
             "/api/v1/workspaces/acme/capacity", "/api/v1/workspaces/acme/diagnose",
             "/api/v1/workspaces/acme/measure?by=account&period=month", "/w/acme/dashboard",
             "/api/v1/workspaces/acme/measure?period=week", "/w/acme/imports", "/w/acme/dialogue"]
    failures: list[str] = []

    def reader(n: int) -> int:
        done = 0
        with served.bearer() as api, closing(served.browser()) as page:
            for i in range(12):
                path = paths[(n + i) % len(paths)]
                client = page if path.startswith("/w/") else api
                try:
                    response = client.get(path)
                except httpx.HTTPError as exc:
                    failures.append(f"{path}: {type(exc).__name__} {exc}")
                    continue
                if response.status_code != 200:
                    failures.append(f"{path}: {response.status_code} {response.text[:200]}")
                done += 1
        return done

    def importer() -> int:
        with served.bearer() as api:
            response = api.post("/api/v1/workspaces/acme/imports",
                                files={"files": ("whole.csv", halves[1].read_bytes(), "text/csv")})
        if response.status_code != 200:
            failures.append(f"import: {response.status_code} {response.text[:200]}")
        return 1

    with ThreadPoolExecutor(13) as pool:
        futures = [pool.submit(reader, n) for n in range(12)] + [pool.submit(importer)]
        answered = sum(f.result(timeout=300) for f in futures)
    assert not failures, failures[:10]
    assert answered == 12 * 12 + 1
    log = served.bearer().get("/api/v1/workspaces/acme/imports").json()["imports"]
    assert len(log) == 2  # the build's import and the upload, seen at once by the next request


HOLDER = """
import sys, duckdb
from pathlib import Path
from strategyfirst.warehouse.lock import workspace_lock
state = Path(sys.argv[1])
with workspace_lock(state, doing="the import of big-export.csv"):
    con = duckdb.connect(str(state / "warehouse.duckdb"))  # what an import holds: the file, for writing
    con.execute("SELECT count(*) FROM messages").fetchone()
    print("holding", flush=True)
    sys.stdin.read()
    con.close()
"""


def test_a_writer_in_another_process_does_not_block_pages(served: Served) -> None:
    """Another process holds the workspace lock and the warehouse file for writing, as a CLI import does:
    pages answer at once from the last committed data and say an import is running and as of when."""
    with closing(served.browser()) as page, served.bearer() as api:
        before = api.get("/api/v1/workspaces/acme/measure?metric=inbound_messages").json()["rows"]
        pages = ("/w/acme/dashboard", "/w/acme/dialogue", "/w/acme/imports", "/w/acme/verdicts")
        for path in pages:  # computed once from the committed data (what is timed below is the writer's effect)
            assert page.get(path).status_code == 200
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(served.env.acme.state_dir)], env=_env(),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
            time.sleep(0.3)  # past the server's 0.2 s memory of "no writer"
            for path in pages:
                started = time.monotonic()
                response = page.get(path)
                took = time.monotonic() - started
                assert response.status_code == 200, (path, response.text[:300])
                assert took < 1.0, (path, took)
                note = re.search(r'<p class="busy" role="status">an import is running; figures as of '
                                 r'(\d\d:\d\d)</p>', response.text)
                assert note, path
                assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", note.group(1))
            started = time.monotonic()
            during = api.get("/api/v1/workspaces/acme/measure?metric=inbound_messages")
            assert during.status_code == 200 and time.monotonic() - started < 1.0
            assert during.json()["rows"] == before  # the last committed figures
        finally:
            holder.communicate("", timeout=30)
        time.sleep(0.3)
        assert 'class="busy"' not in page.get("/w/acme/dashboard").text  # gone with the writer


def _inbound(rows: list[dict[str, object]]) -> object:
    return next(r["value"] for r in rows if r["metric"] == "inbound_messages")


def test_a_cli_import_in_another_process_shows_in_the_figures(served: Served, halves: tuple[Path, Path]
                                                             ) -> None:
    """`strategyfirst ingest` in another process while pages are read: the pages keep answering, and once it
    has finished the figures (cached before it) are the new ones, as the CLI computes them."""
    acme = served.env.acme
    url = "/api/v1/workspaces/acme/measure?metric=inbound_messages"
    with served.bearer() as api, closing(served.browser()) as page:
        before = _inbound(api.get(url).json()["rows"])
        assert _inbound(api.get(url).json()["rows"]) == before  # cached
        ingest = subprocess.Popen([sys.executable, "-m", "strategyfirst", "ingest", "-w", str(acme.root),
                                   str(halves[1])], env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        statuses = []
        while ingest.poll() is None and len(statuses) < 200:
            statuses.append(page.get("/w/acme/dashboard").status_code)
            time.sleep(0.05)
        _out, err = ingest.communicate(timeout=120)
        assert ingest.returncode == 0, err
        assert set(statuses) <= {200}
        cli = subprocess.run([sys.executable, "-m", "strategyfirst", "measure", "-w", str(acme.root), "--metric",
                              "inbound_messages", "--format", "json"], env=_env(), capture_output=True,
                             text=True, check=True)
        expected = _inbound(json.loads(cli.stdout)["rows"])
        assert expected != before
        deadline = time.monotonic() + 30
        after = before
        while after != expected and time.monotonic() < deadline:
            after = _inbound(api.get(url).json()["rows"])
            time.sleep(0.1)
        assert after == expected
        files = [row["file"] for row in api.get("/api/v1/workspaces/acme/imports").json()["imports"]]
        assert any(str(f).endswith("whole.csv") for f in files)


def test_serve_with_two_processes_shares_one_snapshot(tmp_path: Path, halves: tuple[Path, Path]) -> None:
    """`serve --workers 2`: concurrent clients get only 200s from both processes, which read one snapshot file
    of the warehouse (found by its token), not a copy each."""
    env = build(tmp_path, f"sqlite:///{tmp_path / 'app.sqlite'}", halves[0])
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "strategyfirst", "serve", "-w", str(env.acme.root), "--db",
                               env.db_url, "--port", str(port), "--workers", "2"], env=_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "serve --workers 2 did not answer"
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        headers = {"Authorization": f"Bearer {env.tokens['viewer@acme.org']}"}
        paths = ["/api/v1/workspaces/acme/imports", "/api/v1/workspaces/acme/measure",
                 "/api/v1/workspaces/acme/diagnose"]

        def reader(n: int) -> list[int]:
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                return [client.get(paths[(n + i) % len(paths)]).status_code for i in range(6)]

        with ThreadPoolExecutor(10) as pool:
            statuses = [s for got in pool.map(reader, range(10)) for s in got]
        assert statuses == [200] * 60
        snapshots = list((env.acme.state_dir / "snapshots").glob("*.duckdb"))
        assert len(snapshots) == 1, snapshots
    finally:
        server.terminate()
        server.wait(60)
        dispose(env.db_url)
