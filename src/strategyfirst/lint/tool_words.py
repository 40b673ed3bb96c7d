"""Words that name a tool, platform or format: in a strategy statement they are a tactic in disguise."""

from __future__ import annotations

import re
from collections.abc import Iterable

from strategyfirst.plan.model import LintSettings

DEFAULT_TOOL_WORDS: tuple[str, ...] = (
    # platforms
    "facebook", "instagram", "x", "twitter", "x/twitter", "youtube", "tiktok", "linkedin", "mastodon",
    "bluesky", "snapchat", "pinterest", "whatsapp", "telegram", "reddit", "discord", "twitch",
    # formats and tools
    "blog", "vlog", "podcast", "newsletter", "email", "e-mail", "rss", "app", "widget", "website", "chatbot",
    "hashtag", "video", "reel", "meme", "contest", "giveaway", "webinar", "influencer", "viral", "go viral",
)


def tool_words(settings: LintSettings | None) -> tuple[str, ...]:
    """The effective word list: the default extended by `lint.tool_words`, or replaced (`tool_words_mode`)."""
    if settings is None:
        return DEFAULT_TOOL_WORDS
    extra = tuple(w.strip().lower() for w in settings.tool_words if w.strip())
    if settings.tool_words_mode == "replace":
        return extra
    return DEFAULT_TOOL_WORDS + tuple(w for w in extra if w not in DEFAULT_TOOL_WORDS)


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    # Longest first so "x/twitter" wins over "x"; an optional plural; word boundaries where "-" joins words.
    alts = sorted({w.lower() for w in words if w}, key=len, reverse=True)
    if not alts:
        return None
    body = "|".join(re.escape(w) for w in alts)
    return re.compile(rf"(?<![\w-])(?:{body})(?:e?s)?(?![\w-])", re.IGNORECASE)


def find_tool_words(text: str | None, words: Iterable[str]) -> list[str]:
    """The tool words in `text`, as written there, in order of first appearance and without repeats."""
    if not text:
        return []
    pattern = _pattern(words)
    if pattern is None:
        return []
    seen: dict[str, str] = {}
    for m in pattern.finditer(text):
        seen.setdefault(m.group(0).lower(), m.group(0))
    return list(seen.values())
