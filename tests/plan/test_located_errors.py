"""Every parse or validation problem is a PlanError located at `file:LINE:COL` naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.errors import PlanError
from strategyfirst.plan import load, loads

# (name, plan text, expected (line, column), a fragment the message must contain)
MALFORMED: list[tuple[str, str, tuple[int, int], str]] = [
    ("unknown top-level key", "version: 1\nowner: Jane\nstrategey:\n  statement: x\n", (3, 1),
     "strategey: unknown key"),
    ("unknown nested key",
     "version: 1\nobjectives:\n  - id: a\n    kpis:\n      - {metric: reach, targt: 5}\n",
     (5, 25), "objectives[0].kpis[0].targt: unknown key"),
    ("number expected", "version: 1\nbudget: {total: lots}\n", (2, 10), "budget.total"),
    ("list expected", "objectives: permission\n", (1, 1), "objectives: Input should be a valid list"),
    ("impossible date", "horizon:\n  start: 2026-02-30\n  end: 2026-12-31\n", (2, 10),
     "'2026-02-30' is not a valid date"),
    ("non-ISO date", "horizon:\n  start: '2026/01/01'\n  end: 2026-12-31\n", (2, 3),
     "horizon.start: '2026/01/01' is not an ISO 8601 date"),
    ("number as date", "horizon: {start: 20260101, end: 2026-12-31}\n", (1, 11), "horizon.start"),
    ("period ends before it starts", "tactics:\n  - id: a\n    period: {start: 2017-06-01, end: '2017-01-01'}\n",
     (3, 33), "tactics[0].period.end: ends on 2017-01-01, before it starts on 2017-06-01: the last day must be on or "
     "after the first"),
    ("duplicate tactic id", "tactics:\n  - id: a\n  - id: b\n  - id: a\n", (4, 5),
     "tactics[2].id: duplicate id 'a'"),
    ("duplicate objective id", "objectives:\n  - id: x\n    kpis: []\n  - {id: x}\n", (4, 6),
     "objectives[1].id: duplicate id 'x'"),
    # an unclosed `[`, `{` or quote is located where it was opened, not where the parser gave up (3:6)
    ("bad YAML", "strategy:\n  statement: [unclosed\nowner: x\n", (2, 14),
     "YAML: the flow sequence opened here is not closed (at line 3, column 6: expected ',' or ']', but got ':')"),
    ("unclosed flow mapping", "version: 1\nhorizon: {start: 2021-01-01\n\nbudget: 3\n", (2, 10),
     "YAML: the flow mapping opened here is not closed (at line 4, column 7"),
    ("unclosed quote", 'version: 1\norganisation: "Acme\nbudget: 3\n', (2, 15),
     "YAML: the quoted scalar opened here is not closed"),
    ("duplicate key", "owner: a\nversion: 1\nowner: b\n", (3, 1), 'duplicate key "owner"'),
    ("non-mapping root", "- a\n- b\n", (1, 1), "must be a YAML mapping"),
    ("scalar root", "just text\n", (1, 1), "must be a YAML mapping"),
    ("empty file", "", (1, 1), "the plan is empty"),
    ("id not a slug", "objectives:\n  - id: Permission Asset\n", (2, 5),
     "objectives[0].id: 'Permission Asset' is not a slug"),
    ("bad version", "version: 2\n", (1, 1), "version"),
    ("bad cadence", "review: {cadence: daily}\n", (1, 10), "review.cadence"),
    ("negative budget", "tactics:\n  - id: a\n    budget: -5\n", (3, 5), "tactics[0].budget"),
    ("tab indentation", "owner: a\n\tversion: 1\n", (2, 1), "YAML:"),
    ("missing id", "tactics:\n  - channel: x\n", (2, 5), "tactics[0].id: required key is missing"),
    ("boolean amount", "version: 1\ntactics:\n  - {id: a, budget: true}\n", (3, 13),
     "tactics[0].budget: expected a number, got true"),
    ("not-a-number target", "objectives:\n  - id: a\n    kpis: [{metric: reach, target: .nan}]\n", (3, 28),
     "objectives[0].kpis[0].target: Input should be a finite number"),
    ("two documents", "version: 1\n---\nowner: x\n", (2, 1), "single document"),
]


@pytest.mark.parametrize(("name", "text", "where", "fragment"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_located(name: str, text: str, where: tuple[int, int], fragment: str) -> None:
    with pytest.raises(PlanError) as info:
        loads(text, file="strategy.yaml")
    problem = info.value.problems[0]
    assert (problem.line, problem.column) == where, str(problem)
    assert fragment in problem.message
    assert str(problem).startswith(f"strategy.yaml:{where[0]}:{where[1]}: ")


def test_an_order_check_names_the_dates_once() -> None:
    """The end quoted as a string ('2017-01-01') is named in the message: no '(got ...)' repeating it."""
    with pytest.raises(PlanError) as info:
        loads("tactics:\n  - id: a\n    period: {start: '2017-06-01', end: '2017-01-01'}\n")
    assert [p.message for p in info.value.problems] == [
        "tactics[0].period.end: ends on 2017-01-01, before it starts on 2017-06-01: the last day must be on or "
        "after the first"]
    one_day = loads("tactics:\n  - id: a\n    period: {start: 2017-06-01, end: 2017-06-01}\n").plan.tactics[0]
    assert one_day.period is not None and one_day.period.end == one_day.period.start  # a day is a period


def test_every_problem_is_reported_not_just_the_first() -> None:
    with pytest.raises(PlanError) as info:
        loads("version: 1\nownr: x\nbudget: {total: lots}\n")
    assert sorted((p.line, p.column) for p in info.value.problems) == [(2, 1), (3, 10)]
    assert str(info.value).count("strategy.yaml:") == 2


def test_non_utf8_file_is_located(tmp_path: Path) -> None:
    path = tmp_path / "strategy.yaml"
    path.write_bytes(b"version: 1\nowner: J\xe9r\xf4me\n")  # Latin-1 bytes
    with pytest.raises(PlanError) as info:
        load(path)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column) == ("strategy.yaml", 2, 9)
    assert "not UTF-8" in problem.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as info:
        load(tmp_path / "nope.yaml")
    assert "cannot read the plan" in str(info.value)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "strategy.yaml"
    path.write_bytes("\ufeffversion: 1\nowner: Jérôme\n".encode())
    assert load(path).plan.owner == "Jérôme"
