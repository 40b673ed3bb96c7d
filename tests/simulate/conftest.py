"""One small simulated organisation shared by the simulate tests (a few thousand messages, under a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.simulate import SimulationSummary, simulate

EVENTS = 6000
SEED = 11


@pytest.fixture(scope="session")
def sim(tmp_path_factory: pytest.TempPathFactory) -> SimulationSummary:
    return simulate(tmp_path_factory.mktemp("sim") / "org", events=EVENTS, seed=SEED)


@pytest.fixture(scope="session")
def sim_dir(sim: SimulationSummary) -> Path:
    return sim.out
