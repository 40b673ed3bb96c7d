"""`tool-first-strategy`: word-boundary, case-insensitive matching and the configurable word list."""

from __future__ import annotations

import pytest

from strategyfirst.lint.tool_words import DEFAULT_TOOL_WORDS, find_tool_words, tool_words
from strategyfirst.plan.model import LintSettings
from tests.lint.plans import example, lint


@pytest.mark.parametrize(("text", "found"), [
    ("Go viral on TikTok", ["Go viral", "TikTok"]),
    ("Own the conversation on X/Twitter", ["X/Twitter"]),
    ("Be present on X and LinkedIn", ["X", "LinkedIn"]),
    ("Launch an APP, then more apps", ["APP", "apps"]),
    ("Grow our Facebook/Instagram following", ["Facebook", "Instagram"]),
    ("A #hashtag campaign and a blog", ["hashtag", "blog"]),
    ("Build a permission asset so we can grow our influence with our best customers over time.", []),
    ("Apply happy examples to Xavier's application; be a tiktoker", []),
    ("", []),
])
def test_default_words(text: str, found: list[str]) -> None:
    assert find_tool_words(text, DEFAULT_TOOL_WORDS) == found


def test_words_extend_by_default_and_replace_on_request() -> None:
    assert tool_words(None) == DEFAULT_TOOL_WORDS
    extended = tool_words(LintSettings(tool_words=["Metaverse"]))
    assert "metaverse" in extended and set(DEFAULT_TOOL_WORDS) <= set(extended)
    replaced = tool_words(LintSettings(tool_words=["metaverse"], tool_words_mode="replace"))
    assert replaced == ("metaverse",)


def test_plan_lint_tool_words_config() -> None:
    data = example()
    data["strategy"]["statement"] = "Win the metaverse with a viral app"
    base = [f.message for f in lint(data).findings if f.rule == "tool-first-strategy"]
    assert len(base) == 1 and "'viral', 'app'" in base[0]

    data["lint"] = {"tool_words": ["metaverse"]}
    (msg,) = [f.message for f in lint(data).findings if f.rule == "tool-first-strategy"]
    assert "'metaverse', 'viral', 'app'" in msg

    data["lint"] = {"tool_words": ["metaverse"], "tool_words_mode": "replace"}
    (msg,) = [f.message for f in lint(data).findings if f.rule == "tool-first-strategy"]
    assert "'metaverse'" in msg and "viral" not in msg

    data["lint"] = {"tool_words": [], "tool_words_mode": "replace"}
    assert "tool-first-strategy" not in lint(data).rules()
