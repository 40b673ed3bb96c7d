"""The synthetic organisation used by `demo`, tests and benchmarks: plan, real-format exports, truth.json."""

from strategyfirst.simulate.run import SimulationSummary, ingest_simulated, simulate, simulated_files

__all__ = ["SimulationSummary", "ingest_simulated", "simulate", "simulated_files"]
