"""What each KPI status means, in words (the report's footnotes and `diagnose`'s), with the threshold they
name: standard library only, so the report reads them without importing the statistics (status.py)."""

from __future__ import annotations

# Below this many observations (inbound messages of a response rate, answered messages of a reply time, ...)
# a KPI that must hold its target says `not_enough_data` and how many more it needs, instead of a forecast.
MIN_OBSERVATIONS = 20
# Data silent for this many review periods or more start a new run (a trend is drawn through the latest run
# only: forecast.py), and a KPI silent for this many whole months before the day it is judged as of is not
# forecast at all (status.py).
LONG_GAP_PERIODS = 4

STATUS_RULES: tuple[tuple[str, str], ...] = (
    ("no_data", "nothing measured for the KPI's metric up to the date (or the KPI has no target)."),
    ("not_enough_data", f"a ratio, reply time or score measured on fewer than {MIN_OBSERVATIONS} observations "
                        "so far: too thin to forecast, unless an exact count already puts a ratio or reply time "
                        "clearly on one side of the target (a count as far from it would come up at most 10% of "
                        "the time were the value on the target); the reason says how many more are needed. "
                        f"Also any KPI whose data fall silent for {LONG_GAP_PERIODS} whole months or more before "
                        "the as-of date (or its deadline, if earlier), unless it is an accumulating or growing KPI "
                        "that has already reached its target (met): the reason gives the last value and since when "
                        "there is no data; nothing is forecast across the silence."),
    ("not_judged", "the KPI has no deadline (no `by`, and no horizon whose end it defaults to): it can be "
                   "neither paced nor forecast, so it is not judged; the reason gives its value so far."),
    ("met", "an accumulating or growing KPI has reached its target; any other KPI met it over the whole "
            "horizon once its deadline has passed."),
    ("on_track", "actual is at or beyond expected_now and the forecast at the deadline meets the target."),
    ("off_track", "actual is behind expected_now and even the favourable end of the 80 % forecast interval "
                  "misses the target (without an interval: the forecast misses it by more than 10 %); or the "
                  "deadline has passed with the target not met."),
    ("at_risk", "anything in between: behind now but the forecast could still make it, or ahead now but the "
                "trend points below the target."),
)
