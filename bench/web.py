"""Benchmark: the web app under a team's load (issue 17.4), over real HTTP against a real `serve` process.

    .venv/bin/python bench/web.py [--out bench/out/web] [--concurrency 50] [--seconds 10] [--mixed 60]
                                  [--workers 1]

Builds the demo workspace once (`strategyfirst demo`, 40,000 simulated messages), adds a user and an API
token, starts `strategyfirst serve` on a free port and drives it with `--concurrency` asyncio clients (httpx,
one keep-alive connection each):

1. uncached: the first `/measure` of every metric for three parameter sets (no result cached for them yet).
   The workspace's kept SQL, .strategyfirst/cache/measure-*, is removed before the server starts unless
   `--keep-sql`, and the phase waits until the server's warm-up has compiled it again for the API's standard
   groupings (web/served.py STANDARD_GROUPINGS; the time it took is printed): the case of a restart after a
   code change. A grouping outside those (dates, filters, a new metric list) still compiles in its request;
2. warm: each cached route (the dashboard page with a session cookie, every cached JSON route with the
   token), after 2 untimed seconds that fill every server process's cache, for `--seconds`, reporting
   requests/s, p50/p99 latency and errors against the targets (>= 200 req/s, p99 <= 100 ms);
3. mixed: every route at once for `--mixed` seconds while `strategyfirst ingest` imports a file from another
   process (the real twcs sample), counting every error (a status >= 500, a dropped connection, a timeout).
   The import is undone afterwards, so the workspace can be reused.

Prints a table and the machine's 1-minute load average before and after each phase, with the server's CPU
seconds (its processes' user + sys, from /proc) per request in the warm phase: the figure that depends least
on what else runs on the machine.

`--wrk` drives the warm phase with wrk (Debian's `wrk` package: C, one thread, the same c = 50 keep-alive
connections) instead of the asyncio client, which spends about as much CPU per request as the server and so
takes one of the two cores; the uncached and mixed phases always use the asyncio client. wrk is a bench tool
only, not a dependency of the project or its tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
EMAIL, PASSWORD = "bench@example.org", "bench password 1"
TWCS = Path(os.environ.get("STRATEGYFIRST_SHARED_DATA", "/work/shared/data")) / "twcs" / "sample.csv"
SLUG = "demo"
JSON_ROUTES = ("/api/v1/workspaces", f"/api/v1/workspaces/{SLUG}/plan", f"/api/v1/workspaces/{SLUG}/lint",
               f"/api/v1/workspaces/{SLUG}/measure", f"/api/v1/workspaces/{SLUG}/measure?by=account&period=month",
               f"/api/v1/workspaces/{SLUG}/diagnose", f"/api/v1/workspaces/{SLUG}/capacity",
               f"/api/v1/workspaces/{SLUG}/readiness", f"/api/v1/workspaces/{SLUG}/imports")
UNCACHED = ("", "?period=week", "?by=platform&period=month")
PAGES = (f"/w/{SLUG}/dashboard", f"/w/{SLUG}/dialogue", f"/w/{SLUG}/imports")
TARGET_RPS, TARGET_P99_MS, TARGET_UNCACHED_MS = 200.0, 100.0, 300.0


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def cli(*args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "strategyfirst", *args], env=_env(), input=stdin, text=True,
                          capture_output=True, check=True)
    return done.stdout


def build(out: Path) -> tuple[Path, str]:
    """The demo workspace, a user owning it and a write token (made once, kept in `out`)."""
    ws = out / SLUG
    if not (ws / ".strategyfirst" / "warehouse.duckdb").exists():
        shutil.rmtree(ws, ignore_errors=True)
        out.mkdir(parents=True, exist_ok=True)
        cli("demo", str(ws))
        cli("users", "add", EMAIL, "--role", "owner", "--workspace", str(ws), stdin=PASSWORD + "\n")
        (out / "token").write_text(cli("tokens", "create", EMAIL, "-w", str(ws), "--access", "write")
                                   .strip().splitlines()[-1])
    return ws, (out / "token").read_text().strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load() -> float:
    return os.getloadavg()[0]


def server_cpu(pid: int) -> float:
    """CPU seconds (user + sys) of the server process and its children (`--workers N`), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        if current in stats:
            total += (int(stats[current][11]) + int(stats[current][12])) / tick
        todo.extend(children.get(current, []))
    return total


