"""The CLI side of the Meta Business Suite sources (issue 14): `sources` lists them with their columns,
`ingest --platform` reaches the overview import, a missing --account is one line (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import run


def test_sources_lists_the_meta_sources_with_columns(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["sources", "--format", "json"], monkeypatch, capsys)
    assert code == 0
    listed = {s["name"]: s["columns"] for s in json.loads(out)["sources"]}
    assert "account username" in listed["meta-posts"] and "views" in listed["meta-posts"]
    assert "3-second video views" in listed["meta-video"] and "seconds viewed" in listed["meta-video"]
    assert "Primary" in listed["meta-overview"]


def test_ingest_overview_with_platform_and_without_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Follows.csv"
    path.write_bytes('sep=,\r\n"Follows"\r\n"Date","Primary"\r\n"2025-03-18","4"\r\n'.encode("utf-16"))
    ws = str(tmp_path / "ws")
    code, out, err = run(["ingest", "-w", ws, str(path)], monkeypatch, capsys)
    assert code == 2 and "pass --account NAME" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    code, out, err = run(["ingest", "-w", ws, str(path), "--account", "Velo", "--platform", "instagram",
                          "--format", "json"], monkeypatch, capsys)
    assert code == 0, err
    f = json.loads(out)["files"][0]
    assert (f["source"], f["rows_new"]) == ("meta-overview", 1)
