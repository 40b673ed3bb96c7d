"""Property: whatever text or YAML comes in, `plan.loads` returns a plan or raises PlanError, nothing else."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from strategyfirst.errors import PlanError
from strategyfirst.plan import PlanDocument, load, loads

KEYS = ["version", "organisation", "owner", "horizon", "start", "end", "budget", "total", "currency",
        "review", "cadence", "accounts", "x", "facebook", "strategy", "statement", "audiences", "objectives",
        "id", "kpis",
        "metric", "baseline", "target", "by", "tactics", "channel", "serves", "match", "hashtags", "period",
        "experiment", "question", "until", "lint", "tool_words", "tool_words_mode", "readiness", "typo"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["monthly", "permission", "response_rate", "2026-01-01", "2026-02-30", "@AcmeHelp", "1"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=8), st.integers(-5, 5))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)),
    max_leaves=25,
)
YAML_CHARS = "ab:-[]{}&*!|>'\"#%@`?,\n\t 01.\\~=^$\u00e9\ufeff\x00"
plans = st.dictionaries(st.sampled_from(KEYS), documents, max_size=8)


def _dump(data: Any) -> str:
    buf = io.StringIO()
    YAML(typ="safe").dump(data, buf)
    return buf.getvalue()


def _check(text: str) -> None:
    try:
        doc = loads(text)
    except PlanError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.line >= 1 and p.column >= 1 and p.message
            assert "\n" not in p.message, p.message  # one located line, never a snippet of ruamel's
    else:
        assert isinstance(doc, PlanDocument)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_random_yaml_documents(data: Any) -> None:
    _check(_dump(data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans)
def test_random_plan_shaped_documents(data: Any) -> None:
    _check(_dump(data))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(YAML_CHARS)), max_size=60))
def test_random_yaml_like_text(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_random_text(text: str) -> None:
    _check(text)


def test_a_control_character_is_one_line_at_its_place() -> None:
    """ruamel's reader error (no mark, two lines with its offset) is located by its offset: line 3, column 16."""
    with pytest.raises(PlanError) as caught:
        loads('version: 1\nstrategy:\n  statement: "a\x00b"\n')
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (3, 16)
    assert problem.message == "YAML: unacceptable character #x0000: special characters are not allowed"


def test_recursive_aliases() -> None:
    for text in ("strategy: &x {statement: *x}", "objectives: &x [*x]", "a: &x {b: *x}", "&x [*x]"):
        _check(text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=80))
def test_random_bytes_from_a_file(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "strategy.yaml"
        path.write_bytes(raw)
        try:
            load(path)
        except PlanError as exc:
            assert all(p.file == "strategy.yaml" and p.line >= 1 and p.column >= 1 for p in exc.problems)
