"""What "numbers people can read" means in the tests (issue 13.10), in one place for every layer's tests."""

from __future__ import annotations

import html
import re


def visible_text(page: str) -> str:
    """What a reader sees of an HTML page: no CSS, scripts, SVG drawing or tags."""
    page = re.sub(r"<(style|script|svg)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def unreadable(text: str) -> list[str]:
    """Numbers nobody should have to decode: scientific notation, counts with a fraction, bare ratios (a score
    of 0.00, a duration (min, h, days, weeks) and a rate per day are no ratios)."""
    found = re.findall(r"\d(?:\.\d+)?e[+-]\d+", text)
    found += [m.group() for m in re.finditer(r"\d{1,3}(?:,\d{3})+\.\d+(?!\d| ?(?:h|days)\b)", text)]
    found += [m.group() for m in re.finditer(
        r"(?<![\w.,+\-−/])0\.\d*[1-9]\d*(?![\d%])(?! ?(?:min|h|days|weeks|EUR|a day)\b)", text)]
    return found
