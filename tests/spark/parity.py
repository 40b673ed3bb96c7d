"""Comparing two measurements: same rows in the same order, floats to 1e-9 relative, nulls equal."""

from __future__ import annotations

import math
from typing import Any

from strategyfirst.metrics import MeasureResult

REL = 1e-9


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=REL, abs_tol=0.0)
    return bool(a == b)


def differences(left: MeasureResult, right: MeasureResult, limit: int = 5) -> list[str]:
    """Where two results differ (at most `limit` lines); empty when they agree."""
    out: list[str] = []
    if len(left.rows) != len(right.rows):
        out.append(f"{len(left.rows)} rows vs {len(right.rows)}")
    for a, b in zip(left.rows, right.rows, strict=False):
        if a.keys() != b.keys():
            out.append(f"columns {sorted(a)} vs {sorted(b)}")
        bad = [k for k in a if not _same(a[k], b.get(k))]
        if bad:
            out.append(f"{a['metric']} {a['key']} {a['period']}: " +
                       ", ".join(f"{k} {a[k]!r} vs {b.get(k)!r}" for k in bad))
        if len(out) >= limit:
            break
    if left.data_quality != right.data_quality:
        out.append(f"data quality {left.data_quality} vs {right.data_quality}")
    return out
