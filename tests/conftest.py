"""Shared fixtures: the real export files, and skips that become failures in CI.

In CI (`STRATEGYFIRST_REQUIRE_ALL=1`, set by .ci/run) a test that would skip for a missing browser, database,
Java or data folder fails instead, so that those tests run rather than silently skip. There the property
tests run derandomized: the same examples on every run, so that a submission never fails on a rare new one
(a developer's runs still draw new examples and keep the failing ones in `.hypothesis/`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("STRATEGYFIRST_REQUIRE_ALL"):
    settings.load_profile("ci")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
if "STRATEGYFIRST_SHARED_DATA" in os.environ:
    SHARED_DATA = Path(os.environ["STRATEGYFIRST_SHARED_DATA"])


def require(condition: bool, reason: str) -> None:
    """Skip with `reason` unless `condition`; in CI a missing prerequisite is a failure, never a skip."""
    if condition:
        return
    if os.environ.get("STRATEGYFIRST_REQUIRE_ALL"):
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real export files (../shared/data); tests using it skip where it is absent."""
    require(SHARED_DATA.is_dir(), f"real export files not found at {SHARED_DATA}")
    return SHARED_DATA
