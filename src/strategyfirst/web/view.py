"""What a page looks at (issue 18.1/18.2): a date range (a preset or two dates), an as-of day and platform and
account filters, read from the URL's query so that a link shows the same view, and the previous period of equal
length for comparison.

Presets count back from an anchor day: the as-of day when one is given, else the last day with data (so an
archive of 2017 shows 2017, not an empty "this month"), else today. The default is the last 30 days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from strategyfirst.dates import plausible

PRESETS = {"30d": "last 30 days", "month": "this month", "quarter": "this quarter", "horizon": "the plan's horizon",
           "all": "all data", "custom": "the dates below"}
DEFAULT_PRESET = "30d"
# Said beside the view of a `range=horizon` when the plan has none: no fault of the URL (the form offers it)
NO_HORIZON = "the plan has no horizon: showing the last 30 days"


@dataclass(frozen=True)
class View:
    """A resolved view: `since`/`until` None means unbounded (all data)."""

    preset: str = DEFAULT_PRESET
    since: dt.date | None = None
    until: dt.date | None = None
    as_of: dt.date | None = None
    platform: str | None = None
    account: str | None = None
    default: str = DEFAULT_PRESET  # the preset of the page's address without `range` (an account page: all)

    @property
    def previous(self) -> tuple[dt.date, dt.date] | None:
        """The period of equal length just before this one (None for an unbounded range)."""
        if self.since is None or self.until is None:
            return None
        days = (self.until - self.since).days + 1
        end = self.since - dt.timedelta(days=1)
        return end - dt.timedelta(days=days - 1), end

    @property
    def through(self) -> dt.date | None:
        """The last day the view's figures count: its end cut at its as-of day (the as-of day itself counts; an
        unbounded end stops at the as-of day), None when neither bounds it."""
        ends = [day for day in (self.until, self.as_of) if day is not None]
        return min(ends) if ends else None

    @property
    def label(self) -> str:
        """'2017-09-13 to 2017-10-12 (last 30 days)'."""
        if self.since is None and self.until is None:
            return "all data"
        span = f"{self.since or 'the start'} to {self.until or 'the latest data'}"
        return span if self.preset == "custom" else f"{span} ({PRESETS[self.preset]})"

    @property
    def platforms(self) -> list[str] | None:
        return [self.platform] if self.platform else None

    @property
    def accounts(self) -> list[str] | None:
        return [self.account] if self.account else None

    def query(self, **changes: object) -> str:
        """The URL query that shows this view (with `changes`), empty for the default view."""
        view = replace(self, **changes)  # type: ignore[arg-type]
        params: dict[str, str] = {}
        if view.preset != view.default:
            params["range"] = view.preset
        if view.preset == "custom":
            params.update({k: str(v) for k, v in (("since", view.since), ("until", view.until)) if v})
        for key in ("as_of", "platform", "account"):
            if getattr(view, key):
                params[key] = str(getattr(view, key))
        return urlencode(params)


# plan.md's platforms that get platform-aware treatment; a plan's `accounts` may name others
KNOWN_PLATFORMS = ("x", "facebook", "instagram", "linkedin", "youtube", "tiktok", "mastodon", "bluesky", "email",
                   "rss", "blog")


def _handle(name: str) -> str:
    return name.strip().lower().lstrip("@")


def filter_problems(platform: str | None, account: str | None, accounts: Mapping[str, list[str]]) -> list[str]:
    """What is wrong with a `platform` or `account` filter, given the plan's `accounts` (platform → handles):
    a platform neither known nor the plan's, an account the plan does not list (case and a leading @ aside).
    A filter nothing can match would show every figure as nothing, not as a mistake."""
    problems: list[str] = []
    platforms = sorted({*KNOWN_PLATFORMS, *(str(k).lower() for k in accounts)})
    if platform and platform.strip().lower() not in platforms:
        problems.append(f"platform={platform!r} is not a platform: use one of {', '.join(platforms)}")
    handles = sorted({str(h) for names in accounts.values() for h in names or ()})
    if account and _handle(account) not in {_handle(h) for h in handles}:
        listed = f"one of {', '.join(handles)}" if handles else "none: the plan lists no accounts"
        problems.append(f"account={account!r} is not an account the plan lists under `accounts` ({listed})")
    return problems


# The workspace pages whose address takes a view (web/view.py) or only its as-of day: the navigation carries
# what each takes from page to page (nav_query).
VIEW_PAGES = ("dashboard", "dialogue", "posts")
AS_OF_PAGES = ("strategy", "verdicts")


def nav_query(target: str, view_query: str | None, as_of: dt.date | None) -> str:
    """The query of a navigation link to `target` (a page's id) from a page showing `view_query` (a view page)
    or only `as_of` (the others): the whole view to a view page, the as-of day to an as-of page, else none."""
    if target in VIEW_PAGES:
        query = view_query if view_query is not None else urlencode({"as_of": as_of} if as_of else {})
    elif target in AS_OF_PAGES:
        query = urlencode({"as_of": as_of} if as_of else {})
    else:
        query = ""
    return f"?{query}" if query else ""


def as_of_query(as_of: dt.date | None) -> str:
    """'?as_of=DAY' for the links of a page shown as of a day (to its drill-downs, CSVs, charts), else ''."""
    return f"?{urlencode({'as_of': as_of})}" if as_of else ""


def as_of_from(params: Mapping[str, str]) -> tuple[dt.date | None, list[str]]:
    """The as-of day of a page that shows only the diagnosis (strategy map, verdicts), and what was wrong."""
    problems: list[str] = []
    return _date(params, "as_of", problems), problems


def date_problems(params: Mapping[str, str]) -> list[str]:
    """What is wrong with the `since` and `until` days of a URL, in the words a view page says it."""
    problems: list[str] = []
    for key in ("since", "until"):
        _date(params, key, problems)
    return problems


def whole(params: Mapping[str, str], key: str, default: int, low: int, high: int, problems: list[str],
          instead: str) -> int:
    """A whole number of the URL from `low` to `high`, else `default` and what was wrong (with what is shown
    `instead`) in `problems`: a page answers a bad number as it answers a bad date, not with a raw 422."""
    text = (params.get(key) or "").strip()
    if not text:
        return default
    try:
        number = int(text)
    except ValueError:
        number = low - 1
    if low <= number <= high:
        return number
    problems.append(f"{key}={text!r} is not a whole number from {low:,} to {high:,}: {instead}")
    return default


def one_of(params: Mapping[str, str], key: str, allowed: Iterable[str], default: str, problems: list[str],
           instead: str = "") -> str:
    """A value of the URL that must be one of `allowed`, else `default` and what was wrong, listing the allowed
    values (with what is shown `instead`, on a page), in `problems`."""
    text = (params.get(key) or "").strip()
    names = list(allowed)
    if not text:
        return default
    if text in names:
        return text
    problems.append(f"{key}={text!r} is not one of {', '.join(names)}" + (f": {instead}" if instead else ""))
    return default


def page_status(problems: Iterable[str]) -> int:
    """The status of a page that says `problems` beside what it shows instead: 422 when any is a bad value of
    its URL (web.md: invalid input gets 422 with a located message, as a bad as-of day, platform or account
    does on the error page), 200 when it only notes that the plan has no horizon."""
    return 422 if any(p != NO_HORIZON for p in problems) else 200


def _date(params: Mapping[str, str], key: str, problems: list[str]) -> dt.date | None:
    text = (params.get(key) or "").strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        problems.append(f"{key}={text!r} is not a date: give it as YYYY-MM-DD")
        return None
    try:
        return plausible(day)
    except ValueError as exc:
        problems.append(f"{key}={exc}")
        return None


def _preset_dates(preset: str, anchor: dt.date, horizon: tuple[dt.date, dt.date] | None,
                  ) -> tuple[dt.date | None, dt.date | None]:
    if preset == "30d":
        return anchor - dt.timedelta(days=29), anchor
    if preset == "month":
        return anchor.replace(day=1), anchor
    if preset == "quarter":
        return anchor.replace(month=(anchor.month - 1) // 3 * 3 + 1, day=1), anchor
    if preset == "horizon" and horizon is not None:
        return horizon
    return None, None


def parse_view(params: Mapping[str, str], *, latest: dt.date | None = None,
               horizon: tuple[dt.date, dt.date] | None = None,
               today: dt.date | None = None, default: str = DEFAULT_PRESET) -> tuple[View, list[str]]:
    """The view a page's query asks for (`default` without a range or dates) and what was wrong with it (a bad
    value is left out, never fatal)."""
    problems: list[str] = []
    as_of = _date(params, "as_of", problems)
    since, until = _date(params, "since", problems), _date(params, "until", problems)
    preset = params.get("range") or ("custom" if since or until else default)
    if preset not in PRESETS:
        problems.append(f"range={preset!r} is not one of {', '.join(PRESETS)}")
        preset = default
    if preset == "horizon" and horizon is None:
        problems.append(NO_HORIZON)
        preset = DEFAULT_PRESET
    anchor = as_of or latest or today or dt.date.today()
    preset_dates = _preset_dates(preset, anchor, horizon)
    # the form sends back the dates it showed (`shown`): dates edited since are the user's own choice, else the
    # preset (perhaps a newly picked one) decides; a link with dates and no preset is custom
    edited = (since or until) and f"{since or ''}/{until or ''}" != params.get("shown", "")
    if preset == "custom" or (edited and "shown" in params) or ((since or until) and "range" not in params):
        preset = "custom"
    else:
        since, until = preset_dates
    if since and until and since > until:
        problems.append(f"since {since} is after until {until}: swapped")
        since, until = until, since
    platform = (params.get("platform") or "").strip() or None
    account = (params.get("account") or "").strip() or None
    return View(preset, since, until, as_of, platform, account, default), problems
