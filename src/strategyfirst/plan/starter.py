"""The commented starter plan that `strategyfirst init` writes."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from string import Template


def starter_plan_text(today: dt.date | None = None) -> str:
    """A starter strategy.yaml whose one-year horizon starts on the first of the current month."""
    day = today or dt.date.today()
    start = day.replace(day=1)
    end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
    template = resources.files("strategyfirst.plan").joinpath("starter.yaml").read_text(encoding="utf-8")
    return Template(template).substitute(start=start.isoformat(), end=end.isoformat())