def wrk(base: str, path: str, headers: dict[str, str], cookies: httpx.Cookies | None, concurrency: int,
        seconds: float) -> Tally:
    """The same measurement with wrk: requests, latency percentiles and errors parsed from its report."""
    args = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds:.0f}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    if cookies:
        args += ["-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
    out = subprocess.run([*args, base + path], capture_output=True, text=True, check=True).stdout
    tally = Tally()
    found = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    if found is None:
        raise SystemExit("cannot read wrk's report:\n" + out)
    count, took = int(found.group(1)), float(found.group(2)) / (1000 if found.group(3) == "ms" else 1)
    pcts = {q: _wrk_ms(v) for q, v in re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M)}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if bad:
        tally.errors["non-2xx"] = int(bad.group(1))
    if sock and sum(map(int, sock.groups())):
        tally.errors["socket"] = sum(map(int, sock.groups()))
    tally.seconds = took
    tally.wrk_ok = count - sum(tally.errors.values())
    tally.wrk_pcts = (pcts.get("50", float("nan")), pcts.get("99", float("nan")))
    return tally


def _wrk_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    wrk_pcts: tuple[float, float] | None = None  # (p50, p99) ms as wrk reported them
    wrk_ok: int = 0  # wrk's count of good answers (it reports no list of latencies)

    @property
    def served(self) -> int:
        return self.wrk_ok if self.wrk_pcts is not None else len(self.latencies)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    @property
    def rps(self) -> float:
        return self.served / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if self.wrk_pcts is not None and q in (0.5, 0.99):
            return self.wrk_pcts[0 if q == 0.5 else 1]
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def login(base: str) -> httpx.Cookies:
    async with httpx.AsyncClient(base_url=base) as client:
        await client.get("/login")
        response = await client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                                     "csrf_token": client.cookies.get("sf_login_csrf") or ""})
        if response.status_code not in (200, 303):
            raise SystemExit(f"login failed: {response.status_code}")
        return client.cookies


async def hammer(base: str, paths: list[tuple[str, dict[str, str], httpx.Cookies | None]], concurrency: int,
                 seconds: float) -> Tally:
    """`concurrency` clients (one pooled connection each, opened before the clock starts) cycling through
    `paths` for `seconds`."""
    tally = Tally()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as http:
        ready = asyncio.Barrier(concurrency + 1)
        stop = [0.0]

        async def client(n: int) -> None:
            try:  # open this client's connection before timing
                await http.get("/healthz")
            finally:
                await ready.wait()
            i = n
            while time.perf_counter() < stop[0]:
                path, headers, cookies = paths[i % len(paths)]
                i += 1
                started = time.perf_counter()
                try:
                    response = await http.get(path, headers=headers, cookies=cookies)
                except httpx.HTTPError as exc:
                    tally.error(type(exc).__name__)
                    continue
                if response.status_code >= 400:
                    tally.error(f"{response.status_code} {path}")
                    continue
                tally.latencies.append(time.perf_counter() - started)

        tasks = [asyncio.create_task(client(n)) for n in range(concurrency)]
        await ready.wait()
        began = time.perf_counter()
        stop[0] = began + seconds
        await asyncio.gather(*tasks)
        tally.seconds = time.perf_counter() - began
    return tally


