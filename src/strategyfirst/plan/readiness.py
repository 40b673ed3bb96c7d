"""The `readiness` section of strategy.yaml: answers to the readiness questionnaire (docs/readiness.md).

Every field is optional: an unanswered question scores nothing, it is never an error. Staffing is declared
in the team's local time (`response.timezone`) as blocks of weekdays × an hour range × people on duty; blocks
that overlap add up (two shifts at the same hour are two people).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                  "Sunday")
_DAY_ALIASES = {name.lower(): short for short, name in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True)}
_RANGE = re.compile(r"^\s*(\d{1,2})(?::00)?\s*[-–]\s*(\d{1,2})(?::00)?\s*$")


def _days(value: Any) -> Any:
    """`mon-fri`, `[mon, wed]`, `weekdays`, `weekend`, `every day`, full names: all become short day names."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("weekdays", "workdays"):
            return list(WEEKDAYS[:5])
        if text in ("weekend", "weekends"):
            return list(WEEKDAYS[5:])
        if text in ("every day", "everyday", "daily", "all"):
            return list(WEEKDAYS)
        if "-" in text and "," not in text:
            first, last = (_day(p) for p in text.split("-", 1))
            i, j = WEEKDAYS.index(first), WEEKDAYS.index(last)
            if j < i:
                raise ValueError(f"{value!r}: a day range runs forward (mon-fri); split one that wraps")
            return list(WEEKDAYS[i:j + 1])
        return [_day(p) for p in text.split(",") if p.strip()]
    if isinstance(value, list):
        return [_day(str(v)) for v in value]
    return value


def _day(text: str) -> str:
    key = text.strip().lower()
    key = _DAY_ALIASES.get(key, key)[:3]
    if key not in WEEKDAYS:
        raise ValueError(f"{text!r} is not a weekday (use mon, tue, wed, thu, fri, sat, sun)")
    return key


def parse_hours(value: str) -> tuple[int, int]:
    """'09-17' -> (9, 17): from the start hour up to (not including) the end hour, local time."""
    m = _RANGE.match(str(value))
    if not m:
        raise ValueError(f"{value!r} is not an hour range like '09-17' (start-end, whole hours, 00-24)")
    start, end = int(m.group(1)), int(m.group(2))
    if not (0 <= start < end <= 24):
        raise ValueError(f"{value!r}: hours run from 00 to 24 and the end must come after the start "
                         "(split a night shift: '22-24' on one day and '00-06' on the next)")
    return start, end


def _iso_date(value: Any) -> Any:
    """Accept a YAML date or an ISO 8601 string; refuse numbers (pydantic would read them as epochs)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None
    raise ValueError(f"expected an ISO 8601 date (YYYY-MM-DD), got {type(value).__name__} {value!r}")


@dataclass(frozen=True)
class Bound:
    """The range of a numeric answer: from `low` (above it when `low_open`) to `high`, finite. Its advice is
    the whole message, in words that read alike beside a form field, a prompt and an answers file's key."""

    low: float
    high: float
    advice: str
    low_open: bool = False

    def holds(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        return math.isfinite(value) and above and value <= self.high

    def check(self, value: float) -> float:
        if not self.holds(value):
            raise ValueError(self.advice)
        return value


# Generous ceilings: past them an answer is a typo (1e9 weeks, 200 hours a week), and a reply time of a billion
# minutes would make `capacity` count a team of billions.
HOURS_PER_WEEK = Bound(0, 168, "give a number of hours from 0 to 168, the hours in a week")
LISTENING_WEEKS = Bound(0, 520, "give a number of weeks from 0 to 520, ten years")
HANDLING_MINUTES = Bound(0, 480, "give a number of minutes above 0 and at most 480, a working day", low_open=True)
SHIFT_PEOPLE = Bound(0, 1000, "give a number of people above 0 and at most 1,000 in one shift", low_open=True)


# float fields refused outside their bound (NaN and infinities included) with the bound's advice
HoursPerWeek = Annotated[float, AfterValidator(HOURS_PER_WEEK.check)]
ListeningWeeks = Annotated[float, AfterValidator(LISTENING_WEEKS.check)]
HandlingMinutes = Annotated[float, AfterValidator(HANDLING_MINUTES.check)]
ShiftPeople = Annotated[float, AfterValidator(SHIFT_PEOPLE.check)]
Days = Annotated[list[str], BeforeValidator(_days)]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class Strict(BaseModel):
    """Unknown keys are errors, as elsewhere in the plan (plan.model imports this module, not the reverse)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StaffingBlock(Strict):
    """`people` on duty on each of `days` during `hours` ('09-17' = 09:00 to 17:00)."""

    days: Days
    hours: str
    people: ShiftPeople

    @field_validator("hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> Any:
        if isinstance(value, str):
            start, end = parse_hours(value)
            return f"{start:02d}-{end:02d}"
        return value

    def hour_range(self) -> tuple[int, int]:
        return parse_hours(self.hours)


class Ownership(Strict):
    owner: str | None = None
    hours_per_week: HoursPerWeek | None = None


class Leadership(Strict):
    support: Literal["committed", "tolerant", "sceptical", "unknown"] | None = None
    sponsor: str | None = None


class Listening(Strict):
    done: bool | None = None
    weeks: ListeningWeeks | None = None
    findings: str | None = None


class Guidelines(Strict):
    written: bool | None = None
    escalation: str | None = None


class Response(Strict):
    """Who answers, when, and how long one reply takes (the inputs of `strategyfirst capacity`)."""

    handling_minutes: HandlingMinutes | None = None
    timezone: str = "UTC"
    staffing: list[StaffingBlock] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Paris, UTC)") from None
        return value

    def declared(self) -> list[list[float]]:
        """People on duty as a 7×24 matrix (Monday first, local hours 0-23)."""
        grid = [[0.0] * 24 for _ in WEEKDAYS]
        for block in self.staffing:
            start, end = block.hour_range()
            for day in block.days:
                row = grid[WEEKDAYS.index(day)]
                for hour in range(start, end):
                    row[hour] += block.people
        return grid


class Measurement(Strict):
    baseline_captured: bool | None = None
    as_of: IsoDate | None = None


class BudgetReadiness(Strict):
    lasts_horizon: Literal["yes", "partly", "no"] | None = None
    funded_until: IsoDate | None = None


class Content(Strict):
    plan: bool | None = None
    tied_to_objectives: bool | None = None


class Readiness(Strict):
    """Answers to the readiness questionnaire, one block per dimension."""

    ownership: Ownership | None = None
    leadership: Leadership | None = None
    listening: Listening | None = None
    guidelines: Guidelines | None = None
    response: Response | None = None
    measurement: Measurement | None = None
    budget: BudgetReadiness | None = None
    content: Content | None = None

    def answers(self) -> dict[str, Any]:
        """The answers as plain data (what `readiness --answers` reads and the plan stores)."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
