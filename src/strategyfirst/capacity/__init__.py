"""Dialogue capacity: Erlang C staffing per hour of the week against the team the plan declares.

`plan_capacity(ws)` reads the measured inbound volume from the warehouse and the declared staffing and
handling time from `readiness.response` in strategy.yaml; `CapacityPlan.gaps` says where the plan will miss
its dialogue KPIs, `.heatmap()` gives the 7×24 shortfall matrix, `.forecasts` the spikes tactics announce.
"""

from strategyfirst.capacity.erlang import (
    average_wait_minutes,
    erlang_b,
    erlang_c,
    offered_load,
    required_servers,
    service_level,
)
from strategyfirst.capacity.forecast import SpikeForecast
from strategyfirst.capacity.planner import (
    ASSUMPTIONS,
    CapacityPlan,
    capacity_for,
    default_target_minutes,
    plan_capacity,
)
from strategyfirst.capacity.staffing import Gap, HourRow
from strategyfirst.capacity.volume import HourOfWeekVolume, measure_volume, volume_from_connection

__all__ = ["ASSUMPTIONS", "CapacityPlan", "Gap", "HourOfWeekVolume", "HourRow", "SpikeForecast",
           "average_wait_minutes", "capacity_for", "default_target_minutes", "erlang_b", "erlang_c",
           "measure_volume", "offered_load", "plan_capacity", "required_servers", "service_level",
           "volume_from_connection"]
