"""What the truth tests share: `measure` rows in a lookup, and the comparison with the reference to 1e-9."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from strategyfirst.workspace import Workspace
from tests.truth.reference import Expect, Key

TOLERANCE = 1e-9
Measured = dict[tuple[str, str, str], dict[str, Any]]  # (metric, key, period) -> measure's row

_CACHE: dict[tuple[Path, str, str], Measured] = {}


def measured(ws: Workspace, by: str, period: str) -> Measured:
    """Every metric `measure` reports for the workspace by `by` and `period` (one call, cached per module)."""
    cache_key = (ws.root, by, period)
    if cache_key not in _CACHE:
        frame = ws.measure(by=by, period=period).to_pandas()
        out: Measured = {}
        for row in frame.to_dict("records"):
            clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            out[(str(clean["metric"]), str(clean["key"]), str(clean["period"]))] = clean
        _CACHE[cache_key] = out
    return _CACHE[cache_key]


def forget(ws: Workspace) -> None:
    for key in [k for k in _CACHE if k[0] == ws.root]:
        del _CACHE[key]


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def mismatches(metric: str, expected: Mapping[Key, Expect], got: Measured, *, check_n: bool = True,
               only_expected: bool = False) -> list[str]:
    """Every (key, period) where `measure` differs from the reference; rows with n = 0 count as absent.
    `only_expected`: compare only the reference's (key, period)s (the workspace holds other data too)."""
    if not any(m == metric for m, _, _ in got):
        return [f"measure reports no metric {metric!r}"]
    problems = []
    seen = set() if only_expected else {(k, p) for m, k, p in got if m == metric}
    for key, period in sorted(set(expected) | seen):
        want = expected.get((key, period))
        row = got.get((metric, key, period))
        have_value = None if row is None else row["value"]
        if want is None or (want.value is None and want.numerator is None):
            if have_value is not None:
                problems.append(f"{metric} {key} {period}: measure {have_value!r}, the file has no such figure")
            continue
        if row is None:
            problems.append(f"{metric} {key} {period}: missing from measure, expected {want.value!r}")
            continue
        if not close(have_value, want.value):
            problems.append(f"{metric} {key} {period}: measure {have_value!r}, file {want.value!r}")
        if check_n and want.n is not None and not close(row["n"], want.n):
            problems.append(f"{metric} {key} {period}: n {row['n']!r}, file {want.n!r}")
        if want.numerator is not None and not (close(row["numerator"], want.numerator)
                                               and close(row["denominator"], want.denominator)):
            problems.append(f"{metric} {key} {period}: {row['numerator']!r}/{row['denominator']!r}, "
                            f"file {want.numerator!r}/{want.denominator!r}")
    return problems


def check(metric: str, expected_by: Mapping[tuple[str, str], Mapping[Key, Expect]], ws: Workspace,
          *, check_n: bool = True, given: bool = True, only_expected: bool = False) -> None:
    """Compare one metric for every (by, period) the reference gives; fail listing every difference.
    `given`: the file carries this figure (the reference has values), so the test cannot pass vacuously."""
    if given:
        assert any(e.value is not None or e.numerator is not None
                   for expected in expected_by.values() for e in expected.values()), f"no {metric} in the file"
    problems: list[str] = []
    for (by, period), expected in expected_by.items():
        problems += [f"[by {by}, period {period}] {p}"
                     for p in mismatches(metric, expected, measured(ws, by, period), check_n=check_n,
                                           only_expected=only_expected)]
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:40])


BYS = (("none", "all"), ("account", "all"), ("none", "month"), ("account", "month"))


def params(metrics: list[str], xfails: Mapping[str, str] | None = None) -> list[Any]:
    """pytest params of metric ids; the ones in `xfails` marked strict xfail with their reason (issue item:
    what is wrong) so that they turn into failures once fixed."""
    import pytest

    xfails = xfails or {}
    return [pytest.param(m, marks=pytest.mark.xfail(strict=True, reason=xfails[m])) if m in xfails else m
            for m in metrics]
