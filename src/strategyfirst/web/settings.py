"""The web app's settings: one pydantic model, filled by `serve`'s options or `STRATEGYFIRST_WEB_*` variables."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

ENV_PREFIX = "STRATEGYFIRST_WEB_"


class Settings(BaseModel):
    """What one server process serves and how it guards it."""

    workspaces: list[Path] = Field(default_factory=list, description="Workspace folders (default: all in db).")
    db_url: str | None = Field(None, description="App database URL (default: the workspaces' own).")
    new_workspaces: Path | None = Field(None, description="Folder where admins create workspaces from the web "
                                        "(creation is off when unset).")
    max_upload_bytes: int = Field(200 << 20, description="Largest accepted import request body (413 above).")
    login_limit: int = Field(5, description="Failed logins per email in the window before 429.")
    login_ip_limit: int = Field(50, description="Failed logins per IP address in the window before 429.")
    login_window_minutes: int = Field(15, description="Rate-limit window for failed logins.")
    session_cookie: str = "sf_session"
    cookie_secure: bool | None = Field(None, description="Secure cookies; None = when served over HTTPS.")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from `STRATEGYFIRST_WEB_<FIELD>` variables, with explicit `overrides` winning."""
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = os.environ.get(ENV_PREFIX + name.upper())
            if raw is not None and name != "workspaces":
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
