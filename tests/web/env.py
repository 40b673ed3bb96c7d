"""A served environment for the web tests: two real workspaces in one app database, users of every role.

`acme` holds the example plan and has ingested the real twcs sample (../shared/data/twcs/sample.csv);
`globex` holds a plan and no data. Users: owner/editor/viewer of acme, `outsider` (owner of globex only).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from strategyfirst.appdb import connect
from strategyfirst.web import Settings, create_app
from strategyfirst.web.state import AppState, open_state
from strategyfirst.workspace import Workspace

EXAMPLE_PLAN = Path(__file__).resolve().parents[2] / "src" / "strategyfirst" / "plan" / "example.yaml"
PASSWORD = "correct horse battery"
# acme's plan names the brands of the twcs sample (October 2017) so that its KPIs have data
ACME_PLAN = """\
version: 1
organisation: Acme Outdoor
owner: Jane Doe <jane@acme.example>
horizon: {start: 2017-10-01, end: 2018-03-31}
budget: {total: 50000, currency: EUR}
review: {cadence: monthly}
accounts:
  x: ["@AppleSupport", "@SpotifyCares", "@Tesco"]
strategy:
  statement: Build a permission asset so we can grow our influence with our best customers over time.
  audiences: [repeat customers]
objectives:
  - id: dialogue
    statement: Answer our customers where they talk to us
    kpis:
      - {metric: response_rate, target: 0.9}
      - {metric: first_response_minutes_median, target: 60}
tactics:
  - id: care-desk
    channel: x
    serves: [dialogue]
    owner: Jane
    budget: 12000
    match: {accounts: ["@AppleSupport", "@SpotifyCares"]}
  - id: tesco-desk
    channel: x
    serves: [dialogue]
    owner: Sam
    budget: 6000
    match: {accounts: ["@Tesco"]}
readiness:
  ownership: {owner: Jane Doe, hours_per_week: 10}
  response:
    handling_minutes: 4
    timezone: UTC
    staffing:
      - {days: mon-fri, hours: "09-17", people: 1}
"""
ROLES = {"owner@acme.org": ("acme", "owner"), "editor@acme.org": ("acme", "editor"),
         "viewer@acme.org": ("acme", "viewer"), "outsider@globex.org": ("globex", "owner")}


@dataclass
class WebEnv:
    root: Path
    db_url: str
    acme: Workspace
    globex: Workspace
    app: FastAPI
    state: AppState
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, base_url: str = "http://testserver") -> TestClient:
        return TestClient(self.app, base_url=base_url)

    def login(self, email: str, password: str = PASSWORD) -> TestClient:
        """A client logged in through the real login form; `.csrf` holds its session's CSRF token."""
        return login(self.client(), self.state, email, password)

    def bearer(self, email: str) -> TestClient:
        client = self.client()
        client.headers["Authorization"] = f"Bearer {self.tokens[email]}"
        return client


def login(client: TestClient, state: AppState, email: str, password: str = PASSWORD) -> TestClient:
    """`client` logged in through the real login form, its session's CSRF token in its headers."""
    client.get("/login")
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": client.cookies.get("sf_login_csrf") or ""},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    info = state.db.session_info(client.cookies.get("sf_session") or "")
    assert info is not None
    client.headers["X-CSRF-Token"] = info.csrf_secret
    return client


def build(root: Path, db_url: str, twcs: Path | None, **settings: object) -> WebEnv:
    """Folders, plans, the twcs import, users, tokens and the app over them."""
    acme, globex = Workspace(root / "acme"), Workspace(root / "globex")
    acme.ensure().plan_path.write_text(ACME_PLAN, encoding="utf-8")
    globex_plan = EXAMPLE_PLAN.read_text(encoding="utf-8").replace("Acme Outdoor\n", "Globex\n", 1)
    globex_plan = globex_plan.rstrip("\n") + "\nreadiness:\n  response: {handling_minutes: 5}\n"
    globex.ensure().plan_path.write_text(globex_plan, encoding="utf-8")
    state = open_state(Settings(workspaces=[acme.root, globex.root], db_url=db_url, **settings))  # type: ignore[arg-type]
    if twcs is not None:
        acme = state.workspaces["acme"]
        acme.ingest([twcs])
    db = connect(state.db.url)
    tokens = {}
    for email, (slug, role) in ROLES.items():
        db.add_user(email, PASSWORD, role, slug)
        tokens[email] = db.create_api_token(email, "tests")
    return WebEnv(root, state.db.url, state.workspaces["acme"], state.workspaces["globex"],
                  create_app(state.settings, state), state, tokens)


def copy_sample(shared_data: Path, folder: Path) -> Path:
    """The real twcs sample, copied (read-only originals) for uploads."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(shared_data / "twcs" / "sample.csv", folder / "sample.csv"))
