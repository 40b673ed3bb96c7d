"""The synthetic organisation used by `demo`, tests and benchmarks: plan, real-format exports, truth.json."""

from strategyfirst.simulate.run import SimulationSummary, simulate

__all__ = ["SimulationSummary", "simulate"]
