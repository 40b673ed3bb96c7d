"""Adding an objective, a KPI or a tactic the way lint would accept it.

The item is added to the plan text (`plan.additions`: the rest of the file kept byte for byte), then the plan is
read back and linted. The addition is refused (AdditionError, each problem keyed by the form field it is
about) when the new text does not validate or when it makes a lint *error* fire that did not fire before —
except `objective-without-kpi` for a new objective, whose KPIs are added next. New warnings do not refuse it:
they are in the returned report, shown at their lines like any other finding.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from strategyfirst import catalog
from strategyfirst.errors import AdditionError, PlanError, PlanProblem
from strategyfirst.lint.engine import lint_document
from strategyfirst.lint.report import LintReport
from strategyfirst.plan.additions import (
    Added,
    day,
    flow_map,
    flow_seq,
    insert_item,
    kpi_list_path,
    number,
    words,
)
from strategyfirst.plan.document import PathPart, PlanDocument, format_path, loads

# the form field a rule is about, when its finding points at the whole item
RULE_FIELDS = {"kpi-without-target": "target", "unknown-metric": "metric", "orphan-tactic": "serves",
               "unknown-objective": "serves", "over-budget": "budget", "experiment-overdue": "until",
               "experiment-without-question": "question", "unmeasurable-tactic": "accounts",
               "unknown-account": "accounts", "spaced-handle": "accounts"}
# plan keys whose form field has another name
KEY_FIELDS = {"match": "accounts", "experiment": "question", "period": "start", "kpis": "metric"}
# the most characters each field takes: the API's bodies and the web forms' maxlength are these
MAX_CHARS: dict[str, int] = {
    "id": 200, "statement": 2000, "objective": 200, "metric": 200, "target": 100, "baseline": 100, "by": 40,
    "channel": 500, "owner": 500, "budget": 100, "start": 40, "end": 40, "accounts": 2000, "hashtags": 2000,
    "campaign": 500, "question": 2000, "until": 40,
}
_PATH_PART = re.compile(r"\.?([A-Za-z_][\w-]*)|\[(\d+)\]")


@dataclass(frozen=True)
class Checked:
    """An accepted addition: the new text, where the item was written, and the lint report of the new text."""

    added: Added
    report: LintReport
    what: str

    @property
    def text(self) -> str:
        return self.added.text

    @property
    def line(self) -> int:
        return self.added.line


def field_of(key: str, item: str) -> str:
    """The form field a plan path inside the new item is about ('tactics[3].match.accounts[0]' -> 'accounts');
    '' for a path outside it or the item itself."""
    if not key.startswith(item) or key == item:
        return ""
    names = [m.group(1) for m in _PATH_PART.finditer(key[len(item):]) if m.group(1)]
    if not names:
        return ""
    if names[0] in ("experiment", "period") and len(names) > 1:
        return names[1]
    if names[0] == "match" and len(names) > 1:
        return names[1]
    return KEY_FIELDS.get(names[0], names[0])


def sentence(message: str, hint: str) -> str:
    """A finding's message and its hint as one text."""
    return f"{message}{'' if message.endswith(('.', '?', '!')) else '.'} {hint}"


def _short(message: str, key: str) -> str:
    """A parse problem's message without the plan path it starts with (the field is named beside it)."""
    text = message.removeprefix(f"{key}: ") if key else message
    return "required" if text == "required key is missing" else text


def _within_limits(**fields: str) -> None:
    """Refuse the fields longer than MAX_CHARS says, each problem at its field, before anything is parsed."""
    problems = [PlanProblem("strategy.yaml", 1, 1, f"At most {MAX_CHARS[name]:,} characters (this has "
                            f"{len(value):,}): shorten it.", key=name)
                for name, value in fields.items() if len(value) > MAX_CHARS[name]]
    if problems:
        raise AdditionError(problems)


