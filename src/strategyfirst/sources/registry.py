"""The list of import sources (data, not code paths): `strategyfirst sources`, `--source auto` and the tests
iterate over it. A new format is one new module and one new entry here."""

from __future__ import annotations

import difflib
import re

from strategyfirst.errors import ImportFileError, SourceDetectionError, UsageError
from strategyfirst.sources import (
    audience_csv,
    bluesky_car,
    canonical_csv,
    facebook_insights_page,
    facebook_insights_posts,
    facebook_metrics_uci,
    ga4_export,
    linkedin_content,
    mailchimp_campaigns,
    mailchimp_members,
    mastodon_outbox,
    meta_ads,
    meta_overview,
    meta_posts,
    meta_video,
    newsletter_subscribers,
    spend_csv,
    sprout,
    tiktok_analytics,
    twcs,
    x_analytics,
    x_analytics_daily,
    x_archive,
    youtube_studio,
)
from strategyfirst.sources.base import Source, normalise_column
from strategyfirst.sources.textfile import SourceFile

SOURCES: tuple[Source, ...] = (
    twcs.SOURCE,
    x_analytics.SOURCE,
    x_analytics_daily.SOURCE,
    facebook_insights_posts.SOURCE,
    facebook_insights_page.SOURCE,
    facebook_metrics_uci.SOURCE,
    youtube_studio.SOURCE,
    mastodon_outbox.SOURCE,
    meta_posts.SOURCE,
    meta_video.SOURCE,
    meta_overview.SOURCE,
    linkedin_content.SOURCE,
    meta_ads.SOURCE,
    tiktok_analytics.SOURCE,
    mailchimp_members.SOURCE,
    mailchimp_campaigns.SOURCE,
    newsletter_subscribers.SOURCE,
    x_archive.SOURCE,
    ga4_export.SOURCE,
    sprout.POSTS,
    sprout.PROFILES,
    bluesky_car.SOURCE,
    canonical_csv.SOURCE,
    audience_csv.SOURCE,
    spend_csv.SOURCE,
)

BY_NAME = {s.name: s for s in SOURCES}
# An email address or an IPv4 address in a first line: data of a person, never a column name.
PERSONAL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+|\b\d{1,3}(?:\.\d{1,3}){3}\b")