def start_server(ws: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "strategyfirst", "serve", "-w", str(ws), "--port", str(port)]
    if workers > 1:
        args += ["--workers", str(workers)]
    log = (ws.parent / "serve.log").open("w")  # read afterwards: a full pipe would stop the server
    proc = subprocess.Popen(args, env=_env(), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start: " + (ws.parent / "serve.log").read_text())


def precompiled(ws: Path, quiet: float = 3.0, limit: float = 60.0) -> int:
    """How many measurements' SQL are kept once the server's warm-up has kept no new one for `quiet` seconds
    (at most `limit` seconds)."""
    deadline = time.monotonic() + limit
    seen, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = len(list((ws / ".strategyfirst" / "cache").glob("measure-*.json")))
        if count != seen:
            seen, since = count, time.monotonic()
        elif count and time.monotonic() - since >= quiet:
            break
        time.sleep(0.2)
    return seen


async def run(args: argparse.Namespace) -> int:
    ws, token = build(Path(args.out))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bearer = {"Authorization": f"Bearer {token}"}
    shutil.rmtree(ws / ".strategyfirst" / "snapshots", ignore_errors=True)
    if not args.keep_sql:
        for entry in (ws / ".strategyfirst" / "cache").glob("measure-*.json"):
            entry.unlink()
    began = time.monotonic()
    server = start_server(ws, port, args.workers)
    print(f"kept SQL: {precompiled(ws)} entries {time.monotonic() - began:.1f} s after the server's start",
          flush=True)
    rows: list[tuple[str, str, str, str, str, str]] = []
    failed = False
    try:
        cookies = await login(base)
        # 1. uncached /measure (every metric): the first request for each of these parameter sets (results are
        # cached per data snapshot, plan version and parameters), one at a time, in a process that has served
        # one request of a single metric (so the figure is a computation, not the process's first imports)
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            await http.get(f"/api/v1/workspaces/{SLUG}/measure?metric=response_rate", headers=bearer)
            for query in UNCACHED:
                started = time.perf_counter()
                first = await http.get(f"/api/v1/workspaces/{SLUG}/measure{query}", headers=bearer)
                took = (time.perf_counter() - started) * 1000
                ok = first.status_code == 200 and took <= TARGET_UNCACHED_MS
                failed |= not ok
                rows.append((f"uncached /measure{query}", "1", "-", f"{took:.0f}", f"{took:.0f}",
                             f"{'ok' if ok else 'MISSED'} (<= {TARGET_UNCACHED_MS:.0f} ms) load {load():.1f}"))
        # 2. warm: each route alone, after an untimed round that fills every server process's cache
        targets = [(p, {}, cookies) for p in PAGES[:1]] + [(p, bearer, None) for p in JSON_ROUTES]
        for path, headers, jar in targets:
            await hammer(base, [(path, headers, jar)], 4 * args.workers, 2.0)
            before, cpu = load(), server_cpu(server.pid)
            if args.wrk:
                tally = await asyncio.to_thread(wrk, base, path, headers, jar, args.concurrency, args.seconds)
            else:
                tally = await hammer(base, [(path, headers, jar)], args.concurrency, args.seconds)
            cpu_ms = (server_cpu(server.pid) - cpu) * 1000 / max(tally.served, 1)
            ok = tally.rps >= TARGET_RPS and tally.pct(0.99) <= TARGET_P99_MS and not tally.errors
            failed |= not ok
            rows.append((path, str(tally.served), f"{tally.rps:.0f}", f"{tally.pct(0.5):.0f}",
                         f"{tally.pct(0.99):.0f}",
                         f"{'ok' if ok else 'MISSED'} errors={tally.errors or 0} server {cpu_ms:.2f} CPU ms/req "
                         f"load {before:.1f}->{load():.1f}"))
        # 3. mixed, with a CLI import in another process part-way through
        mixed = ([(p, {}, cookies) for p in PAGES] + [(p, bearer, None) for p in JSON_ROUTES])
        before = load()
        importer = asyncio.create_task(asyncio.to_thread(_import_later, ws, args.mixed / 4))
        tally = await hammer(base, mixed, args.concurrency, args.mixed)
        imported = await importer
        ok = not tally.errors and imported
        failed |= not ok
        rows.append((f"mixed {args.mixed:.0f} s + 1 import", str(len(tally.latencies)), f"{tally.rps:.0f}",
                     f"{tally.pct(0.5):.0f}", f"{tally.pct(0.99):.0f}",
                     f"{'ok' if ok else 'FAILED'} errors={tally.errors or 0} import={'done' if imported else 'no'}"
                     f" load {before:.1f}->{load():.1f}"))
    finally:
        server.terminate()
        server.wait(30)
        _undo_bench_import(ws)
        logged = (ws.parent / "serve.log").read_text()
        if logged.strip():
            print("the server logged:\n" + logged[-3000:])
    generator = "wrk (warm phase), asyncio client (others)" if args.wrk else "asyncio client (httpx)"
    print(f"c = {args.concurrency}, {args.seconds:.0f} s per route, workers = {args.workers}, load generator: "
          f"{generator}")
    header = ("route", "requests", "req/s", "p50 ms", "p99 ms", "verdict")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    return 1 if failed else 0


def _import_later(ws: Path, delay: float) -> bool:
    time.sleep(delay)
    done = subprocess.run([sys.executable, "-m", "strategyfirst", "ingest", "-w", str(ws), str(TWCS)],
                          env=_env(), capture_output=True, text=True)
    return done.returncode == 0


def _undo_bench_import(ws: Path) -> None:
    import json

    listing = json.loads(cli("imports", "-w", str(ws), "--format", "json"))
    rows = listing if isinstance(listing, list) else listing.get("imports", [])
    for row in rows:
        if row.get("file") == TWCS.name and not row.get("undone_at"):
            cli("imports", "undo", "-w", str(ws), str(row["import_id"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "out" / "web"))
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--mixed", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--wrk", action="store_true", help="drive the warm phase with wrk (apt-get install wrk)")
    parser.add_argument("--keep-sql", action="store_true", help="keep the compiled SQL of earlier measurements "
                        "(the uncached /measure then runs it without Ibis, as after an import)")
    args = parser.parse_args()
    if args.wrk and shutil.which("wrk") is None:
        parser.error("--wrk needs wrk on the PATH (Debian: apt-get install -y wrk)")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
