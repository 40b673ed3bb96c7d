"""The report's JSON shape (cli.md), the text rendering, and the open registry."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator

import pytest
from rich.console import Console

from strategyfirst.lint import RULES, Hit, LintContext, Rule, all_rules, get_rule, register
from strategyfirst.lint.render import render_text
from strategyfirst.plan import loads
from tests.lint.plans import AS_OF, EXAMPLE_TEXT, doc, example, lint

FINDING_KEYS = {"rule", "severity", "path", "message", "hint"}


def _broken() -> dict:
    data = example()
    data["tactics"][2]["serves"] = []   # orphan-tactic (error) at tactics[2]
    del data["review"]                  # no-review-cadence (warning)
    data["tactics"][0]["owner"] = None  # no-owner (warning for a tactic)
    return data


def test_json_shape() -> None:
    payload = lint(_broken()).to_json("strategy.yaml")
    payload = json.loads(json.dumps(payload))  # it is plain JSON
    assert payload["plan"] == "strategy.yaml"
    assert payload["errors"] == 1 and payload["warnings"] == 2
    assert {"plan", "errors", "warnings", "findings"} <= set(payload)
    assert len(payload["findings"]) == 3
    for f in payload["findings"]:
        assert set(f) >= FINDING_KEYS
        assert f["severity"] in ("error", "warning")
        assert isinstance(f["line"], int) and isinstance(f["column"], int)
    first = payload["findings"][0]
    assert (first["rule"], first["severity"], first["path"]) == ("orphan-tactic", "error", "tactics[2]")


def test_errors_and_warnings_lists() -> None:
    report = lint(_broken())
    assert [f.rule for f in report.errors] == ["orphan-tactic"]
    assert sorted(f.rule for f in report.warnings) == ["no-owner", "no-review-cadence"]
    assert not report.ok


def test_render_text_groups_by_severity_with_hints() -> None:
    buf = io.StringIO()
    render_text(lint(_broken()), Console(file=buf, width=200, color_system=None))
    text = buf.getvalue()
    assert text.index("Errors (1)") < text.index("Warnings (2)")
    assert text.index("orphan-tactic") < text.index("Warnings (2)") < text.index("no-review-cadence")
    assert "hint: Add `serves: [OBJECTIVE_ID]`" in text
    assert "1 error, 2 warnings" in text


def test_render_text_clean_plan() -> None:
    buf = io.StringIO()
    render_text(lint(example()), Console(file=buf, width=120, color_system=None))
    assert "no findings" in buf.getvalue()


def test_register_extends_the_registry() -> None:
    def check(ctx: LintContext) -> Iterator[Hit]:
        if ctx.plan.organisation == "Acme Outdoor":
            yield Hit(("organisation",), "test rule fired", severity="error")

    rule = Rule("not-ready-test", "warning", "a test rule", "do something", check)
    register(rule)
    try:
        register(rule)  # the same object again is a no-op
        assert sum(r.slug == "not-ready-test" for r in all_rules()) == 1
        assert get_rule("not-ready-test") is rule
        with pytest.raises(ValueError):
            register(Rule("not-ready-test", "warning", "another", "x", check))
        from strategyfirst.lint import lint_document

        report = lint_document(loads(EXAMPLE_TEXT), as_of=AS_OF)  # organisation is on line 2
        (finding,) = report.findings
        assert (finding.rule, finding.severity, finding.path, finding.line, finding.column) == \
            ("not-ready-test", "error", "organisation", 2, 1)
        assert finding.hint == "do something"
    finally:
        RULES.remove(rule)


def test_as_of_defaults_to_today() -> None:
    from strategyfirst.lint import lint_document

    assert lint_document(doc(example())).as_of == dt.date.today()
