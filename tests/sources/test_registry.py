"""The source registry is data: every entry is complete, unique, and documented in the spec's data.md."""

from __future__ import annotations

from strategyfirst.sources.registry import BY_NAME, SOURCES
from tests.conftest import SHARED_DATA, require


def test_entries_are_complete_and_unique() -> None:
    assert len(BY_NAME) == len(SOURCES)
    for source in SOURCES:
        assert source.name and source.description and source.detection and source.columns and source.required
        assert source.kind in ("csv", "json", "js", "car", "xlsx")


def test_every_source_is_documented_in_data_md() -> None:
    spec = SHARED_DATA.parent / "spec" / "data.md"
    require(spec.is_file(), f"spec not found at {spec}")
    text = spec.read_text(encoding="utf-8")
    for source in SOURCES:
        assert f"`{source.name}`" in text, source.name
