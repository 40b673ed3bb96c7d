"""Options shared by every command module: the workspace folder and the text/json output switch."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

WsOpt = Annotated[Path, typer.Option("--workspace", "-w", help="Workspace folder.", show_default=".")]
HERE = Path(".")


class Format(StrEnum):
    text = "text"
    json = "json"
