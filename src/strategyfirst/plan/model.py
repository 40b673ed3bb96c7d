"""Pydantic models of the strategy file (../shared/spec/plan.md, schema v1)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from strategyfirst.handles import cut_instance, is_fediverse, trim_space, without_instance
from strategyfirst.plan.readiness import IsoDate, Readiness

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _str_list(value: Any) -> Any:
    """A single string where a list is expected means a one-item list."""
    return [value] if isinstance(value, str) else value


def _number(value: Any) -> Any:
    """Refuse true/false where an amount is expected (pydantic would read them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    return value


def _amount(value: Any) -> Any:
    """A KPI value: a number, or a percentage written `"90%"` (read as 0.9)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1].strip()) / 100
        except ValueError:
            raise ValueError(f"{value!r} is not a percentage (write e.g. 0.9 or \"90%\")") from None
    return _number(value)


StrList = Annotated[list[str], BeforeValidator(_str_list)]
Number = Annotated[float, BeforeValidator(_number), Field(allow_inf_nan=False)]
# Targets and baselines may be written as percentages: `target: "90%"` is 0.9.
Amount = Annotated[float, BeforeValidator(_amount), Field(allow_inf_nan=False)]


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"{value!r} is not a slug (lower-case letters, digits, '-' and '_')")
    return value


Slug = Annotated[str, BeforeValidator(lambda v: _slug(v) if isinstance(v, str) else v)]


class Strict(BaseModel):
    """Unknown keys are errors: a typo must not silently drop a target."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False, str_strip_whitespace=True)


def _not_before_start(end: dt.date | None, info: ValidationInfo) -> dt.date | None:
    """An `end` on or after its `start` (both days included): reported at `end`, where the fix usually is. A
    tactic's period run backwards would silently attribute nothing to it."""
    start = info.data.get("start")
    if end is not None and isinstance(start, dt.date) and end < start:
        raise ValueError(f"ends on {end}, before it starts on {start}: the last day must be on or after the first")
    return end


class Horizon(Strict):
    start: IsoDate
    end: IsoDate  # an end before the start is the lint rule `horizon-end-before-start` (the plan still loads)


class Budget(Strict):
    total: Number | None = Field(default=None, ge=0)
    currency: str = "EUR"


class Review(Strict):
    cadence: Literal["weekly", "monthly", "quarterly"] | None = None


class Strategy(Strict):
    statement: str | None = None
    audiences: StrList = Field(default_factory=list)


class KPI(Strict):
    metric: str
    baseline: Amount | None = None
    target: Amount | None = None
    by: IsoDate | None = None


class Objective(Strict):
    id: Slug
    statement: str | None = None
    kpis: list[KPI] = Field(default_factory=list)


class Period(Strict):
    start: IsoDate | None = None
    end: IsoDate | None = None

    _end_after_start = field_validator("end")(_not_before_start)


class Match(Strict):
    """How messages are recognised as a tactic's: fields AND together, list items OR."""

    accounts: StrList = Field(default_factory=list)
    hashtags: StrList = Field(default_factory=list)
    campaign: StrList = Field(default_factory=list)
    text_contains: StrList = Field(default_factory=list)
    url_contains: StrList = Field(default_factory=list)
    platform: StrList = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not any((self.accounts, self.hashtags, self.campaign, self.text_contains,
                        self.url_contains, self.platform))

    def account_forms(self) -> tuple[frozenset[str], frozenset[str]]:
        """The normal forms of `accounts` (`handle_forms`) off the fediverse and on it: what the account of a
        message must be to match, on a platform of each kind. A kind `platform` rules out has none."""
        platforms = [p.strip().lower() for p in self.platform]
        forms = [handle_forms(a) for a in self.accounts]
        off = not platforms or any(not is_fediverse(p) for p in platforms)
        on = not platforms or any(is_fediverse(p) for p in platforms)
        return (frozenset(f for f, _ in forms) if off else frozenset(),
                frozenset(f for _, f in forms) if on else frozenset())


class Experiment(Strict):
    question: str | None = None
    until: IsoDate | None = None


class Tactic(Strict):
    id: Slug
    channel: str | None = None
    serves: StrList = Field(default_factory=list)
    owner: str | None = None
    budget: Number | None = Field(default=None, ge=0)
    period: Period | None = None
    match: Match | None = None
    experiment: Experiment | None = None
    # Expected extra inbound messages per week the tactic brings while it runs (capacity planning).
    expected_inbound_per_week: float | None = Field(default=None, ge=0)


class LintSettings(Strict):
    """`lint.tool_words` extends the default tool-word list; `tool_words_mode: replace` replaces it."""

    tool_words: StrList = Field(default_factory=list)
    tool_words_mode: Literal["extend", "replace"] = "extend"


class Plan(Strict):
    version: Literal[1] = 1
    organisation: str | None = None
    owner: str | None = None
    horizon: Horizon | None = None
    budget: Budget | None = None
    review: Review | None = None
    accounts: dict[str, StrList] = Field(default_factory=dict)
    strategy: Strategy | None = None
    objectives: list[Objective] = Field(default_factory=list)
    tactics: list[Tactic] = Field(default_factory=list)
    lint: LintSettings | None = None
    readiness: Readiness | None = None

    @field_validator("accounts")
    @classmethod
    def _platform_keys(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {str(k).strip().lower(): v for k, v in value.items()}

    # --- conveniences used across layers -------------------------------------------------------------
    def objective(self, objective_id: str) -> Objective | None:
        return next((o for o in self.objectives if o.id == objective_id), None)

    def tactic(self, tactic_id: str) -> Tactic | None:
        return next((t for t in self.tactics if t.id == tactic_id), None)

    def kpi_deadline(self, kpi: KPI) -> dt.date | None:
        """A KPI's `by` defaults to the horizon's end."""
        return kpi.by or (self.horizon.end if self.horizon else None)

    def owned_handles(self) -> dict[str, set[str]]:
        """Owned accounts per platform, normalised on their platform (`normalise_handle`)."""
        return {p: {normalise_handle(h, p) for h in hs} for p, hs in self.accounts.items()}


def normalise_handle(handle: str, platform: str | None) -> str:
    """The normal form of a handle on `platform` (strategyfirst.handles): handles match case-insensitively with '@'
    optional and white space around them ignored (`handles.SPACE`), and on a fediverse platform `user@instance` as
    `user`; elsewhere (and with no platform, None) an '@host' stays (`news@acme.com`). Each character is lower-cased
    on its own, as DuckDB's `lower` does to the accounts in the data: Python's `str.lower` writes a final sigma at
    the end of a Greek word ('ΑΘΗΝΑΣ' -> 'αθηνας', DuckDB 'αθηνασ') and 'i̇' (two characters) for 'İ' (DuckDB 'i'),
    which no account would then match."""
    return without_instance(_lowered(handle), platform)


def handle_forms(handle: str) -> tuple[str, str]:
    """(normal form off the fediverse, normal form on it) of a handle whose platform is not known (a tactic's
    `match.accounts` without `match.platform`, `measure --account`): the same string unless it ends in an
    '@instance'."""
    lowered = _lowered(handle)
    return lowered, cut_instance(lowered)


def _lowered(handle: str) -> str:
    return "".join(_LOWER.get(c) or c.lower() for c in trim_space(handle).lstrip("@"))


_LOWER = {"\u0130": "i"}  # 'İ': its simple lower case (Unicode's full one is 'i' + a combining dot above)
