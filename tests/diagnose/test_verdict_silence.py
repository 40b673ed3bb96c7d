"""A tactic's ratio or reply time whose data stopped long before the as-of date is not judged, as its KPI is not
forecast across such a silence: a care desk exported in October 2017 was 'failing, over 99% likely' in 2021."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from strategyfirst.diagnose import diagnose
from strategyfirst.diagnose.inputs import DiagnoseInputs, Observation
from strategyfirst.plan import loads
from strategyfirst.workspace import Workspace

PLAN = """version: 1
owner: Ann
horizon: {start: 2014-01-01, end: 2021-12-31}
review: {cadence: monthly}
accounts: {x: ["@AppleSupport"]}
strategy: {statement: Answer people}
objectives:
  - id: dialogue
    kpis: [{metric: response_rate, target: 0.9}, {metric: first_response_minutes_median, target: 60}]
tactics:
  - {id: care-desk, channel: x, serves: [dialogue], owner: Bo, match: {accounts: ["@AppleSupport"]}}
"""


def silent_inputs(last: dt.date, as_of: dt.date) -> DiagnoseInputs:
    """13 of 17 inbound messages answered and 13 reply times of 5-6.5 h, all in the month of `last`."""
    inputs = DiagnoseInputs(plan=loads(PLAN).plan, as_of=as_of)
    gaps = np.linspace(300.0, 390.0, 13)
    inputs.tactic_actual[("care-desk", "response_rate")] = Observation(13 / 17, 17, numerator=13, denominator=17)
    inputs.tactic_series[("care-desk", "response_rate")] = [
        Observation(13 / 17, 17, numerator=13, denominator=17, period=last)]
    inputs.tactic_series[("care-desk", "first_response_minutes_median")] = [Observation(345.0, 13, period=last)]
    inputs.tactic_gaps["care-desk"] = gaps
    inputs.objective_actual[("dialogue", "response_rate")] = Observation(13 / 17, 17, numerator=13, denominator=17)
    inputs.objective_actual[("dialogue", "first_response_minutes_median")] = Observation(345.0, 13)
    inputs.objective_gaps["dialogue"] = gaps
    return inputs


def test_a_tactic_silent_for_four_years_is_not_judged_failing() -> None:
    [v] = diagnose(silent_inputs(dt.date(2017, 10, 1), dt.date(2021, 12, 28))).verdicts
    # November 2017 to November 2021 are the whole months without data before 2021-12-28: 2 + 3 × 12 + 11 = 49.
    assert v.kind == "not_enough_data"
    assert v.probability is None
    why = ("no data since 2017-10 (none in the 49 whole months up to 2021-12-28), so it is not judged on data "
           "that old; import the exports since 2017-10")
    assert v.evidence == (f"care-desk cannot be judged on the KPIs of 'dialogue' (care-desk: response rate: {why}; "
                          f"care-desk: median first response: {why}).")
    # The values stay told, as the KPI tells its last value: 13/17 answered, the median of the 13 reply times.
    rate, median = v.details
    assert (rate.value, rate.n) == (pytest.approx(13 / 17), 17)
    assert (median.value, median.n) == (pytest.approx(345.0), 13)


def test_a_tactic_with_recent_data_is_still_judged() -> None:
    # The same figures three whole months before the as-of date (September to November 2021 without data: 3,
    # under the 4 a silence needs): 6.3 h against 60 min is a miss.
    [v] = diagnose(silent_inputs(dt.date(2021, 8, 1), dt.date(2021, 12, 28))).verdicts
    assert v.kind == "tactic_failing"
    assert "no data since" not in v.evidence


def test_the_twcs_care_desk_of_october_2017_is_not_judged_in_2021(tmp_path: Path, shared_data: Path) -> None:
    sample = shared_data / "twcs" / "sample.csv"
    with sample.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    apple = {r["tweet_id"] for r in rows if r["author_id"] == "AppleSupport"}
    months = {r["created_at"][4:7] + r["created_at"][-5:] for r in rows if r["tweet_id"] in apple}
    assert months == {"Oct 2017"}  # every reply of AppleSupport in the sample
    ws = Workspace(tmp_path).ensure()
    ws.plan_path.write_text(PLAN, encoding="utf-8")
    ws.ingest_groups([([sample], {})])
    late = ws.diagnose(dt.date(2021, 12, 28))
    [v] = late.verdicts
    assert v.kind == "not_enough_data"
    assert "no data since 2017-10 (none in the 49 whole months up to 2021-12-28)" in v.evidence
    # Its KPIs said so already; the verdict no longer contradicts them.
    assert {k.status for k in late.kpis} == {"not_enough_data"}
    # Judged a month after its data, the reply times still make it a failing tactic.
    [v] = ws.diagnose(dt.date(2017, 11, 30)).verdicts
    assert v.kind == "tactic_failing"
    assert v.details[-1].metric == "first_response_minutes_median" and v.details[-1].value > 60