def get_source(name: str) -> Source:
    """The source called `name` (UsageError listing the known names otherwise)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise UsageError(f"unknown source {name!r}; known sources: {', '.join(BY_NAME)} "
                         "(or --source auto)") from None


def detect(sf: SourceFile) -> Source:
    """The source whose expected header the file has; otherwise an error naming the closest one."""
    scored = [(s.score(sf), s) for s in SOURCES]
    full = [(n_required, s) for (score, _, _, n_required), s in scored if score == 1.0]
    if full:  # the most specific match wins (the one requiring the most columns)
        return max(full, key=lambda item: item[0])[1]
    raise _unrecognised(sf, scored)


def not_recognised(sf: SourceFile, guessed: Source) -> SourceDetectionError:
    """The error of a file no known source reads, for one that `detect` took for `guessed` at first sight and
    whose loader then refused it as not its format (a markdown file's '#' lines are not GA4's): told as
    unknown like any other file, the closest match found among the other sources."""
    return _unrecognised(sf, [(s.score(sf), s) for s in SOURCES if s is not guessed])


def _unrecognised(sf: SourceFile, scored: list[tuple[tuple[float, list[str], list[str], int], Source]]
                  ) -> SourceDetectionError:
    (_, missing, extra, _), best = max(scored, key=lambda item: item[0][0])
    known = ", ".join(BY_NAME)
    if sf.kind == "json":
        return SourceDetectionError(str(sf.path), _json_refusal(sf, known), 1, 1,
                                    short=None if sf.what else "JSON, not a known export")
    if sf.kind == "js":
        return SourceDetectionError(str(sf.path), _js_refusal(sf), 1, 1)
    if sf.header and sf.header[0].lstrip().lower().startswith(("<!doctype html", "<html")):
        return SourceDetectionError(str(sf.path), "is a web page (HTML), not an export (an X archive's 'Your "
                                    "archive.html' is its viewer: the tweets are data/tweets.js)", 1, 1)
    if sf.kind == "xlsx":
        sheets = ", ".join(_shown(s) for s in sf.sheets[:8]) + (" ..." if len(sf.sheets) > 8 else "")
        readers = ", ".join(s.name for s in SOURCES if s.kind == "xlsx")
        return SourceDetectionError(str(sf.path), f"is a workbook whose sheets ({sheets}) are not those of a known "
                                    f"export (workbooks read: {readers}); known sources: {known}", 1, 1,
                                    short=f"a workbook whose sheets ({sheets}) are no known export's")
    if any(PERSONAL.search(h) for h in sf.header):
        # A member export that lost its header row: its first member's address and name are no header to quote.
        return SourceDetectionError(
            str(sf.path), "has no header row: its first line holds an email or IP address, so it is a row of data "
            "(not quoted here: it is personal data); export the file again with its header row", 1, 1,
            short="no header row (its first line holds an email or IP address)")
    header = ", ".join(_shown(h) for h in sf.header[:8]) + (" ..." if len(sf.header) > 8 else "")
    # A column renamed by hand is most likely the unexpected cell nearest a missing column's name: those first
    # (a page-level Facebook export has hundreds of columns not read, and the first six of them hid it).
    extra = sorted(extra, key=lambda cell: -max((_likeness(cell, best.spell(m)) for m in missing), default=0))
    unexpected = ", ".join(_shown(e) for e in extra[:6]) + (f" and {len(extra) - 6} more" if len(extra) > 6 else "")
    lacking = ", ".join(_shown(best.spell(m)) for m in missing)
    return SourceDetectionError(
        str(sf.path),
        f"header not recognised ({header}); closest source is {best.name!r}, but "
        + (f"the file lacks its column{'s' * (len(missing) > 1)} {lacking}" if missing
           else "the file has all its columns")
        + (f" and has columns it does not expect ({unexpected})" if extra else "")
        + f"; known sources: {known}"
        + ("; a renamed column is not read: give it back the name the export writes" if missing else ""), 1, 1,
        short=f"header not recognised ({', '.join(_shown(h) for h in sf.header[:3])}"
              f"{' ...' if len(sf.header) > 3 else ''})")


def _json_refusal(sf: SourceFile, known: str) -> str:
    if sf.what:
        return sf.what
    return ("is JSON but not a known export (the JSON export read is a Mastodon outbox.json, an ActivityPub "
            f"OrderedCollection of activities); known sources: {known}")


def _js_refusal(sf: SourceFile) -> str:
    """What a JavaScript file that is no tweets.js is (an X archive holds dozens of them)."""
    part = next((h.removeprefix("YTD:") for h in sf.header if h.startswith("YTD:")), None)
    if part == "account":
        return ("is the X archive's account.js: it is read with tweets.js beside it (its username only); "
                "import data/tweets.js")
    if part:
        return (f"is the X archive's {part} data (window.YTD.{part}), not its tweets: only data/tweets.js is "
                "imported")
    return ("is a JavaScript file, not an export (an X archive's tweets are data/tweets.js, starting "
            "window.YTD.tweets.part0 =)")


def _likeness(cell: str, column: str) -> float:
    """How alike a header cell and a column name are, compared loosely (0 to 1)."""
    return difflib.SequenceMatcher(None, normalise_column(cell), normalise_column(column)).ratio()


def _shown(cell: str) -> str:
    """A header cell as quoted in a message: printable characters only, and not too long."""
    text = "".join(ch if ch.isprintable() else "?" for ch in cell)
    return text if len(text) <= 40 else text[:37] + "..."


def check_header_complete(sf: SourceFile) -> None:
    """Refuse a CSV file that is one header line with no line break after it: it was cut short in its header
    (an export without rows still ends its header with a line break), and would import as a successful empty
    import. A header lacking the columns its source needs is refused by detection (or `check_source`)."""
    if sf.kind == "csv" and sf.header_only_unterminated:
        raise ImportFileError(str(sf.path), "ends in the middle of its header row (no line break after it, no "
                              "rows): the file was cut short; export it again (or, if the header is complete, "
                              "end the file with a line break)", 1, max(len(sf.header), 1))


def check_source(source: Source, sf: SourceFile) -> None:
    """A source named with --source must still find its columns in the file."""
    score, missing, _, _ = source.score(sf)
    if score < 1.0 and sf.kind == "json" and source.kind == "json":
        raise ImportFileError(str(sf.path), _json_refusal(sf, ", ".join(BY_NAME)), 1, 1)
    if score < 1.0 and sf.kind == "js" and source.kind == "js":
        raise ImportFileError(str(sf.path), _js_refusal(sf), 1, 1)
    if score < 1.0 and sf.kind != source.kind and sf.kind not in source.other_kinds:
        raise ImportFileError(str(sf.path), f"is a {sf.kind.upper()} file but {source.name} reads "
                              f"{source.kind.upper()} files; check --source (or use --source auto)", 1, 1)
    if score < 1.0:
        lacking = ", ".join(_shown(source.spell(m)) for m in missing)
        raise ImportFileError(str(sf.path), f"not a {source.name} file: missing column(s) {lacking}; check "
                              "--source (or use --source auto)", 1, 1)