def _check(text: str, what: str, build: Callable[[PlanDocument], tuple[Sequence[PathPart], Any]],
           exempt: frozenset[str] = frozenset(), as_of: dt.date | None = None) -> Checked:
    try:
        doc = loads(text)
    except PlanError as exc:
        first = exc.problems[0]
        why = f"the plan does not parse (line {first.line}: {first.message}): fix it in the editor first"
        raise AdditionError([PlanProblem(first.file, first.line, first.column, why)]) from None
    before = {(f.rule, f.path) for f in lint_document(doc, as_of=as_of).errors}
    try:
        seq_path, item = build(doc)
    except PlanError as exc:
        raise AdditionError(exc.problems) from None
    try:
        added = insert_item(doc, seq_path, item)
    except PlanError as exc:
        where = format_path((*seq_path, len(doc_list(doc, seq_path))))
        raise AdditionError([PlanProblem(p.file, p.line, p.column, _short(p.message, p.key),
                                         key=field_of(p.key, where)) for p in exc.problems]) from None
    report = lint_document(loads(added.text), as_of=as_of)
    where = format_path(added.path)
    refused = [f for f in report.errors if (f.rule, f.path) not in before and f.rule not in exempt]
    if refused:
        raise AdditionError([PlanProblem("strategy.yaml", f.line, f.column, sentence(f.message, f.hint),
                                         key=field_of(f.path, where) or RULE_FIELDS.get(f.rule, ""))
                             for f in refused])
    return Checked(added=added, report=report, what=what)


def doc_list(doc: PlanDocument, path: Sequence[PathPart]) -> list[Any]:
    node: Any = doc.tree
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return []
    return node if isinstance(node, list) else []


def _kept(values: dict[str, Any]) -> dict[str, Any]:
    """Only the keys given a value: an empty form field is an absent key, as when writing the file by hand."""
    return {k: v for k, v in values.items() if v not in ("", None, [])}


def add_objective(text: str, *, id: str, statement: str = "", as_of: dt.date | None = None) -> Checked:
    """Add an objective (its KPIs come next, so `objective-without-kpi` does not refuse it)."""
    _within_limits(id=id, statement=statement)
    item = CommentedMap(_kept({"id": id.strip(), "statement": statement.strip()}))
    return _check(text, f"objective {id.strip()!r}", lambda doc: (("objectives",), item),
                  exempt=frozenset({"objective-without-kpi"}), as_of=as_of)


def add_kpi(text: str, *, objective: str, metric: str, target: str, baseline: str = "", by: str = "",
            as_of: dt.date | None = None) -> Checked:
    """Add a KPI to an objective, written on one line like the example plan's."""
    _within_limits(objective=objective, metric=metric, target=target, baseline=baseline, by=by)
    item = flow_map(_kept({"metric": metric.strip(), "baseline": number(baseline), "target": number(target),
                           "by": day(by)}))
    spec = catalog.get(metric.strip())
    # history and the page name the metric by its label (issue 18.9); an unknown id is refused anyway
    return _check(text, f"KPI {spec.label if spec else metric.strip()!r} of objective {objective.strip()!r}",
                  lambda doc: (kpi_list_path(doc, objective.strip()), item), as_of=as_of)


def add_tactic(text: str, *, id: str, serves: Sequence[str] = (), channel: str = "", owner: str = "",
               budget: str = "", start: str = "", end: str = "", accounts: str = "", hashtags: str = "",
               campaign: str = "", question: str = "", until: str = "",
               as_of: dt.date | None = None) -> Checked:
    """Add a tactic: what it serves (or the question it is an experiment on), its channel, owner, budget,
    period and how its posts are recognised."""
    _within_limits(id=id, channel=channel, owner=owner, budget=budget, start=start, end=end, accounts=accounts,
                   hashtags=hashtags, campaign=campaign, question=question, until=until)
    match = _kept({"accounts": flow_seq(words(accounts)) if words(accounts) else None,
                   "hashtags": flow_seq(words(hashtags)) if words(hashtags) else None,
                   "campaign": campaign.strip()})
    period = _kept({"start": day(start) if start.strip() else None, "end": day(end) if end.strip() else None})
    experiment = _kept({"question": question.strip(), "until": day(until) if until.strip() else None})
    item = CommentedMap(_kept({"id": id.strip(), "channel": channel.strip(),
                  "serves": flow_seq([s.strip() for s in serves if s.strip()]) or None,
                  "owner": owner.strip(), "budget": number(budget),
                  "period": flow_map(period) if period else None,
                  "match": flow_map(match) if match else None,
                  "experiment": flow_map(experiment) if experiment else None}))
    return _check(text, f"tactic {id.strip()!r}", lambda doc: (("tactics",), item), as_of=as_of)


__all__ = ["MAX_CHARS", "Checked", "add_kpi", "add_objective", "add_tactic", "field_of"]
